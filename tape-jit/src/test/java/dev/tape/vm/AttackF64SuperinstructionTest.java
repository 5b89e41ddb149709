package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's f64 superinstructions {@link LOp#F64_SUB_ADD} ({@code f64.sub} then
 * {@code f64.add}) and {@link LOp#I64_TO_F64_MUL_ADD} ({@code i64.to_f64}, {@code f64.mul},
 * {@code f64.add}):
 * <ul>
 *   <li>every aliasing of three f64 registers among the operands of the pair (729 functions) and of
 *       the triple (2187 functions: the converted value read by the product twice, once or not at
 *       all, the product read by the sum or not, a sum or product that overwrites an operand the
 *       next instruction reads), over NaNs with payloads (quiet, signalling, negative), signed
 *       zeros, infinities, subnormals, overflow and i64 values at the limits of exact conversion:
 *       the fused interpreter, the interpreter stepped with an INSTR trace and the compiled tier
 *       give exactly the bits of a model written here from the format's rules (IEEE round to
 *       nearest even, the NaN rule of x86's SSE), NaN payloads included;</li>
 *   <li>the shapes on the last registers the verifier allows;</li>
 *   <li>a loop in which the new superinstructions compete with the other fusions for the same
 *       instructions and jumps land on the second and third instruction of would-be pairs and
 *       triples, and a triple starts right after a call (where compiled code may resume) and in the
 *       callee: the Lowerer fuses exactly the shapes with no block start inside, and at every fuel
 *       budget, every slice and every step count the three ways agree and stop where the trace
 *       says; a run paused at each step count on one tier and restored from its snapshot on the
 *       other ends as the whole run, with the same snapshot bytes on both tiers.</li>
 * </ul>
 */
class AttackF64SuperinstructionTest {
    private static final long EXP = 0x7ff0000000000000L;

    /** The NaN rule (x86 SSE): the first NaN operand quieted, else the second, else the default NaN. */
    static long nan(long a, long b) {
        if ((a & Long.MAX_VALUE) > EXP) {
            return a | 0x0008000000000000L;
        }
        if ((b & Long.MAX_VALUE) > EXP) {
            return b | 0x0008000000000000L;
        }
        return 0xfff8000000000000L;
    }

    /** @return the bits of {@code a op b} for op '+', '-' or '*' under the format's rules */
    private static long model(char op, long a, long b) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r = op == '+' ? x + y : op == '-' ? x - y : x * y;
        return Double.isNaN(r) ? nan(a, b) : Double.doubleToRawLongBits(r);
    }

    /** f64 operand triples (as bits): args r1, r2, r3 */
    static final long[][] F = {
        {0x7ff0000000000001L, 0xfff8000000000123L, bits(1.0)},
        {0x7ff4000000000abcL, bits(-0.0), 0x7ff8000000000000L},
        {bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY), bits(0.0)},
        {bits(-0.0), bits(0.0), bits(-0.0)},
        {bits(1e308), bits(1e308), bits(-1e308)},
        {bits(Double.MIN_VALUE), bits(-Double.MIN_VALUE), bits(Double.MIN_NORMAL)},
        {bits(0.1), bits(0.2), bits(0.3)},
        {bits(Double.POSITIVE_INFINITY), bits(0.0), 0xfff0000000000777L},
    };

    /** i64 operands (arg r4): at and beyond the limits of exact conversion, ties to even */
    private static final long[] I = {(1L << 53) + 1, (1L << 53) + 3, -(1L << 53) - 1, Long.MIN_VALUE,
        Long.MAX_VALUE, -1, 0, 0x7FFF_FFFF_FFFF_FDFFL};

    static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** One function's shape: its instructions as {op, dst, a, b} (op 'i' = i64.to_f64 dst, r4). */
    private record Shape(int[][] ins) {
        long[] model(long[] args) {
            long[] reg = args.clone();
            for (int[] in : ins) {
                reg[in[1]] = in[0] == 'i' ? bits((double) reg[4]) : AttackF64SuperinstructionTest.model(
                        (char) in[0], reg[in[2]], reg[in[3]]);
            }
            return new long[] {reg[1], reg[2], reg[3]};
        }

        void emit(FunctionBuilder f) {
            for (int[] in : ins) {
                switch (in[0]) {
                    case 'i' -> f.unary(Opcode.I64_TO_F64, in[1], 4);
                    case '-' -> f.binary(Opcode.F64_SUB, in[1], in[2], in[3]);
                    case '*' -> f.binary(Opcode.F64_MUL, in[1], in[2], in[3]);
                    default -> f.binary(Opcode.F64_ADD, in[1], in[2], in[3]);
                }
            }
            f.ret(0, 1, 2, 3);
        }
    }

    /** @return every (dst, a, b) over r1..r3, in a fixed order */
    static List<int[]> operands() {
        List<int[]> out = new ArrayList<>();
        for (int d = 1; d <= 3; d++) {
            for (int a = 1; a <= 3; a++) {
                for (int b = 1; b <= 3; b++) {
                    out.add(new int[] {d, a, b});
                }
            }
        }
        return out;
    }

    private static List<Shape> shapes() {
        List<Shape> out = new ArrayList<>();
        for (int[] s : operands()) {
            for (int[] a : operands()) {
                out.add(new Shape(new int[][] {{'-', s[0], s[1], s[2]}, {'+', a[0], a[1], a[2]}}));
            }
        }
        for (int c = 1; c <= 3; c++) {
            for (int[] m : operands()) {
                for (int[] a : operands()) {
                    out.add(new Shape(new int[][] {{'i', c, 4, 4}, {'*', m[0], m[1], m[2]},
                        {'+', a[0], a[1], a[2]}}));
                }
            }
        }
        return out;
    }

    /** @return the lowered ops of function {@code func} that are superinstructions, in code order */
    static List<Integer> superOps(Vm vm, int func) {
        LoweredFunction lf = vm.funcs[func];
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lf.codeLength(); i++) {
            if (lf.pcOf()[i] >= 0 && LOp.plain(lf.code()[i]) != lf.code()[i]) {
                out.add(lf.code()[i]);
            }
        }
        return out;
    }

    static long[] bitsOf(List<Value> vs) {
        long[] out = new long[vs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Value.F64) vs.get(i)).bits();
        }
        return out;
    }

    @Test
    void everyAliasingOverSpecialValuesGivesTheModelsBitsOnEveryWay() throws Exception {
        List<Shape> shapes = shapes();
        ProgramBuilder pb = new ProgramBuilder();
        for (Shape s : shapes) {
            s.emit(pb.addFunction(List.of(F64, F64, F64, I64), List.of(F64, F64, F64)));
        }
        VerifiedProgram vp = Tiers.verified(pb.build());
        Tiers t = Tiers.of(vp, new HostRegistry());
        long checked = 0;
        long nans = 0;
        for (int fn = 0; fn < shapes.size(); fn++) {
            Shape s = shapes.get(fn);
            List<Integer> want = s.ins().length == 2 ? List.of(LOp.F64_SUB_ADD)
                    : List.of(LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD);
            assertEquals(want, superOps(t.interpreted, fn), "function " + fn + " is fused");
            for (int k = 0; k < F.length * (s.ins().length == 2 ? 1 : I.length); k++) {
                long[] f = F[k % F.length];
                long i = I[k / F.length];
                long[] args = {0, f[0], f[1], f[2], i};
                List<Value> in = List.of(Value.f64Bits(f[0]), Value.f64Bits(f[1]), Value.f64Bits(f[2]),
                        Value.i64(i));
                long[] expected = s.model(args);
                String what = "function " + fn + " " + java.util.Arrays.deepToString(s.ins()) + " input " + k;
                long[] fused = bitsOf(t.interpreted.run(new ExecutionContext(), fn, in, Limits.DEFAULT, null));
                long[] stepped = bitsOf(t.interpreted.run(new ExecutionContext(), fn, in, Limits.DEFAULT,
                        new StepSweep.Steps()));
                long[] compiled = bitsOf(t.compiled.run(new ExecutionContext(), fn, in, Limits.DEFAULT, null));
                assertArrayEquals(expected, fused, what + " fused");
                assertArrayEquals(expected, stepped, what + " stepped");
                assertArrayEquals(expected, compiled, what + " compiled");
                for (long e : expected) {
                    nans += (e & Long.MAX_VALUE) > EXP ? 1 : 0;
                }
                checked++;
            }
        }
        assertEquals(729 + 2187, shapes.size());
        assertTrue(checked > 15_000, "inputs checked: " + checked);
        assertTrue(nans > 5_000, "NaN results checked bit for bit: " + nans);
    }

    /**
     * A loop whose body holds the new shapes next to each other and next to the other fusions, with
     * jumps into the second and third instruction of would-be pairs and triples (each reached only
     * by its jump: the verifier ends every block in a terminator).
     */
    private static final String LOOP = """
            program f64super
            func main(n: i64, x: f64, y: f64) -> (f64, f64, f64, f64, i64) {
                const.i64 r4, 0
                const.i64 r5, 1
                mov r6, r2
                mov r7, r3
                mov r8, r2
                mov r9, r3
                i64.lt r10, r4, r1
                br r10, top, done
            top:
                i64.to_f64 r6, r4
                f64.mul r7, r6, r6
                f64.add r6, r7, r6
                f64.sub r8, r8, r6
                f64.add r8, r8, r8
                i64.to_f64 r11, r1
                i64.to_f64 r11, r4
                f64.mul r9, r9, r2
                f64.add r9, r9, r11
                f64.mul r12, r11, r3
                f64.mul r12, r12, r11
                f64.add r12, r12, r8
                f64.sub r13, r12, r9
                f64.add r13, r13, r13
                f64.sub r6, r6, r13
                f64.add r7, r6, r7
                f64.add r7, r7, r6
                call r0, helper, r0, [r4, r3] -> [r16, r18]
                i64.to_f64 r17, r16
                f64.mul r17, r17, r3
                f64.add r7, r17, r18
                const.i64 r14, 2
                i64.add r14, r14, r4
                i64.to_f64 r15, r14
                jmp mid1
            mid1:
                f64.mul r15, r15, r15
                f64.add r9, r15, r9
                i64.to_f64 r15, r4
                f64.mul r15, r15, r15
                jmp mid2
            mid2:
                f64.add r9, r15, r9
                f64.sub r13, r9, r8
                jmp mid3
            mid3:
                f64.add r8, r13, r8
                i64.add r4, r4, r5
                i64.lt r10, r4, r1
                br r10, top, done
            done:
                ret r0, [r6, r7, r8, r9, r4]
            }
            func helper(i: i64, y: f64) -> (i64, f64) {
                const.i64 r3, 3
                i64.mul r3, r3, r1
                i64.to_f64 r4, r3
                f64.mul r5, r4, r2
                f64.add r5, r5, r4
                f64.sub r4, r5, r2
                f64.add r2, r4, r2
                ret r0, [r3, r2]
            }
            """;

    /**
     * The triple and the pair on the highest registers a function may have (65,535 of the verifier's
     * default 65,536), aliased as in a running sum: the same bits on every way and at every budget.
     */
    @Test
    void theShapesOnTheLastRegistersOfTheLimit() throws Exception {
        int top = dev.tape.verify.Verifier.DEFAULT_MAX_REGS - 1;
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(F64, F64, I64), List.of(F64, F64));
        f.mov(top - 2, 1).mov(top - 3, 2)
                .unary(Opcode.I64_TO_F64, top, 3).binary(Opcode.F64_MUL, top - 1, top, top)
                .binary(Opcode.F64_ADD, top, top - 1, top - 2)
                .binary(Opcode.F64_SUB, top - 3, top - 3, top).binary(Opcode.F64_ADD, top - 3, top - 3, top - 3)
                .ret(0, top, top - 3);
        VerifiedProgram vp = Tiers.verified(pb.build());
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(List.of(LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD), superOps(t.interpreted, 0));
        long i = (1L << 53) + 1;
        double x = 0.1;
        double y = -0.0;
        double conv = (double) i;
        double sum = conv * conv + x;
        double diff = y - sum;
        List<Value> args = List.of(Value.f64(x), Value.f64(y), Value.i64(i));
        assertEquals(List.of(Value.f64(sum), Value.f64(diff + diff)),
                t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null));
        assertEquals(8, AttackSuperinstructionTest.everyBudget(vp, 0, args, "last registers"));
    }

    @Test
    void competingFusionsAndJumpsIntoTheMiddleAgreeAtEveryBudgetAndAcrossTiers() throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(LOOP));
        Tiers t = Tiers.of(vp, new HostRegistry());
        // triple, sub+add, triple (after another i64.to_f64), mul+add (after a mul), sub+add twice,
        // the add+add chain unfused, a triple right after a call (a resume point of the compiled
        // tier), const+add; mid1: mul+add alone; the triple split at mid2 and
        // the sub+add split at mid3 do not fuse; i64.add+lt+br (its lt+br is a fused compare,
        // which LOp.plain keeps), back to a loop head that starts a run (I64_ADD_LT_BR_RUN)
        assertEquals(List.of(LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD, LOp.I64_TO_F64_MUL_ADD,
                LOp.F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD, LOp.F64_SUB_ADD, LOp.I64_TO_F64_MUL_ADD,
                LOp.F64_MUL_ADD, LOp.CONST_ADD, LOp.F64_MUL_ADD, LOp.I64_ADD_LT_BR_RUN), superOps(t.interpreted, 0));
        assertEquals(List.of(LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD), superOps(t.interpreted, 1));
        for (List<Value> args : List.<List<Value>>of(List.of(Value.i64(3), Value.f64(0.5), Value.f64(-0.0)),
                List.of(Value.i64(2), Value.f64Bits(0x7ff0000000000001L), Value.f64(Double.MIN_VALUE)),
                List.of(Value.i64(2), Value.f64(Double.POSITIVE_INFINITY), Value.f64(1e308)))) {
            String what = args.toString();
            long used = AttackSuperinstructionTest.everyBudget(vp, 0, args, what);
            pausedAtEveryStepAndRestoredOnTheOtherTier(t, args, used, what);
        }
    }

    /**
     * Pauses function 0's run after every step count 1 to {@code used - 1} on each tier and
     * restores each snapshot on the other tier: the snapshot bytes and registers agree, and every
     * restored run ends as the whole run with the same fuel left.
     *
     * @param used the fuel the whole run takes
     */
    static void pausedAtEveryStepAndRestoredOnTheOtherTier(Tiers t, List<Value> args, long used, String what)
            throws Exception {
        Limits big = Limits.DEFAULT.withFuel(1_000_000);
        List<Value> whole = t.interpreted.run(new ExecutionContext(), 0, args, big, null);
        for (long k = 1; k < used; k++) {
            Run ri = t.interpreted.start(0, args, big);
            Run rc = t.compiled.start(0, args, big);
            assertInstanceOf(Outcome.Paused.class, ri.step(k), what + " step " + k);
            assertInstanceOf(Outcome.Paused.class, rc.step(k), what + " step " + k);
            byte[] si = ri.snapshot();
            byte[] sc = rc.snapshot();
            assertArrayEquals(si, sc, what + " snapshot bytes at step " + k);
            assertEquals(ri.registers(0), rc.registers(0), what + " registers at step " + k);
            for (Run r : new Run[] {t.compiled.restore(si), t.interpreted.restore(sc)}) {
                assertEquals(new Outcome.Done(whole), r.resume(), what + " restored at step " + k);
                assertEquals(big.fuel() - used, r.fuelRemaining(), what + " restored at step " + k);
            }
        }
    }
}
