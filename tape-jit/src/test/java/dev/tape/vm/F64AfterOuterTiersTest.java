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
 * The interpreter's inner word loop has no case for the f64 arithmetic instructions
 * ({@code f64.add}, {@code sub}, {@code mul}, {@code div}, {@code i64.to_f64}, {@code f64.lt} to a
 * word and the three f64 superinstructions): each one goes, paid for, to the outer {@code switch}
 * and from there to {@link FloatRun}, also right after another instruction of the outer
 * {@code switch} ({@code Interpreter.CHAINS}), and also when the run ends after it. That changes
 * nothing observable. Random programs put each of those nine entries right after an instruction
 * the outer {@code switch} runs ({@code f64.neg} and {@code f64.le} through {@code Ops.slow}, a
 * word {@code tuple.new} and {@code tuple.get}) and before one the run leaves ({@code i64.xor}, a
 * call, {@code f64.neg}, the helper's {@code ret}, the loop's latch); they run through
 * {@link StepSweep#sweep}: the interpreter untraced, stepped one instruction at a time and the
 * compiled tier end alike under every fuel budget (results bit for bit, NaN payloads included), and
 * pause alike at fuel slices, snapshots included.
 */
class F64AfterOuterTiersTest {
    /** registers: r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r12 and r13 bool, r15..r19 f64, r20 a tuple */
    private static final int F_FIRST = 15;
    private static final int T = 20;
    private static final double[] EDGES = {0.0, -0.0, 1.5, -2.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NaN, Double.MAX_VALUE, Double.MIN_VALUE, 1e300, 3.0};
    private static final List<Value> ARGS = List.of(Value.i64(3));

    private static int ireg(Random rnd) {
        return 5 + rnd.nextInt(4);
    }

    private static int freg(Random rnd) {
        return F_FIRST + rnd.nextInt(5);
    }

    /** An instruction the outer switch runs (never the inner word loop). */
    private static void outer(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0 -> f.unary(Opcode.F64_NEG, freg(rnd), freg(rnd));
            case 1 -> f.binary(Opcode.F64_LE, 12, freg(rnd), freg(rnd));
            case 2 -> f.tupleNew(T, ireg(rnd), ireg(rnd));
            default -> f.tupleNew(T, ireg(rnd), ireg(rnd)).tupleGet(ireg(rnd), T, rnd.nextInt(2));
        }
    }

    /** One of the nine f64 entries {@code execute} hands to {@link FloatRun}. */
    private static void entry(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(9)) {
            case 0 -> f.binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            case 1 -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd));
            case 2 -> f.binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd));
            case 3 -> f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd));
            case 4 -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd));
            case 5 -> f.binary(Opcode.F64_LT, 13, freg(rnd), freg(rnd));
            case 6 -> f.binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            case 7 -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                    .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
            default -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd)).binary(Opcode.F64_MUL, freg(rnd), freg(rnd),
                    freg(rnd)).binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
        }
    }

    /** A function (n: i64) -> (i64, f64, f64): a counted loop of outer instruction, f64 entry, follower. */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64, F64));
        int helper = pb.declareFunction(List.of(I64), List.of(F64));
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        for (int r = F_FIRST; r < F_FIRST + 5; r++) {
            f.constF64(r, EDGES[rnd.nextInt(EDGES.length)]);
        }
        f.constF64Bits(F_FIRST + rnd.nextInt(5), 0xFFF8_0000_0000_0001L);
        f.constI64(3, 0).constI64(4, 1);
        f.tupleNew(T, 5, 6);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(6);
        for (int k = 0; k < items; k++) {
            outer(f, rnd);
            entry(f, rnd);
            switch (rnd.nextInt(6)) {
                case 0 -> f.binary(Opcode.I64_XOR, ireg(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {freg(rnd)});
                case 2 -> f.unary(Opcode.F64_NEG, freg(rnd), freg(rnd));
                case 3 -> f.i64Add(ireg(rnd), ireg(rnd), ireg(rnd));
                default -> {
                    // the item's entry last before the next item's outer instruction, or the latch
                }
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, F_FIRST, F_FIRST + 1 + rnd.nextInt(4));
        // the helper: an outer instruction, then an f64 entry right before its ret
        pb.function(helper).tupleNew(3, 1, 1).unary(Opcode.I64_TO_F64, 4, 1).binary(Opcode.F64_MUL, 4, 4, 4).ret(0, 4);
        return pb.build();
    }

    @Test
    void f64EntriesAfterOuterInstructionsEndAsOneAtATimeOnBothTiers() throws Exception {
        long total = 0;
        Set<Integer> afterOuter = new HashSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            afterOuter(t.interpreted, afterOuter);
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            assertTrue(!full.trapped(), "seed " + seed + ": " + full);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(total > 40 * 30, "the programs ran " + total + " instructions");
        // each of the nine entries right after an instruction of the outer switch (a chain into FloatRun)
        for (int op : new int[] {Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV, Op.I64_TO_F64, Op.F64_LT,
            LOp.F64_MUL_ADD, LOp.F64_SUB_ADD, LOp.I64_TO_F64_MUL_ADD}) {
            assertTrue(afterOuter.contains(op), "no op 0x" + Integer.toHexString(op) + " after an outer instruction");
        }
    }

    /** Adds the ops that follow an instruction of the outer switch in the lowered code. */
    private static void afterOuter(Vm vm, Set<Integer> into) {
        for (LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            boolean outer = false;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    if (outer) {
                        into.add(code[i]);
                    }
                    int op = code[i];
                    outer = op == Op.F64_NEG || op == Op.F64_LE || op == LOp.TUPLE_NEW_W || op == LOp.TUPLE_GET_W;
                }
            }
        }
    }
}
