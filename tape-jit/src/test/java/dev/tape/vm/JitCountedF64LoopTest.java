package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counted loops whose bodies do f64 arithmetic run in chunks too ({@code CountedLoop}, twentieth
 * round): f64 add, sub, mul, div, rem, min, max (plain and number-favoring), neg, abs, the bit
 * moves, {@code i64.to_f64}, {@code u64.to_f64} and the f64 compares cannot trap, call out or
 * read the context. Both tiers must agree in result (every bit of a NaN, whose payload the NaN
 * rule of {@code Numerics} fixes), trap and fuel left at every fuel limit around the trips' and
 * the chunk's boundaries, and paused at every slice of several sizes with the compiled run's
 * snapshots restored on both tiers. Without f64 bodies admitted, the loops have no chunk
 * ({@link #f64LoopsHaveTheirChunk} fails).
 */
class JitCountedF64LoopTest {
    /** The chunk's size ({@code CountedLoop.CHUNK}). */
    private static final int CHUNK = JitTestAccess.countedLoopChunk();

    /** The loops' variants: the bench's body, then two with the other ops (each loop at most 64 ints of code). */
    private static final int[] VARIANTS = {0, 1, 2};

    /**
     * {@code main(n, seed, x) -> (acc, b, bits, i)}: for {@code i} from 0 while {@code i < n},
     * {@code acc} (from {@code seed}'s bits) takes in one trip's f64 work: variant 0 the bench's
     * f64_loop body ({@code i64.to_f64}, mul, add, div, sub, add), 1 and 2 every other f64 op the
     * chunk admits, mixing in {@code x} (a NaN or an infinity makes the results NaN with the
     * payloads the rule gives).
     */
    static String loop(int variant) {
        String setup = """
                    f64.from_bits r4, r2
                    const.f64 r5, 0.5
                    const.f64 r6, 1.5
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.bool r15, false
                    const.u64 r16, 0
                """;
        String body = "    i64.to_f64 r10, r7\n" + switch (variant) {
            case 0 -> """
                        f64.mul r11, r10, r5
                        f64.add r12, r11, r6
                        f64.div r13, r12, r6
                        f64.sub r14, r13, r5
                        f64.add r4, r4, r14
                    """;
            case 1 -> """
                        f64.rem r11, r4, r3
                        f64.min r12, r11, r4
                        f64.max_num r12, r12, r3
                        f64.neg r13, r12
                        f64.abs r13, r13
                        f64.min_num r14, r13, r6
                        f64.max r14, r14, r10
                        f64.add r4, r4, r14
                        f64.gt r17, r14, r4
                        f64.le r18, r12, r3
                        bool.and r17, r17, r18
                        bool.xor r15, r15, r17
                    """;
            default -> """
                        f64.div r11, r3, r10
                        f64.mul r11, r11, r3
                        f64.sub r4, r4, r11
                        f64.lt r15, r4, r3
                        f64.ge r17, r10, r5
                        bool.xor r15, r15, r17
                        f64.eq r17, r3, r3
                        bool.or r15, r15, r17
                        f64.to_bits r16, r4
                        u64.to_f64 r12, r16
                        f64.add r4, r4, r12
                    """;
        };
        return CountedLoopPrograms.loop("f64chunk", "n: i64, seed: u64, x: f64) -> (f64, bool, u64, i64)", setup,
                "i64.lt r9, r7, r1", body, "i64.add r7, r7, r8", "r4, r15, r16, r7");
    }

    private static List<Value> args(long n, long seed, long x) {
        return List.of(Value.i64(n), Value.u64(seed), Value.f64Bits(x));
    }

    /** The bits of the x argument: numbers, zeros, infinities and NaNs with payloads and signs. */
    private static final long[] XS = {0x3ff8000000000000L, 0L, 0x8000000000000000L, 0x7ff0000000000000L,
        0xfff0000000000000L, 0x7ff8000000000001L, 0xfff4000000000abcL, 0x7ff0000000000001L, 0x4340000000000000L};

    /** The three loops' methods each have their chunk: one preamble (and one {@code Math.min}). */
    @Test
    void f64LoopsHaveTheirChunk() throws Exception {
        for (int variant : VARIANTS) {
            String text = loop(variant);
            JitTier tier = (JitTier) Jit.compile(JitLeafInlineTest.verified(text), Host.NONE).tier;
            byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
            assertEquals(1, JitTestAccess.methodCalls(bytes, "java/lang/Math", "min"), text);
        }
    }

    /** Every fuel limit on small runs, every x, seeds a number and a NaN. */
    @Test
    void everyFuelSmall() throws Exception {
        for (int variant : VARIANTS) {
            String text = loop(variant);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long n : new long[] {0, 1, 2, 5, 13}) {
                for (long x : XS) {
                    for (long seed : new long[] {0x4000000000000000L, 0x7ff4000000000123L}) {
                        List<Value> a = args(n, seed, x);
                        String what = text + " args " + a;
                        Limits few = Limits.DEFAULT.withFuel(5_000);
                        long used = few.fuel() - t.check(0, a, few, what).fuelRemaining();
                        for (long fuel = 0; fuel <= used + 1; fuel++) {
                            t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                        }
                    }
                }
            }
        }
    }

    /**
     * Trips around the chunk's size: the result (the f64_loop body's exact bits, checked against
     * the same loop in Java too) and the fuel at every limit near the chunk's and the run's ends.
     */
    @Test
    void aroundTheChunk() throws Exception {
        for (int variant : VARIANTS) {
            String text = loop(variant);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long trips : new long[] {CHUNK, CHUNK + 1}) {
                for (long x : new long[] {0x3ff8000000000000L, 0x7ff8000000000001L}) {
                    List<Value> a = args(trips, 0L, x);
                    String what = text + " args " + a;
                    Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, what);
                    if (variant == 0) {
                        assertEquals(Double.doubleToRawLongBits(javaLoop(trips)),
                                ((Value.F64) full.results().get(0)).bits(), what);
                    }
                    if (x != 0x3ff8000000000000L) {
                        continue; // the NaN run's result only: its fuel is the number's
                    }
                    long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
                    for (long fuel : CountedLoopPrograms.distinctChunkFuels(used, trips)) {
                        t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
    }

    /** The bench's f64_loop in Java ({@code JavaBaselines.f64Loop}): no NaN on the way. */
    private static double javaLoop(long n) {
        double acc = 0.0;
        for (long i = 0; i < n; i++) {
            acc = acc + ((((double) i) * 0.5 + 1.5) / 1.5 - 0.5);
        }
        return acc;
    }

    /** Paused at every slice of several sizes, inside the loop; restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (int variant : VARIANTS) {
            String text = loop(variant);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            List<Value> a = args(40, 0x7ff4000000000123L, 0xfff4000000000abcL);
            for (long slice : new long[] {1, 2, 3, 5, 8, 13, 29, 61}) {
                pauses += t.lockstep(0, a, slice, 1, text + " slice " + slice, (x, y, pause) -> { });
            }
            for (long slice : new long[] {CHUNK - 1, 3L * CHUNK + 5}) {
                pauses += t.lockstep(0, args(2L * CHUNK + 5, 0L, 0x3ff8000000000000L), slice, 1,
                        text + " slice " + slice, (x, y, pause) -> { });
            }
        }
        assertTrue(pauses >= 300, "pauses: " + pauses);
    }

    /** Random trip counts, x and seeds, at random fuel limits. */
    @Test
    void randomRuns() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20);
        for (int variant : VARIANTS) {
            String text = loop(variant);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (int k = 0; k < 8; k++) {
                long n = rnd.nextInt(4) == 0 ? rnd.nextInt(-3, 3) : rnd.nextInt(2 * CHUNK);
                long x = rnd.nextBoolean() ? XS[rnd.nextInt(XS.length)] : rnd.nextLong();
                List<Value> a = args(n, rnd.nextLong(), x);
                String what = text + " args " + a;
                long used = 50_000_000 - t.check(0, a, Limits.DEFAULT.withFuel(50_000_000), what).fuelRemaining();
                for (int j = 0; j < 6; j++) {
                    long fuel = rnd.nextLong(used + 2);
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
        }
    }
}
