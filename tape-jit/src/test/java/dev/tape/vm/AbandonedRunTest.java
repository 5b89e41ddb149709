package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A paused {@link Run} whose context another run takes over ({@link Vm#run}, {@link Vm#start} or
 * {@link Vm#restore} in the same {@link ExecutionContext}) is abandoned, on both tiers: every later
 * move or inspection of it throws {@link IllegalStateException} instead of reading or running on the
 * other run's state, and its {@link Run#interrupt()} and deadlines no longer reach the context, so
 * they cannot pause the run that took it over. Before the guard, the abandoned run's interrupt
 * paused the new run, and resuming it ran on the new run's registers.
 */
class AbandonedRunTest {
    /** Counts n down to 0: 4 instructions a turn; returns 0. */
    static final String TEXT = """
            program countdown
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                i64.sub r1, r1, r3
                jmp loop
            done:
                ret r0, [r1]
            }
            """;

    static Vm vm(boolean compiled) {
        VerifiedProgram v = Tiers.verified(JitCornerCasesTest.asm(TEXT));
        return compiled ? Jit.compile(v, new HostRegistry()) : new Vm(v, new HostRegistry());
    }

    /** A run of main(n) in ctx, paused for fuel after {@code fuel} units. */
    static Run paused(Vm vm, ExecutionContext ctx, long n, long fuel) {
        Run r = vm.start(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(fuel), null);
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) r.resume()).reason());
        return r;
    }

    /** Every move and inspection of {@code r}, by name. */
    static Map<String, Executable> uses(Run r) {
        Map<String, Executable> m = new LinkedHashMap<>();
        m.put("resume", r::resume);
        m.put("step", () -> r.step(1));
        m.put("resumeWith", () -> r.resumeWith(List.of()));
        m.put("addFuel", () -> r.addFuel(100));
        m.put("snapshot", r::snapshot);
        m.put("fork", r::fork);
        m.put("frames", r::frames);
        m.put("registers", () -> r.registers(0));
        m.put("registersInUse", r::registersInUse);
        m.put("depth", r::depth);
        m.put("position", r::position);
        m.put("fuelRemaining", r::fuelRemaining);
        m.put("hostCallsMade", r::hostCallsMade);
        m.put("suspendedCall", r::suspendedCall);
        return m;
    }

    static void assertAbandoned(Run r) {
        for (Map.Entry<String, Executable> e : uses(r).entrySet()) {
            IllegalStateException x = assertThrows(IllegalStateException.class, e.getValue(), e.getKey());
            assertTrue(x.getMessage().contains("abandoned"), e.getKey() + ": " + x.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aOneShotRunInTheContextAbandonsThePausedRun(boolean compiled) throws Exception {
        Vm vm = vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 1_000, 50);
        assertEquals(List.of(Value.i64(0)), vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, null));
        assertAbandoned(a);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theAbandonedRunsInterruptAndDeadlineDoNotPauseTheNewRun(boolean compiled) {
        Vm vm = vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 1_000, 50);
        Run b = paused(vm, ctx, 100, 30);
        a.interrupt();
        a.deadline(Duration.ZERO);
        a.deadline(Duration.ofMillis(1));
        b.addFuel(10_000);
        Outcome o = b.resume();
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), o);
        // main(100): 3 + 100 turns of 4 + the last compare, branch and ret
        assertEquals(10_030 - (3 + 400 + 3), b.fuelRemaining());
        assertAbandoned(a);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theNewRunsOwnInterruptStillPausesIt(boolean compiled) {
        Vm vm = vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 1_000, 50);
        Run b = paused(vm, ctx, 100, 30);
        assertAbandoned(a);
        b.interrupt();
        assertInstanceOf(PauseReason.Interrupted.class, ((Outcome.Paused) b.resume()).reason());
        b.addFuel(10_000);
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), b.resume());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRestoreIntoTheContextAbandonsThePausedRunAndEndsAsTheSnapshotsRun(boolean compiled) {
        Vm vm = vm(compiled);
        Run source = paused(vm, new ExecutionContext(), 10, 9);
        byte[] snap = source.snapshot();
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 1_000, 50);
        Run b = vm.restore(ctx, snap, null, null);
        assertAbandoned(a);
        b.addFuel(1_000);
        source.addFuel(1_000);
        Outcome want = source.resume();
        assertEquals(want, b.resume());
        assertEquals(source.fuelRemaining(), b.fuelRemaining());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aFailedRestoreIntoTheContextAbandonsThePausedRunToo(boolean compiled) {
        Vm vm = vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 1_000, 50);
        byte[] snap = a.snapshot();
        byte[] bad = java.util.Arrays.copyOf(snap, snap.length - 1);
        assertThrows(SnapshotException.class, () -> vm.restore(ctx, bad, null, null));
        assertAbandoned(a);
        // the snapshot taken before still restores and ends as the run would have
        Run c = vm.restore(snap);
        c.addFuel(10_000);
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), c.resume());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRunThatEndedKeepsItsOutcomeAfterTheContextIsReused(boolean compiled) {
        Vm vm = vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run a = vm.start(ctx, 0, List.of(Value.i64(5)), Limits.DEFAULT.withFuel(1_000), null);
        Outcome done = a.resume();
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), done);
        long left = a.fuelRemaining();
        Run b = paused(vm, ctx, 1_000, 50);
        assertEquals(done, a.resume());
        assertEquals(left, a.fuelRemaining());
        assertEquals(0, a.hostCallsMade());
        assertNull(a.suspendedCall());
        a.interrupt();
        b.addFuel(10_000);
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), b.resume());
    }

    /** A run that keeps its context is not abandoned by its own moves, forks or snapshots. */
    @Test
    void aRunsOwnForksAndSnapshotsDoNotAbandonIt() {
        Vm vm = vm(false);
        ExecutionContext ctx = new ExecutionContext();
        Run a = paused(vm, ctx, 100, 50);
        Run f = a.fork();
        vm.restore(a.snapshot());
        a.addFuel(10_000);
        f.addFuel(10_000);
        assertEquals(a.resume(), f.resume());
    }
}
