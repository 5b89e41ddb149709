package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FloatRun}, the loop of its own that runs an f64 instruction and the f64 and word
 * instructions after it, changes nothing observable. Random programs whose loop bodies put f64
 * arithmetic (operands at the edges: zeros of both signs, infinities, NaNs of both signs, the
 * largest finite value, the smallest subnormal) and each f64 entry shape ({@code f64.add/sub/mul/div},
 * {@code i64.to_f64}, {@code f64.mul}+{@code f64.add}, {@code f64.sub}+{@code f64.add},
 * {@code i64.to_f64}+{@code f64.mul}+{@code f64.add}) right before every instruction and fused
 * shape the run handles ({@code f64.lt} plain and fused with {@code br}, word {@code mov} and
 * constants, {@code i64.add/sub/mul}, {@code br}, {@code jmp}, {@code i64.lt}+{@code br}, constant +
 * {@code i64.add}, constant + {@code i64.lt}+{@code br}, {@code i64.add} + {@code i64.lt}+{@code br},
 * an inner loop of f64 instructions) and before ones it leaves to {@code execute} ({@code i64.xor},
 * {@code f64.neg}, {@code f64.le}, a call, a tuple) run through {@link StepSweep#sweep}: the
 * interpreter untraced, stepped one instruction at a time and the compiled tier end alike under every
 * fuel budget (results bit for bit), and pause alike at fuel slices, snapshots included.
 */
class FloatRunTiersTest {
    /** registers: r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r9/r10 an inner loop's counter and bound, r13 bool, r15..r19 f64 */
    private static final int F_FIRST = 15;
    private static final double[] EDGES = {0.0, -0.0, 1.5, -2.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NaN, Double.MAX_VALUE, Double.MIN_VALUE, 1e300, 3.0};

    private static int ireg(Random rnd) {
        return 5 + rnd.nextInt(4);
    }

    private static int idst(Random rnd) {
        return rnd.nextInt(5) == 0 ? 2 : ireg(rnd);
    }

    private static int freg(Random rnd) {
        return F_FIRST + rnd.nextInt(5);
    }

    private static void floats(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(8)) {
            case 0 -> f.binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            case 1 -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd));
            case 2 -> f.binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd));
            case 3 -> f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd));
            case 4 -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd));
            case 5 -> f.binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            case 6 -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            default -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd)).binary(Opcode.F64_MUL, freg(rnd), freg(rnd),
                    freg(rnd)).binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
        }
    }

    /** A function (n: i64) -> (i64, f64, f64): a counted loop over random items, and a helper it calls. */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64, F64));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        for (int r = F_FIRST; r < F_FIRST + 5; r++) {
            f.constF64(r, EDGES[rnd.nextInt(EDGES.length)]);
        }
        f.constF64Bits(F_FIRST + rnd.nextInt(5), 0xFFF8_0000_0000_0001L);
        f.constI64(3, 0).constI64(4, 1).constI64(9, 0).constI64(10, 0);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            floats(f, rnd);
            switch (rnd.nextInt(16)) {
                case 0 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.mov(idst(rnd), ireg(rnd)).i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
                case 2 -> {
                    // f64.lt+br: a diamond, f64 arithmetic on one side, jmp to the join
                    Label a = f.newLabel();
                    Label b = f.newLabel();
                    Label join = f.newLabel();
                    f.binary(Opcode.F64_LT, 13, freg(rnd), freg(rnd)).br(13, a, b);
                    f.place(a);
                    floats(f, rnd);
                    f.jmp(join);
                    f.place(b).binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd)).jmp(join);
                    f.place(join);
                }
                case 3 -> {
                    // constant + i64.lt+br
                    Label a = f.newLabel();
                    Label join = f.newLabel();
                    f.constI64(6, rnd.nextInt(5) - 2).i64Lt(13, 5, 6).br(13, a, join);
                    f.place(a);
                    floats(f, rnd);
                    f.jmp(join);
                    f.place(join);
                }
                case 4 -> {
                    // an inner loop of f64 instructions: i64.add + i64.lt+br back to one
                    Label inner = f.newLabel();
                    Label out = f.newLabel();
                    f.constI64(9, 0).constI64(10, 1 + rnd.nextInt(3)).jmp(inner);
                    f.place(inner);
                    floats(f, rnd);
                    f.i64Add(9, 9, 4).i64Lt(13, 9, 10).br(13, inner, out);
                    f.place(out);
                }
                case 5 -> f.binary(Opcode.F64_LT, 11, freg(rnd), freg(rnd)).constF64(freg(rnd), EDGES[rnd.nextInt(
                        EDGES.length)]);
                case 6 -> {
                    if (rnd.nextBoolean()) {
                        f.binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd));
                    } else {
                        // i64.lt+br: f64 arithmetic on one side
                        Label a = f.newLabel();
                        Label join = f.newLabel();
                        f.i64Lt(13, ireg(rnd), ireg(rnd)).br(13, a, join);
                        f.place(a);
                        floats(f, rnd);
                        f.jmp(join);
                        f.place(join);
                    }
                }
                case 7, 8 -> floats(f, rnd);
                // instructions the run leaves to execute
                case 9 -> f.binary(Opcode.I64_XOR, idst(rnd), ireg(rnd), ireg(rnd));
                case 10 -> f.call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                case 11 -> f.tupleNew(20, ireg(rnd), freg(rnd)).tupleGet(idst(rnd), 20, 0);
                case 12 -> f.unary(Opcode.F64_NEG, freg(rnd), freg(rnd));
                case 13 -> f.binary(Opcode.F64_LE, 12, freg(rnd), freg(rnd));
                default -> f.i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, F_FIRST, F_FIRST + 1 + rnd.nextInt(4));
        pb.function(helper).constI64(2, 3).i64Add(3, 1, 2).unary(Opcode.I64_TO_F64, 4, 3)
                .binary(Opcode.F64_MUL, 5, 4, 4).binary(Opcode.F64_ADD, 5, 5, 4).ret(0, 3);
        return pb.build();
    }

    private static final List<Value> ARGS = List.of(Value.i64(4));

    @Test
    void randomFloatRunsEndAsTheirInstructionsOneAtATimeOnBothTiers() throws Exception {
        long total = 0;
        Set<Integer> after = new HashSet<>();
        for (long seed = 1; seed <= 50; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            followers(t.interpreted, after);
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            assertTrue(!full.trapped(), "seed " + seed + ": " + full);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(total > 50 * 60, "the programs ran " + total + " instructions");
        // an f64 entry right before each shape the run handles, and before some it leaves
        for (int op : new int[] {LOp.CONST_ADD, LOp.CONST_LT_BR, LOp.I64_LT_BR, LOp.I64_ADD_LT_BR, LOp.F64_LT_BR,
            LOp.MOV_W, LOp.CONST_W, Op.I64_SUB, Op.I64_MUL, Op.JMP, Op.F64_LT, Op.F64_ADD, Op.F64_SUB, Op.F64_MUL,
            Op.F64_DIV, Op.I64_TO_F64, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD, LOp.I64_TO_F64_MUL_ADD, Op.I64_XOR, Op.CALL,
            LOp.TUPLE_NEW_W, Op.F64_NEG, Op.F64_LE}) {
            assertTrue(after.contains(op), "no f64 entry before op 0x" + Integer.toHexString(op));
        }
    }

    /** Adds the ops that follow an f64 instruction that can start a run (after a whole superinstruction). */
    private static void followers(Vm vm, Set<Integer> into) {
        for (LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            int left = 0;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    if (left == 1) {
                        into.add(code[i]);
                    }
                    if (left > 0) {
                        left--;
                    }
                    int op = code[i];
                    if (op == Op.F64_ADD || op == Op.F64_SUB || op == Op.F64_MUL || op == Op.F64_DIV
                            || op == Op.I64_TO_F64) {
                        left = Math.max(left, 1);
                    } else if (op == LOp.F64_MUL_ADD || op == LOp.F64_SUB_ADD) {
                        left = 2;
                    } else if (op == LOp.I64_TO_F64_MUL_ADD || op == LOp.F64_DIV_SUB_ADD) {
                        left = 3;
                    }
                }
            }
        }
    }
}
