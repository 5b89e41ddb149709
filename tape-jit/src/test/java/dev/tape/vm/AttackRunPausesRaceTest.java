package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.tape.program.ValueType.I64;

/**
 * Attack on a run's pause requests ({@code RunPauses}) racing with everything else a run does: a
 * thread hammers the current run with {@link Run#interrupt()}, deadlines of 0 to 50 microseconds
 * and {@link Run#clearDeadline()}, before, during and after its end, while the run loops through
 * host calls, some of which suspend it and are completed on another thread. On both tiers each run
 * ends as the one-shot run does (results, fuel left, host calls), pauses only for the reasons asked
 * for, the requests aimed at an ended run never pause the next run in the same context, and the
 * shared deadline thread keeps no task once the runs ended.
 */
@Timeout(300)
class AttackRunPausesRaceTest {
    private static final long N = 100_000;

    /** i.poke(a) is a + 1; when a % 997 is 996 it suspends the run (completed by the driver with a + 1). */
    private static Vm vm(boolean compiled) {
        HostRegistry h = new HostRegistry().register("i.poke", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    long v = ((Value.I64) a[0]).value();
                    if (v % 997 == 996) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = Value.i64(v + 1);
                });
        Vm vm = compiled ? Jit.compile(AttackInterruptDecimalsTest.P, h) : new Vm(AttackInterruptDecimalsTest.P, h);
        if (compiled) {
            assertEquals(2, Jit.precompile(vm));
        }
        return vm;
    }

    @Test
    void pauseRequestsRacingWithHostSuspensionsAndTheEndChangeNoOutcome() throws Exception {
        List<Value> args = List.of(Value.i64(N));
        List<Value> want = List.of(Value.decimal(N * 3998, 3), Value.i64(N * (N + 1) / 2));
        ScheduledThreadPoolExecutor scheduler = scheduler();
        int before = scheduler.getQueue().size();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            for (boolean compiled : new boolean[] {false, true}) {
                Vm vm = vm(compiled);
                Run clean = vm.start(0, args, Limits.DEFAULT);
                Outcome co = drive(clean, other, new Random(1));
                assertEquals(new Outcome.Done(want), co, compiled ? "compiled" : "interpreted");
                long fuel = clean.fuelRemaining();
                AtomicReference<Run> current = new AtomicReference<>();
                AtomicBoolean stop = new AtomicBoolean();
                Thread noise = AttackHostRunRaceTest.noise(current, stop, 7);
                int pauses = 0;
                try {
                    Random rnd = new Random(3);
                    for (int i = 0; i < 20; i++) {
                        Run run = vm.start(0, args, Limits.DEFAULT);
                        current.set(run);
                        int[] counted = new int[2];
                        Outcome o = drive(run, other, rnd, counted);
                        // each request made while suspended paused the run
                        assertTrue(counted[0] >= counted[1] && counted[1] > 50, counted[0] + " pauses, "
                                + counted[1] + " requests while suspended");
                        pauses += counted[0];
                        String at = (compiled ? "compiled" : "interpreted") + " run " + i;
                        assertEquals(new Outcome.Done(want), o, at);
                        assertEquals(fuel, run.fuelRemaining(), at);
                        assertEquals(N, run.hostCallsMade(), at);
                        // the noise goes on at the ended run: nothing changes
                        assertTrue(run.ended(), at);
                        assertEquals(o, run.resume(), at);
                    }
                    // the noise aimed at the last, ended run while this one runs in the same context
                    Run last = current.get();
                    last.deadline(Duration.ZERO);
                    last.interrupt();
                    Run next = vm.start(0, args, Limits.DEFAULT);
                    Outcome o = next.resume();
                    while (o instanceof Outcome.Paused p) {
                        PauseReason.HostSuspended h = assertInstanceOf(PauseReason.HostSuspended.class, p.reason(),
                                "the ended run's requests paused the next run");
                        o = next.resumeWith(List.of(Value.i64(((Value.I64) h.args().get(0)).value() + 1)));
                    }
                    assertEquals(new Outcome.Done(want), o);
                    assertEquals(fuel, next.fuelRemaining());
                } finally {
                    stop.set(true);
                    noise.join();
                }
                assertTrue(pauses > 0, "no pause");
            }
        } finally {
            other.shutdownNow();
        }
        // every run ended: the deadline thread keeps none of them (a task left cancelled is removed)
        for (int i = 0; i < 100 && scheduler.getQueue().size() > before; i++) {
            Thread.sleep(10);
        }
        assertTrue(scheduler.getQueue().size() <= before, "deadline tasks left: " + scheduler.getQueue().size());
    }

    private static Outcome drive(Run run, ExecutorService other, Random rnd) throws Exception {
        return drive(run, other, rnd, new int[2]);
    }

    /**
     * Runs to the end: a suspended host call is completed (with a + 1), half the time on the other
     * thread, after an interrupt or a deadline of 0 asked while suspended; pauses for an interrupt or
     * deadline are counted ({@code pauses[0]}, the requests made here in {@code pauses[1]}) and
     * resumed, half the time there too.
     */
    private static Outcome drive(Run run, ExecutorService other, Random rnd, int[] pauses) throws Exception {
        Outcome o = run.resume();
        for (int k = 0; k < 1_000_000; k++) {
            if (!(o instanceof Outcome.Paused p)) {
                return o;
            }
            List<Value> results;
            if (p.reason() instanceof PauseReason.HostSuspended h) {
                assertEquals(h, run.suspendedCall());
                results = List.of(Value.i64(((Value.I64) h.args().get(0)).value() + 1));
                // a request while suspended: the run pauses right after the call completes (one
                // pause at least, whatever the noise asked meanwhile)
                if (rnd.nextBoolean()) {
                    run.interrupt();
                } else {
                    run.deadline(Duration.ZERO);
                }
                pauses[1]++;
            } else {
                assertTrue(p.reason() instanceof PauseReason.Interrupted
                        || p.reason() instanceof PauseReason.DeadlineReached, p.toString());
                assertNull(run.suspendedCall());
                pauses[0]++;
                results = null;
            }
            boolean there = rnd.nextBoolean();
            List<Value> given = results;
            if (there) {
                o = other.submit(() -> given == null ? run.resume() : run.resumeWith(given)).get();
            } else {
                o = given == null ? run.resume() : run.resumeWith(given);
            }
        }
        assertFalse(true, "the run did not end");
        return o;
    }

    /** @return the shared deadline scheduler of {@link Run} (kept by {@code RunPauses}) */
    private static ScheduledThreadPoolExecutor scheduler() throws Exception {
        Class<?> d = Class.forName("dev.tape.vm.RunPauses$Deadlines");
        java.lang.reflect.Field f = d.getDeclaredField("SCHEDULER");
        f.setAccessible(true);
        return (ScheduledThreadPoolExecutor) f.get(null);
    }
}
