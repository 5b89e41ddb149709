package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.tape.program.ValueType.F64;
import static dev.tape.vm.AttackF64SuperinstructionTest.bits;
import static dev.tape.vm.AttackF64SuperinstructionTest.bitsOf;
import static dev.tape.vm.AttackF64SuperinstructionTest.superOps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's f64 superinstruction {@link LOp#F64_DIV_SUB_ADD} ({@code f64.div},
 * then {@code f64.sub} and {@code f64.add}, the second a {@link LOp#F64_SUB_ADD}):
 * <ul>
 *   <li>every aliasing of three f64 registers among the operands of the {@code f64.div} and the
 *       {@code f64.sub}, each with one of the 27 forms of the {@code f64.add} (729 functions), over
 *       NaNs with payloads, signed zeros, infinities, 0/0, x/0, inf/inf, overflow and underflow:
 *       the fused interpreter, the interpreter stepped with an INSTR trace (which runs the halves
 *       one dispatch each) and the compiled tier give exactly the bits of a model written here from
 *       the format's rules, NaN payloads included;</li>
 *   <li>a loop with the triple at its head's second dispatch (the loop runs in {@code FloatRun}),
 *       near shapes that must not fuse (a {@code f64.div} and {@code f64.sub} before a
 *       {@code f64.mul}, a {@code f64.div} before a jump to a {@code f64.sub}+{@code f64.add}, a
 *       split triple), two divisions before a pair (the second heads the triple), a triple right
 *       after a call (a resume point of the compiled tier) and one in the callee: the Lowerer fuses
 *       exactly the whole triples in one block, and at every fuel budget, every slice and every step
 *       count the three ways agree and stop where the trace says; a run paused at each step count
 *       on one tier and restored from its snapshot on the other ends as the whole run.</li>
 * </ul>
 */
class AttackF64DivTripleTest {
    /** f64 operands (as bits) for r1, r2, r3 beyond {@link AttackF64SuperinstructionTest#F}: division's edges */
    private static final long[][] DIV = {
        {bits(0.0), bits(-0.0), bits(1.0)},
        {bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY), bits(-0.0)},
        {bits(1.0), bits(-0.0), bits(Double.POSITIVE_INFINITY)},
        {bits(Double.MIN_VALUE), bits(4.0), bits(-Double.MIN_VALUE)},
        {bits(1e308), bits(1e-10), bits(-1e308)},
        {bits(-1.5), 0x7ff4000000000abcL, bits(3.0)},
    };

    /** @return the bits of {@code a op b} for op '/', '-' or '+' under the format's rules */
    private static long model(char op, long a, long b) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r = op == '/' ? x / y : op == '-' ? x - y : x + y;
        return Double.isNaN(r) ? AttackF64SuperinstructionTest.nan(a, b) : bits(r);
    }

    /** @return the 729 triples {div, sub, add} as {op, dst, a, b} rows */
    private static List<int[][]> shapes() {
        List<int[]> ops = AttackF64SuperinstructionTest.operands();
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            for (int j = 0; j < ops.size(); j++) {
                int[] d = ops.get(i);
                int[] s = ops.get(j);
                int[] a = ops.get((i * 7 + j) % ops.size());
                out.add(new int[][] {{'/', d[0], d[1], d[2]}, {'-', s[0], s[1], s[2]}, {'+', a[0], a[1], a[2]}});
            }
        }
        return out;
    }

    @Test
    void everyAliasingOverDivisionsEdgesGivesTheModelsBitsOnEveryWay() throws Exception {
        List<int[][]> shapes = shapes();
        ProgramBuilder pb = new ProgramBuilder();
        for (int[][] s : shapes) {
            FunctionBuilder f = pb.addFunction(List.of(F64, F64, F64), List.of(F64, F64, F64));
            f.binary(Opcode.F64_DIV, s[0][1], s[0][2], s[0][3]).binary(Opcode.F64_SUB, s[1][1], s[1][2], s[1][3])
                    .binary(Opcode.F64_ADD, s[2][1], s[2][2], s[2][3]).ret(0, 1, 2, 3);
        }
        VerifiedProgram vp = Tiers.verified(pb.build());
        Tiers t = Tiers.of(vp, new HostRegistry());
        List<long[]> inputs = new ArrayList<>(Arrays.asList(AttackF64SuperinstructionTest.F));
        inputs.addAll(Arrays.asList(DIV));
        long checked = 0;
        long nans = 0;
        long zeros = 0;
        for (int fn = 0; fn < shapes.size(); fn++) {
            int[][] s = shapes.get(fn);
            assertEquals(List.of(LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD), superOps(t.interpreted, fn),
                    "function " + fn + " is fused");
            for (long[] in : inputs) {
                long[] reg = {0, in[0], in[1], in[2]};
                for (int[] row : s) {
                    reg[row[1]] = model((char) row[0], reg[row[2]], reg[row[3]]);
                }
                long[] expected = {reg[1], reg[2], reg[3]};
                List<Value> args = List.of(Value.f64Bits(in[0]), Value.f64Bits(in[1]), Value.f64Bits(in[2]));
                String what = "function " + fn + " " + Arrays.deepToString(s) + " input " + Arrays.toString(in);
                assertArrayEquals(expected, bitsOf(t.interpreted.run(new ExecutionContext(), fn, args, Limits.DEFAULT,
                        null)), what + " fused");
                assertArrayEquals(expected, bitsOf(t.interpreted.run(new ExecutionContext(), fn, args, Limits.DEFAULT,
                        new StepSweep.Steps())), what + " stepped");
                assertArrayEquals(expected, bitsOf(t.compiled.run(new ExecutionContext(), fn, args, Limits.DEFAULT,
                        null)), what + " compiled");
                for (long e : expected) {
                    nans += (e & Long.MAX_VALUE) > 0x7ff0000000000000L ? 1 : 0;
                    zeros += e == 0x8000000000000000L ? 1 : 0;
                }
                checked++;
            }
        }
        assertEquals(729, shapes.size());
        assertEquals(729L * (AttackF64SuperinstructionTest.F.length + DIV.length), checked);
        assertTrue(nans > 3_000, "NaN results checked bit for bit: " + nans);
        assertTrue(zeros > 100, "-0.0 results checked: " + zeros);
    }

    /**
     * A counted loop whose head ({@code i64.to_f64}+{@code f64.mul}+{@code f64.add}) is followed by
     * the triple, so the latch hands the loop to {@code FloatRun}, beside near shapes (see the class
     * comment); the helper holds a triple after an {@code i64.to_f64} that does not fuse with it.
     */
    private static final String LOOP = """
            program f64div
            func main(n: i64, x: f64, y: f64) -> (f64, f64, f64, i64) {
                const.i64 r4, 0
                const.i64 r5, 1
                mov r6, r2
                mov r7, r3
                mov r8, r2
                i64.lt r10, r4, r1
                br r10, top, done
            top:
                i64.to_f64 r11, r4
                f64.mul r12, r11, r2
                f64.add r12, r12, r3
                f64.div r13, r12, r3
                f64.sub r13, r13, r2
                f64.add r6, r6, r13
                f64.div r7, r7, r6
                f64.sub r7, r7, r8
                f64.mul r8, r8, r7
                f64.div r9, r8, r7
                f64.div r9, r9, r3
                f64.sub r9, r9, r9
                f64.add r9, r9, r9
                f64.div r8, r8, r2
                jmp mid1
            mid1:
                f64.sub r8, r8, r7
                f64.add r8, r8, r3
                call r0, helper, r0, [r4, r3] -> [r16, r17]
                f64.div r17, r17, r2
                f64.sub r17, r17, r6
                f64.add r7, r7, r17
                f64.div r6, r6, r7
                f64.sub r6, r6, r8
                jmp mid2
            mid2:
                f64.add r6, r6, r9
                i64.add r4, r4, r5
                i64.lt r10, r4, r1
                br r10, top, done
            done:
                ret r0, [r6, r7, r8, r4]
            }
            func helper(i: i64, y: f64) -> (i64, f64) {
                i64.to_f64 r3, r1
                f64.div r3, r3, r2
                f64.sub r3, r3, r2
                f64.add r2, r3, r2
                ret r0, [r1, r2]
            }
            """;

    @Test
    void nearShapesAndJumpsAgreeAtEveryBudgetAndAcrossTiers() throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(LOOP));
        Tiers t = Tiers.of(vp, new HostRegistry());
        // top: the head's triple, the div triple (its sub+add keeps its pair op); div, sub, mul and
        // div, div do not fuse; the second div heads a triple; mid1: the sub+add pair after the
        // jump; after the call: a triple; the div+sub split at mid2 does not fuse; the latch goes
        // back to a head that starts a run (I64_ADD_LT_BR_RUN)
        assertEquals(List.of(LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD,
                LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD, LOp.F64_SUB_ADD, LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD,
                LOp.I64_ADD_LT_BR_RUN), superOps(t.interpreted, 0));
        assertEquals(List.of(LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD), superOps(t.interpreted, 1));
        for (List<Value> args : List.<List<Value>>of(List.of(Value.i64(4), Value.f64(1.25), Value.f64(3.5)),
                List.of(Value.i64(3), Value.f64(0.5), Value.f64(-0.0)),
                List.of(Value.i64(2), Value.f64Bits(0x7ff0000000000001L), Value.f64(Double.MIN_VALUE)),
                List.of(Value.i64(2), Value.f64(Double.POSITIVE_INFINITY), Value.f64(1e308)),
                List.of(Value.i64(3), Value.f64(0.0), Value.f64(0.0)))) {
            String what = args.toString();
            long used = AttackSuperinstructionTest.everyBudget(vp, 0, args, what);
            assertTrue(used > 2 * 30, what + ": instructions run " + used);
            AttackF64SuperinstructionTest.pausedAtEveryStepAndRestoredOnTheOtherTier(t, args, used, what);
        }
    }
}
