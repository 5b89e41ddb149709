package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Run} on both tiers: an interrupt from another thread stops a hot loop (compiled or not)
 * at a point the run continues from exactly; a deadline does too; and 10,000 runs time-sliced on
 * two threads each end as they do alone.
 */
class RunTiersTest {
    static final String LOOP = """
            program spin
            func spin() -> (n: i64) {
                const.i64 r1, 0
                const.i64 r2, 1
                jmp head
            head:
                i64.add r1, r1, r2
                jmp head
            }
            """;

    static Vm vm(String source, boolean jit) throws Exception {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "t.tasm"));
        if (!jit) {
            return new Vm(p, Host.NONE);
        }
        Vm vm = Jit.compile(p, Host.NONE);
        assertEquals(1, Jit.precompile(vm));
        return vm;
    }

    /** The loop's counter in a paused run is what the fuel it used says. */
    static void assertExactPause(Run run) {
        long used = Limits.MAX_UNSIGNED - run.fuelRemaining();
        Value counter = run.registers(0).get(1);
        long turns = ((Value.I64) counter).value();
        // 3 setup instructions, then add and jmp per turn: paused before the add after k turns
        // (used 3 + 2k) or between the add and the jmp of turn k + 1 (used 4 + 2k)
        assertTrue(used >= 3, "used " + used);
        assertEquals((used - 2) / 2, turns, "fuel used " + used);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anInterruptFromAnotherThreadPausesAHotLoop(boolean jit) throws Exception {
        Vm vm = vm(LOOP, jit);
        Run run = vm.start(0, List.of(), Limits.DEFAULT.withFuel(Limits.MAX_UNSIGNED));
        // into the loop first, so that every pause (whenever the interrupt comes) is in it
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(5));
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                run.interrupt();
            });
            t.start();
            Outcome o = run.resume();
            t.join();
            assertEquals(new Outcome.Paused(new PauseReason.Interrupted()), o);
            assertExactPause(run);
        }
        // and it goes on exactly: 1,000 more instructions
        long before = run.fuelRemaining();
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(1_000));
        assertEquals(1_000, before - run.fuelRemaining());
        assertExactPause(run);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aDeadlinePausesAHotLoop(boolean jit) throws Exception {
        Vm vm = vm(LOOP, jit);
        Run run = vm.start(0, List.of(), Limits.DEFAULT.withFuel(Limits.MAX_UNSIGNED));
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(5));
        run.deadline(Duration.ofMillis(20));
        assertEquals(new Outcome.Paused(new PauseReason.DeadlineReached()), run.resume());
        assertExactPause(run);
        // the deadline is spent: a passed one pauses at once, before any instruction
        long left = run.fuelRemaining();
        run.deadline(Duration.ZERO);
        assertEquals(new Outcome.Paused(new PauseReason.DeadlineReached()), run.resume());
        assertEquals(left, run.fuelRemaining());
    }

    /**
     * 10,000 runs of fib(n), n from 0 to 15, on two threads with a round-robin queue and slices of
     * 500 fuel: each ends with its own result and exactly the fuel it uses alone, after exactly as
     * many slices as that fuel needs.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tenThousandFibersOnTwoThreads(boolean jit) throws Exception {
        Vm vm = vm(SnapshotPrograms.FIB, jit);
        int runs = 10_000;
        long slice = 500;
        long[] alone = new long[16];
        long[] fuelAlone = new long[16];
        for (int n = 0; n < 16; n++) {
            ExecutionContext ctx = new ExecutionContext();
            alone[n] = ((Value.I64) vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT, null).get(0)).value();
            fuelAlone[n] = Limits.DEFAULT_FUEL - ctx.fuelRemaining();
        }
        record Fiber(int id, int n, Run run, AtomicInteger slices) {}
        ConcurrentLinkedQueue<Fiber> queue = new ConcurrentLinkedQueue<>();
        Fiber[] all = new Fiber[runs];
        for (int i = 0; i < runs; i++) {
            int n = i % 16;
            all[i] = new Fiber(i, n, vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(slice)),
                    new AtomicInteger(1));
            queue.add(all[i]);
        }
        AtomicReferenceArray<Outcome> done = new AtomicReferenceArray<>(runs);
        Runnable worker = () -> {
            Fiber f;
            while ((f = queue.poll()) != null) {
                Outcome o = f.run().resume();
                if (o instanceof Outcome.Paused p) {
                    assertInstanceOf(PauseReason.FuelExhausted.class, p.reason());
                    f.run().addFuel(slice);
                    f.slices().incrementAndGet();
                    queue.add(f);
                } else {
                    done.set(f.id(), o);
                }
            }
        };
        Thread a = new Thread(worker);
        Thread b = new Thread(worker);
        a.start();
        b.start();
        a.join();
        b.join();
        for (int i = 0; i < runs; i++) {
            int n = i % 16;
            assertEquals(new Outcome.Done(List.of(Value.i64(alone[n]))), done.get(i), "fiber " + i);
        }
        // the fuel each used, and the slices it took: the fewest that cover that fuel
        for (Fiber f : all) {
            long given = f.slices().get() * slice;
            assertEquals(fuelAlone[f.n()], given - f.run().fuelRemaining(), "fiber " + f.id());
            assertEquals((fuelAlone[f.n()] + slice - 1) / slice, f.slices().get(), "fiber " + f.id());
        }
    }
}
