package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Run#fork()}: a copy of a paused run stands where the run stands, with every register, and
 * ends exactly as the run ends; neither sees the other's moves.
 */
class RunCopyTest {
    private static final List<Value> ARGS = List.of(Value.i64(9));

    private static Vm kinds() {
        return new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotPrograms.host());
    }

    /** Every frame's registers, innermost first. */
    private static List<List<Value>> registers(Run run) {
        List<List<Value>> out = new ArrayList<>();
        for (int k = 0; k < run.depth(); k++) {
            out.add(run.registers(k));
        }
        return out;
    }

    /**
     * At every instruction boundary of KINDS(9) (closures, aggregates of every kind, a recursion 10
     * deep, a register holding a stale value of another type): the copy shows the same frames,
     * registers, fuel and counters, and run to its end gives the uninterrupted run's outcome; the
     * run, stepped on afterwards, is not moved by the copy's run.
     */
    @Test
    void aCopyAtEveryInstructionEndsAsTheRun() {
        Vm vm = kinds();
        Run whole = vm.start(0, ARGS, Limits.DEFAULT);
        String expected = SnapshotMain.finish(whole, whole.resume());
        Run walker = vm.start(0, ARGS, Limits.DEFAULT);
        Outcome o = walker.step(0);
        int positions = 0;
        int deepest = 0;
        while (o instanceof Outcome.Paused) {
            List<Trap.Frame> frames = walker.frames();
            List<List<Value>> regs = registers(walker);
            Run copy = walker.fork();
            assertEquals(frames, copy.frames());
            assertEquals(regs, registers(copy), "at position " + positions);
            assertEquals(walker.fuelRemaining(), copy.fuelRemaining());
            assertEquals(walker.hostCallsMade(), copy.hostCallsMade());
            assertEquals(walker.registersInUse(), copy.registersInUse());
            assertEquals(expected, SnapshotMain.finish(copy, copy.resume()), "the copy at position " + positions);
            assertEquals(frames, walker.frames(), "the copy's run did not move the run");
            assertEquals(regs, registers(walker));
            deepest = Math.max(deepest, frames.size());
            o = walker.step(1);
            positions++;
        }
        assertEquals(expected, SnapshotMain.finish(walker, o));
        assertTrue(positions > 120, "positions: " + positions);
        assertTrue(deepest >= 10, "deepest: " + deepest);
    }

    /** A copy's moves leave the run where it was: the copy of a copy, stepped, and the run differ by those steps. */
    @Test
    void theRunAndItsCopyMoveApart() {
        Vm vm = kinds();
        Run run = vm.start(0, ARGS, Limits.DEFAULT);
        run.step(40);
        Run copy = run.fork();
        copy.step(25);
        assertEquals(run.fuelRemaining() - 25, copy.fuelRemaining());
        Run stepped = run.fork();
        stepped.step(25);
        assertEquals(stepped.frames(), copy.frames());
        assertEquals(registers(stepped), registers(copy));
        assertEquals(Limits.DEFAULT.fuel() - 40, run.fuelRemaining());
    }

    /** A run suspended in a host call copies suspended in that call; each copy is answered on its own. */
    @Test
    void aSuspendedRunCopiesSuspended() {
        Vm vm = new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotMain.suspendingHost());
        Run run = vm.start(0, ARGS, Limits.DEFAULT);
        Outcome o = run.resume();
        PauseReason.HostSuspended s = assertInstanceOf(PauseReason.HostSuspended.class, ((Outcome.Paused) o).reason());
        Run copy = run.fork();
        assertEquals(s, copy.suspendedCall());
        assertThrows(IllegalStateException.class, copy::resume, "the copy waits for the host's answer too");
        String viaCopy = SnapshotMain.finish(copy, copy.resumeWith(List.of(SnapshotMain.answer(s))));
        String viaRun = SnapshotMain.finish(run, run.resumeWith(List.of(SnapshotMain.answer(s))));
        assertEquals(viaRun, viaCopy);
        Run plain = kinds().start(0, ARGS, Limits.DEFAULT);
        assertEquals(SnapshotMain.finish(plain, plain.resume()), viaRun);
    }

    /**
     * A run paused for fuel copies so: resumed without more fuel, both end with the same
     * {@code fuel_exceeded} trap; given more, each goes on by its own fuel.
     */
    @Test
    void aFuelPauseCopiesWithItsFuelState() {
        Vm vm = kinds();
        Run run = vm.start(0, ARGS, Limits.DEFAULT.withFuel(30));
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) run.resume()).reason());
        Run copy = run.fork();
        Run copy2 = run.fork();
        Trap a = ((Outcome.Trapped) run.resume()).trap();
        Trap b = ((Outcome.Trapped) copy.resume()).trap();
        assertEquals(TrapKind.FUEL_EXCEEDED, a.kind());
        assertEquals(a.toString(), b.toString());
        assertEquals(a.func(), b.func());
        assertEquals(a.pc(), b.pc());
        copy2.addFuel(Limits.DEFAULT.fuel());
        Run whole = kinds().start(0, ARGS, Limits.DEFAULT);
        Outcome all = whole.resume();
        assertEquals(((Outcome.Done) all).values(), ((Outcome.Done) copy2.resume()).values());
    }

    /** An ended run has nothing to copy. */
    @Test
    void anEndedRunCannotBeCopied() {
        Run run = kinds().start(0, ARGS, Limits.DEFAULT);
        run.resume();
        assertThrows(IllegalStateException.class, run::fork);
        assertThrows(IllegalStateException.class, run::registersInUse);
    }
}
