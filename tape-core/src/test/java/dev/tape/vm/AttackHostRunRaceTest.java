package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's loop of quick host calls and word instructions ({@link HostRun}):
 * pause requests from another thread ({@link Run#interrupt()}, deadlines of 0 to 50 microseconds,
 * {@link Run#clearDeadline()}) racing with a run whose loop is a quick host call followed by an
 * inner loop of word instructions, all of it in {@link HostRun} (so a request comes both during a
 * call, which stops the run right after it, and between calls, taken where the run stops). Each
 * run ends as the run without requests does (result, fuel left, host calls), pauses only for the
 * reasons asked for, and is resumed to its end, half the time after a snapshot restored on the
 * general path ({@link Calls#host}, a sink asking for host events).
 */
@Timeout(300)
class AttackHostRunRaceTest {
    private static final long N = 20_000;
    private static final long M = 20;

    static final String PROGRAM = """
            program hrace
            host h = "t.id" (i64) -> (i64)
            func f(n: i64, m: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 0
                jmp top
            top:
                host_call r0, h, r0, [r3] -> [r6]
                i64.add r5, r5, r6
                const.i64 r7, 0
                jmp inner
            inner:
                i64.add r5, r5, r4
                i64.add r7, r7, r4
                i64.lt r8, r7, r2
                br r8, inner, next
            next:
                i64.add r3, r3, r4
                i64.lt r9, r3, r1
                br r9, top, done
            done:
                ret r0, [r5]
            }
            """;

    /**
     * Starts a thread that, until {@code stop} is set, asks the run in {@code current} (none while
     * it is null) at random for an interrupt, a deadline of 0 to 50 microseconds, no deadline, or
     * yields; the random draws come from {@code seed}.
     *
     * @return the thread, started
     */
    static Thread noise(AtomicReference<Run> current, AtomicBoolean stop, long seed) {
        Thread noise = new Thread(() -> {
            Random r = new Random(seed);
            while (!stop.get()) {
                Run run = current.get();
                if (run == null) {
                    Thread.onSpinWait();
                    continue;
                }
                switch (r.nextInt(4)) {
                    case 0 -> run.interrupt();
                    case 1 -> run.deadline(Duration.ofNanos(r.nextInt(50_000)));
                    case 2 -> run.clearDeadline();
                    default -> Thread.yield();
                }
            }
        }, "noise");
        noise.start();
        return noise;
    }

    @Test
    void pauseRequestsFromAnotherThreadChangeNoOutcome() throws Exception {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(PROGRAM, "hrace.tasm"));
        Vm vm = new Vm(p, QuickHostCallTest.idHost(a -> 2 * a));
        List<Value> args = List.of(Value.i64(N), Value.i64(M));
        List<Value> want = List.of(Value.i64(N * (N - 1) + N * M));
        Run clean = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
        assertEquals(new Outcome.Done(want), clean.resume());
        long fuel = clean.fuelRemaining();
        Run general = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, new QuickHostCallTest.HostEvents());
        assertEquals(new Outcome.Done(want), general.resume());
        assertEquals(fuel, general.fuelRemaining());
        AtomicReference<Run> current = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread noise = noise(current, stop, 27);
        int pauses = 0;
        try {
            Random rnd = new Random(5);
            for (int i = 0; i < 12; i++) {
                Run run = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                current.set(run);
                Outcome o = run.resume();
                while (o instanceof Outcome.Paused paused) {
                    assertTrue(paused.reason() instanceof PauseReason.Interrupted
                            || paused.reason() instanceof PauseReason.DeadlineReached, paused.toString());
                    pauses++;
                    if (rnd.nextBoolean()) {
                        run = vm.restore(new ExecutionContext(), run.snapshot(), Limits.DEFAULT,
                                rnd.nextBoolean() ? new QuickHostCallTest.HostEvents() : null);
                        current.set(run);
                    }
                    o = run.resume();
                }
                assertEquals(new Outcome.Done(want), o, "run " + i);
                assertEquals(fuel, run.fuelRemaining(), "run " + i);
                assertEquals(N, run.hostCallsMade(), "run " + i);
            }
        } finally {
            stop.set(true);
            noise.join();
        }
        assertTrue(pauses > 0, "no pause");
    }
}
