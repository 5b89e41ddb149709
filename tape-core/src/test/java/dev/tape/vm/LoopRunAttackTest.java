package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on counted loops a latch hands to {@link WordRun} or {@link FloatRun}
 * ({@link LOp#I64_ADD_LT_BR_RUN}, chosen when lowering): random nested counted loops closed by {@code i64.add} +
 * {@code i64.lt}+{@code br}, whose bodies mix instructions the runs take (word and f64 arithmetic,
 * {@code f64.lt}, {@code mov}, constants, superinstructions: every head op a run takes is entered
 * by some program), ones they leave at ({@code i64.xor}), forward
 * if/else inside the loop, latches into the middle of a loop body, and an {@code i64.div} that
 * traps {@code div_by_zero} after some trips. Every program ends alike at every budget untraced and
 * stepped one instruction at a time (INSTR tracing, which never enters a run): result or trap
 * kind, pc and fuel left. Runs paused every 1, 2, 3 or 7 units, each pause's snapshot restored in a
 * fresh VM, end as the uninterrupted run with the same fuel. A counted loop of 2<sup>40</sup> trips
 * with unbounded fuel answers a deadline and an interrupt; a one-shot run past 2<sup>31</sup>
 * instructions uses its fuel exactly.
 */
class LoopRunAttackTest {
    private static final int N = 1;
    private static final int ONE = 8;
    private static final int COND = 12;
    private static final int COND2 = 19;
    private static final int DIV = 18;
    private static final int[] ACC = {2, 3, 4, 5, 6, 7};
    private static final int[] FACC = {9, 10, 11, 16};
    private static final int[] COUNTER = {13, 14, 15};
    /** The ops a run takes that branch: never a run's head. */
    private static final Set<Integer> BRANCHES = Set.of(Op.BR, Op.JMP, LOp.I64_LT_BR, LOp.I64_ADD_LT_BR,
            LOp.I64_ADD_LT_BR_RUN, LOp.CONST_LT_BR, LOp.F64_LT_BR);

    /** (n: i64) -> (i64 x6, f64 x4): random counted loops, nested up to three deep. */
    static VerifiedProgram program(long seed) throws Exception {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, I64, I64, I64, I64, F64, F64, F64, F64));
        for (int a : ACC) {
            f.constI64(a, rnd.nextInt(7) - 3);
        }
        for (int a : FACC) {
            f.constF64(a, rnd.nextInt(5) * 0.5);
        }
        f.constI64(ONE, 1).constI64(17, 0).constI64(DIV, rnd.nextBoolean() ? 1_000_000 : 2 + rnd.nextInt(12));
        int loops = 1 + rnd.nextInt(3);
        for (int i = 0; i < loops; i++) {
            loop(f, rnd, 0);
        }
        f.ret(0, ACC[0], ACC[1], ACC[2], ACC[3], ACC[4], ACC[5], FACC[0], FACC[1], FACC[2], FACC[3]);
        return Verifier.verify(pb.build());
    }

    /** A counted loop at nesting {@code depth}: counter from 0 to n, latch i64.add + i64.lt + br. */
    private static void loop(FunctionBuilder f, Random rnd, int depth) {
        int c = COUNTER[depth];
        Label head = f.newLabel();
        Label done = f.newLabel();
        f.constI64(c, 0).i64Lt(COND, c, N).br(COND, head, done);
        f.place(head);
        Label mid = null;
        int body = 1 + rnd.nextInt(6);
        for (int k = 0; k < body; k++) {
            if (k > 0 && mid == null && rnd.nextInt(6) == 0) {
                // the latch branches into the middle of the body: its target is a block start
                // that is no loop head of the guard's
                mid = f.newLabel();
                f.jmp(mid);
                f.place(mid);
            }
            int pick = rnd.nextInt(depth < 2 ? 18 : 17);
            if (pick == 17) {
                loop(f, rnd, depth + 1);
            } else {
                instr(f, rnd, pick);
            }
        }
        f.i64Add(c, c, ONE).i64Lt(COND, c, N).br(COND, mid != null ? mid : head, done);
        f.place(done);
    }

    private static int acc(Random rnd) {
        return ACC[rnd.nextInt(ACC.length)];
    }

    private static int facc(Random rnd) {
        return FACC[rnd.nextInt(FACC.length)];
    }

    private static void instr(FunctionBuilder f, Random rnd, int pick) {
        switch (pick) {
            case 0 -> f.i64Add(acc(rnd), acc(rnd), acc(rnd));
            case 1 -> f.i64Sub(acc(rnd), acc(rnd), acc(rnd));
            case 2 -> f.i64Mul(acc(rnd), acc(rnd), acc(rnd));
            case 3 -> f.mov(acc(rnd), acc(rnd));
            case 4 -> {
                // constant + i64.add (a superinstruction head)
                int a = acc(rnd);
                f.constI64(17, rnd.nextInt(9) - 4).i64Add(a, a, 17);
            }
            case 5 -> f.binary(Opcode.I64_XOR, acc(rnd), acc(rnd), acc(rnd));
            case 6 -> f.f64Add(facc(rnd), facc(rnd), facc(rnd));
            case 7 -> f.binary(Opcode.F64_MUL, facc(rnd), facc(rnd), facc(rnd));
            case 8 -> {
                // f64.mul then f64.add on its product (the fused multiply-add of the lowering)
                int t = facc(rnd);
                int u = facc(rnd);
                f.binary(Opcode.F64_MUL, t, facc(rnd), facc(rnd)).f64Add(u, u, t);
            }
            case 9 -> f.unary(Opcode.I64_TO_F64, facc(rnd), acc(rnd));
            case 10 -> f.binary(Opcode.F64_DIV, facc(rnd), facc(rnd), facc(rnd));
            case 11 -> {
                // div_by_zero after DIV trips of any loop body that holds one
                f.i64Sub(DIV, DIV, ONE).i64Div(acc(rnd), acc(rnd), DIV);
            }
            case 12 -> {
                // a forward if/else inside the loop
                Label a = f.newLabel();
                Label b = f.newLabel();
                Label j = f.newLabel();
                f.i64Lt(COND2, acc(rnd), acc(rnd)).br(COND2, a, b);
                f.place(a).i64Add(acc(rnd), acc(rnd), ONE).jmp(j);
                f.place(b).binary(Opcode.F64_SUB, facc(rnd), facc(rnd), facc(rnd)).jmp(j);
                f.place(j);
            }
            case 14 -> f.binary(Opcode.F64_LT, 20, facc(rnd), facc(rnd));
            case 15 -> {
                // f64.sub then f64.add (a superinstruction)
                int u = facc(rnd);
                f.binary(Opcode.F64_SUB, u, facc(rnd), facc(rnd)).f64Add(facc(rnd), facc(rnd), u);
            }
            case 16 -> {
                // i64.to_f64, f64.mul, f64.add (a triple)
                int t = facc(rnd);
                f.unary(Opcode.I64_TO_F64, t, acc(rnd)).binary(Opcode.F64_MUL, t, t, facc(rnd))
                        .f64Add(facc(rnd), facc(rnd), t);
            }
            default -> f.constI64(acc(rnd), rnd.nextInt(1000) - 500);
        }
    }

    private static String outcome(Vm vm, long n, long fuel, RunFuelSupport.Steps sink) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(fuel), sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " span " + t.span() + " fuel " + t.fuelRemaining();
        }
    }

    private static String end(Outcome o) {
        if (o instanceof Outcome.Done d) {
            return "ok " + d.values();
        }
        Trap t = ((Outcome.Trapped) o).trap();
        return t.kind() + " f" + t.func() + " pc " + t.pc() + " span " + t.span();
    }

    @Test
    void randomCountedLoopsEndAlikeAtEveryBudgetSteppedOrNot() throws Exception {
        int entered = 0;
        Set<Integer> heads = new java.util.TreeSet<>();
        long total = 0;
        int traps = 0;
        for (long seed = 1; seed <= 200; seed++) {
            VerifiedProgram p = program(seed);
            Vm vm = new Vm(p, new HostRegistry());
            Set<Integer> ops = RunFuelSupport.loweredOps(vm.funcs[0]);
            assertTrue(ops.contains(LOp.I64_ADD_LT_BR) || ops.contains(LOp.I64_ADD_LT_BR_RUN),
                    "seed " + seed + ": latches fused " + ops);
            long n = 2 + seed % 6;
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            String whole = outcome(vm, n, 1_000_000, all);
            assertEquals(whole, outcome(vm, n, 1_000_000, null), "seed " + seed);
            total += all.count;
            if (!whole.startsWith("ok")) {
                traps++;
            }
            List<String> differ = new ArrayList<>();
            for (long fuel = 0; fuel <= all.count + 3; fuel++) {
                String stepped = outcome(vm, n, fuel, new RunFuelSupport.Steps());
                String fast = outcome(vm, n, fuel, null);
                if (!stepped.equals(fast)) {
                    differ.add("fuel " + fuel + ": " + stepped + " / " + fast);
                }
            }
            assertEquals(List.of(), differ, "seed " + seed);
            if (enters(vm, heads)) {
                entered++;
            }
        }
        assertTrue(entered >= 100, "programs whose latch hands a loop to a run: " + entered);
        for (int op : new int[] {LOp.MOV_W, LOp.CONST_W, LOp.CONST_ADD, Op.I64_ADD, Op.I64_SUB, Op.I64_MUL,
            Op.F64_ADD, Op.F64_MUL, Op.F64_DIV, Op.F64_LT, Op.I64_TO_F64, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD,
            LOp.I64_TO_F64_MUL_ADD}) {
            assertTrue(heads.contains(op), "head 0x" + Integer.toHexString(op) + " entered, of " + heads);
        }
        assertTrue(traps >= 10 && traps <= 190, "programs that trap div_by_zero: " + traps);
        assertTrue(total > 200 * 50, "instructions run: " + total);
    }

    /**
     * Whether some latch of function 0 is an {@link LOp#I64_ADD_LT_BR_RUN}; adds those latches'
     * heads' ops to {@code heads}. Checks that the lowering chose that op exactly for the latches
     * whose true target is at or before them and starts a run ({@link LOp#loopHead}), and that
     * every such head is an op a run takes first (of fixed length, no branch).
     */
    private static boolean enters(Vm vm, Set<Integer> heads) {
        int[] code = vm.image.code();
        int from = vm.image.entries()[0];
        var lf = vm.funcs[0];
        boolean any = false;
        for (int i = 0; i < lf.codeLength(); i++) {
            int op = lf.code()[i];
            if (lf.pcOf()[i] >= 0 && (op == LOp.I64_ADD_LT_BR || op == LOp.I64_ADD_LT_BR_RUN)) {
                int to = code[from + i + 10];
                boolean run = to <= from + i && LOp.loopHead(code, to, from + lf.codeLength());
                assertEquals(run, op == LOp.I64_ADD_LT_BR_RUN, "latch at " + i);
                if (run) {
                    assertTrue(LOp.floatRunTakes(code[to]) && !BRANCHES.contains(code[to]),
                            "head 0x" + Integer.toHexString(code[to]));
                    heads.add(code[to]);
                    any = true;
                }
            }
        }
        return any;
    }

    @Test
    void pausesEverySliceAndTheirSnapshotsEndAsTheWholeRun() throws Exception {
        for (long seed = 1; seed <= 24; seed++) {
            VerifiedProgram p = program(seed);
            Vm vm = new Vm(p, new HostRegistry());
            long n = 2 + seed % 4;
            Run full = vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(1_000_000));
            String whole = end(full.resume());
            long used = 1_000_000 - full.fuelRemaining();
            for (long slice : new long[] {1, 2, 3, 7}) {
                Run r = vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(slice));
                long given = slice;
                int pauses = 0;
                Outcome o;
                while ((o = r.resume()) instanceof Outcome.Paused) {
                    pauses++;
                    if (pauses % 5 == 1) {
                        Run back = new Vm(p, new HostRegistry()).restore(new ExecutionContext(), r.snapshot(),
                                Limits.DEFAULT, null);
                        back.addFuel(1_000_000);
                        String at = "seed " + seed + " slice " + slice + " pause " + pauses;
                        assertEquals(whole, end(back.resume()), at);
                        assertEquals(used, given + 1_000_000 - back.fuelRemaining(), at + ": fuel used");
                    }
                    r.addFuel(slice);
                    given += slice;
                }
                assertEquals(whole, end(o), "seed " + seed + " slice " + slice);
                assertEquals(used, given - r.fuelRemaining(), "seed " + seed + " slice " + slice);
                assertEquals((used - 1) / slice, pauses, "seed " + seed + " slice " + slice);
            }
        }
    }

    /** (n: i64) -> i64: s = s * 3 + i - 1 for i &lt; n, a word loop the latch hands to a WordRun. */
    private static VerifiedProgram countedLoop() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        Label head = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).constI64(5, 3);
        f.i64Lt(7, 3, 1).br(7, head, done);
        f.place(head).i64Mul(2, 2, 5).i64Add(2, 2, 3).i64Sub(2, 2, 4).i64Add(3, 3, 4).i64Lt(7, 3, 1).br(7, head, done);
        f.place(done).ret(0, 2);
        return Verifier.verify(pb.build());
    }

    /**
     * A one-shot run of the counted loop past 2<sup>31</sup> instructions (a {@link WordRun} takes at
     * most {@code Integer.MAX_VALUE} units a call): with exactly the fuel it needs it ends with none
     * left and the right sum; with one unit less it traps {@code fuel_exceeded} at the {@code ret}.
     */
    @Test
    void aOneShotRunPastTwoToTheThirtyOneInstructionsUsesItsFuelExactly() throws Exception {
        Vm vm = new Vm(countedLoop(), new HostRegistry());
        long n = 360_000_000L;
        long need = 7 + 6 * n;
        assertTrue(need > Integer.MAX_VALUE);
        long s = 0;
        for (long i = 0; i < n; i++) {
            s = s * 3 + i - 1;
        }
        ExecutionContext ctx = new ExecutionContext();
        List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(need), null);
        assertEquals(List.of(Value.i64(s)), out);
        assertEquals(0, ctx.fuelRemaining());
        Trap t = org.junit.jupiter.api.Assertions.assertThrows(Trap.class, () -> vm.run(new ExecutionContext(), 0,
                List.of(Value.i64(n)), Limits.DEFAULT.withFuel(need - 1), null));
        assertEquals(TrapKind.FUEL_EXCEEDED, t.kind());
        int last = vm.funcs[0].codeLength() - 1;
        while (vm.funcs[0].pcOf()[last] < 0) {
            last--;
        }
        assertEquals(vm.funcs[0].pcOf()[last], t.pc(), "at the ret");
        assertEquals(0, t.fuelRemaining());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLoopOfTwoToTheFortyTripsAnswersADeadlineAndAnInterrupt() throws Exception {
        Vm vm = new Vm(countedLoop(), new HostRegistry());
        Run r = vm.start(0, List.of(Value.i64(1L << 40)), Limits.DEFAULT.withFuel(Long.MAX_VALUE));
        r.deadline(Duration.ofMillis(50));
        Outcome o = r.resume();
        assertInstanceOf(PauseReason.DeadlineReached.class, ((Outcome.Paused) o).reason());
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.interrupt();
        });
        t.start();
        o = r.resume();
        t.join();
        assertInstanceOf(PauseReason.Interrupted.class, ((Outcome.Paused) o).reason());
        assertTrue(Long.MAX_VALUE - r.fuelRemaining() < 1L << 42, "fuel used " + (Long.MAX_VALUE - r.fuelRemaining()));
    }
}
