package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.testing.TrapPrograms;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reused {@link ExecutionContext}: after a deep run it lets go of what it grew, it never keeps a
 * value of a finished run reachable, and later runs on it give the same outcomes as on a fresh one.
 * Checked by the context's state after each run, not by timing.
 */
class ContextReuseTest {
    /** down's frames hold 8 registers: a 100,000-deep run needs 800,000, far past RETAIN_REGISTERS */
    private static final int DEEP = 100_000;
    private static final Limits LIMITS = Limits.DEFAULT.withMaxCallDepth(DEEP + 10);

    /** @return the run's results, or its trap's label */
    static Object run(Vm vm, ExecutionContext ctx, int n) {
        try {
            return vm.run(ctx, 0, List.of(Value.i64(n)), LIMITS, null);
        } catch (Trap t) {
            return t.label() + " " + t.pc() + " " + t.stack() + " " + t.elidedFrames() + " " + t.fuelRemaining();
        }
    }

    /** Asserts that no register holds a reference. */
    static void noValuesLeft(ExecutionContext ctx) {
        for (int i = 0; i < ctx.r.length; i++) {
            assertNull(ctx.r[i], "register " + i + " still holds a value of the finished run");
        }
        for (Object o : ctx.retR) {
            assertNull(o);
        }
    }

    /** Checks one VM's context handling; {@code tape-jit} runs it on the compiled tier too. */
    static void check(Vm returning, Vm trapping) {
        ExecutionContext ctx = new ExecutionContext();
        ExecutionContext fresh;
        for (Vm vm : new Vm[] {returning, trapping}) {
            // a deep run grows the files far past what a context keeps, then gives them back
            Object deep = run(vm, ctx, DEEP);
            assertEquals(ExecutionContext.INITIAL_REGISTERS, ctx.registerCapacity());
            assertEquals(ExecutionContext.INITIAL_FRAMES, ctx.frameCapacity());
            noValuesLeft(ctx);
            // and gives the same outcome as on a fresh context
            assertEquals(deep, run(vm, fresh = new ExecutionContext(), DEEP));
            assertEquals(ExecutionContext.INITIAL_REGISTERS, fresh.registerCapacity());

            // a trivial run after it: small files, no value left, same outcome as fresh
            Object small = run(vm, ctx, 3);
            assertEquals(run(vm, new ExecutionContext(), 3), small);
            assertEquals(ExecutionContext.INITIAL_REGISTERS, ctx.registerCapacity());
            noValuesLeft(ctx);

            // a run within what a context keeps (5,000 frames x 8 registers): registers stay grown,
            // frame records past RETAIN_FRAMES are dropped
            Object mid = run(vm, ctx, 5_000);
            assertTrue(ctx.registerCapacity() >= 5_000 * 8, "capacity " + ctx.registerCapacity());
            assertTrue(ctx.registerCapacity() <= ExecutionContext.RETAIN_REGISTERS);
            assertEquals(ExecutionContext.INITIAL_FRAMES, ctx.frameCapacity());
            noValuesLeft(ctx);
            assertEquals(run(vm, new ExecutionContext(), 5_000), mid);
            // a smaller run on the grown files: clears what it used, still no value left
            assertEquals(small, run(vm, ctx, 3));
            noValuesLeft(ctx);
            // 3,000 frames fit in RETAIN_FRAMES: the frame records stay
            run(vm, ctx, 3_000);
            assertTrue(ctx.frameCapacity() >= 3_000 && ctx.frameCapacity() <= ExecutionContext.RETAIN_FRAMES);
            noValuesLeft(ctx);
        }
    }

    @Test
    void deepRunsLeaveNothingBehind() throws Exception {
        check(new Vm(Verifier.verify(TrapPrograms.deep(false).program()), Host.NONE),
                new Vm(Verifier.verify(TrapPrograms.deep(true).program()), Host.NONE));
    }

    /** The register limit still holds on a context whose files a previous run grew. */
    @Test
    void theRegisterLimitHoldsOnGrownFiles() throws Exception {
        VerifiedProgram vp = Verifier.verify(TrapPrograms.deep(false).program());
        Vm vm = new Vm(vp, Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        run(vm, ctx, 5_000);
        assertTrue(ctx.registerCapacity() >= 5_000 * 8);
        Limits tight = Limits.DEFAULT.withMaxCallDepth(DEEP).withMaxRegisters(1_000);
        Trap t = assertThrows(Trap.class, () -> vm.run(ctx, 0, List.of(Value.i64(5_000)), tight, null));
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, t.kind());
        // main and as many frames of down as fit in 1,000 registers, each pending call's frame
        // record counting ExecutionContext.FRAME_REGISTERS more
        int main = vp.registerCount(0);
        int down = vp.registerCount(1);
        assertEquals(8, down);
        assertEquals(1 + (1_000 - main) / (down + ExecutionContext.FRAME_REGISTERS),
                t.stack().size() + t.elidedFrames());
        noValuesLeft(ctx);
    }
}
