package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Run#snapshot()} and {@link Vm#restore}: what a paused run carries besides its frames (a
 * fuel pause, fuel a host charged beyond the fuel left, a suspended host call), misuse, and
 * refusal of another program's snapshot.
 */
class RunSnapshotTest {
    private static Vm sum() throws Exception {
        return new Vm(RunTest.program(RunTest.SUM), Host.NONE);
    }

    @Test
    void aRestoredRunEndsAsTheRunAtEveryFuelPause() throws Exception {
        Vm vm = sum();
        List<Value> args = List.of(Value.i64(6));
        String expected = RunTest.oneShot(vm, args, 1000);
        for (long first = 0; first <= 30; first++) { // the run uses 37
            Run run = vm.start(0, args, Limits.DEFAULT.withFuel(first));
            Outcome o = run.resume();
            assertInstanceOf(Outcome.Paused.class, o, "paused at " + first);
            Run restored = sum().restore(run.snapshot());
            assertEquals(run.frames(), restored.frames());
            restored.addFuel(1000 - first);
            assertEquals(expected, RunTest.text(restored.resume()), "restored after " + first + " fuel");
        }
    }

    @Test
    void aFuelPauseTravelsAndTheNextResumeTrapsAsTheRunWould() throws Exception {
        Vm vm = sum();
        List<Value> args = List.of(Value.i64(6));
        Run run = vm.start(0, args, Limits.DEFAULT.withFuel(20));
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) run.resume()).reason());
        Run restored = vm.restore(run.snapshot());
        // both end with the one-shot run's fuel_exceeded trap now, not a second pause
        assertEquals(RunTest.oneShot(vm, args, 20), RunTest.text(run.resume()));
        assertEquals(RunTest.oneShot(vm, args, 20), RunTest.text(restored.resume()));
    }

    @Test
    void aRunSuspendedInAHostCallIsRestoredSuspendedInIt() throws Exception {
        AtomicReference<Integer> calls = new AtomicReference<>(0);
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    calls.set(calls.get() + 1);
                    ctx.chargeFuel(5);
                    ctx.suspend();
                });
        Vm vm = new Vm(RunTest.program(RunTest.FETCH), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100));
        PauseReason.HostSuspended s = (PauseReason.HostSuspended) ((Outcome.Paused) run.resume()).reason();
        assertEquals(s, run.suspendedCall());
        byte[] snap = run.snapshot();
        Run restored = new Vm(RunTest.program(RunTest.FETCH), host).restore(snap);
        assertEquals(s, restored.suspendedCall(), "the same symbol, signature and arguments");
        assertEquals(92, restored.fuelRemaining());
        assertEquals(1, restored.hostCallsMade());
        assertThrows(IllegalStateException.class, restored::resume, "suspended: needs resumeWith");
        assertEquals(new Outcome.Done(List.of(Value.i64(52))), restored.resumeWith(List.of(Value.i64(42))));
        assertEquals(90, restored.fuelRemaining());
        assertEquals(1, calls.get(), "the host function is not called again on restore");
        assertNull(restored.suspendedCall());
    }

    @Test
    void fuelAHostChargedBeyondTheFuelLeftIsStillOwedAfterARestore() throws Exception {
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    ctx.chargeFuel(50);
                    out[0] = Value.i64(42);
                });
        Vm vm = new Vm(RunTest.program(RunTest.FETCH), host);
        List<Value> args = List.of(Value.i64(1));
        String expected = RunTest.oneShot(vm, args, 100);
        // 10 fuel reaches the host call, which charges 50: 40 beyond the fuel left
        Run run = vm.start(0, args, Limits.DEFAULT.withFuel(10));
        assertInstanceOf(Outcome.Paused.class, run.resume());
        Run restored = new Vm(RunTest.program(RunTest.FETCH), host).restore(run.snapshot());
        restored.addFuel(90);
        run.addFuel(90);
        ExecutionContext one = new ExecutionContext();
        vm.run(one, 0, args, Limits.DEFAULT.withFuel(100), null);
        assertEquals(expected, RunTest.text(run.resume()));
        assertEquals(expected, RunTest.text(restored.resume()));
        assertEquals(one.fuelRemaining(), run.fuelRemaining());
        assertEquals(one.fuelRemaining(), restored.fuelRemaining(), "the debt is paid from the 90 added");
    }

    @Test
    void aRunNotStartedYetSnapshotsToo() throws Exception {
        Vm vm = sum();
        Run run = vm.start(0, List.of(Value.i64(4)), Limits.DEFAULT);
        Run restored = vm.restore(run.snapshot());
        assertEquals(RunTest.oneShot(vm, List.of(Value.i64(4)), Limits.DEFAULT.fuel()), RunTest.text(restored.resume()));
    }

    @Test
    void anEndedRunHasNoSnapshotAndAPausedOneIsUnchangedByIt() throws Exception {
        Vm vm = sum();
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(10));
        run.resume();
        byte[] a = run.snapshot();
        assertArrayEquals(a, run.snapshot(), "taking a snapshot changes nothing");
        run.addFuel(1000);
        assertInstanceOf(Outcome.Done.class, run.resume());
        IllegalStateException e = assertThrows(IllegalStateException.class, run::snapshot);
        assertTrue(e.getMessage().contains("ended"), e.getMessage());
    }

    @Test
    void aRunningRunHasNoSnapshot() throws Exception {
        AtomicReference<Run> self = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    try {
                        self.get().snapshot();
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                    out[0] = Value.i64(1);
                });
        Vm vm = new Vm(RunTest.program(RunTest.FETCH), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT);
        self.set(run);
        assertInstanceOf(Outcome.Done.class, run.resume());
        assertInstanceOf(IllegalStateException.class, thrown.get(), "running: " + thrown.get());
    }

    @Test
    void anotherProgramsSnapshotIsRefused() throws Exception {
        Vm vm = sum();
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(10));
        run.resume();
        byte[] snap = run.snapshot();
        Vm other = new Vm(RunTest.program(RunTest.FETCH), new HostRegistry().register("net.fetch",
                Signature.of(List.of(I64), List.of(I64)), (HostFunction) (a, out, ctx) -> out[0] = a[0]));
        SnapshotException e = assertThrows(SnapshotException.class, () -> other.restore(snap));
        assertEquals(6, e.offset());
        assertTrue(e.reason().contains("not of this program"), e.getMessage());
        assertThrows(SnapshotException.class, () -> vm.restore(java.util.Arrays.copyOf(snap, snap.length - 1)));
        assertThrows(SnapshotException.class, () -> vm.restore(null));
        assertThrows(SnapshotException.class, () -> vm.restore(new ExecutionContext(), snap,
                Limits.DEFAULT.withMaxRegisters(1), null), "over the ceiling");
    }

    @Test
    void forgedFlagsAndDebtAreRefused() throws Exception {
        Vm vm = sum();
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(10));
        run.resume();
        run.addFuel(5);
        byte[] snap = run.snapshot();
        // fuel left 5: neither a fuel pause nor a debt fits it
        int flags = flagsOffset(snap);
        byte[] t = snap.clone();
        t[flags] = (byte) Snapshots.FLAG_PAUSED_ON_FUEL;
        assertTrue(assertThrows(SnapshotException.class, () -> vm.restore(t)).reason().contains("paused for fuel"));
        byte[] u = snap.clone();
        u[flags - 1] = 7;
        assertTrue(assertThrows(SnapshotException.class, () -> vm.restore(u)).reason().contains("fuel debt"));
        byte[] v = snap.clone();
        v[flags] = 4;
        assertTrue(assertThrows(SnapshotException.class, () -> vm.restore(v)).reason().contains("unknown flags"));
    }

    /** The flags byte follows the fuel debt; with a one-byte debt of 0, it is right after a 0 byte. */
    private static int flagsOffset(byte[] snap) {
        // magic 4, version 2, hash 32, five limits, seven counters, debt: walk the LEB128 fields
        int at = 38;
        for (int field = 0; field < 5 + 7 + 1; field++) {
            while ((snap[at] & 0x80) != 0) {
                at++;
            }
            at++;
        }
        assertEquals(0, snap[at - 1], "the debt is 0");
        return at;
    }
}
