package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.jit.Jit;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attacks on the exact-semantics promise of {@link Run} on both tiers (issue 13): a run paused and
 * resumed at random points, for random reasons (fuel slices of random sizes, steps, interrupts,
 * host suspensions after host charges beyond the fuel left), on the interpreter, on the compiled
 * tier, and on a compiled tier whose class budget is spent, ends exactly as one uninterrupted
 * interpreted run given the same total fuel: the same results or trap (every field, the stack and
 * fuel left), the same fuel left and host calls.
 */
class AttackRunTiersTest {
    static final String MIX = """
            program mix
            host f = "h.f" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r8, 5
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                host_call r0, f, r0, [r2] -> [r6]
                call r0, fib, r0, [r8] -> [r7]
                i64.add r3, r3, r6
                i64.add r3, r3, r7
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            func fib(n: i64) -> (i64) {
                const.i64 r2, 2
                i64.lt r3, r1, r2
                br r3, small, big
            small:
                host_call r0, f, r0, [r1] -> [r10]
                ret r0, [r10]
            big:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, fib, r0, [r5] -> [r6]
                i64.sub r7, r1, r2
                call r0, fib, r0, [r7] -> [r8]
                i64.add r9, r6, r8
                ret r0, [r9]
            }
            """;

    static final VerifiedProgram PROGRAM = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(MIX, "mix.tasm"));

    /** h.f(a) = 3a + 1, charging (a mod 7) x 40 fuel, 2^63 for a = 10; fails for a = 11 (so some runs trap in it). */
    static Value f(long a) throws HostFailedException {
        if (a == 11) {
            throw new HostFailedException("a is 11");
        }
        return Value.i64(3 * a + 1);
    }

    static long charge(long a) {
        return a == 10 ? Long.MIN_VALUE : Math.floorMod(a, 7) * 40;
    }

    /** A host that, in a Run, suspends on some calls (chosen by the random source) after charging. */
    static HostRegistry host(Random suspend) {
        return new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    ctx.chargeFuel(charge(a));
                    if (a != 11 && suspend != null && ctx.canSuspend() && suspend.nextInt(3) == 0) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = f(a);
                });
    }

    static String text(Trap t, long notGiven) {
        return "trap " + t.kind() + " " + t.code() + " " + t.func() + " " + t.funcName() + " pc " + t.pc() + " span "
                + t.span() + " " + t.hostSymbol() + " " + t.detail() + " stack " + t.stack() + " elided "
                + t.elidedFrames() + " left " + Long.toUnsignedString(t.fuelRemaining() + notGiven);
    }

    static String oneShot(long n, long total) {
        Vm vm = new Vm(PROGRAM, host(null));
        ExecutionContext c = new ExecutionContext();
        String out;
        try {
            out = "ok " + vm.run(c, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(total), null);
        } catch (Trap t) {
            out = text(t, 0);
        }
        return out + " fuel " + Long.toUnsignedString(c.fuelRemaining()) + " hostCalls " + c.hostCallsMade();
    }

    /** Runs main(n) with {@code total} fuel given in random slices, with random steps, interrupts and suspensions. */
    static String chopped(Vm vm, long n, long total, Random rnd) throws Exception {
        long given = Math.min(total, 1 + rnd.nextInt(300));
        Run run = vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(given));
        Outcome o = next(run, rnd);
        while (o instanceof Outcome.Paused p) {
            if (p.reason() instanceof PauseReason.HostSuspended s) {
                long a = ((Value.I64) s.args().get(0)).value();
                Value v;
                try {
                    v = f(a);
                } catch (HostFailedException e) {
                    throw new AssertionError("suspended in a call that fails: the host suspends only before it fails");
                }
                o = run.resumeWith(List.of(v));
                continue;
            }
            if (p.reason() instanceof PauseReason.FuelExhausted) {
                long more = Math.min(total - given, 1 + rnd.nextInt(300));
                run.addFuel(more);
                given += more;
            }
            o = next(run, rnd);
        }
        // fuel never given counts as left, as in the one run given it all
        String out = o instanceof Outcome.Done d ? "ok " + d.values()
                : text(((Outcome.Trapped) o).trap(), total - given);
        return out + " fuel " + Long.toUnsignedString(run.fuelRemaining() + total - given) + " hostCalls "
                + run.hostCallsMade();
    }

    /** A random way on: resume, an interrupt then resume, or a few steps. */
    static Outcome next(Run run, Random rnd) {
        int action = rnd.nextInt(10);
        if (action == 0) {
            run.interrupt();
            return run.resume();
        }
        return action == 1 ? run.step(rnd.nextInt(20)) : run.resume();
    }

    static void attack(String tier, java.util.function.Function<Random, Vm> make) throws Exception {
        Random seeds = new Random(2026);
        for (int i = 0; i < 300; i++) {
            long seed = seeds.nextLong();
            Random rnd = new Random(seed);
            long n = rnd.nextInt(14);
            long total = 50 + rnd.nextInt(4_000);
            String want = oneShot(n, total);
            Vm vm = make.apply(new Random(seed ^ 1));
            assertEquals(want, chopped(vm, n, total, rnd), tier + " main(" + n + ") with fuel " + total + ", seed " + seed);
        }
    }

    @Test
    void choppedRunsOnTheInterpreterEndAsOneRun() throws Exception {
        attack("interpreter", r -> new Vm(PROGRAM, host(r)));
    }

    @Test
    void choppedRunsOnTheCompiledTierEndAsOneRun() throws Exception {
        attack("compiled", r -> {
            Vm vm = Jit.compile(PROGRAM, host(r));
            Jit.precompile(vm);
            return vm;
        });
    }

    @Test
    void choppedRunsOnACompiledTierWithItsClassBudgetSpentEndAsOneRun() throws Exception {
        attack("compiled, one class", r -> Tiers.compile(PROGRAM, host(r),
                new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES, 1), JitTier.hidden()));
    }

    /**
     * Four threads race to resume one run while two more interrupt it without pause; the losers
     * of each race get IllegalStateException. The run ends as the one run given the same fuel, on
     * both tiers. (Fuel slices are left out: a resume of a run paused for fuel, before the thread
     * that saw the pause adds fuel, ends it with fuel_exceeded, as documented.)
     */
    @Test
    void interruptsRacingWithResumesFromManyThreadsEndAsOneRun() throws Exception {
        for (boolean jit : new boolean[] {false, true}) {
            for (int round = 0; round < 20; round++) {
                long n = 9;
                long total = 1_000 + round * 300;
                String want = oneShot(n, total);
                Vm vm = jit ? Jit.compile(PROGRAM, host(null)) : new Vm(PROGRAM, host(null));
                Run run = vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(total));
                long[] given = {total};
                java.util.concurrent.atomic.AtomicReference<Outcome> end = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.atomic.AtomicReference<Throwable> odd = new java.util.concurrent.atomic.AtomicReference<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    threads.add(new Thread(() -> {
                        while (end.get() == null) {
                            try {
                                Outcome o = run.resume();
                                if (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.FuelExhausted) {
                                    o = run.resume(); // all the fuel was given: this ends the run
                                }
                                if (!(o instanceof Outcome.Paused)) {
                                    end.compareAndSet(null, o);
                                }
                            } catch (IllegalStateException e) {
                                // another thread has it
                            } catch (Throwable e) {
                                odd.compareAndSet(null, e);
                                end.compareAndSet(null, new Outcome.Done(List.of()));
                            }
                        }
                    }));
                }
                for (int t = 0; t < 2; t++) {
                    threads.add(new Thread(() -> {
                        while (end.get() == null) {
                            run.interrupt();
                            Thread.onSpinWait();
                        }
                    }));
                }
                threads.forEach(Thread::start);
                for (Thread t : threads) {
                    t.join(60_000);
                }
                if (odd.get() != null) {
                    throw new AssertionError(odd.get());
                }
                Outcome o = end.get();
                String got = (o instanceof Outcome.Done d ? "ok " + d.values() : text(((Outcome.Trapped) o).trap(),
                        total - given[0])) + " fuel " + Long.toUnsignedString(run.fuelRemaining() + total - given[0])
                        + " hostCalls " + run.hostCallsMade();
                assertEquals(want, got, (jit ? "compiled" : "interpreted") + " round " + round);
            }
        }
    }

    /**
     * A compiled run paused for fuel at a random point, given the rest of its fuel, snapshotted and
     * restored into a fresh context, continues (interpreted) exactly as one run given all the fuel:
     * compiled code leaves nothing of the run outside the interpreter's layout.
     */
    @Test
    void compiledRunsSnapshottedAtFuelPausesRestoreToTheSameOutcome() throws Exception {
        Vm jit = Jit.compile(PROGRAM, host(null));
        Jit.precompile(jit);
        Vm interp = new Vm(PROGRAM, host(null));
        Random rnd = new Random(77);
        for (int i = 0; i < 200; i++) {
            long n = rnd.nextInt(10);
            long total = 2_000 + rnd.nextInt(3_000);
            ExecutionContext whole = new ExecutionContext();
            Paused.start(interp, whole, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(total));
            String want = Paused.finish(interp, whole);
            long first = 1 + rnd.nextInt((int) total - 1);
            ExecutionContext c = new ExecutionContext();
            Run run = jit.start(c, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(first), null);
            Outcome o = run.resume();
            if (!(o instanceof Outcome.Paused)) {
                continue;
            }
            run.addFuel(total - first);
            byte[] snap = Snapshots.write(jit, c);
            ExecutionContext b = new ExecutionContext();
            SnapshotReader.read(interp, snap, b);
            assertEquals(want, Paused.finish(interp, b), "main(" + n + ") paused after " + first + " of " + total);
        }
    }

    /**
     * The heap, scan and copy counters of a chopped run (KINDS: strings, aggregates, closures,
     * recursion through closures, a host object) on both tiers are those of one run, with the same
     * outcome, fuel and host calls; its host call suspends on some runs.
     */
    @Test
    void choppedRunsKeepTheHeapCountersOfOneRun() throws Exception {
        VerifiedProgram kinds = SnapshotPrograms.verified(SnapshotPrograms.KINDS);
        Random seeds = new Random(5);
        for (int i = 0; i < 200; i++) {
            long seed = seeds.nextLong();
            Random rnd = new Random(seed);
            long n = rnd.nextInt(6);
            long total = 40 + rnd.nextInt(400);
            ExecutionContext one = new ExecutionContext();
            String want;
            try {
                want = "ok " + new Vm(kinds, SnapshotPrograms.host()).run(one, 0, List.of(Value.i64(n)),
                        Limits.DEFAULT.withFuel(total), null);
            } catch (Trap t) {
                want = text(t, 0);
            }
            want += " fuel " + one.fuelRemaining() + " host " + one.hostCallsMade() + " heap " + one.heapBytes
                    + " scanned " + one.scannedBytes + " copied " + one.copiedUnits;
            boolean suspend = rnd.nextBoolean();
            dev.tape.host.Host h = !suspend ? SnapshotPrograms.host() : new HostRegistry().register("t.obj",
                    Signature.of(List.of(I64), List.of(dev.tape.program.ValueType.obj(7))),
                    (HostFunction) (args, out, ctx) -> ctx.suspend());
            for (boolean jit : new boolean[] {false, true}) {
                Vm vm = jit ? Jit.compile(kinds, h) : new Vm(kinds, h);
                ExecutionContext c = new ExecutionContext();
                long given = Math.min(total, 1 + rnd.nextInt(50));
                Run run = vm.start(c, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(given), null);
                Outcome o = next(run, rnd);
                while (o instanceof Outcome.Paused p) {
                    if (p.reason() instanceof PauseReason.HostSuspended s) {
                        long a = ((Value.I64) s.args().get(0)).value();
                        o = run.resumeWith(List.of(new Value.Obj(7, a * 1000)));
                        continue;
                    }
                    if (p.reason() instanceof PauseReason.FuelExhausted) {
                        long more = Math.min(total - given, 1 + rnd.nextInt(50));
                        run.addFuel(more);
                        given += more;
                    }
                    o = next(run, rnd);
                }
                String got = (o instanceof Outcome.Done d ? "ok " + d.values() : text(((Outcome.Trapped) o).trap(),
                        total - given)) + " fuel " + (run.fuelRemaining() + total - given) + " host "
                        + run.hostCallsMade() + " heap " + c.heapBytes + " scanned " + c.scannedBytes + " copied "
                        + c.copiedUnits;
                assertEquals(want, got, (jit ? "compiled" : "interpreted") + " kinds(" + n + ") fuel " + total
                        + " seed " + seed);
            }
        }
    }
}
