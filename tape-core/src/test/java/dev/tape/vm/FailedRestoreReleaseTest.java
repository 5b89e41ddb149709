package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.testing.TrapPrograms;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed restore lets go of what it grew without allocating ({@link ExecutionContext#releaseFailed}),
 * so that a restore that failed for want of memory cannot fail again there with an
 * {@code OutOfMemoryError} that would escape to the embedder; and the context it leaves runs and
 * restores as a fresh one. Allocation is read from the thread's allocated bytes, not timed.
 */
class FailedRestoreReleaseTest {
    /** down's frames hold 8 registers: 20,000 frames are far past RETAIN_REGISTERS and RETAIN_FRAMES */
    private static final long DEPTH = 20_000;
    private static final Limits LIMITS = Limits.DEFAULT.withMaxCallDepth(100_000);

    private static final Vm VM = vm();

    private static Vm vm() {
        try {
            return new Vm(Verifier.verify(TrapPrograms.deep(false).program()), Host.NONE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** @return a run of down(50,000) paused on fuel some 20,000 frames deep, in {@code ctx} */
    private static Run pausedDeep(ExecutionContext ctx) {
        Run run = VM.start(ctx, 0, List.of(Value.i64(50_000)), LIMITS.withFuel(7 * DEPTH), null);
        assertTrue(run.resume() instanceof Outcome.Paused);
        assertTrue(ctx.registerCapacity() > ExecutionContext.RETAIN_REGISTERS);
        assertTrue(ctx.frameCapacity() > ExecutionContext.RETAIN_FRAMES);
        return run;
    }

    /** @return the bytes the calling thread allocated while {@code r} ran, less what the probe itself costs */
    private static long allocated(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long a = mx.getThreadAllocatedBytes(id);
        long b = mx.getThreadAllocatedBytes(id);
        r.run();
        long c = mx.getThreadAllocatedBytes(id);
        return (c - b) - (b - a);
    }

    @Test
    void theFailedRestoresReleaseAllocatesNothingWhereReleaseAllocates() {
        // resolved once on a small context first: the measured call is a warm one
        new ExecutionContext().releaseFailed();
        ExecutionContext ctx = new ExecutionContext();
        pausedDeep(ctx);
        assertEquals(0, allocated(ctx::releaseFailed));
        assertEquals(0, ctx.registerCapacity());
        assertEquals(0, ctx.frameCapacity());
        // the probe sees an allocation: release() makes new initial files (some 3 KB)
        ExecutionContext grown = new ExecutionContext();
        pausedDeep(grown);
        grown.release();
        pausedDeep(grown);
        long made = allocated(grown::release);
        assertTrue(made >= ExecutionContext.INITIAL_REGISTERS * 8L, "release allocated " + made);
    }

    @Test
    void aFailedRestoreLeavesAContextThatRunsAndRestoresAsAFreshOne() throws Exception {
        byte[] snapshot = pausedDeep(new ExecutionContext()).snapshot();
        byte[] bad = Arrays.copyOf(snapshot, snapshot.length + 1);
        ExecutionContext ctx = new ExecutionContext();
        SnapshotException e = assertThrows(SnapshotException.class, () -> VM.restore(ctx, bad, null, null));
        assertTrue(e.getMessage().contains("follow"), e.getMessage());
        // it grew the files for 20,000 frames, then dropped them
        assertEquals(0, ctx.registerCapacity());
        assertEquals(0, ctx.frameCapacity());
        for (Object o : ctx.r) {
            assertNull(o);
        }
        // a deep run on it grows its frame records from none, as a fresh context's outcome
        List<Value> fresh = VM.run(new ExecutionContext(), 0, List.of(Value.i64(30_000)), LIMITS, null);
        assertEquals(fresh, VM.run(ctx, 0, List.of(Value.i64(30_000)), LIMITS, null));
        // and the good bytes restore in it after a failed restore, ending as the run would
        ExecutionContext again = new ExecutionContext();
        assertThrows(SnapshotException.class, () -> VM.restore(again, bad, null, null));
        Run restored = VM.restore(again, snapshot, null, null);
        restored.addFuel(10_000_000);
        Outcome o = restored.resume();
        assertEquals(List.of(Value.i64(50_000)), ((Outcome.Done) o).values());
    }
}
