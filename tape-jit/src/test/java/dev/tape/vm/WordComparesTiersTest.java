package dev.tape.vm;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The compares to a word ({@code i64.eq}, {@code u64.eq}, {@code i64.lt}, {@code i64.gt},
 * {@code i64.le}, {@code i64.ge}, {@code u64.lt}) give Java's answer on both tiers for every pair of
 * operands from an edge set: the extremes and their neighbours, the 32-bit boundaries and seeded
 * random words. The interpreter computes the five signed and equality compares without a compare
 * instruction (the sign bit of an overflow-corrected difference, {@code spec/word-cases.txt}), so a
 * form that forgets the overflow, e.g. {@code lt(x, y) = (x - y) >>> 63}, is wrong exactly where
 * {@code x - y} wraps ({@code MIN} against anything positive, {@code MAX} against anything negative)
 * and fails here. The compares write a register that {@code ret} returns, so the lowering does not
 * fuse them with a branch and each runs its own case of {@code execute}.
 */
class WordComparesTiersTest {
    private static final String PROGRAM = """
            program word_compares

            func signed(x: i64, y: i64) -> (eq: bool, lt: bool, gt: bool, le: bool, ge: bool) {
                i64.eq r3, r1, r2
                i64.lt r4, r1, r2
                i64.gt r5, r1, r2
                i64.le r6, r1, r2
                i64.ge r7, r1, r2
                ret r0, [r3, r4, r5, r6, r7]
            }

            func unsigned(x: u64, y: u64) -> (eq: bool, lt: bool) {
                u64.eq r3, r1, r2
                u64.lt r4, r1, r2
                ret r0, [r3, r4]
            }
            """;

    /** The edge set of the brief: extremes, their neighbours, small words, the 32-bit boundaries, random words. */
    static long[] edges() {
        List<Long> v = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -2L, -1L, 0L, 1L, 2L,
                Long.MAX_VALUE - 1, Long.MAX_VALUE, (long) Integer.MAX_VALUE, 1L << 31, (long) Integer.MIN_VALUE,
                1L << 32, -(1L << 32), Long.MIN_VALUE / 2, Long.MAX_VALUE / 2 + 1));
        Random rnd = new Random(0x18b);
        for (int i = 0; i < 8; i++) {
            v.add(rnd.nextLong());
        }
        return v.stream().mapToLong(Long::longValue).toArray();
    }

    private static Tiers tiers() {
        try {
            return Tiers.of(Assembler.assemble(PROGRAM, "word_compares.tasm"), Host.NONE);
        } catch (AsmException e) {
            throw new AssertionError(e);
        }
    }

    /** Every ordered pair of the edge set (the same value twice included): the signed compares and equality. */
    @Test
    void signedComparesMatchJavaOnEveryEdgePair() {
        Tiers t = tiers();
        long[] e = edges();
        for (long x : e) {
            for (long y : e) {
                String what = "signed(" + x + ", " + y + ")";
                Limits limits = Limits.DEFAULT.withFuel(100);
                Tiers.Outcome o = t.check(0, List.of(Value.i64(x), Value.i64(y)), limits, what);
                assertNull(o.trap(), what + ": " + o);
                assertEquals(List.of(Value.bool(x == y), Value.bool(x < y), Value.bool(x > y), Value.bool(x <= y),
                        Value.bool(x >= y)), o.results(), what);
                assertEquals(6, o.used(limits), "fuel of " + what);
            }
        }
    }

    /** Every ordered pair of the edge set read as unsigned words: {@code u64.eq} and {@code u64.lt}. */
    @Test
    void unsignedComparesMatchJavaOnEveryEdgePair() {
        Tiers t = tiers();
        long[] e = edges();
        for (long x : e) {
            for (long y : e) {
                String what = "unsigned(" + Long.toUnsignedString(x) + ", " + Long.toUnsignedString(y) + ")";
                Limits limits = Limits.DEFAULT.withFuel(100);
                Tiers.Outcome o = t.check(1, List.of(Value.u64(x), Value.u64(y)), limits, what);
                assertNull(o.trap(), what + ": " + o);
                assertEquals(List.of(Value.bool(x == y), Value.bool(Long.compareUnsigned(x, y) < 0)), o.results(),
                        what);
                assertEquals(3, o.used(limits), "fuel of " + what);
            }
        }
    }
}
