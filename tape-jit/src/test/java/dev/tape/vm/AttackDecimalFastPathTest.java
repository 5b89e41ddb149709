package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the compiled tier's inline decimal fast paths ({@code dec.add}, {@code dec.sub},
 * {@code dec.mul}, {@code i64.to_dec}): destinations that are also operands ({@code r1 = r1 + r2},
 * {@code x - x}), a loop whose mantissas grow until the add overflows (the trap's pc inside the
 * loop, every fuel budget for short runs), functions with exactly 16 (fast paths) and 17 (calls)
 * such instructions doing the same work, and {@code i64.to_dec} at every scale 0 to 10 around the
 * int range's ends and powers of ten. Both tiers must agree (result or trap, pc, fuel, heap), and
 * the loop's result is checked against a {@link BigInteger} model.
 */
class AttackDecimalFastPathTest {
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /**
     * f{pad}(a, b, n): n times { a = a + b; b = a - b; z = a - a; b = b + z; m = z * a }, then pad
     * more decimal instructions (z = z + z) so the function has 5 + 1 + pad of them (the trailing
     * to_dec included); returns (a, b, m).
     */
    private static String fib(int pad) {
        StringBuilder b = new StringBuilder("func f").append(pad).append("(a: dec, b: dec, n: i64) -> (dec, dec, dec) {\n")
                .append("    const.i64 r4, 0\n    const.i64 r5, 1\n    i64.to_dec r9, r4, 3\n")
                .append("    i64.lt r7, r4, r3\n    br r7, body, done\nbody:\n")
                .append("    dec.add r1, r1, r2\n    dec.sub r2, r1, r2\n    dec.sub r8, r1, r1\n")
                .append("    dec.add r2, r2, r8\n    dec.mul r9, r8, r1\n");
        for (int i = 0; i < pad; i++) {
            b.append("    dec.add r8, r8, r8\n");
        }
        return b.append("    i64.add r4, r4, r5\n    i64.lt r7, r4, r3\n    br r7, body, done\n")
                .append("done:\n    ret r0, [r1, r2, r9]\n}\n").toString();
    }

    private static final int[] TO_DEC_SCALES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    static String program() {
        StringBuilder b = new StringBuilder("program decfastattack\n");
        // 6 + 10 = 16 counted instructions (fast paths), 6 + 11 = 17 (calls)
        b.append(fib(0)).append(fib(10)).append(fib(11));
        for (int s : TO_DEC_SCALES) {
            b.append("func i").append(s).append("(x: i64) -> (dec, dec) {\n    i64.to_dec r2, r1, ").append(s)
                    .append("\n    i64.to_dec r3, r1, ").append(s).append("\n    dec.sub r4, r2, r3\n")
                    .append("    dec.add r2, r2, r4\n    ret r0, [r2, r4]\n}\n");
        }
        return b.toString();
    }

    /** The model of fib's loop: (a, b, m) or null for a decimal_overflow. */
    private static List<Value> model(long am, long bm, int s, int n) {
        BigInteger a = BigInteger.valueOf(am);
        BigInteger b = BigInteger.valueOf(bm);
        Value m = Value.decimal(0, 3);
        for (int i = 0; i < n; i++) {
            a = a.add(b);
            if (a.compareTo(MIN) < 0 || a.compareTo(MAX) > 0) {
                return null;
            }
            b = a.subtract(b);
            if (b.compareTo(MIN) < 0 || b.compareTo(MAX) > 0) {
                return null;
            }
            if (2 * s > 255) {
                return null;
            }
            m = Value.decimal(0, 2 * s);
        }
        return List.of(Value.decimal(a.longValueExact(), s), Value.decimal(b.longValueExact(), s), m);
    }

    private static final long[] EDGES = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -(1L << 62), -(1L << 31) - 1,
        -(1L << 31), -1, 0, 1, (1L << 31) - 1, 1L << 31, (1L << 62) - 1, 1L << 62, Long.MAX_VALUE - 1,
        Long.MAX_VALUE};

    @Test
    void selfReferencingAddSubMulAgreeWithTheModelOnBothTiersWithSixteenAndSeventeenOps() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        assertTrue(Jit.precompile(t.compiled) >= 3 + TO_DEC_SCALES.length, "the functions compiled");
        int traps = 0;
        int runs = 0;
        for (long am : EDGES) {
            for (long bm : EDGES) {
                for (int s : new int[] {0, 127, 128}) {
                    for (int n : new int[] {1, 2, 90}) {
                        List<Value> want = model(am, bm, s, n);
                        Tiers.Outcome[] outs = new Tiers.Outcome[3];
                        for (int f = 0; f < 3; f++) {
                            String what = "f" + f + " " + am + " " + bm + " s" + s + " n" + n;
                            Tiers.Outcome o = t.check(f, List.of(Value.decimal(am, s), Value.decimal(bm, s),
                                    Value.i64(n)), Limits.DEFAULT, what);
                            if (want == null) {
                                assertEquals(TrapKind.DECIMAL_OVERFLOW, o.kind(), what);
                            } else {
                                assertNull(o.trap(), what);
                                assertEquals(want, o.results(), what);
                            }
                            outs[f] = o;
                            runs++;
                        }
                        // the padded functions trap at other pcs, but with the same kind and result
                        assertEquals(outs[1].results(), outs[2].results());
                        assertEquals(outs[1].kind(), outs[2].kind());
                        assertEquals(outs[1].trap() == null ? -1 : outs[1].trap().pc(),
                                outs[2].trap() == null ? -1 : outs[2].trap().pc());
                        traps += want == null ? 1 : 0;
                    }
                }
            }
        }
        assertEquals(14 * 14 * 3 * 3 * 3, runs);
        assertTrue(traps > 200 && traps < 14 * 14 * 9 - 200, "traps " + traps);
    }

    @Test
    void shortRunsAgreeAtEveryFuelBudget() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        long[][] args = {{Long.MAX_VALUE - 5, 3}, {1L << 61, 1L << 61}, {Long.MIN_VALUE, -1}, {-7, 5}};
        for (long[] a : args) {
            for (int f = 0; f < 3; f++) {
                List<Value> in = List.of(Value.decimal(a[0], 2), Value.decimal(a[1], 2), Value.i64(3));
                String what = "f" + f + " " + a[0] + " " + a[1];
                Tiers.Outcome full = t.check(f, in, Limits.DEFAULT, what);
                t.everyFuel(f, in, full, what);
            }
        }
    }

    @Test
    void i64ToDecAtEveryScaleToTenAroundTheIntRangeAndPowersOfTen() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        long[] xs = {Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, Integer.MIN_VALUE + 1L, Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, -1_000_000_000L, 999_999_999L, 1_000_000_000L, 9_223_372_036L, 9_223_372_037L,
            -9_223_372_036L, -9_223_372_037L, 922_337_203_685L, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
        int traps = 0;
        for (long x : xs) {
            for (int k = 0; k < TO_DEC_SCALES.length; k++) {
                int s = TO_DEC_SCALES[k];
                String what = "to_dec " + x + " at " + s;
                Tiers.Outcome o = t.check(3 + k, List.of(Value.i64(x)), Limits.DEFAULT, what);
                BigInteger m = BigInteger.valueOf(x).multiply(BigInteger.TEN.pow(s));
                if (m.compareTo(MIN) < 0 || m.compareTo(MAX) > 0) {
                    assertEquals(TrapKind.DECIMAL_OVERFLOW, o.kind(), what);
                    traps++;
                } else {
                    assertNull(o.trap(), what);
                    assertEquals(List.of(Value.decimal(m.longValueExact(), s), Value.decimal(0, s)), o.results(),
                            what);
                }
            }
        }
        assertTrue(traps > 20 && traps < xs.length * TO_DEC_SCALES.length - 60, "traps " + traps);
    }
    /**
     * A random function (a, b, c: dec, x: i64, n: i64) -> (dec, dec, dec): n times a random list of
     * {@code ops} dec.add/sub/mul (any of a, b, c as destination and operands, so results that are
     * operands and x - x) and i64.to_dec of x at a random scale 0 to 10 (mul changes scales, so later
     * adds may mismatch).
     */
    private static String random(Random rnd, int ops) {
        StringBuilder b = new StringBuilder("program decfastrandom\n")
                .append("func f(a: dec, b: dec, c: dec, x: i64, n: i64) -> (dec, dec, dec) {\n")
                .append("    const.i64 r6, 0\n    const.i64 r7, 1\n    i64.lt r8, r6, r5\n    br r8, body, done\nbody:\n");
        String[] names = {"add", "sub", "mul"};
        for (int i = 0; i < ops; i++) {
            int d = 1 + rnd.nextInt(3);
            if (rnd.nextInt(5) == 0) {
                b.append("    i64.to_dec r").append(d).append(", r4, ").append(rnd.nextInt(11)).append('\n');
            } else {
                b.append("    dec.").append(names[rnd.nextInt(3)]).append(" r").append(d).append(", r")
                        .append(1 + rnd.nextInt(3)).append(", r").append(1 + rnd.nextInt(3)).append('\n');
            }
        }
        return b.append("    i64.add r6, r6, r7\n    i64.lt r8, r6, r5\n    br r8, body, done\n")
                .append("done:\n    ret r0, [r1, r2, r3]\n}\n").toString();
    }

    private static final long[] RANDOM_MANTISSAS = {Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L, 0, 1, -1, 3, -10, 1L << 32, 1L << 62,
        -(1L << 62), 1_000_000_000L, 46_341L, -3_037_000_499L, 3_037_000_500L};

    @Test
    void randomDecimalProgramsAgreeOnBothTiersAndAtEveryFuelBudgetForShortOnes() {
        Random rnd = new Random(0xE16);
        int traps = 0;
        int runs = 0;
        for (int p = 0; p < 120; p++) {
            int ops = 1 + rnd.nextInt(p % 4 == 3 ? 20 : 8);
            String src = random(rnd, ops);
            Tiers t = Tiers.of(JitResumeTest.asm(src), new HostRegistry());
            for (int k = 0; k < 6; k++) {
                int s = new int[] {0, 0, 2, 9, 127, 128}[rnd.nextInt(6)];
                List<Value> in = new ArrayList<>();
                for (int j = 0; j < 3; j++) {
                    long m = RANDOM_MANTISSAS[rnd.nextInt(RANDOM_MANTISSAS.length)];
                    in.add(Value.decimal(rnd.nextInt(4) == 0 ? m + rnd.nextInt(5) - 2 : m, s));
                }
                in.add(Value.i64(RANDOM_MANTISSAS[rnd.nextInt(RANDOM_MANTISSAS.length)] / (rnd.nextBoolean() ? 1 : 1000)));
                in.add(Value.i64(1 + rnd.nextInt(4)));
                String what = src + " args " + in;
                Tiers.Outcome o = t.check(0, in, Limits.DEFAULT, what);
                traps += o.trap() == null ? 0 : 1;
                runs++;
                if (k == 0 && ops <= 6) {
                    t.everyFuel(0, in, o, what);
                }
            }
        }
        assertEquals(720, runs);
        assertTrue(traps > 50 && traps < runs - 50, "traps " + traps + " of " + runs);
    }
    /**
     * Fast paths whose end falls on a block leader (fall-through into a label), right before a
     * call and right before a return: the stack map frames at their labels meet the next ones.
     */
    @Test
    void fastPathsEndingAtLeadersCallsAndReturnsAgreeOnBothTiers() {
        String src = """
                program decfastedges
                func main(a: dec, b: dec, n: i64) -> (dec, dec) {
                    const.i64 r4, 0
                    const.i64 r5, 1
                    i64.to_dec r6, r4, 0
                    jmp head
                head:
                    dec.add r1, r1, r2
                next:
                    dec.sub r2, r1, r2
                    call r0, twice, r0, [r2] -> [r6]
                    dec.mul r6, r6, r6
                after:
                    i64.add r4, r4, r5
                    i64.lt r7, r4, r3
                    br r7, head, done
                done:
                    dec.sub r6, r1, r1
                    ret r0, [r1, r6]
                }
                func twice(x: dec) -> (dec) {
                    dec.add r2, r1, r1
                    ret r0, [r2]
                }
                """;
        Tiers t = Tiers.of(JitResumeTest.asm(src), new HostRegistry());
        assertTrue(Jit.precompile(t.compiled) >= 2, "the functions compiled");
        int traps = 0;
        for (long am : EDGES) {
            for (long bm : EDGES) {
                for (int n : new int[] {1, 3}) {
                    List<Value> in = List.of(Value.decimal(am, 1), Value.decimal(bm, 1), Value.i64(n));
                    String what = am + " " + bm + " n" + n;
                    Tiers.Outcome o = t.check(0, in, Limits.DEFAULT, what);
                    traps += o.trap() == null ? 0 : 1;
                    if (am == 1 && bm == -1) {
                        t.everyFuel(0, in, o, what);
                    }
                }
            }
        }
        assertTrue(traps > 20 && traps < 14 * 14 * 2 - 20, "traps " + traps);
    }
}
