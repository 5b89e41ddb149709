package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the thirteenth audit's fuel credit (what pays for classes past the free ones): each
 * unit of fuel a run uses counts once, whatever drives the run. Checked as an equality, so a
 * driver that counts a unit twice (a program buying classes cheaply) or not at all (a long run
 * whose functions stay interpreted) fails: {@code Vm.run}, {@code Run.resume} to the end, in fuel
 * slices ({@code addFuel} after each pause for fuel), {@code Run.step} in slices of several sizes
 * then {@code resume}, and a run restored from a snapshot taken mid-run. {@code Run.step}'s
 * instructions counted nothing (failed before: 200 fuel short after 200 steps of 1).
 */
class AttackCreditExactTest {
    /** main(n) counts n down (4 fuel a turn) calling g each turn, then returns. */
    private static VerifiedProgram program() throws Exception {
        return Verifier.verify(Assembler.assemble("""
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r5, 0
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                i64.sub r1, r1, r3
                call r0, g, r0, [r1] -> [r6]
                i64.add r5, r5, r6
                jmp loop
            done:
                ret r0, [r5]
            }
            func g(x: i64) -> (i64) {
                call r0, h, r0, [r1] -> [r1]
                ret r0, [r1]
            }
            func h(x: i64) -> (i64) {
                const.i64 r2, 7
                i64.add r1, r1, r2
                ret r0, [r1]
            }
            """, "credit.tasm"));
    }

    private static final int TURNS = 120_000;
    private static final Limits LIMITS = new Limits(50_000_000L, 64, 100_000, 1 << 20, 1 << 16);

    private static Vm jit(VerifiedProgram p) {
        // one free class, then 300,000 fuel each: g and h wait for credit
        JitTier.Budget budget = new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
                JitTier.MAX_CLASSES, 1, 300_000);
        return JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, budget, JitTier.hidden(), JitTestAccess.codegen());
    }

    private static List<Value> want(VerifiedProgram p) {
        return new Vm(p, Host.NONE).run(new ExecutionContext(), 0, List.of(Value.i64(TURNS)), LIMITS, null);
    }

    /** Runs {@code run} to its end by {@code drive}; checks its result and that the credit grew by its fuel. */
    private static void check(String how, VerifiedProgram p, Vm vm, Run run, Function<Run, Outcome> drive) {
        JitTier t = (JitTier) vm.tier;
        long before = t.spent();
        long fuelBefore = run.fuelRemaining();
        Outcome o = drive.apply(run);
        Outcome.Done d = assertInstanceOf(Outcome.Done.class, o, how);
        assertEquals(want(p), d.values(), how);
        long used = fuelBefore - run.fuelRemaining();
        assertEquals(used, t.spent() - before, how + ": the credit grew by other than the fuel used");
    }

    @Test
    void vmRunCountsItsFuelOnce() throws Exception {
        VerifiedProgram p = program();
        Vm vm = jit(p);
        JitTier t = (JitTier) vm.tier;
        ExecutionContext c = new ExecutionContext();
        List<Value> got = vm.run(c, 0, List.of(Value.i64(TURNS)), LIMITS, null);
        assertEquals(want(p), got);
        assertEquals(LIMITS.fuel() - c.fuelRemaining(), t.spent());
    }

    @Test
    void everyRunDriverCountsItsFuelOnce() throws Exception {
        VerifiedProgram p = program();
        List<Value> args = List.of(Value.i64(TURNS));
        Vm first = jit(p);
        check("resume", p, first, first.start(0, args, LIMITS), Run::resume);
        for (long slice : new long[] {1, 7, 1_000, 70_001}) {
            Vm vm = jit(p);
            Limits small = new Limits(slice, 64, 100, 1 << 20, 1 << 16);
            Run run = vm.start(0, args, small);
            long before = ((JitTier) vm.tier).spent();
            Outcome o = run.resume();
            long given = slice;
            while (o instanceof Outcome.Paused) {
                run.addFuel(slice);
                given += slice;
                o = run.resume();
            }
            Outcome.Done d = assertInstanceOf(Outcome.Done.class, o, "slices of " + slice);
            assertEquals(want(p), d.values());
            assertEquals(given - run.fuelRemaining(), ((JitTier) vm.tier).spent() - before, "slices of " + slice);
        }
        for (long steps : new long[] {1, 5, 4_096}) {
            Vm vm = jit(p);
            check("steps of " + steps, p, vm, vm.start(0, args, LIMITS), r -> {
                for (int i = 0; i < 200; i++) {
                    r.step(steps);
                }
                return r.resume();
            });
        }
        for (long steps : new long[] {3, 100_000, 300_001}) {
            Vm vm = jit(p);
            Run run = vm.start(0, args, LIMITS);
            Outcome paused = run.step(steps);
            assertInstanceOf(Outcome.Paused.class, paused);
            byte[] snap = run.snapshot();
            Run restored = vm.restore(snap);
            check("restored after " + steps + " steps", p, vm, restored, Run::resume);
        }
    }

    /**
     * main(n) calls the host each turn; the host charges n mod 5 fuel, suspends when n mod 3 is 1
     * (under a Run) and, when n mod 1,000 is 0, runs sum(3) on the same VM from inside the call
     * (a nested run on another context: its fuel counts once, in its own run).
     */
    private static final String HOSTED = """
            host h = "h.f" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r5, 0
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                i64.sub r1, r1, r3
                host_call r0, h, r0, [r1] -> [r6]
                call r0, g, r0, [r6] -> [r6]
                i64.add r5, r5, r6
                jmp loop
            done:
                ret r0, [r5]
            }
            func g(x: i64) -> (i64) {
                const.i64 r2, 7
                i64.add r1, r1, r2
                ret r0, [r1]
            }
            """;

    @Test
    void hostChargesSuspensionsAndNestedRunsCountOnce() throws Exception {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(HOSTED, "hosted.tasm"));
        Vm[] self = new Vm[1];
        long[] nested = new long[1];
        HostRegistry host = new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    ctx.chargeFuel(Math.floorMod(a, 5));
                    if (a % 1_000 == 0 && self[0] != null) {
                        ExecutionContext inner = new ExecutionContext();
                        self[0].run(inner, 1, List.of(Value.i64(a)), Limits.DEFAULT, null);
                        nested[0] += Limits.DEFAULT.fuel() - inner.fuelRemaining();
                    }
                    if (ctx.canSuspend() && Math.floorMod(a, 3) == 1) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = Value.i64(a * 3);
                });
        List<Value> args = List.of(Value.i64(20_000));
        List<Value> want = new Vm(p, host).run(new ExecutionContext(), 0, args, LIMITS, null);
        JitTier.Budget budget = new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
                JitTier.MAX_CLASSES, 1, 100_000);
        for (boolean resumable : new boolean[] {false, true}) {
            Vm vm = JitTier.compile(p, host, VmOptions.DEFAULT, budget, JitTier.hidden(), JitTestAccess.codegen());
            self[0] = vm;
            nested[0] = 0;
            long used;
            if (resumable) {
                Run run = vm.start(0, args, LIMITS);
                Outcome o = run.resume();
                while (o instanceof Outcome.Paused) {
                    long a = ((Value.I64) run.suspendedCall().args().get(0)).value();
                    o = run.resumeWith(List.of(Value.i64(a * 3)));
                }
                assertEquals(want, assertInstanceOf(Outcome.Done.class, o).values());
                used = LIMITS.fuel() - run.fuelRemaining();
            } else {
                ExecutionContext c = new ExecutionContext();
                assertEquals(want, vm.run(c, 0, args, LIMITS, null));
                used = LIMITS.fuel() - c.fuelRemaining();
            }
            JitTier t = (JitTier) vm.tier;
            assertEquals(used + nested[0], t.spent(), resumable ? "Run" : "Vm.run");
            assertTrue(t.handles[0] != null, "main compiled");
        }
    }

    @Test
    void runsOnTwoThreadsOfOneVmCountTheirFuelOnceEach() throws Exception {
        VerifiedProgram p = program();
        Vm vm = jit(p);
        List<Value> args = List.of(Value.i64(TURNS));
        List<Value> want = want(p);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Long>> used = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                boolean resumable = i % 2 == 0;
                used.add(pool.submit(() -> {
                    if (resumable) {
                        Run run = vm.start(0, args, LIMITS);
                        assertEquals(want, assertInstanceOf(Outcome.Done.class, run.resume()).values());
                        return LIMITS.fuel() - run.fuelRemaining();
                    }
                    ExecutionContext c = new ExecutionContext();
                    assertEquals(want, vm.run(c, 0, args, LIMITS, null));
                    return LIMITS.fuel() - c.fuelRemaining();
                }));
            }
            long total = 0;
            for (java.util.concurrent.Future<Long> f : used) {
                total += f.get();
            }
            assertEquals(total, ((JitTier) vm.tier).spent());
        } finally {
            pool.shutdownNow();
        }
    }
}
