package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.program.Program;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's superinstructions ({@link LOp#I64_ADD_LT_BR}, {@link LOp#CONST_ADD},
 * {@link LOp#CONST_SUB}, {@link LOp#CONST_LT_BR}, {@link LOp#F64_MUL_ADD}, {@link LOp#F64_SUB_ADD}, {@link LOp#I64_TO_F64_MUL_ADD}) with hand-made programs
 * aimed at their edges: branches that land on the second (or third) instruction of a would-be pair,
 * constants of every width with wrapping sums, f64 operands that are NaN, signed zeros, infinities
 * and subnormals, and a product whose fused multiply-add would round differently. Each program runs
 * under every fuel budget on the interpreter untraced (fused), stepped with INSTR tracing (never
 * fused) and on the compiled tier; at every fuel slice and every {@link Run#step(long)} count it
 * pauses where the trace says, with the fuel the trace says.
 */
class AttackSuperinstructionTest {

    static VerifiedProgram verified(String text) {
        Program p = JitResumeTest.asm(text);
        return Tiers.verified(p);
    }

    /** @return the superinstruction ops of function {@code func}'s lowered code, per byte pc (-1: plain) */
    static int[] superOps(Vm vm, int func, int codeBytes) {
        LoweredFunction lf = vm.funcs[func];
        int[] byPc = new int[codeBytes];
        java.util.Arrays.fill(byPc, -1);
        int[] code = lf.code();
        for (int i = 0; i < lf.codeLength(); i++) {
            int pc = lf.pcOf()[i];
            if (pc >= 0 && LOp.plain(code[i]) != code[i]) {
                byPc[pc] = code[i];
            }
        }
        return byPc;
    }

    /** @return how many superinstructions function {@code func}'s lowered code holds */
    static int countSuper(Vm vm, int func) {
        LoweredFunction lf = vm.funcs[func];
        int n = 0;
        for (int i = 0; i < lf.codeLength(); i++) {
            if (lf.pcOf()[i] >= 0 && LOp.plain(lf.code()[i]) != lf.code()[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * Runs {@code entry(args)} under every fuel budget from 0 to past the end on the three ways and
     * checks they agree and stop where the trace says; then pauses it at every slice of 1 to 4 and
     * at every step count, checking the position and fuel against the trace.
     *
     * @return the fuel the whole run uses
     */
    static long everyBudget(VerifiedProgram vp, int entry, List<Value> args, String what) throws Exception {
        Tiers t = Tiers.of(vp, new HostRegistry());
        StepSweep.Steps steps = new StepSweep.Steps();
        Limits big = Limits.DEFAULT.withFuel(10_000_000);
        Tiers.Outcome full = Tiers.run(t.interpreted, null, new ExecutionContext(), entry, args, big, steps);
        long used = full.used(big);
        assertEquals(used, steps.at.size(), what + ": one INSTR event per fuel unit");
        for (long fuel = 0; fuel <= used + 1; fuel++) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), entry, args, limits,
                    new StepSweep.Steps());
            Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), entry, args, limits, null);
            Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), entry, args, limits, null);
            String at = what + " fuel " + fuel;
            Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
            Tiers.assertSame(fast, compiled, () -> at);
            if (fuel < used) {
                assertEquals(TrapKind.FUEL_EXCEEDED, fast.kind(), at);
                int traced = steps.at.get((int) fuel);
                assertEquals(traced >>> 16, fast.trap().func(), at + ": function of instruction " + fuel);
                assertEquals(traced & 0xFFFF, fast.trap().pc(), at + ": pc of instruction " + fuel);
            } else {
                assertEquals(full.results(), fast.results(), at);
            }
        }
        for (long slice = 1; slice <= 4; slice++) {
            long s = slice;
            int pauses = t.lockstep(entry, args, slice, 1, what + " slice " + slice, (a, b, pause) -> {
                long ran = s * pause;
                if (ran < used) {
                    int traced = steps.at.get((int) ran);
                    assertEquals(((long) (traced >>> 16) << 32) | (traced & 0xFFFF), a.position(),
                            what + " slice " + s + " pause " + pause);
                }
            });
            assertEquals((used - 1) / slice, pauses, what + " slice " + slice);
        }
        for (long k = 1; k < used; k++) {
            for (Vm vm : new Vm[] {t.interpreted, t.compiled}) {
                Run r = vm.start(entry, args, big);
                Outcome o = r.step(k);
                assertInstanceOf(Outcome.Paused.class, o, what + " step " + k);
                int traced = steps.at.get((int) k);
                assertEquals(((long) (traced >>> 16) << 32) | (traced & 0xFFFF), r.position(), what + " step " + k);
                assertEquals(big.fuel() - k, r.fuelRemaining(), what + " step " + k);
                // then the rest in one go, and the same from a snapshot taken there
                Run restored = t.compiled.restore(r.snapshot());
                Outcome want = new Outcome.Done(full.results());
                assertEquals(want, r.resume(), what + " step " + k + " resumed");
                assertEquals(big.fuel() - used, r.fuelRemaining(), what + " step " + k + " resumed");
                assertEquals(want, restored.resume(), what + " step " + k + " restored");
                assertEquals(big.fuel() - used, restored.fuelRemaining(), what + " step " + k + " restored");
            }
        }
        return used;
    }

    /**
     * A branch into the second instruction of a would-be pair (the i64.add after a constant, the
     * compare after an i64.add, the compare after a constant) runs it alone: the Lowerer fuses no pair
     * whose second instruction is a branch target, and the runs agree at every budget. (The verifier
     * makes every block end in a terminator, so a target is always preceded by a jump here: the
     * second half of a fused pair is entered only by a pause, a step, a snapshot or a hand-over.)
     */
    @Test
    void branchesIntoTheMiddleOfWouldBePairs() throws Exception {
        String text = """
                program mid
                func main(n: i64) -> (i64, i64) {
                    const.i64 r2, 0
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.i64 r5, 7
                    mov r8, r1
                    i64.lt r6, r8, r4
                    br r6, test, add
                top:
                    const.i64 r5, 3
                    jmp add
                add:
                    i64.add r2, r2, r5
                    i64.add r3, r3, r4
                    jmp test
                test:
                    i64.lt r6, r3, r1
                    br r6, top, tail
                tail:
                    const.i64 r7, 5
                    jmp lt
                lt:
                    i64.lt r6, r2, r7
                    br r6, small, big
                small:
                    const.i64 r7, -5
                    jmp lt
                big:
                    ret r0, [r2, r3]
                }
                """;
        VerifiedProgram vp = verified(text);
        Vm vm = new Vm(vp, new HostRegistry());
        // no superinstruction at all: every pair's second instruction is a branch target
        assertEquals(0, countSuper(vm, 0), "pairs fused across a branch target");
        for (long n : new long[] {0, 1, 3}) {
            everyBudget(vp, 0, List.of(Value.i64(n)), "n = " + n);
        }
        // n = 3: r2 = 7 + 3 + 3, r3 = 3
        assertEquals(List.of(Value.i64(13), Value.i64(3)), vm.run(new ExecutionContext(), 0,
                List.of(Value.i64(3)), Limits.DEFAULT, null));
    }

    /**
     * The same shapes without the branch targets fuse (so the test above is not vacuous), and a
     * jump to the instruction after a pair runs as the pair would.
     */
    @Test
    void theSameShapesFuseWithoutTargets() throws Exception {
        String text = """
                program fused
                func main(n: i64) -> (i64, i64) {
                    const.i64 r2, 0
                    const.i64 r3, 0
                    const.i64 r4, 1
                    jmp top
                top:
                    const.i64 r5, 3
                    i64.add r2, r2, r5
                    const.i64 r5, 1
                    i64.sub r2, r2, r5
                    i64.add r3, r3, r4
                    i64.lt r6, r3, r1
                    br r6, top, tail
                tail:
                    const.i64 r7, 100
                    i64.lt r6, r2, r7
                    br r6, small, big
                small:
                    i64.add r2, r2, r4
                    jmp tail
                big:
                    ret r0, [r2, r3]
                }
                """;
        VerifiedProgram vp = verified(text);
        Vm vm = new Vm(vp, new HostRegistry());
        assertEquals(4, countSuper(vm, 0), "const+add, const+sub, add+lt+br, const+lt+br");
        for (long n : new long[] {0, 2, 5}) {
            everyBudget(vp, 0, List.of(Value.i64(n)), "n = " + n);
        }
        assertEquals(List.of(Value.i64(100), Value.i64(5)), vm.run(new ExecutionContext(), 0,
                List.of(Value.i64(5)), Limits.DEFAULT, null));
    }

    private static final long[] WIDE = {0, 1, -1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L,
        -0x8000_0000L, -0x8000_0001L, 0x1234_5678_9ABC_DEF0L, 0x8000_0000_8000_0000L, Long.MAX_VALUE, Long.MIN_VALUE,
        0xFFFF_FFFF_0000_0000L, 0x0000_0001_FFFF_FFFFL};

    /**
     * Constants of every width (low half with its sign bit set, high half zero or all ones, the
     * extremes) through const+add, const+sub and const+lt+br, with sums that wrap: the results are
     * Java's wrapping arithmetic on the same constants, on every tier and budget.
     */
    @Test
    void constantsOfEveryWidthAndWrappingSums() throws Exception {
        StringBuilder sb = new StringBuilder("program wide\nfunc main(x: i64) -> (i64, i64, i64) {\n");
        sb.append("    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 0\n");
        long acc = 0;
        long neg = 0;
        long count = 0;
        int label = 0;
        long x = Long.MAX_VALUE - 2;
        for (long k : WIDE) {
            // r2 += x + k (wraps), r3 -= k - x, r4 counts k < x
            sb.append("    const.i64 r5, ").append(k).append('\n');
            sb.append("    i64.add r6, r1, r5\n");
            sb.append("    i64.add r2, r2, r6\n");
            sb.append("    const.i64 r5, ").append(k).append('\n');
            sb.append("    i64.sub r6, r5, r1\n");
            sb.append("    i64.sub r3, r3, r6\n");
            sb.append("    const.i64 r5, ").append(k).append('\n');
            sb.append("    i64.lt r7, r5, r1\n");
            sb.append("    br r7, yes").append(label).append(", no").append(label).append('\n');
            sb.append("yes").append(label).append(":\n    const.i64 r5, 1\n    i64.add r4, r4, r5\n    jmp no")
                    .append(label).append('\n');
            sb.append("no").append(label).append(":\n");
            label++;
            acc += x + k;
            neg -= k - x;
            count += k < x ? 1 : 0;
        }
        sb.append("    ret r0, [r2, r3, r4]\n}\n");
        VerifiedProgram vp = verified(sb.toString());
        Vm vm = new Vm(vp, new HostRegistry());
        assertTrue(countSuper(vm, 0) >= 4 * WIDE.length, "superinstructions: " + countSuper(vm, 0));
        assertEquals(List.of(Value.i64(acc), Value.i64(neg), Value.i64(count)),
                vm.run(new ExecutionContext(), 0, List.of(Value.i64(x)), Limits.DEFAULT, null));
        everyBudget(vp, 0, List.of(Value.i64(x)), "x = MAX - 2");
        everyBudget(vp, 0, List.of(Value.i64(Long.MIN_VALUE)), "x = MIN");
    }

    private static final double[] F = {0.0, -0.0, 1.0, -1.0, Double.NaN,
        Double.longBitsToDouble(0x7FF0_0000_0000_0001L), Double.longBitsToDouble(0xFFF8_0000_0000_1234L),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE,
        Double.MIN_NORMAL, Double.MAX_VALUE, 1.0 + 0x1p-30, -(1.0 + 0x1p-29), 0x1p-1074 * 3, 1e308, 0.1};

    /**
     * f64.mul + f64.add rounds twice, as the two instructions do: a product whose fused
     * multiply-add differs ((1 + 2^-30)^2 - (1 + 2^-29) is 2^-60 fused, 0 rounded twice) gives 0;
     * and over NaNs (with payloads), signed zeros, infinities, subnormals and overflow the fused
     * interpreter, the stepped interpreter and the compiled tier give the same bits, which for
     * non-NaN results are Java's {@code a * b + c}.
     */
    @Test
    void f64MulAddRoundsTwiceOverSpecialValues() throws Exception {
        String text = """
                program fma
                func main(a: f64, b: f64, c: f64) -> (f64, f64, f64) {
                    f64.mul r4, r1, r2
                    f64.add r5, r4, r3
                    f64.mul r6, r2, r3
                    f64.add r6, r1, r6
                    f64.mul r7, r1, r1
                    f64.add r7, r7, r7
                    ret r0, [r5, r6, r7]
                }
                """;
        VerifiedProgram vp = verified(text);
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(3, countSuper(t.interpreted, 0));
        double a0 = 1.0 + 0x1p-30;
        double c0 = -(1.0 + 0x1p-29);
        assertNotEquals(0.0, Math.fma(a0, a0, c0), "the case tells fused from twice-rounded");
        List<Value> got = t.interpreted.run(new ExecutionContext(), 0,
                List.of(Value.f64(a0), Value.f64(a0), Value.f64(c0)), Limits.DEFAULT, null);
        assertEquals(0L, ((Value.F64) got.get(0)).bits(), "rounded twice: +0.0");
        int checked = 0;
        for (double a : F) {
            for (double b : F) {
                for (double c : F) {
                    List<Value> args = List.of(Value.f64(a), Value.f64(b), Value.f64(c));
                    List<Value> fused = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                    List<Value> stepped = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT,
                            new StepSweep.Steps());
                    List<Value> compiled = t.compiled.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                    String what = a + " " + b + " " + c;
                    assertEquals(bits(stepped), bits(fused), what);
                    assertEquals(bits(stepped), bits(compiled), what);
                    double[] want = {a * b + c, a + b * c, a * a + a * a};
                    for (int i = 0; i < 3; i++) {
                        if (!Double.isNaN(want[i])) {
                            assertEquals(Double.doubleToRawLongBits(want[i]), bits(fused).get(i),
                                    what + " result " + i);
                            checked++;
                        } else {
                            assertTrue(Double.isNaN(Double.longBitsToDouble(bits(fused).get(i))), what);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 1000, "non-NaN results checked: " + checked);
        everyBudget(vp, 0, List.of(Value.f64(Double.NaN), Value.f64(-0.0), Value.f64(Double.MIN_VALUE)), "specials");
    }

    /**
     * f64.sub + f64.add ({@link LOp#F64_SUB_ADD}): the difference feeding the sum, a sum that
     * overwrites an operand of the difference, and a sum that reads the difference's own operand
     * after it is overwritten, over NaNs (with payloads), signed zeros, infinities, subnormals and
     * overflow: the fused interpreter, the stepped interpreter and the compiled tier give the same
     * bits, which for non-NaN results are Java's.
     */
    @Test
    void f64SubAddOverSpecialValues() throws Exception {
        String text = """
                program subadd
                func main(a: f64, b: f64, c: f64) -> (f64, f64, f64) {
                    f64.sub r4, r1, r2
                    f64.add r5, r4, r3
                    f64.sub r6, r2, r3
                    f64.add r6, r1, r6
                    f64.sub r7, r1, r3
                    f64.add r7, r7, r7
                    ret r0, [r5, r6, r7]
                }
                """;
        VerifiedProgram vp = verified(text);
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(3, countSuper(t.interpreted, 0));
        int[] ops = superOps(t.interpreted, 0, 64);
        int subAdds = 0;
        for (int op : ops) {
            subAdds += op == LOp.F64_SUB_ADD ? 1 : 0;
        }
        assertEquals(3, subAdds, "every f64.sub before an f64.add is fused");
        int checked = 0;
        for (double a : F) {
            for (double b : F) {
                for (double c : F) {
                    List<Value> args = List.of(Value.f64(a), Value.f64(b), Value.f64(c));
                    List<Value> fused = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                    List<Value> stepped = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT,
                            new StepSweep.Steps());
                    List<Value> compiled = t.compiled.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                    String what = a + " " + b + " " + c;
                    assertEquals(bits(stepped), bits(fused), what);
                    assertEquals(bits(stepped), bits(compiled), what);
                    double[] want = {(a - b) + c, a + (b - c), (a - c) + (a - c)};
                    for (int i = 0; i < 3; i++) {
                        if (!Double.isNaN(want[i])) {
                            assertEquals(Double.doubleToRawLongBits(want[i]), bits(fused).get(i),
                                    what + " result " + i);
                            checked++;
                        } else {
                            assertTrue(Double.isNaN(Double.longBitsToDouble(bits(fused).get(i))), what);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 1000, "non-NaN results checked: " + checked);
        everyBudget(vp, 0, List.of(Value.f64(Double.NaN), Value.f64(-0.0), Value.f64(Double.MIN_VALUE)), "specials");
        everyBudget(vp, 0, List.of(Value.f64(1e308), Value.f64(-1e308), Value.f64(0.1)), "overflow");
    }

    /**
     * i64.to_f64 + f64.mul + f64.add ({@link LOp#I64_TO_F64_MUL_ADD}): a triple whose product
     * overwrites the converted value and whose sum overwrites the product, a triple split by a
     * branch target on its f64.mul (no triple: the f64.mul + f64.add pair stays), i64 operands
     * that do not convert exactly (2^53 + 1, Long.MIN_VALUE, -1), and a budget that ends after
     * each of the three instructions: the fused interpreter, the stepped interpreter and the
     * compiled tier agree at every budget and every slice, and the results are Java's.
     */
    @Test
    void i64ToF64MulAddTripleAndItsSplitForm() throws Exception {
        String text = """
                program triple
                func main(a: i64, b: f64) -> (f64, f64) {
                    i64.to_f64 r3, r1
                    f64.mul r3, r3, r2
                    f64.add r3, r3, r3
                    i64.to_f64 r4, r1
                    jmp mul
                mul:
                    f64.mul r6, r4, r2
                    f64.add r4, r6, r2
                    ret r0, [r3, r4]
                }
                """;
        VerifiedProgram vp = verified(text);
        Tiers t = Tiers.of(vp, new HostRegistry());
        int[] ops = superOps(t.interpreted, 0, 64);
        int triples = 0;
        int mulAdds = 0;
        for (int op : ops) {
            triples += op == LOp.I64_TO_F64_MUL_ADD ? 1 : 0;
            mulAdds += op == LOp.F64_MUL_ADD ? 1 : 0;
        }
        assertEquals(1, triples, "one triple; the second i64.to_f64 is split from its f64.mul by a block start");
        assertEquals(2, mulAdds, "both f64.mul + f64.add pairs stay");
        long[] is = {0, 1, -1, 3, (1L << 53) + 1, Long.MIN_VALUE, Long.MAX_VALUE};
        double[] fs = {0.5, -0.0, Double.NaN, Double.MAX_VALUE, 1e-300};
        for (long a : is) {
            for (double b : fs) {
                List<Value> args = List.of(Value.i64(a), Value.f64(b));
                List<Value> fused = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                List<Value> stepped = t.interpreted.run(new ExecutionContext(), 0, args, Limits.DEFAULT, new StepSweep.Steps());
                List<Value> compiled = t.compiled.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                String what = a + " " + b;
                assertEquals(bits(stepped), bits(fused), what);
                assertEquals(bits(stepped), bits(compiled), what);
                double p = (double) a * b;
                double want0 = p + p;
                double want1 = (double) a * b + b;
                if (!Double.isNaN(want0)) {
                    assertEquals(Double.doubleToRawLongBits(want0), bits(fused).get(0), what);
                }
                if (!Double.isNaN(want1)) {
                    assertEquals(Double.doubleToRawLongBits(want1), bits(fused).get(1), what);
                }
            }
        }
        assertEquals(8, everyBudget(vp, 0, List.of(Value.i64((1L << 53) + 1), Value.f64(0.5)), "inexact"));
        everyBudget(vp, 0, List.of(Value.i64(Long.MIN_VALUE), Value.f64(Double.NaN)), "nan");
    }

    private static List<Long> bits(List<Value> vs) {
        List<Long> out = new ArrayList<>();
        for (Value v : vs) {
            out.add(((Value.F64) v).bits());
        }
        return out;
    }
}
