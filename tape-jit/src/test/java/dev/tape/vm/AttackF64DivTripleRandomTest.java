package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static dev.tape.vm.AttackF64SuperinstructionTest.bitsOf;
import static dev.tape.vm.AttackF64SuperinstructionTest.superOps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random programs around {@link LOp#F64_DIV_SUB_ADD} ({@code f64.div}, {@code f64.sub},
 * {@code f64.add}) and its near misses, on every way the VM runs them (attack-f29). Each program's
 * counted loop holds items drawn from: a triple over a few f64 registers (heavy aliasing), a triple
 * on one register, two triples in a row, {@code f64.div} twice before a sub+add pair, a sub+add pair
 * then a triple, {@code i64.to_f64}+{@code f64.mul}+{@code f64.add} right before and right after a
 * triple, an inner loop whose head is a triple (its latch hands it to {@code FloatRun}), a triple on
 * the taken side of an {@code f64.lt}+{@code br}, a triple before an instruction no run takes
 * ({@code f64.neg}, {@code i64.xor}), a call to a helper that ends with a triple before its
 * {@code ret}; and near misses that must not fuse: a div+sub before a {@code f64.mul}, a div before
 * an add, a div then a {@code jmp} to a sub+add (the sub a branch target), a div+sub then a
 * {@code jmp} to the add (the add a branch target), a div then a {@code br} whose both targets are
 * the sub, a div then a jump into a loop whose head is the sub or the add. The main loop's first item is then sometimes a triple (its latch hands the loop to a run
 * at the triple) and its exit sometimes ends with a triple before the {@code ret}. Operands are
 * division's edges: zeros of both signs, infinities, NaNs with payloads of both signs, the largest
 * finite value, the smallest subnormal.
 *
 * <p>The lowering fuses exactly the triples the generator made whole in one block (their count is
 * checked); the interpreter untraced, stepped one instruction at a time and the compiled tier end
 * alike (results bit for bit) at every fuel budget, stop at the stepped run's instruction, and pause
 * alike at slices of 1 to 9 fuel, each pause's snapshot restored ending as the whole run
 * ({@link StepSweep#sweep}); paused after every step count on each tier, the snapshots and registers
 * agree and each restored on the other tier ends as the whole run with the same fuel left. A second test puts the triple on the format's largest register
 * numbers.
 */
class AttackF64DivTripleRandomTest {
    /** registers: r1 = n, r2 = i, r3 = 1, r4..r6 i64, r7 inner counter, r8 inner bound, r9 bool, r10..r13 f64 */
    private static final int F_FIRST = 10;
    private static final long[] EDGES = {bits(0.0), bits(-0.0), bits(1.5), bits(-2.25), bits(3.0),
        bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY), 0x7ff4000000000abcL, 0xFFF8000000000001L,
        bits(Double.MAX_VALUE), bits(Double.MIN_VALUE), bits(-Double.MIN_VALUE), bits(1e-310), bits(1e300)};

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static int freg(Random rnd) {
        return F_FIRST + rnd.nextInt(4);
    }

    private static int ireg(Random rnd) {
        return 4 + rnd.nextInt(3);
    }

    /**
     * A program, the number of triples whose three instructions the generator put in one block, and
     * that of inner loops headed by a triple (each latch hands its loop to a run).
     */
    record Generated(dev.tape.program.Program program, int triples, int tripleHeads) {}

    /** Inner loops headed by a triple in the program being generated. */
    private static int tripleHeads;

    /** Appends f64.div, f64.sub, f64.add on random f64 registers, or all on register {@code one} when it is set. */
    private static FunctionBuilder triple(FunctionBuilder f, Random rnd, int one) {
        if (one > 0) {
            return f.binary(Opcode.F64_DIV, one, one, one).binary(Opcode.F64_SUB, one, one, one)
                    .binary(Opcode.F64_ADD, one, one, one);
        }
        return f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd))
                .binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
    }

    private static void mulAdd(FunctionBuilder f, Random rnd) {
        f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd)).binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd))
                .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
    }

    /** Appends one item; returns the number of whole triples it holds. */
    private static int item(FunctionBuilder f, Random rnd, int helper) {
        switch (rnd.nextInt(20)) {
            case 0, 1 -> triple(f, rnd, 0);
            case 2 -> triple(f, rnd, freg(rnd));
            case 3 -> {
                triple(triple(f, rnd, 0), rnd, 0);
                return 2;
            }
            case 4 -> f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_DIV, freg(rnd),
                    freg(rnd), freg(rnd)).binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            case 5 -> triple(f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd)), rnd, 0);
            case 6 -> {
                mulAdd(f, rnd);
                triple(f, rnd, 0);
                mulAdd(f, rnd);
            }
            case 7 -> {
                // an inner loop whose head is a triple: the latch hands it to FloatRun
                Label inner = f.newLabel();
                Label out = f.newLabel();
                f.constI64(7, 0).constI64(8, 1 + rnd.nextInt(3)).jmp(inner);
                f.place(inner);
                triple(f, rnd, rnd.nextInt(4) == 0 ? freg(rnd) : 0);
                tripleHeads++;
                f.i64Add(7, 7, 3).i64Lt(9, 7, 8).br(9, inner, out);
                f.place(out);
            }
            case 8 -> {
                // a triple run only when an f64.lt+br says so
                Label then = f.newLabel();
                Label join = f.newLabel();
                f.binary(Opcode.F64_LT, 9, freg(rnd), freg(rnd)).br(9, then, join);
                triple(f.place(then), rnd, 0).jmp(join).place(join);
            }
            case 9 -> triple(f, rnd, 0).unary(Opcode.F64_NEG, freg(rnd), freg(rnd));
            case 10 -> triple(f, rnd, 0).binary(Opcode.I64_XOR, ireg(rnd), ireg(rnd), ireg(rnd));
            case 11 -> {
                f.call(0, helper, 0, new int[] {freg(rnd)}, new int[] {freg(rnd)});
                return 0;
            }
            // near misses
            case 12 -> {
                f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_SUB, freg(rnd),
                        freg(rnd), freg(rnd)).binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd));
                return 0;
            }
            case 13 -> {
                f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_ADD, freg(rnd),
                        freg(rnd), freg(rnd));
                return 0;
            }
            case 14 -> {
                Label sub = f.newLabel();
                f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).jmp(sub);
                f.place(sub).binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                        .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
                return 0;
            }
            case 15 -> {
                Label add = f.newLabel();
                f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd))
                        .binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd)).jmp(add);
                f.place(add).binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
                return 0;
            }
            case 16 -> {
                Label sub = f.newLabel();
                f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_LT, 9, freg(rnd),
                        freg(rnd)).br(9, sub, sub);
                f.place(sub).binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                        .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
                return 0;
            }
            case 17, 18 -> {
                // a div, then a jmp into a loop whose head is the sub (17) or the add (18; the format
                // lets no block fall into a branch target)
                Label head = f.newLabel();
                Label out = f.newLabel();
                f.constI64(7, 0).constI64(8, 1 + rnd.nextInt(2)).binary(Opcode.F64_DIV, freg(rnd), freg(rnd),
                        freg(rnd));
                if (rnd.nextBoolean()) {
                    f.jmp(head).place(head).binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd));
                } else {
                    f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd)).jmp(head).place(head);
                }
                f.binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd)).i64Add(7, 7, 3).i64Lt(9, 7, 8)
                        .br(9, head, out);
                f.place(out);
                return 0;
            }
            default -> {
                f.mov(freg(rnd), freg(rnd)).i64Add(ireg(rnd), ireg(rnd), ireg(rnd));
                return 0;
            }
        }
        return 1;
    }

    /** A function (n: i64) -> (i64, f64, f64, f64, f64): a counted loop over random items, and a helper. */
    static Generated program(long seed) {
        Random rnd = new Random(seed);
        tripleHeads = 0;
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64, F64, F64, F64));
        int helper = pb.declareFunction(List.of(F64), List.of(F64));
        f.constI64(2, 0).constI64(3, 1);
        for (int r = 4; r <= 6; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        for (int r = F_FIRST; r < F_FIRST + 4; r++) {
            f.constF64Bits(r, EDGES[rnd.nextInt(EDGES.length)]);
        }
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(9, 2, 1).br(9, top, exit);
        f.place(top);
        int triples = 0;
        if (rnd.nextBoolean()) {
            // the loop's head is a triple
            triple(f, rnd, 0);
            triples++;
        }
        int items = 2 + rnd.nextInt(6);
        for (int k = 0; k < items; k++) {
            triples += item(f, rnd, helper);
        }
        f.i64Add(2, 2, 3).i64Lt(9, 2, 1).br(9, top, exit);
        f.place(exit);
        if (rnd.nextBoolean()) {
            // the function's last instructions: a triple, then the ret
            triple(f, rnd, 0);
            triples++;
        }
        f.ret(0, 2, F_FIRST, F_FIRST + 1, F_FIRST + 2, F_FIRST + 3);
        FunctionBuilder h = pb.function(helper).constF64Bits(2, EDGES[rnd.nextInt(EDGES.length)])
                .constF64Bits(3, EDGES[rnd.nextInt(EDGES.length)]);
        h.binary(Opcode.F64_DIV, 3, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3))
                .binary(Opcode.F64_SUB, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3), 1 + rnd.nextInt(3))
                .binary(Opcode.F64_ADD, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3), 1 + rnd.nextInt(3)).ret(0, 1);
        return new Generated(pb.build(), triples, tripleHeads);
    }

    private static int count(Vm vm, int func, int op) {
        return Collections.frequency(superOps(vm, func), op);
    }

    @Test
    void randomTriplesAndNearMissesEndAsOneInstructionAtATimeOnBothTiers() throws Exception {
        long total = 0;
        int triples = 0;
        int heads = 0;
        for (long seed = 1; seed <= 40; seed++) {
            Generated g = program(seed);
            VerifiedProgram vp = Tiers.verified(g.program());
            Tiers t = Tiers.of(vp, new HostRegistry());
            String what = "seed " + seed;
            assertEquals(g.triples(), count(t.interpreted, 0, LOp.F64_DIV_SUB_ADD), what + ": triples fused");
            assertEquals(1, count(t.interpreted, 1, LOp.F64_DIV_SUB_ADD), what + ": the helper's triple");
            assertTrue(count(t.interpreted, 0, LOp.I64_ADD_LT_BR_RUN) >= g.tripleHeads(), what + ": latches to a run");
            heads += g.tripleHeads();
            for (LoweredFunction lf : t.interpreted.funcs) {
                // every triple's sub is a sub+add pair and the code after it is an instruction's start
                int[] code = lf.code();
                for (int i = 0; i < lf.codeLength(); i++) {
                    if (lf.pcOf()[i] >= 0 && code[i] == LOp.F64_DIV_SUB_ADD) {
                        assertEquals(LOp.F64_SUB_ADD, code[i + 4], what + " at " + i);
                        assertTrue(lf.pcOf()[i + 8] >= 0 && lf.pcOf()[i + 12] >= 0, what + " at " + i);
                    }
                }
            }
            for (long n : new long[] {0, 3}) {
                Tiers.Outcome full = StepSweep.sweep(t, List.of(Value.i64(n)), seed, what + " n " + n);
                assertTrue(!full.trapped(), what + ": " + full);
                long used = full.used(Limits.DEFAULT.withFuel(1_000_000));
                total += used;
                if (n > 0) {
                    AttackF64SuperinstructionTest.pausedAtEveryStepAndRestoredOnTheOtherTier(t, List.of(Value.i64(n)),
                            used, what);
                }
            }
            triples += g.triples();
        }
        assertTrue(triples > 40 * 3, "triples in the programs: " + triples);
        assertTrue(heads > 5, "inner loops headed by a triple: " + heads);
        System.out.println("attack-f29: " + triples + " triples, " + heads + " triple-headed inner loops, "
                + total + " instructions run");
        assertTrue(total > 40 * 100, "the programs ran " + total + " instructions");
    }

    /**
     * The triple on registers 65533 to 65535, and all three on 65535, in a frame of 65536 registers
     * (finite quotients: the NaN cases are the random test's).
     */
    @Test
    void theTripleOnTheLargestRegistersGivesTheSameBitsOnEveryWay() throws Exception {
        int top = 65_535;
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(F64, F64, F64), List.of(F64, F64, F64)).mov(top - 2, 1).mov(top - 1, 2).mov(top, 3)
                .binary(Opcode.F64_DIV, top, top - 2, top - 1).binary(Opcode.F64_SUB, top - 1, top, top - 2)
                .binary(Opcode.F64_ADD, top - 2, top - 1, top).binary(Opcode.F64_DIV, top, top, top)
                .binary(Opcode.F64_SUB, top, top, top).binary(Opcode.F64_ADD, top, top, top)
                .ret(0, top - 2, top - 1, top);
        VerifiedProgram vp = Tiers.verified(pb.build());
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(List.of(LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD, LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD),
                superOps(t.interpreted, 0));
        double[][] inputs = {{7.0, 2.0, 0.5}, {-0.5, 4.0, 1.0}, {Double.MIN_VALUE, 0.5, -1.0}, {3.0, -1e-300, 2.0}};
        for (double[] in : inputs) {
            double a = in[0];
            double b = in[1];
            double d = a / b;
            double s = d - a;
            double r1 = s + d;
            double x = d / d;
            x = x - x;
            x = x + x;
            long[] expected = {bits(r1), bits(s), bits(x)};
            List<Value> args = List.of(Value.f64(a), Value.f64(b), Value.f64(in[2]));
            String what = java.util.Arrays.toString(in);
            assertArrayEquals(expected, bitsOf(t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT,
                    null)), what + " fused");
            assertArrayEquals(expected, bitsOf(t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT,
                    new StepSweep.Steps())), what + " stepped");
            assertArrayEquals(expected, bitsOf(t.compiled.run(new ExecutionContext(), 0, args, Limits.DEFAULT,
                    null)), what + " compiled");
            StepSweep.sweep(t, args, 7, what);
        }
    }
}
