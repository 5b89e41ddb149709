package dev.tape.vm;

import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzHost;
import dev.tape.gen.ValidPrograms;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A paused run written to bytes and read into a fresh context continues exactly as the run itself
 * does: the same results or trap (kind, function, pc, span, stack), fuel, host calls and counters.
 * Writing the restored context again gives the same bytes.
 */
class SnapshotRoundTripTest {
    static final Limits LIMITS = new Limits(200_000, 64, 1_000, 4 << 20, 1 << 16);

    /** Pauses after {@code k} instructions; when still paused, snapshots, restores, and compares both continuations. */
    static boolean roundTrip(Vm vm, int entry, List<Value> args, Limits limits, long k, String oneShot) {
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, entry, args, limits);
        if (!Paused.step(vm, a, k)) {
            assertEquals(oneShot, Paused.finish(vm, a));
            return false;
        }
        byte[] snap = Snapshots.write(vm, a);
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, snap, b);
        assertArrayEquals(snap, Snapshots.write(vm, b), "restored state writes the same bytes");
        assertEquals(oneShot, Paused.finish(vm, a), "the paused run itself, continued");
        assertEquals(oneShot, Paused.finish(vm, b), "the restored run, after " + k + " instructions");
        return true;
    }

    static String oneShot(Vm vm, int entry, List<Value> args, Limits limits) {
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, entry, args, limits);
        return Paused.finish(vm, c);
    }

    @Property(tries = 200)
    void generatedProgramsAtRandomPausePoints(@ForAll long seed) throws Exception {
        Program p = ValidPrograms.program(seed);
        Vm vm = new Vm(Verifier.verify(p), FuzzHost.INSTANCE);
        List<Value> args = FuzzArgs.forFunction(p, 0, seed);
        String expected = oneShot(vm, 0, args, LIMITS);
        ExecutionContext probe = new ExecutionContext();
        Paused.start(vm, probe, 0, args, LIMITS);
        Paused.finish(vm, probe);
        long used = LIMITS.fuel() - probe.fuelRemaining();
        Random rnd = new Random(seed);
        for (int i = 0; i < 6 && used > 1; i++) {
            roundTrip(vm, 0, args, LIMITS, 1 + (long) (rnd.nextDouble() * (used - 1)), expected);
        }
    }

    private static Vm kinds() {
        return new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotPrograms.host());
    }

    @Test
    void everyValueKindAtEveryPausePoint() {
        Vm vm = kinds();
        List<Value> args = List.of(Value.i64(12));
        String expected = oneShot(vm, 0, args, Limits.DEFAULT);
        assertTrue(expected.startsWith("ok i64:80, str:\"héllo\", tuple(tuple(struct#0(i64:7, str:\"héllo\", obj:7/7000)"), expected);
        int paused = 0;
        for (long k = 1; roundTrip(vm, 0, args, Limits.DEFAULT, k, expected) || k < 3; k++) {
            paused++;
        }
        assertTrue(paused > 100, "paused " + paused + " times");
    }

    @Test
    void sharingIsKeptByIdentity() {
        Vm vm = kinds();
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, List.of(Value.i64(5)), Limits.DEFAULT);
        // into the recursion: main's registers are all written
        assertTrue(Paused.step(vm, a, 40));
        assertTrue(a.depth > 2, "depth " + a.depth);
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, Snapshots.write(vm, a), b);
        Object[] r = b.r;
        Aggregate pair = (Aggregate) r[11];
        assertSame(pair.ref(0), pair.ref(1), "one struct, twice in a tuple");
        assertSame(r[10], pair.ref(0), "the register and the element");
        assertSame(r[2], pair.ref(2), "a string in a register and in a tuple");
        Aggregate arr = (Aggregate) r[12];
        assertSame(arr.ref(0), arr.ref(1));
        assertSame(r[2], arr.ref(0));
        Aggregate env = (Aggregate) r[13];
        assertSame(r[11], env.ref(0));
        assertSame(r[9], env.ref(8), "one obj value");
        assertSame(env, ((Value.Closure) r[15]).env());
        assertEquals(new Value.Obj(7, 7000), r[9]);
        // the same values, with the same sharing, as the paused run's own
        assertEquals(a.r[13], r[13]);
    }

    @Test
    void staleValuesOfOtherTypesAreDroppedNotWritten() {
        Vm vm = kinds();
        String expected = oneShot(vm, 0, List.of(Value.i64(3)), Limits.DEFAULT);
        // pause inside late_dec before it writes r5 (a dec), where leave_str left a str
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, List.of(Value.i64(3)), Limits.DEFAULT);
        int lateDec = vm.functionId("late_dec");
        while (!(a.func == lateDec && a.ip > 0)) {
            assertTrue(Paused.step(vm, a, 1));
        }
        assertTrue(a.r[a.base + 5] instanceof Value.Str, "a stale str in the dec register");
        byte[] snap = Snapshots.write(vm, a);
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, snap, b);
        assertNull(b.r[b.base + 5], "not written: it restores empty");
        assertEquals(expected, Paused.finish(vm, b));
    }

    @Test
    void deepNestingWithoutJavaRecursion() {
        Vm vm = new Vm(SnapshotPrograms.verified(SnapshotPrograms.DEEP), Host.NONE);
        List<Value> args = List.of(Value.i64(200_000));
        Limits limits = Limits.DEFAULT;
        String expected = oneShot(vm, 0, args, limits);
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, args, limits);
        assertTrue(Paused.step(vm, a, 3 * 199_000));
        byte[] snap = Snapshots.write(vm, a);
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, snap, b);
        assertEquals(a.r[4], b.r[4], "the 199,000-deep chain");
        assertEquals(expected, Paused.finish(vm, b));
    }

    @Test
    void deepRecursion() {
        VerifiedProgram fib = SnapshotPrograms.verified(SnapshotPrograms.FIB);
        Vm vm = new Vm(fib, Host.NONE);
        List<Value> args = List.of(Value.i64(18));
        String expected = oneShot(vm, 0, args, Limits.DEFAULT);
        for (long k : new long[] {1, 2, 7, 100, 1001, 5000, 20_000}) {
            assertTrue(roundTrip(vm, 0, args, Limits.DEFAULT, k, expected));
        }
    }

    @Test
    void aRunSuspendedInAHostCallKeepsTheFlag() {
        Vm vm = kinds();
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, List.of(Value.i64(3)), Limits.DEFAULT);
        while (vm.image.code()[vm.image.entry(a.func) + a.ip] != dev.tape.format.Op.HOST_CALL) {
            assertTrue(Paused.step(vm, a, 1));
        }
        // as the driver leaves a run whose host function asked to suspend
        a.hostSuspended = true;
        byte[] snap = Snapshots.write(vm, a);
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, snap, b);
        assertTrue(b.hostSuspended);
        assertEquals(a.ip, b.ip);
        assertArrayEquals(snap, Snapshots.write(vm, b));
        // one step on: not at a host_call any more, so the flag cannot be written there
        a.hostSuspended = false;
        assertTrue(Paused.step(vm, a, 1));
        a.hostSuspended = true;
        byte[] forged = Snapshots.write(vm, a);
        SnapshotException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(vm, forged, new ExecutionContext()));
        assertTrue(e.reason().contains("not a host_call"), e.getMessage());
    }

    @Test
    void aMissingValueWhereTheProgramReadsOneCannotBeWritten() {
        Vm vm = kinds();
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, List.of(Value.i64(3)), Limits.DEFAULT);
        assertTrue(Paused.step(vm, a, 12));
        assertTrue(a.func == 0 && a.r[2] instanceof Value.Str, "main has written its string");
        a.r[2] = null;
        SnapshotException e = org.junit.jupiter.api.Assertions.assertThrows(SnapshotException.class,
                () -> Snapshots.write(vm, a));
        assertTrue(e.reason().contains("r2 of frame 0") && e.reason().contains("nothing"), e.getMessage());
        assertEquals(-1, e.offset());
    }
}
