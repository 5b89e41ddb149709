package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link CallLoop} (twenty-third round): random call-heavy programs whose functions start
 * with every kind of op (ops {@link CallLoop} takes and ops it hands back: mul, div, a fused
 * compare-and-branch, a call, a nop, a loop latch), with self- and mutual recursion, counted loops
 * with calls in their bodies, division traps, and the call-depth and register limits. Each run must
 * end exactly as the same run with calls traced (a {@link TraceMask#CALL} sink: {@code execute}'s own
 * direct call, never {@code CallLoop}) and as the run stepped one instruction at a time: results,
 * trap kind, function, pc, call stack and fuel left, under every fuel budget up to the full run's.
 */
class AttackCallLoopTest {
    private static final int FUNCS = 4;

    /** A sink that asks for call events only: calls traced, so {@code execute} runs them itself. */
    static final class Calls implements TraceSink {
        int events;

        @Override
        public int mask() {
            return TraceMask.CALL;
        }

        @Override
        public void callEnter(int func, int depth) {
            events++;
        }
    }

    private static void simple(Random rnd, FunctionBuilder f, int[] ids, boolean calls) {
        int d = 2 + rnd.nextInt(6);
        int a = 1 + rnd.nextInt(7);
        int b = 1 + rnd.nextInt(7);
        switch (rnd.nextInt(calls ? 9 : 7)) {
            case 0 -> f.constI64(d, rnd.nextBoolean() ? rnd.nextInt(5) - 1 : rnd.nextLong());
            case 1 -> f.i64Add(d, a, b);
            case 2 -> f.i64Sub(d, a, b);
            case 3 -> f.mov(d, a);
            case 4 -> f.i64Mul(d, a, b);
            case 5 -> f.i64Div(d, a, b);
            case 6 -> f.nop();
            default -> f.call(0, ids[rnd.nextInt(FUNCS)], 0, new int[] {a}, new int[] {d});
        }
    }

    private static void body(Random rnd, FunctionBuilder f, int[] ids) {
        // the first op reads the parameter only (registers 2-7 are not written yet)
        switch (rnd.nextInt(9)) {
            case 0 -> f.constI64(2, 3);
            case 1 -> f.i64Add(2, 1, 1);
            case 2 -> f.i64Sub(2, 1, 1);
            case 3 -> f.mov(2, 1);
            case 4 -> f.i64Mul(2, 1, 1);
            case 5 -> f.i64Div(2, 1, 1);
            case 6 -> f.nop();
            case 7 -> f.call(0, ids[rnd.nextInt(FUNCS)], 0, new int[] {1}, new int[] {2});
            default -> {
                Label skip = f.newLabel();
                Label next = f.newLabel();
                f.constI64(9, 2).i64Lt(10, 1, 9).br(10, skip, next).place(skip).ret(0, 1).place(next);
            }
        }
        // the parameter, decremented: recursion on it ends
        f.constI64(11, 1).i64Sub(1, 1, 11);
        for (int r = 2; r <= 7; r++) {
            if (rnd.nextBoolean()) {
                f.mov(r, 1);
            } else {
                f.constI64(r, rnd.nextInt(4));
            }
        }
        Label out = f.newLabel();
        Label go = f.newLabel();
        f.constI64(9, 1).i64Lt(10, 1, 9).br(10, out, go).place(go);
        int n = 2 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(6);
            if (k == 0) {
                // a counted loop, calls in its body, its latch fused (add, lt, br)
                Label head = f.newLabel();
                Label exit = f.newLabel();
                f.constI64(8, 0).constI64(9, 1 + rnd.nextInt(3)).constI64(12, 1).jmp(head).place(head);
                int m = 1 + rnd.nextInt(3);
                for (int j = 0; j < m; j++) {
                    simple(rnd, f, ids, true);
                }
                f.i64Add(8, 8, 12).i64Lt(10, 8, 9).br(10, head, exit).place(exit);
            } else if (k == 1) {
                Label skip = f.newLabel();
                Label next = f.newLabel();
                f.i64Lt(10, 1 + rnd.nextInt(7), 1 + rnd.nextInt(7)).br(10, skip, next).place(next);
                simple(rnd, f, ids, true);
                f.jmp(skip).place(skip);
            } else {
                simple(rnd, f, ids, true);
            }
        }
        f.jmp(out).place(out).ret(0, 2 + rnd.nextInt(6));
    }

    private static Vm program(long seed) throws Exception {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int[] ids = new int[FUNCS];
        for (int i = 0; i < FUNCS; i++) {
            ids[i] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        main.call(0, ids[0], 0, new int[] {1}, new int[] {2}).call(0, ids[1], 0, new int[] {2}, new int[] {3})
                .i64Add(4, 2, 3).ret(0, 4);
        for (int i = 0; i < FUNCS; i++) {
            body(rnd, pb.function(ids[i]), ids);
        }
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    private static String outcome(Vm vm, long n, Limits limits, TraceSink sink) {
        return outcome(vm, new ExecutionContext(), n, limits, sink);
    }

    /**
     * Pauses a run of function 0 with the one argument {@code n} at every fuel budget from 0 to its
     * whole use, then both restores its snapshot on a fresh {@link Vm} of the same program, running
     * on in slices of 1, 3 and 40 units, and resumes it with the rest of 4,000 units: each must end
     * as the one-shot run (shared by {@code LeafCallLoopTest} and {@code ClosureCallLoopTest}).
     *
     * @param program makes the program's {@link Vm}, a fresh one at each call
     * @param n the run's argument
     * @return the pauses taken
     */
    static int pausedAtEveryBudget(Callable<Vm> program, long n) throws Exception {
        Vm vm = program.call();
        List<Value> args = List.of(Value.i64(n));
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        outcome(vm, new ExecutionContext(), n, Limits.DEFAULT, all);
        String expected = RunTest.oneShot(vm, args, 4000);
        int pauses = 0;
        for (long first = 0; first < all.count; first++) {
            for (long slice : new long[] {1, 3, 40}) {
                Run run = vm.start(0, args, Limits.DEFAULT.withFuel(first));
                Outcome o = run.resume();
                assertInstanceOf(Outcome.Paused.class, o, "fuel " + first);
                pauses++;
                Run restored = program.call().restore(run.snapshot());
                assertEquals(run.frames(), restored.frames(), "fuel " + first);
                Outcome r;
                int slices = 0;
                do {
                    assertTrue(slices++ < all.count, "no progress, fuel " + first + ", slice " + slice);
                    restored.addFuel(slice);
                    r = restored.resume();
                } while (r instanceof Outcome.Paused);
                assertEquals(expected, RunTest.text(r), "restored, fuel " + first + ", slice " + slice);
                run.addFuel(4000 - first);
                assertEquals(expected, RunTest.text(run.resume()), "resumed, fuel " + first);
            }
        }
        return pauses;
    }

    /**
     * How a run of function 0 with the one argument {@code n} ends on {@code ctx}: its results and the
     * fuel left, or its trap's kind, function, pc, fuel left, message and stack (shared by the
     * call-loop tests: {@code LeafCallLoopTest}, {@code ClosureCallLoopTest}, {@code AttackCallLoopGrowthTest}).
     */
    static String outcome(Vm vm, ExecutionContext ctx, long n, Limits limits, TraceSink sink) {
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), limits, sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " detail "
                    + t.getMessage() + " stack " + t.stack();
        }
    }

    /**
     * How a run of function 0 with the one argument {@code n} ends under {@code limits} (as
     * {@link #outcome}), asserted equal to the same run with calls traced ({@link Calls}), stepped
     * ({@link RunFuelSupport.Steps}) and, when {@code reused} is not null, on that context, used
     * before (shared by the call-loop tests).
     *
     * @param where the case, for the assertion messages
     * @return the untraced run's outcome on a new context
     */
    static String same(Vm vm, ExecutionContext reused, long n, Limits limits, String where) {
        String fast = outcome(vm, new ExecutionContext(), n, limits, null);
        assertEquals(outcome(vm, new ExecutionContext(), n, limits, new Calls()), fast, where);
        assertEquals(outcome(vm, new ExecutionContext(), n, limits, new RunFuelSupport.Steps()), fast,
                "stepped, " + where);
        if (reused != null) {
            assertEquals(fast, outcome(vm, reused, n, limits, null), "reused, " + where);
        }
        return fast;
    }

    /** Adds the kind of end of {@code outcome} (its first word: ok or a trap's kind) to {@code kinds}, once. */
    static void kind(List<String> kinds, String outcome) {
        String k = outcome.substring(0, outcome.indexOf(' '));
        if (!kinds.contains(k)) {
            kinds.add(k);
        }
    }

    /**
     * Every call depth of {@code depths} with every register limit of {@code maxRegisters} and every
     * fuel from 0 to {@code maxFuel}: each run of function 0 with {@code n} ends as {@link #same}
     * asserts (one context reused throughout).
     *
     * @return the kinds of end met ({@link #kind}), in the order met
     */
    static List<String> everyLimit(Vm vm, long n, long[] depths, int[] maxRegisters, long maxFuel) {
        List<String> kinds = new ArrayList<>();
        ExecutionContext reused = new ExecutionContext();
        for (long depth : depths) {
            for (int maxRegs : maxRegisters) {
                for (long fuel = 0; fuel <= maxFuel; fuel++) {
                    Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth).withMaxRegisters(maxRegs);
                    kind(kinds, same(vm, reused, n, limits, "fuel " + fuel + ", depth " + depth + ", registers "
                            + maxRegs));
                }
            }
        }
        return kinds;
    }

    @Test
    void randomCallProgramsEndAsWithCallsTracedAndAsSteppedUnderEveryBudget() throws Exception {
        int runs = 0;
        int ok = 0;
        List<String> kinds = new ArrayList<>();
        for (long seed = 1; seed <= 60; seed++) {
            Vm vm;
            try {
                vm = program(seed);
            } catch (Exception e) {
                throw new AssertionError("seed " + seed, e);
            }
            long arg = 3 + seed % 4;
            Limits cap = Limits.DEFAULT.withFuel(4000);
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            outcome(vm, arg, cap, all);
            long top = Math.min(all.count + 2, 4000);
            for (long depth : new long[] {Limits.DEFAULT.maxCallDepth(), 3, 1, 0}) {
                for (long fuel = 0; fuel <= top; fuel += (fuel < 200 ? 1 : 7)) {
                    Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth);
                    String fast = outcome(vm, arg, limits, null);
                    String traced = outcome(vm, arg, limits, new Calls());
                    assertEquals(traced, fast, "seed " + seed + ", fuel " + fuel + ", depth " + depth);
                    if (fuel % 13 == 0 || fuel == top) {
                        String stepped = outcome(vm, arg, limits, new RunFuelSupport.Steps());
                        assertEquals(stepped, fast, "stepped, seed " + seed + ", fuel " + fuel + ", depth " + depth);
                    }
                    runs++;
                    ok += fast.startsWith("ok") ? 1 : 0;
                    kind(kinds, fast);
                }
            }
        }
        assertTrue(ok > 0 && kinds.size() >= 4, runs + " runs, " + ok + " ok, kinds " + kinds);
    }

    /** Deep self-recursion past the frame records' initial size, then back: every depth limit around it. */
    @Test
    void deepRecursionGrowsTheFramesInCallLoopAsInExecute() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        main.call(0, down, 0, new int[] {1}, new int[] {2}).i64Mul(3, 2, 2).ret(0, 3);
        FunctionBuilder f = pb.function(down);
        Label base = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 1).i64Lt(3, 1, 2).br(3, base, rec).place(base).ret(0, 1).place(rec)
                .i64Sub(4, 1, 2).call(0, down, 0, new int[] {4}, new int[] {5}).i64Add(6, 5, 2).ret(0, 6);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        long n = ExecutionContext.INITIAL_FRAMES * 3L;
        for (long depth : new long[] {Limits.DEFAULT.maxCallDepth(), n + 1, n + 2, n, ExecutionContext.INITIAL_FRAMES,
            ExecutionContext.INITIAL_FRAMES + 1L, 2, 1, 0}) {
            for (int regs : new int[] {Limits.DEFAULT.maxRegisters(), 4 * (int) n, 8 * (int) n, 6 * (int) n + 5}) {
                Limits limits = Limits.DEFAULT.withMaxCallDepth(depth).withMaxRegisters(regs);
                String fast = outcome(vm, n, limits, null);
                assertEquals(outcome(vm, n, limits, new Calls()), fast, "depth " + depth + ", registers " + regs);
            }
        }
        assertEquals("ok " + List.of(Value.i64(n * n)) + " fuel ",
                outcome(vm, n, Limits.DEFAULT, null).replaceAll("fuel \\d+", "fuel "));
    }

    /**
     * A run of a random call-heavy program paused at every fuel budget (inside {@code CallLoop}'s part
     * or {@code execute}'s), its snapshot restored into a fresh VM, ends as the one-shot run; the
     * paused run and the restored one show the same frames, and the paused run itself resumes alike.
     */
    @Test
    void pausesAtEveryBudgetSnapshotAndRestoreAsTheOneShotRun() throws Exception {
        int pauses = 0;
        for (long seed = 1; seed <= 12; seed++) {
            Vm vm = program(seed);
            List<Value> args = List.of(Value.i64(3 + seed % 4));
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            outcome(vm, 3 + seed % 4, Limits.DEFAULT.withFuel(4000), all);
            if (all.count >= 3000) {
                continue; // runs out of fuel: a resumed run pauses again where the one-shot run traps
            }
            long total = all.count;
            String expected = RunTest.oneShot(vm, args, 4000);
            for (long first = 0; first < total; first += (first < 300 ? 1 : 11)) {
                Run run = vm.start(0, args, Limits.DEFAULT.withFuel(first));
                Outcome o = run.resume();
                if (!(o instanceof Outcome.Paused)) {
                    assertEquals(RunTest.oneShot(vm, args, first), RunTest.text(o), "seed " + seed + ", fuel " + first);
                    continue;
                }
                pauses++;
                Run restored = program(seed).restore(run.snapshot());
                assertEquals(run.frames(), restored.frames(), "seed " + seed + ", fuel " + first);
                restored.addFuel(4000 - first);
                run.addFuel(4000 - first);
                assertEquals(expected, RunTest.text(restored.resume()), "restored, seed " + seed + ", fuel " + first);
                assertEquals(expected, RunTest.text(run.resume()), "resumed, seed " + seed + ", fuel " + first);
            }
        }
        assertTrue(pauses > 100, pauses + " pauses");
    }
}
