package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack (attack-d30) on dec30's shortcuts in {@link DecimalRun}: {@code dec.mul} with an operand of
 * scale 0 writes the other operand's token (when it holds one) instead of looking the result's up,
 * and {@code i64.to_dec} at scale 0 skips the multiply by 10^0. Random loops of {@code dec.mul}
 * whose operands are scale-0 tokens, scale-0 boxes (a {@code mov}, {@code tuple.get}, a host call's
 * or a call's result), tokens and boxes of scales 0, 1, 2, 18, 127, 128, 254 and 255 (scale sums
 * past 255 trap), both operands of scale 0, one register twice, destinations equal to either or
 * both operands ({@code dec.mul rX, rX, rY}, {@code rX, rY, rX}, {@code rX, rX, rX}), mantissas at
 * the i64 edges (products that overflow, {@code Long.MIN_VALUE * -1}), {@code i64.to_dec} at scale 0
 * of words at the i64 edges (and now and then at scales 1 to 19, 19 overflowing even 0), and a
 * third of them with the list of unboxed slots filled to 58 to 63 of its 64 so that a write
 * mid-run is handed back. Each program runs through {@link StepSweep#sweep} (both tiers at every
 * fuel budget, paused at slices of 1 to 9 with snapshots restored on either tier) and, for an even
 * seed, paused before every instruction; every fourth seed also at every heap limit around its
 * allocation and register limits. Hand-made shapes check values against the reference's rule
 * ({@code dec.mul}: the i64 product or {@code decimal_overflow}, then the scale sum up to 255 or
 * {@code decimal_overflow}; {@code i64.to_dec}: {@code a * 10^scale} or {@code decimal_overflow}).
 */
class AttackDecimalMulScaleZeroTest {
    private static final long[] EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 1L << 62, -(1L << 62), 3037000499L, -3037000500L, 7, -3};
    private static final int[] SCALES = {0, 0, 0, 0, 1, 2, 18, 127, 128, 254, 255};

    private static long edge(Random rnd) {
        return rnd.nextInt(3) != 0 ? rnd.nextInt(21) - 10 : EDGES[rnd.nextInt(EDGES.length)];
    }

    /** r10..r15 (random scales) and r16..r18 (1, -1 and 0 at scale 0); mostly a scale-0 one. */
    private static int operand(Random rnd) {
        return rnd.nextInt(5) < 2 ? 16 + rnd.nextInt(3) : AttackDecimalAddShapesTest.dreg(rnd);
    }

    /** A {@code dec.mul} with the operand and destination shapes above, or an {@code i64.to_dec}. */
    private static void mul(StringBuilder s, Random rnd) {
        if (rnd.nextInt(4) == 0) {
            int d = AttackDecimalAddShapesTest.dreg(rnd);
            int sc = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(19) : 0;
            s.append("    i64.to_dec r").append(d).append(", r").append(rnd.nextBoolean() ? 8 : 2).append(", ")
                    .append(sc).append('\n');
            return;
        }
        int x = operand(rnd);
        int y = rnd.nextInt(4) == 0 ? x : operand(rnd);
        if (rnd.nextBoolean()) {
            int z = x;
            x = y;
            y = z;
        }
        int d = switch (rnd.nextInt(5)) {
            case 0 -> x;
            case 1 -> y;
            default -> AttackDecimalAddShapesTest.dreg(rnd);
        };
        s.append("    dec.mul r").append(d).append(", r").append(x).append(", r").append(y).append('\n');
    }

    /** main(n: i64) -> (dec x6): n trips of random items; helper and clo as the add shapes' test has them. */
    private static String program(long seed) {
        Random rnd = new Random(seed);
        StringBuilder s = new StringBuilder();
        s.append("program mulshapes\nhost hid = \"d.id\" (dec) -> (dec)\ncallsig unary = (dec) -> (dec)\n");
        s.append("func main(n: i64) -> (dec, dec, dec, dec, dec, dec) {\n");
        for (int k = 10; k < 16; k++) {
            s.append("    const.decimal r").append(k).append(", ").append(edge(rnd)).append(", ")
                    .append(SCALES[rnd.nextInt(SCALES.length)]).append('\n');
        }
        s.append("    const.decimal r16, 1, 0\n    const.decimal r17, -1, 0\n    const.decimal r18, 0, 0\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r5, ").append(edge(rnd) % 1000)
                .append("\n    const.i64 r6, 0\n    const.i64 r8, ").append(edge(rnd)).append('\n');
        AttackDecimalAddShapesTest.fill(s, rnd, rnd.nextBoolean() ? 0 : 2);
        s.append("    tuple.new r20, [r").append(operand(rnd)).append(", r").append(operand(rnd)).append("]\n");
        s.append("    const.func r21, clo\n    closure.new r22, r21, r20\n");
        s.append("    jmp head\nhead:\n    i64.lt r4, r2, r1\n    br r4, body, done\nbody:\n");
        int items = 4 + rnd.nextInt(8);
        for (int k = 0; k < items; k++) {
            s.append("    .span ").append(k + 1).append('\n');
            mul(s, rnd);
            if (rnd.nextBoolean()) {
                mul(s, rnd);
            }
            if (rnd.nextInt(3) == 0) {
                s.append("    mov r").append(AttackDecimalAddShapesTest.dreg(rnd)).append(", r").append(16 + rnd.nextInt(3))
                        .append('\n');
            } else if (rnd.nextInt(3) == 0) {
                s.append("    i64.add r8, r8, r2\n");
            } else {
                AttackDecimalAddShapesTest.other(s, rnd, 0);
            }
        }
        return s.append(AttackDecimalAddShapesTest.functions()).toString();
    }

    @Test
    void randomMulShapesEndAliveOnBothTiersAtEveryBudgetPauseHeapAndRegisterLimit() throws Exception {
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 0; seed < 300; seed++) {
            String src = program(seed);
            Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(src)), AttackDecimalAddShapesTest.HOST);
            total += AttackDecimalAddShapesTest.sweptAtLimits(t, List.of(Value.i64(1 + seed % 3)), seed,
                    "seed " + seed + "\n" + src, endings);
        }
        assertTrue(endings.contains("done") && endings.contains("DECIMAL_OVERFLOW"), endings.toString());
        assertTrue(total > 300 * 20, "the programs ran " + total + " instructions");
    }

    /** {@code body} in the add shapes' test's loop, swept on both tiers, its ending as that test writes it. */
    private static String end(String consts, String body, long n) throws Exception {
        return AttackDecimalAddShapesTest.end(AttackDecimalAddShapesTest.swept(AttackDecimalAddShapesTest.shape(consts, body), n));
    }

    /** A decimal_overflow trap at span 5 whose message ends with {@code message}. */
    private static void assertTrap(String message, String end) {
        assertTrue(end.startsWith("DECIMAL_OVERFLOW pc ") && end.contains(" span 5 ") && end.endsWith(": " + message), end);
    }

    private static String dec(long m, int s) {
        return "    const.decimal r%d, " + m + ", " + s + "\n";
    }

    @Test
    void handShapesFollowTheReferenceRule() throws Exception {
        String ones = "    const.decimal r16, 1, 0\n    const.decimal r17, -1, 0\n";
        String consts = dec(Long.MIN_VALUE, 255).formatted(10) + dec(3, 0).formatted(11) + dec(0, 7).formatted(12) + ones;
        // MIN at 255 times 1 at 0, the token reused for the result (into x and into a third register),
        // 3 at 0 squared in place on each of two trips (scale 0 times scale 0)
        assertEquals(List.of(Value.decimal(Long.MIN_VALUE, 255), Value.decimal(81, 0),
                Value.decimal(Long.MIN_VALUE, 255)).toString(), end(consts,
                "    dec.mul r10, r10, r16\n    dec.mul r12, r16, r10\n    dec.mul r11, r11, r11\n", 2));
        // MIN * -1 overflows the mantissa, whatever the scales
        assertTrap("decimal mantissa overflows i64", end(consts, "    dec.mul r12, r10, r17\n", 1));
        // MIN at 255 times 1 at scale 1: the product fits, the scale 256 passes 255
        assertTrap("decimal scale 256 exceeds 255", end(consts
                + "    const.decimal r13, 1, 1\n", "    dec.mul r12, r10, r13\n", 1));
        // a scale-0 token boxed by a mov (a box of scale 0) times a token or box of scale 7, then
        // times -1 at scale 0 from either side: 2 * (-4)^3 at scale 7 after three trips
        String seven = dec(5, 0).formatted(10) + dec(2, 7).formatted(11) + dec(0, 0).formatted(12) + ones
                + "    const.i64 r7, -4\n";
        assertEquals(List.of(Value.decimal(-4, 0), Value.decimal(-128, 7), Value.decimal(-4, 0)).toString(),
                end(seven, "    i64.to_dec r10, r7, 0\n    mov r12, r10\n    dec.mul r11, r12, r11\n"
                        + "    dec.mul r11, r17, r11\n    dec.mul r11, r11, r17\n    dec.mul r13, r11, r16\n", 3));
        // i64.to_dec of MIN at scale 0 is MIN; at scale 1 it overflows
        String min = dec(0, 0).formatted(10) + dec(0, 0).formatted(11) + dec(0, 0).formatted(12) + ones
                + "    const.i64 r7, " + Long.MIN_VALUE + "\n";
        assertEquals(List.of(Value.decimal(Long.MIN_VALUE, 0), Value.decimal(Long.MIN_VALUE, 0),
                Value.decimal(0, 0)).toString(), end(min, "    i64.to_dec r10, r7, 0\n    dec.mul r11, r16, r10\n", 2));
        assertTrap(Long.MIN_VALUE + " * 10^1 overflows i64", end(min, "    i64.to_dec r10, r7, 0\n    i64.to_dec r11, r7, 1\n", 1));
    }

    /**
     * A {@code .tape} patched by hand: the scale byte of {@code i64.to_dec r10, r1, S} (then
     * {@code dec.mul r11, r10, r16} by 1 at scale 0, which keeps r10's token, and r12 = r11 * r11) set to
     * each of 0, 1, 9, 10, 18, 19, 127, 128, 254 and 255 (the u8's range; the verifier takes any),
     * run at words at the i64 edges; the results against {@code a * 10^S} in BigInteger: both decimals
     * when {@code 10^S} and the product fit an i64, else {@code decimal_overflow} at the conversion.
     */
    @Test
    void handPatchedScaleBytesFollowTheReferenceRule() throws Exception {
        String src = "program patched\nfunc main(a: i64) -> (dec, dec) {\n    const.decimal r16, 1, 0\n"
                + "    const.i64 r2, 0\n    .span 7\n    i64.to_dec r10, r1, 77\n    .span 8\n"
                + "    dec.mul r11, r10, r16\n    dec.mul r12, r16, r11\n    i64.add r2, r2, r1\n    ret r0, [r10, r12]\n}\n";
        byte[] bytes = ProgramEncoder.encode(JitResumeTest.asm(src));
        int at = -1;
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == 0x76 && bytes[i + 1] == 10 && bytes[i + 2] == 1 && bytes[i + 3] == 77) {
                assertEquals(-1, at, "one i64.to_dec r10, r1, 77 in the bytes");
                at = i + 3;
            }
        }
        assertNotEquals(-1, at, "i64.to_dec r10, r1, 77 in the bytes");
        long[] words = {0, 1, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, 922337203685477580L, -922337203685477581L};
        for (int scale : new int[] {0, 1, 9, 10, 18, 19, 127, 128, 254, 255}) {
            bytes[at] = (byte) scale;
            Tiers t = Tiers.of(Tiers.verified(ProgramDecoder.decode(bytes)), AttackDecimalAddShapesTest.HOST);
            for (long a : words) {
                String what = "scale " + scale + " a " + a;
                Tiers.Outcome o = StepSweep.sweep(t, List.of(Value.i64(a)), scale, what);
                BigInteger p = BigInteger.TEN.pow(scale);
                BigInteger m = p.multiply(BigInteger.valueOf(a));
                if (p.bitLength() < 64 && m.bitLength() < 64) {
                    Value d = Value.decimal(m.longValueExact(), scale);
                    assertEquals(List.of(d, d), o.results(), what);
                } else {
                    assertTrue(o.trapped() && o.trap().kind() == TrapKind.DECIMAL_OVERFLOW && o.trap().span() == 7,
                            what + ": " + (o.trapped() ? o.trap().toString() : o.results().toString()));
                }
            }
        }
    }
}
