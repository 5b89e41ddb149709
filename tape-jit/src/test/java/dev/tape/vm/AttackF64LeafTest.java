package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on leaves with f64 arithmetic run inline in the caller's compiled method
 * ({@code LeafInliner}): a leaf of every f64 operation a leaf may have (add, sub, mul, div, the
 * interpreter's {@code f64.mul}+{@code f64.add} and {@code f64.sub}+{@code f64.add}
 * superinstructions, every f64 compare, a fused {@code f64.lt}+{@code br}, bool arithmetic on the
 * compares, an early {@code ret}) returning eight values, some into one caller register twice; a
 * closure over an f64 environment called through {@code call.indirect} (its elements kept by the
 * site's closure cache from the second iteration on); a struct of f64 fields passed to a leaf that
 * reads them (the struct kept in the caller's locals). Over every pair of f64 edge values (NaNs
 * quiet and signalling with payloads and either sign, signed zeros, infinities, subnormals,
 * overflow, division by zero) the interpreter, the interpreter and the compiled tier under an INSTR
 * trace (the same steps), the compiled tier with its leaves inline and the framed compiled tier
 * (every call a real call) give exactly the bits of a model written here from the format's rules
 * (IEEE round to nearest even, x86's SSE NaN rule). For some pairs, every fuel budget, every slice
 * of 1 to 4 and every step count (restored from the snapshot on the other tier) agree, as do every
 * call-depth and register limit; both compiled tiers paused at every slice of 1 to 6 show the
 * interpreter's written registers. Random leaves mixing f64 and i64 arithmetic with reads of a
 * struct the caller keeps in locals agree at every fuel budget and a random slice. Callers with
 * registers far up (a local each, the leaf's past index 255; registers near the verifier's limit)
 * agree. A leaf at {@code LeafInliner}'s size limits (32 instructions, 32 registers) is inlined and
 * agrees; one instruction or register more and it is not, and agrees.
 */
class AttackF64LeafTest {
    private static final long EXP = 0x7ff0000000000000L;

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    /** The NaN rule (x86 SSE): the first NaN operand quieted, else the second, else the default NaN. */
    private static long nan(long a, long b) {
        if ((a & Long.MAX_VALUE) > EXP) {
            return a | 0x0008000000000000L;
        }
        if ((b & Long.MAX_VALUE) > EXP) {
            return b | 0x0008000000000000L;
        }
        return 0xfff8000000000000L;
    }

    /** @return the bits of {@code a op b} for op '+', '-', '*' or '/' under the format's rules */
    private static long op(char op, long a, long b) {
        double x = d(a);
        double y = d(b);
        double r = switch (op) {
            case '+' -> x + y;
            case '-' -> x - y;
            case '*' -> x * y;
            default -> x / y;
        };
        return Double.isNaN(r) ? nan(a, b) : bits(r);
    }

    /** f64 edge values, as bits */
    private static final long[] EDGES = {
        0x7ff8000000000000L, 0xfff8000000000000L, 0x7ff8000000000123L, 0xfff8000000000abcL,
        0x7ff0000000000001L, 0xfff4000000000777L, bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY),
        bits(0.0), bits(-0.0), bits(Double.MIN_VALUE), bits(-Double.MIN_VALUE), bits(Double.MIN_NORMAL),
        bits(Double.MAX_VALUE), bits(-1e308), bits(1.0), bits(-3.0), bits(0.1), bits(1e-300),
    };

    /**
     * {@code ops(a, b)}: 24 instructions, 18 registers; its {@code f64.mul}s and {@code f64.sub}
     * followed by an {@code f64.add} are superinstructions on the interpreter, its {@code f64.lt}
     * fuses with its {@code br}. {@code cl(env, a)} reads its environment's two f64s; {@code st(p, k)}
     * reads a struct's two f64 fields. {@code main(a, b, n)} calls the three {@code n} times, and
     * {@code swap(a, b)}, which calls {@code ops(b, a)} with its results into one register for the
     * f64s and one for the bools (the last of each is what the register keeps).
     */
    static final String PROGRAM = """
            program f64leafattack
            struct P = { x: f64, y: f64 }
            callsig two = (f64) -> (f64, f64)
            func main(a: f64, b: f64, n: i64) -> (f64, f64, f64, f64, f64, f64, bool, bool, f64, f64, f64, f64, bool) {
                tuple.new r4, [r2, r1]
                const.func r5, cl
                closure.new r6, r5, r4
                struct.new r7, P, [r1, r2]
                const.i64 r8, 0
                const.i64 r9, 1
                jmp loop
            loop:
                call r0, ops, r0, [r1, r2] -> [r10, r11, r12, r13, r14, r15, r16, r17]
                call.indirect r0, two, r6, r0, [r1] -> [r18, r19]
                call r0, st, r0, [r7, r2] -> [r20]
                call r0, swap, r0, [r1, r2] -> [r22, r23]
                i64.add r8, r8, r9
                i64.lt r21, r8, r3
                br r21, loop, done
            done:
                ret r0, [r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r22, r23]
            }
            func swap(a: f64, b: f64) -> (f64, bool) {
                call r0, ops, r0, [r2, r1] -> [r3, r3, r3, r3, r3, r3, r4, r4]
                ret r0, [r3, r4]
            }
            func ops(a: f64, b: f64) -> (f64, f64, f64, f64, f64, f64, bool, bool) {
                f64.add r3, r1, r2
                f64.sub r4, r1, r2
                f64.mul r5, r1, r2
                f64.add r6, r5, r1
                f64.div r7, r1, r2
                f64.sub r8, r2, r1
                f64.add r8, r8, r7
                f64.eq r9, r1, r2
                f64.le r10, r1, r2
                f64.ge r11, r1, r2
                bool.xor r13, r10, r11
                bool.or r13, r13, r9
                f64.gt r14, r1, r2
                f64.lt r15, r1, r2
                br r15, less, notless
            less:
                f64.div r16, r2, r1
                f64.mul r16, r16, r16
                jmp join
            notless:
                const.f64 r17, -0.0
                f64.mul r16, r17, r1
                f64.add r16, r16, r17
                br r14, join, late
            late:
                ret r0, [r4, r3, r6, r7, r8, r16, r13, r9]
            join:
                ret r0, [r3, r4, r6, r7, r8, r16, r9, r13]
            }
            func cl(env: agg tuple(f64, f64), a: f64) -> (f64, f64) {
                tuple.get r3, r1, 0
                tuple.get r4, r1, 1
                f64.div r5, r2, r3
                f64.mul r6, r4, r2
                f64.add r6, r6, r5
                f64.sub r7, r5, r6
                f64.add r7, r7, r4
                ret r0, [r6, r7]
            }
            func st(p: agg struct P, k: f64) -> (f64) {
                struct.get r3, r1, 0
                struct.get r4, r1, 1
                f64.sub r5, r3, r4
                f64.add r5, r5, r2
                f64.div r6, r5, r4
                ret r0, [r6]
            }
            """;

    /** The model of {@code ops(a, b)}: six f64s' bits and two bools (1 or 0). */
    private static long[] ops(long a, long b) {
        long add = op('+', a, b);
        long sub = op('-', a, b);
        long mulAdd = op('+', op('*', a, b), a);
        long div = op('/', a, b);
        long subAdd = op('+', op('-', b, a), div);
        boolean eq = d(a) == d(b);
        boolean ordered = (d(a) <= d(b)) ^ (d(a) >= d(b)) || eq;
        long neg = bits(-0.0);
        if (d(a) < d(b)) {
            long q = op('/', b, a);
            return new long[] {add, sub, mulAdd, div, subAdd, op('*', q, q), eq ? 1 : 0, ordered ? 1 : 0};
        }
        long arm = op('+', op('*', neg, a), neg);
        if (d(a) > d(b)) {
            return new long[] {add, sub, mulAdd, div, subAdd, arm, eq ? 1 : 0, ordered ? 1 : 0};
        }
        return new long[] {sub, add, mulAdd, div, subAdd, arm, ordered ? 1 : 0, eq ? 1 : 0};
    }

    /** The model of {@code main(a, b, n)}'s results, f64s as bits and bools as 1 or 0. */
    private static long[] main(long a, long b) {
        long[] out = new long[13];
        System.arraycopy(ops(a, b), 0, out, 0, 8);
        // cl over the environment (b, a), called with a
        long q = op('/', a, b);
        long r6 = op('+', op('*', a, a), q);
        out[8] = r6;
        out[9] = op('+', op('-', q, r6), a);
        // st over the struct (a, b), called with b
        out[10] = op('/', op('+', op('-', a, b), b), b);
        long[] swapped = ops(b, a);
        out[11] = swapped[5];
        out[12] = swapped[7];
        return out;
    }

    private static long[] bitsOf(List<Value> vs) {
        long[] out = new long[vs.size()];
        for (int i = 0; i < out.length; i++) {
            Value v = vs.get(i);
            out[i] = v instanceof Value.F64 f ? f.bits() : ((Value.Bool) v).value() ? 1 : 0;
        }
        return out;
    }

    private static List<Value> args(long a, long b, long n) {
        return List.of(Value.f64Bits(a), Value.f64Bits(b), Value.i64(n));
    }

    private static String hex(long[] xs) {
        StringBuilder s = new StringBuilder("[");
        for (long x : xs) {
            s.append(s.length() > 1 ? ", " : "").append(Long.toHexString(x));
        }
        return s.append(']').toString();
    }

    private static void assertBits(long[] want, List<Value> got, String what) {
        assertEquals(hex(want), hex(bitsOf(got)), what);
    }

    private static VerifiedProgram verified() {
        return Tiers.verified(JitCornerCasesTest.asm(PROGRAM));
    }

    /**
     * Every call site of a leaf runs it inline on the compiled tier, and the interpreter runs the
     * leaves' pairs as superinstructions.
     */
    @Test
    void everySiteIsInlined() {
        // the guard's room test once per site: main's ops, cl and st; swap's ops (functions: main 0, swap 1)
        assertEquals(3, JitLeafInlinedTest.inlinedSites(verified(), 0));
        assertEquals(1, JitLeafInlinedTest.inlinedSites(verified(), 1));
        assertEquals(1, JitKeptStructTest.calls(verified(), 0, "chargeAggregate"), "main's struct is kept in locals");
        Vm vm = new Vm(verified(), Host.NONE);
        // ops 2, cl 3, st 4; ops' f64.div before its sub+add heads a triple
        assertEquals(List.of(LOp.F64_MUL_ADD, LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD, LOp.F64_MUL_ADD), superOps(vm, 2));
        LoweredFunction ops = vm.funcs[2];
        assertTrue(java.util.stream.IntStream.range(0, ops.codeLength())
                .anyMatch(i -> ops.pcOf()[i] >= 0 && ops.code()[i] == LOp.F64_LT_BR), "ops' f64.lt fuses with its br");
        assertEquals(List.of(LOp.F64_MUL_ADD, LOp.F64_SUB_ADD), superOps(vm, 3));
        assertEquals(List.of(LOp.F64_SUB_ADD), superOps(vm, 4));
    }

    /** @return the lowered ops of function {@code func} that are superinstructions, in code order */
    private static List<Integer> superOps(Vm vm, int func) {
        LoweredFunction lf = vm.funcs[func];
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lf.codeLength(); i++) {
            if (lf.pcOf()[i] >= 0 && LOp.plain(lf.code()[i]) != lf.code()[i]) {
                out.add(lf.code()[i]);
            }
        }
        return out;
    }

    /** Every pair of edge values: the model's bits on the four ways, NaN payloads included. */
    @Test
    void everyEdgePairGivesTheModelsBitsOnEveryWay() {
        VerifiedProgram vp = verified();
        Tiers t = Tiers.of(vp, Host.NONE);
        Jit.precompile(t.compiled);
        Vm framed = Jit.compileFramed(vp, Host.NONE, Tiers.LAZY);
        int nans = 0;
        for (long a : EDGES) {
            for (long b : EDGES) {
                long[] want = main(a, b);
                String what = Long.toHexString(a) + " " + Long.toHexString(b);
                // twice round the loop: the closure cache's hit and the compiled loop's second pass
                List<Value> in = args(a, b, 2);
                assertBits(want, t.interpreted.run(new ExecutionContext(), 0, in, Limits.DEFAULT, null), what);
                StepSweep.Steps steps = new StepSweep.Steps();
                assertBits(want, t.interpreted.run(new ExecutionContext(), 0, in, Limits.DEFAULT, steps),
                        what + " stepped");
                // a trace makes the compiled tier's run interpreted: the same steps, the same bits
                StepSweep.Steps compiledSteps = new StepSweep.Steps();
                assertBits(want, t.compiled.run(new ExecutionContext(), 0, in, Limits.DEFAULT, compiledSteps),
                        what + " compiled, traced");
                assertEquals(steps.at, compiledSteps.at, what + " traced steps");
                assertBits(want, t.compiled.run(new ExecutionContext(), 0, in, Limits.DEFAULT, null),
                        what + " compiled");
                assertBits(want, framed.run(new ExecutionContext(), 0, in, Limits.DEFAULT, null), what + " framed");
                for (long w : want) {
                    nans += (w & Long.MAX_VALUE) > EXP ? 1 : 0;
                }
            }
        }
        assertTrue(nans > 1_000, "NaN results checked bit for bit: " + nans);
    }

    /** Pairs over a NaN payload, a signed zero, a subnormal, an overflow: every budget, slice and step. */
    @Test
    void everyBudgetSliceAndStep() throws Exception {
        VerifiedProgram vp = verified();
        long[][] pairs = {
            {0xfff4000000000777L, 0x7ff8000000000123L},
            {bits(-0.0), bits(0.0)},
            {bits(Double.MIN_VALUE), bits(-3.0)},
            {bits(Double.MAX_VALUE), bits(1e-300)},
            {bits(Double.POSITIVE_INFINITY), bits(0.0)},
        };
        for (long[] p : pairs) {
            String what = hex(p);
            long used = AttackSuperinstructionTest.everyBudget(vp, 0, args(p[0], p[1], 2), what);
            assertTrue(used > 60, what + " used " + used);
        }
    }

    /** Every call-depth limit and register limits from none to past what the run needs. */
    @Test
    void everyDepthAndRegisterLimit() {
        Tiers t = Tiers.of(verified(), Host.NONE);
        Jit.precompile(t.compiled);
        List<Value> in = args(0x7ff0000000000001L, bits(-0.0), 2);
        int traps = 0;
        for (long depth = 0; depth <= 3; depth++) {
            Tiers.Outcome o = t.check(0, in, Limits.DEFAULT.withMaxCallDepth(depth), "depth " + depth);
            traps += o.trap() == null ? 0 : 1;
        }
        for (int regs = 1; regs <= 80; regs++) {
            Tiers.Outcome o = t.check(0, in, Limits.DEFAULT.withMaxRegisters(regs), "regs " + regs);
            traps += o.trap() == null ? 0 : 1;
            if (regs >= 60) {
                assertNull(o.trap(), "regs " + regs);
            }
        }
        assertTrue(traps > 20, "runs that trapped: " + traps);
    }

    /**
     * A leaf of {@code count} instructions on r0..r{@code regs - 1}: a chain of f64 operations
     * over its two arguments and constants, each into the next register (mod the count), then
     * {@code ret} of the last two.
     */
    private static String sized(int count, int regs) {
        StringBuilder s = new StringBuilder("program sized\nfunc main(a: f64, b: f64, n: i64) -> (f64, f64) {\n");
        s.append("    const.i64 r4, 0\n    const.i64 r5, 1\n    mov r6, r1\n    mov r7, r2\n    jmp loop\nloop:\n");
        s.append("    call r0, leaf, r0, [r6, r7] -> [r6, r7]\n    i64.add r4, r4, r5\n    i64.lt r8, r4, r3\n");
        s.append("    br r8, loop, done\ndone:\n    ret r0, [r6, r7]\n}\n");
        s.append("func leaf(a: f64, b: f64) -> (f64, f64) {\n    const.f64 r3, 0.75\n");
        String[] ops = {"f64.add", "f64.mul", "f64.sub", "f64.div"};
        int dst = 4;
        for (int k = 0; k < count - 2; k++) {
            int x = k == 0 ? 1 : dst == 4 ? regs - 1 : dst - 1;
            int y = 1 + k % 3;
            s.append("    ").append(ops[k % 4]).append(" r").append(dst).append(", r").append(x).append(", r")
                    .append(y).append('\n');
            dst = dst == regs - 1 ? 4 : dst + 1;
        }
        int last = dst == 4 ? regs - 1 : dst - 1;
        s.append("    ret r0, [r").append(last).append(", r").append(last == 4 ? regs - 1 : last - 1).append("]\n}\n");
        return s.toString();
    }

    /** The same chain in Java, for {@code n} calls. */
    private static long[] sizedModel(int count, int regs, long a, long b, long n) {
        char[] ops = {'+', '*', '-', '/'};
        long[] reg = new long[regs];
        long x0 = a;
        long y0 = b;
        for (long i = 0; i < n; i++) {
            reg[1] = x0;
            reg[2] = y0;
            reg[3] = bits(0.75);
            int dst = 4;
            for (int k = 0; k < count - 2; k++) {
                int x = k == 0 ? 1 : dst == 4 ? regs - 1 : dst - 1;
                reg[dst] = op(ops[k % 4], reg[x], reg[1 + k % 3]);
                dst = dst == regs - 1 ? 4 : dst + 1;
            }
            int last = dst == 4 ? regs - 1 : dst - 1;
            x0 = reg[last];
            y0 = reg[last == 4 ? regs - 1 : last - 1];
        }
        return new long[] {x0, y0};
    }

    /**
     * At the limits (32 instructions, 32 registers) the leaf is inlined, one instruction or one
     * register more and it is not; each gives the model's bits on both tiers at every fuel budget
     * around the run's.
     */
    @Test
    void leavesAtTheSizeLimits() {
        int[][] shapes = {{32, 32, 1}, {33, 32, 0}, {32, 33, 0}, {31, 31, 1}};
        List<String> seen = new ArrayList<>();
        int finite = 0;
        for (int[] shape : shapes) {
            String text = sized(shape[0], shape[1]);
            VerifiedProgram vp = Tiers.verified(JitCornerCasesTest.asm(text));
            assertEquals(shape[2], JitLeafInlinedTest.inlinedSites(vp, 0), text);
            Tiers t = Tiers.of(vp, Host.NONE);
            Jit.precompile(t.compiled);
            for (long[] p : new long[][] {{bits(1.5), bits(-0.0)}, {bits(1.5), bits(2.5)},
                {0xfff4000000000777L, bits(3.0)},
                {bits(Double.MIN_VALUE), bits(Double.MAX_VALUE)}}) {
                List<Value> in = args(p[0], p[1], 3);
                String what = "shape " + shape[0] + "/" + shape[1] + " " + hex(p);
                Tiers.Outcome full = t.check(0, in, Limits.DEFAULT, what);
                assertBits(sizedModel(shape[0], shape[1], p[0], p[1], 3), full.results(), what);
                long used = full.used(Limits.DEFAULT);
                for (long fuel = used - 2 * shape[0]; fuel <= used + 1; fuel++) {
                    t.check(0, in, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                seen.add(hex(bitsOf(full.results())));
                for (long r : bitsOf(full.results())) {
                    finite += (r & EXP) != EXP && (r & Long.MAX_VALUE) != 0 ? 1 : 0;
                }
            }
        }
        // the payload of the signalling NaN argument, quieted, comes out; so do numbers
        assertTrue(seen.stream().anyMatch(s -> s.contains("fffc000000000777")), seen.toString());
        assertTrue(finite > 0, seen.toString());
    }

    /**
     * {@code main(a, b, n)} on registers from {@code top - 12} to {@code top}, and with
     * {@code fill}, a constant in each register below: the leaf's locals come after the caller's
     * (wide loads and stores past local 255; a method too large to generate runs on the
     * interpreter); the call of {@code ops} (and of {@code swap}) from there.
     */
    private static String high(int top, boolean fill) {
        String body = PROGRAM.substring(PROGRAM.indexOf("func swap"));
        StringBuilder s = new StringBuilder("program high\nstruct P = { x: f64, y: f64 }\n");
        s.append("func main(a: f64, b: f64, n: i64) -> (f64, f64, f64, f64, f64, f64, bool, bool, f64, bool) {\n");
        s.append("    mov r").append(top - 1).append(", r1\n    mov r").append(top).append(", r2\n");
        s.append("    const.i64 r4, 0\n    const.i64 r5, 1\n");
        for (int r = 7; fill && r < top - 12; r++) {
            // a local for each register: the leaf's locals after them all
            s.append("    const.f64 r").append(r).append(", ").append(r).append(".5\n");
        }
        s.append("    jmp loop\nloop:\n");
        s.append("    call r0, ops, r0, [r").append(top - 1).append(", r").append(top).append("] -> [");
        for (int j = 0; j < 8; j++) {
            s.append(j == 0 ? "" : ", ").append('r').append(top - 10 + j);
        }
        s.append("]\n    call r0, swap, r0, [r").append(top - 1).append(", r").append(top).append("] -> [r")
                .append(top - 12).append(", r").append(top - 11).append("]\n");
        s.append("    i64.add r4, r4, r5\n    i64.lt r6, r4, r3\n    br r6, loop, done\ndone:\n    ret r0, [");
        for (int j = 0; j < 8; j++) {
            s.append('r').append(top - 10 + j).append(", ");
        }
        s.append('r').append(top - 12).append(", r").append(top - 11).append("]\n}\n").append(body);
        return s.toString();
    }

    /**
     * Callers whose registers reach far: past the locals a one-byte index reaches, near the
     * verifier's register limit. The model's bits on both tiers; where the caller's method is small
     * enough its call runs inline; at the fuel budgets and register limits around what the run needs.
     */
    @Test
    void callersWithRegistersAtTheLimits() {
        long a = 0xfff4000000000777L;
        long b = bits(-0.0);
        long[] all = main(a, b);
        long[] want = new long[10];
        System.arraycopy(all, 0, want, 0, 8);
        want[8] = all[11];
        want[9] = all[12];
        int top = dev.tape.verify.Verifier.DEFAULT_MAX_REGS - 1;
        for (int high : new int[] {140, 300, 3_000, 16_000, 32_700, top}) {
            boolean fill = high <= 3_000;
            String text = high(high, fill);
            VerifiedProgram vp = Tiers.verified(JitCornerCasesTest.asm(text));
            if (high == 140 || !fill) {
                // at 140, the constants' 240 locals and the fixed ones put the leaf's past local 255;
                // the larger filled methods are generated again with real calls, or not at all
                assertEquals(1, JitLeafInlinedTest.inlinedSites(vp, 0), "top r" + high);
            }
            Tiers t = Tiers.of(vp, Host.NONE);
            Jit.precompile(t.compiled);
            List<Value> in = args(a, b, 2);
            String what = "top r" + high;
            Tiers.Outcome full = t.check(0, in, Limits.DEFAULT, what);
            assertBits(want, full.results(), what);
            long used = full.used(Limits.DEFAULT);
            for (long fuel = used - 40; fuel <= used + 1; fuel++) {
                t.check(0, in, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (int regs = high - 2; regs <= high + 60; regs += 2) {
                t.check(0, in, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
        }
    }

    /**
     * Frame {@code f}'s registers that are written on every path to its point, the others null:
     * what {@code Run.registers} shows alike on both tiers (as {@code JitLazyFrameTest} reads them).
     */
    private static List<Value> written(Vm vm, Run run, int f) {
        int[] at = vm.frameAt(run.context(), f);
        long[] mask = vm.verified.initFacts(at[0]).writtenBefore(new int[] {at[1]})[0];
        List<Value> regs = new ArrayList<>(run.registers(f));
        for (int i = 0; i < regs.size(); i++) {
            if ((mask[i >>> 6] & (1L << i)) == 0) {
                regs.set(i, null);
            }
        }
        return regs;
    }

    /**
     * The compiled tier with its leaves inline, and the framed one (every call a real call), in
     * lockstep with the interpreter at every slice of 1 to 6: the written registers of every frame
     * alike at every pause (besides {@link Tiers#lockstep}'s frames, fuel and snapshot bytes).
     */
    @Test
    void bothCompiledTiersPausedAtEverySlice() throws Exception {
        for (boolean framed : new boolean[] {false, true}) {
            Tiers t = Tiers.of(JitCornerCasesTest.asm(PROGRAM), Host.NONE, framed);
            int pauses = 0;
            for (long[] p : new long[][] {{0x7ff0000000000001L, 0xfff8000000000abcL}, {bits(1e-300), bits(-1e308)},
                {bits(-0.0), bits(Double.MIN_VALUE)}}) {
                for (long slice = 1; slice <= 6; slice++) {
                    String what = hex(p) + (framed ? " framed" : " inline") + " slice " + slice;
                    pauses += t.lockstep(0, args(p[0], p[1], 2), slice, 2, what, (x, y, pause) -> {
                        for (int f = 0; f < x.frames().size(); f++) {
                            assertEquals(written(t.interpreted, x, f), written(t.compiled, y, f),
                                    what + " pause " + pause + " frame " + f + " " + x.frames());
                        }
                    });
                }
            }
            assertTrue(pauses > 300, "pauses: " + pauses);
        }
    }

    private static final String[] CONSTANTS = {"nan", "inf", "-inf", "0.0", "-0.0", "1e308", "-1e308", "4.9e-324",
        "2.2250738585072014e-308", "0x7ff8000000000123", "0xfff0000000000001", "0x7ff0000000000abc", "1.5", "0.1"};
    private static final String[] ARITH = {"f64.add", "f64.sub", "f64.mul", "f64.div"};
    private static final String[] COMPARE = {"f64.lt", "f64.le", "f64.gt", "f64.ge", "f64.eq"};
    private static final String[] INTS = {"i64.add", "i64.sub", "i64.mul", "i64.xor", "i64.shl", "i64.shr", "i64.and"};

    /**
     * A random leaf {@code leaf(a: f64, b: f64, p: agg struct P, k: i64) -> (f64, f64, bool, i64)}:
     * the struct's f64 fields read (in the first block or only in an arm), f64 operations
     * (mul+add and sub+add pairs among them) on r1, r2, r5..r10, i64 operations on r4, r11, r12,
     * a diamond on an f64 compare (fused with its br or not) and an i64 compare, an early
     * {@code ret} in one arm, at most 32 instructions and 16 registers.
     */
    private static String randomLeaf(java.util.SplittableRandom rnd) {
        StringBuilder s = new StringBuilder(
                "func leaf(a: f64, b: f64, p: agg struct P, k: i64) -> (f64, f64, bool, i64) {\n");
        boolean lateRead = rnd.nextBoolean();
        s.append("    struct.get r5, r3, ").append(rnd.nextInt(2)).append('\n');
        s.append("    const.f64 r6, ").append(CONSTANTS[rnd.nextInt(CONSTANTS.length)]).append('\n');
        s.append("    const.f64 r7, ").append(CONSTANTS[rnd.nextInt(CONSTANTS.length)]).append('\n');
        s.append("    const.f64 r10, ").append(CONSTANTS[rnd.nextInt(CONSTANTS.length)]).append('\n');
        s.append("    const.i64 r11, ").append(rnd.nextInt(70) - 5).append('\n');
        s.append("    ").append(INTS[rnd.nextInt(INTS.length)]).append(" r12, r4, r11\n");
        int n = 3 + rnd.nextInt(5);
        for (int k = 0; k < n; k++) {
            f64op(s, rnd, k % 3 == 1 ? (rnd.nextBoolean() ? "f64.add" : null) : null);
        }
        s.append("    ").append(COMPARE[rnd.nextInt(COMPARE.length)]).append(" r13, r").append(pick(rnd))
                .append(", r").append(pick(rnd)).append('\n');
        if (rnd.nextBoolean()) {
            s.append("    i64.lt r14, r12, r4\n    bool.and r13, r13, r14\n");
        }
        s.append("    br r13, arm, other\narm:\n");
        if (lateRead) {
            s.append("    struct.get r8, r3, ").append(rnd.nextInt(2)).append('\n');
        } else {
            s.append("    f64.mul r8, r5, r6\n");
        }
        s.append("    f64.add r9, r8, r").append(pick(rnd)).append('\n');
        if (rnd.nextInt(3) == 0) {
            s.append("    ret r0, [r9, r8, r13, r12]\n");
        } else {
            s.append("    jmp join\n");
        }
        s.append("other:\n    f64.sub r9, r7, r").append(pick(rnd)).append("\n    f64.add r9, r9, r")
                .append(pick(rnd)).append("\n    mov r8, r9\n    jmp join\njoin:\n");
        f64op(s, rnd, null);
        s.append("    i64.add r12, r12, r4\n");
        s.append("    ret r0, [r").append(pick(rnd)).append(", r9, r13, r12]\n}\n");
        return s.toString();
    }

    /** A random f64 register written before the diamond. */
    private static int pick(java.util.SplittableRandom rnd) {
        int[] regs = {1, 2, 5, 6, 7, 10};
        return regs[rnd.nextInt(regs.length)];
    }

    /** An f64 operation into r10 or an operand register ({@code force}: that op). */
    private static void f64op(StringBuilder s, java.util.SplittableRandom rnd, String force) {
        String op = force != null ? force : ARITH[rnd.nextInt(ARITH.length)];
        int dst = rnd.nextInt(3) == 0 ? new int[] {5, 6, 7}[rnd.nextInt(3)] : 10;
        s.append("    ").append(op).append(" r").append(dst).append(", r").append(pick(rnd)).append(", r")
                .append(pick(rnd)).append('\n');
    }

    /**
     * {@code main(a, b, k, n)}: the struct {@code P(a, b)} made before a loop that calls the random
     * leaf {@code n} times, each call's f64 results the next call's arguments, its i64 the next
     * {@code k}; the bool and the last values returned.
     */
    private static String randomProgram(long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program randleaf\nstruct P = { x: f64, y: f64 }\n");
        s.append("func main(a: f64, b: f64, k: i64, n: i64) -> (f64, f64, bool, i64) {\n");
        s.append("    struct.new r5, P, [r1, r2]\n    const.i64 r6, 0\n    const.i64 r7, 1\n");
        s.append("    const.bool r10, false\n");
        s.append("    mov r8, r1\n    mov r9, r2\n    mov r11, r3\n    jmp loop\nloop:\n");
        s.append("    call r0, leaf, r0, [r8, r9, r5, r11] -> [r8, r9, r10, r11]\n");
        s.append("    i64.add r6, r6, r7\n    i64.lt r12, r6, r4\n    br r12, loop, done\ndone:\n");
        s.append("    ret r0, [r8, r9, r10, r11]\n}\n");
        return s.append(randomLeaf(rnd)).toString();
    }

    /**
     * Random leaves over f64 edge values, an f64 struct and i64 arithmetic, run inline from a loop:
     * both tiers agree (result bits, trap, fuel) at every fuel budget and in lockstep at random
     * slices (frames, fuel, snapshot bytes, written registers; runs restored from the snapshots).
     */
    @Test
    void randomLeavesAgreeAtEveryBudgetAndSlice() throws Exception {
        int nans = 0;
        int inlined = 0;
        int kept = 0;
        for (long seed = 0; seed < 40; seed++) {
            String text = randomProgram(seed);
            VerifiedProgram vp = Tiers.verified(JitCornerCasesTest.asm(text));
            inlined += JitLeafInlinedTest.inlinedSites(vp, 0);
            // kept: never built as an object (no aggregate helper; its charge may be on the heap-room
            // local, so no chargeAggregate either), made only where it is read as one (virtualStruct)
            kept += JitKeptStructTest.calls(vp, 0, "aggregate") + JitKeptStructTest.calls(vp, 0, "aggregateCharged") == 0
                    && JitKeptStructTest.calls(vp, 0, "virtualStruct") > 0 ? 1 : 0;
            Tiers t = Tiers.of(vp, Host.NONE);
            Jit.precompile(t.compiled);
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed * 31 + 7);
            List<Value> in = List.of(Value.f64Bits(EDGES[rnd.nextInt(EDGES.length)]),
                    Value.f64Bits(EDGES[rnd.nextInt(EDGES.length)]), Value.i64(rnd.nextLong()),
                    Value.i64(1 + rnd.nextInt(4)));
            String what = "seed " + seed + " " + in + "\n" + text;
            Tiers.Outcome full = t.check(0, in, Limits.DEFAULT, what);
            assertNull(full.trap(), what);
            nans += full.results().get(0) instanceof Value.F64 f && Double.isNaN(d(f.bits())) ? 1 : 0;
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, in, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            long slice = 1 + rnd.nextInt(9);
            t.lockstep(0, in, slice, 2, what + " slice " + slice, (x, y, pause) -> {
                for (int f = 0; f < x.frames().size(); f++) {
                    assertEquals(written(t.interpreted, x, f), written(t.compiled, y, f), what + " pause " + pause);
                }
            });
        }
        assertEquals(40, inlined, "every program's call runs inline");
        assertEquals(40, kept, "every program's struct is kept in locals (the leaf reads its fields' locals)");
        assertTrue(nans >= 5, "runs whose first result is a NaN: " + nans);
    }
}
