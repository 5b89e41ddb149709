package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the {@link Run} API's promises (issue 13): each test is named after what it found
 * or checks, and states what the one-shot run does that the paused run must do too.
 */
class AttackRunTest {
    static final String FETCH = RunTest.FETCH;

    static Vm fetchVm(HostFunction fn) throws Exception {
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)), fn);
        return new Vm(RunTest.program(FETCH), host);
    }

    /**
     * A trace sink whose runStart lets out another run's trap: the one-shot run reports an
     * internal_error (the trap is not its own); a Run must not report the other run's trap as its own.
     */
    @Test
    void anotherRunsTrapFromATraceSinkAtStartIsNotThisRunsTrap() throws Exception {
        Vm vm = new Vm(RunApiTest.FIB, dev.tape.host.Host.NONE);
        TraceSink sink = new TraceSink() {
            @Override
            public int mask() {
                return TraceMask.RUN;
            }

            @Override
            public void runStart(dev.tape.program.Program program, int entry, int argc) {
                vm.run(1, List.of(), Limits.DEFAULT); // traps trap_code 7
            }
        };
        Trap oneShot = assertThrows(Trap.class, () -> vm.run(new ExecutionContext(), 0, List.of(Value.of(3)),
                Limits.DEFAULT, sink));
        assertEquals(TrapKind.INTERNAL_ERROR, oneShot.kind());
        Run run = vm.start(new ExecutionContext(), 0, List.of(Value.of(3)), Limits.DEFAULT, sink);
        Trap t = ((Outcome.Trapped) run.resume()).trap();
        assertEquals(oneShot.kind(), t.kind(), t.getMessage());
        assertEquals(oneShot.func(), t.func());
    }

    /**
     * resumeWith refused because too many runs are active on the thread must leave the run as it
     * was ("the run stays as it was"): still suspended in its host call, its results not stored.
     */
    @Test
    void resumeWithRefusedAtTheNestingLimitLeavesTheRunSuspended() throws Exception {
        Vm vm = fetchVm((a, out, ctx) -> ctx.suspend());
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100));
        assertInstanceOf(PauseReason.HostSuspended.class, ((Outcome.Paused) run.resume()).reason());
        int[] nesting = Vm.NESTING.get();
        int was = nesting[0];
        nesting[0] = Vm.MAX_RUN_NESTING; // as inside 64 runs nested through host functions
        try {
            assertThrows(IllegalStateException.class, () -> run.resumeWith(List.of(Value.i64(42))));
        } finally {
            nesting[0] = was;
        }
        // still suspended: resume() without results is refused, resumeWith completes the call once
        assertThrows(IllegalStateException.class, run::resume);
        assertEquals(new Outcome.Done(List.of(Value.i64(52))), run.resumeWith(List.of(Value.i64(42))));
    }

    /**
     * A host charges 2^64-1 (the most chargeFuel takes) with little fuel left; the embedder then
     * adds 2^64-1, so the total saturates at 2^64-1. One run given 2^64-1 fuel at once cannot pay
     * that charge after the instructions before it, and traps fuel_exceeded; the paused run must too.
     */
    @Test
    void aHostChargeOfTwoToTheSixtyFourMinusOneIsNotForgivenByAddFuel() throws Exception {
        Vm vm = fetchVm((a, out, ctx) -> {
            ctx.chargeFuel(-1L);
            out[0] = Value.i64(1);
        });
        String expected = RunTest.oneShot(vm, List.of(Value.i64(1)), -1L);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(10));
        Outcome o = run.resume();
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.FuelExhausted) {
            if (run.fuelRemaining() == 0 && !added) {
                run.addFuel(-1L);
                added = true;
            }
            o = run.resume();
        }
        assertEquals(expected, RunTest.text(o));
    }

    private boolean added;

    /** addFuel(0) is no fuel: a run paused on fuel then resumed traps as the one-shot run with the same total does. */
    @Test
    void addFuelZeroAfterAFuelPauseEndsWithTheOneShotTrap() throws Exception {
        Vm vm = new Vm(RunTest.program(RunTest.SUM), dev.tape.host.Host.NONE);
        List<Value> args = List.of(Value.i64(100));
        String expected = RunTest.oneShot(vm, args, 20);
        Run run = vm.start(0, args, Limits.DEFAULT.withFuel(20));
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) run.resume()).reason());
        run.addFuel(0);
        assertEquals(expected, RunTest.text(run.resume()));
    }

    /**
     * 10,000 runs each given a deadline an hour away, then run to their end: the shared deadline
     * scheduler must not keep a task (and through it the run and its registers) for any of them.
     */
    @Test
    void endedRunsLeaveNoDeadlineTasksInTheScheduler() throws Exception {
        Vm vm = new Vm(RunTest.program(RunTest.SUM), dev.tape.host.Host.NONE);
        ScheduledThreadPoolExecutor s = scheduler();
        int before = s.getQueue().size();
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT);
            run.deadline(Duration.ofHours(1));
            runs.add(run);
        }
        assertTrue(s.getQueue().size() >= before + 10_000, "the deadlines are scheduled");
        for (Run run : runs) {
            assertInstanceOf(Outcome.Done.class, run.resume());
        }
        assertTrue(s.getQueue().size() <= before, "deadline tasks left after every run ended: "
                + (s.getQueue().size() - before));
    }

    /** @return the shared deadline scheduler of {@link Run} (kept by {@link RunPauses}) */
    static ScheduledThreadPoolExecutor scheduler() throws Exception {
        Class<?> d = Class.forName("dev.tape.vm.RunPauses$Deadlines");
        java.lang.reflect.Field f = d.getDeclaredField("SCHEDULER");
        f.setAccessible(true);
        return (ScheduledThreadPoolExecutor) f.get(null);
    }

    /** Deadlines already past, zero, negative, or beyond Duration's nanoseconds pause (or not) without an exception. */
    @Test
    void deadlinesInThePastZeroNegativeAndHugeAreSafe() throws Exception {
        Vm vm = new Vm(RunTest.program(RunTest.SUM), dev.tape.host.Host.NONE);
        for (Duration d : List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(Long.MIN_VALUE),
                Duration.ofSeconds(-5))) {
            Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT);
            run.deadline(d);
            assertEquals(new Outcome.Paused(new PauseReason.DeadlineReached()), run.resume(), d.toString());
            assertEquals(new Outcome.Done(List.of(Value.i64(3))), run.resume(), d.toString());
        }
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT);
        run.deadline(Duration.ofSeconds(Long.MAX_VALUE));
        run.deadline(java.time.Instant.MAX);
        run.deadline(java.time.Instant.MIN);
        assertEquals(new Outcome.Paused(new PauseReason.DeadlineReached()), run.resume());
        assertEquals(new Outcome.Done(List.of(Value.i64(3))), run.resume());
    }

    /** Wrong results for a suspended host call: null element, wrong type, wrong count; the run stays suspended. */
    @Test
    void resumeWithBadResultsLeavesTheRunUnchanged() throws Exception {
        Vm vm = fetchVm((a, out, ctx) -> ctx.suspend());
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100));
        run.resume();
        List<Value> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(withNull));
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(null));
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(List.of(Value.i64(1), Value.i64(2))));
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(List.of(Value.u64(1))));
        assertEquals(97, run.fuelRemaining());
        assertEquals(new Outcome.Done(List.of(Value.i64(52))), run.resumeWith(List.of(Value.i64(42))));
    }

    /** A sink that logs every event and throws at the k-th (0: never). */
    static final class Throwing implements TraceSink {
        final int k;
        final List<String> log = new ArrayList<>();

        Throwing(int k) {
            this.k = k;
        }

        private void ev(String e) {
            log.add(e);
            if (log.size() == k) {
                throw new IllegalStateException("sink fails at event " + k);
            }
        }

        @Override
        public int mask() {
            return TraceMask.ALL;
        }

        @Override
        public void runStart(dev.tape.program.Program program, int entry, int argc) {
            ev("start");
        }

        @Override
        public void runEnd(dev.tape.program.Program program, boolean trapped, long fuelUsed) {
            log.add("end " + trapped + " " + fuelUsed);
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            ev("instr " + func + " " + pc);
        }

        @Override
        public void callEnter(int func, int depth) {
            ev("enter " + func + " " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            ev("exit " + func + " " + depth);
        }

        @Override
        public void hostEnter(int sig, String symbol, int func, int pc) {
            ev("host " + symbol);
        }

        @Override
        public void hostExit(int sig, String symbol) {
            ev("host exit " + symbol);
        }
    }

    /**
     * A trace sink that throws at its k-th event, for every k: a Run given its fuel 3 units at a
     * time ends with the one-shot run's outcome (an internal_error at the same place, or its
     * result) and the sink sees the same events, the run-end's fuel used included.
     */
    @Test
    void aThrowingTraceSinkEndsASlicedRunAsItEndsTheOneShotRun() throws Exception {
        Vm vm = new Vm(RunApiTest.FIB, dev.tape.host.Host.NONE);
        List<Value> args = List.of(Value.of(4));
        for (int k = 0; k < 80; k++) {
            Throwing one = new Throwing(k);
            String want;
            try {
                want = "ok " + vm.run(new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(500), one);
            } catch (Trap t) {
                want = t.kind() + " " + t.func() + " pc " + t.pc() + " " + t.detail() + " " + t.stack() + " left "
                        + t.fuelRemaining();
            }
            Throwing two = new Throwing(k);
            Run run = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(3), two);
            long given = 3;
            Outcome o = run.resume();
            while (o instanceof Outcome.Paused) {
                long more = Math.min(3, 500 - given);
                run.addFuel(more);
                given += more;
                o = run.resume();
            }
            String got;
            if (o instanceof Outcome.Done d) {
                got = "ok " + d.values();
            } else {
                Trap t = ((Outcome.Trapped) o).trap();
                got = t.kind() + " " + t.func() + " pc " + t.pc() + " " + t.detail() + " " + t.stack() + " left "
                        + (t.fuelRemaining() + 500 - given);
            }
            assertEquals(want, got, "sink failing at event " + k);
            assertEquals(one.log, two.log, "events, sink failing at event " + k);
        }
    }

    /**
     * registers(frame) promises null for a reference register "not written yet in this frame";
     * a register a callee reuses still holds what an earlier callee left there, which must not show.
     */
    @Test
    void registersOfAFrameDoNotShowWhatAnEarlierCallLeftInItsSlots() throws Exception {
        Vm vm = new Vm(RunTest.program("""
                program stale
                func main() -> (str) {
                    call r0, leave, r0, [] -> []
                    call r0, late, r0, [] -> [r1]
                    ret r0, [r1]
                }
                func leave() -> () {
                    const.pool r5, str:"secret of another frame"
                    ret r0, []
                }
                func late() -> (str) {
                    const.i64 r1, 1
                    const.pool r5, str:"mine"
                    ret r0, [r5]
                }
                """), dev.tape.host.Host.NONE);
        Run run = vm.start(0, List.of(), Limits.DEFAULT);
        // main's call, leave's const and ret, main's second call: now at late's first instruction
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(4));
        assertEquals("late", run.frames().get(0).name());
        assertEquals(null, run.registers(0).get(5), "r5 of late, not written yet");
        assertEquals(new Outcome.Done(List.of(Value.str("mine"))), run.resume());
    }

    /**
     * A paused run dropped with a far deadline: the shared deadline thread must not keep the run
     * (and its register files) reachable until the deadline passes.
     */
    @Test
    void aDroppedRunWithAFarDeadlineCanBeCollected() throws Exception {
        Vm vm = new Vm(RunTest.program(RunTest.SUM), dev.tape.host.Host.NONE);
        java.lang.ref.WeakReference<Run> ref = dropped(vm);
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, ref.get(), "the run is still reachable");
    }

    private static java.lang.ref.WeakReference<Run> dropped(Vm vm) {
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT);
        run.deadline(Duration.ofHours(1));
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(2));
        return new java.lang.ref.WeakReference<>(run);
    }
}
