package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the twentieth round's f64 bodies in {@code CountedLoop}'s chunks (attack-j20): a u64 or
 * i64 index near 2^53, 2^63 and 2^64 converted to f64 every trip (rounding to nearest even past
 * 2^53, the u64 path's halving past 2^63), the f64 accumulator a parameter written on the loop
 * and read after it, the bits moved through a word and back (one register cannot hold both types:
 * the verifier refuses it), f64 instructions whose destination is the loop's end, step, index or compare
 * register (each must take the chunk away), a body of f64 instructions filling the range's
 * {@code MAX_INTS} ints exactly (chunked) and one int more (not), and an f64-to-integer
 * conversion, which traps on a NaN, spoiling the loop. Both tiers must agree in result bits,
 * trap (kind, pc) and fuel left at every fuel limit of small runs and at limits around the first
 * trip's, the first chunk's and the run's ends of long ones, and paused in slices with the snapshots restored on both
 * tiers.
 */
class AttackCountedF64Test {
    private static final int CHUNK = JitTestAccess.countedLoopChunk();

    /** NaNs with payloads and signs, zeros, infinities, a subnormal, numbers. */
    private static final long[] XS = {0x3ff8000000000000L, 0L, 0x8000000000000000L, 0x7ff0000000000000L,
        0xfff0000000000000L, 0x7ff8000000000001L, 0xfff4000000000abcL, 0x0000000000000001L, 0xc340000000000001L};

    /**
     * {@code main(i: T, end: T, step: T, x: f64) -> (f64, u64, f64, T, bool)}, T = u64 or i64: the
     * index is the first parameter; each trip converts it to f64, adds it to an accumulator,
     * moves its bits through a u64 register and back (the verifier keeps one type per register, so
     * one register cannot be both), and multiplies the parameter {@code x}.
     */
    private static String edge(String t) {
        String setup = """
                    const.f64 r5, 0.0
                    const.u64 r9, 0
                    const.bool r12, false
                    const.u64 r13, 1
                """;
        String body = """
                    T.to_f64 r7, r1
                    f64.add r5, r5, r7
                    f64.to_bits r14, r7
                    u64.xor r14, r14, r13
                    f64.from_bits r8, r14
                    f64.sub r10, r8, r7
                    f64.to_bits r9, r10
                    f64.min_num r11, r4, r10
                    f64.mul r4, r4, r11
                    f64.eq r12, r10, r10
                """;
        return CountedLoopPrograms.loop("f64edge", "i: T, end: T, step: T, x: f64) -> (f64, u64, f64, T, bool)",
                setup, "T.lt r6, r1, r2", body, "T.add r1, r1, r3", "r5, r9, r4, r1, r12")
                .replace("T.", t + ".").replace(": T", ": " + t).replace(", T,", ", " + t + ",");
    }

    private static Value word(boolean unsigned, long v) {
        return unsigned ? Value.u64(v) : Value.i64(v);
    }

    /** Indices near the conversions' rounding points, for trips around one and two chunks. */
    @Test
    void indicesNearRoundingPoints() throws Exception {
        for (boolean unsigned : new boolean[] {true, false}) {
            String text = edge(unsigned ? "u64" : "i64");
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            assertEquals(1, chunks(vp), text);
            Tiers t = Tiers.of(vp, Host.NONE);
            long[] ends = unsigned
                    ? new long[] {1L << 53, 1L << 63, -1L, (1L << 53) + 7}
                    : new long[] {1L << 53, Long.MAX_VALUE, -(1L << 53) + 3, (1L << 62) + 1};
            for (long end : ends) {
                for (long step : new long[] {1, 3, 1L << 20}) {
                    boolean longRun = step == 1 && (end == ends[1] || end == ends[2]);
                    for (long trips : longRun ? new long[] {3, CHUNK + 2} : new long[] {3}) {
                        long start = end - trips * step + (step > 1 ? 1 : 0);
                        for (long x : trips > 3 ? new long[] {0x3ff0000000000001L}
                                : new long[] {0x3ff0000000000001L, 0x7ff8000000000001L, 0x8000000000000000L}) {
                            List<Value> a = List.of(word(unsigned, start), word(unsigned, end), word(unsigned, step),
                                    Value.f64Bits(x));
                            String what = text + " args " + a;
                            Limits cap = Limits.DEFAULT.withFuel(40L * (trips + 10));
                            Tiers.Outcome full = t.check(0, a, cap, what);
                            long used = cap.fuel() - full.fuelRemaining();
                            if (x != 0x3ff0000000000001L) {
                                continue;
                            }
                            for (long fuel : limits(used, trips)) {
                                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Fuel limits around the first trip's, the first chunk's and the run's end; all of a short run. */
    private static List<Long> limits(long used, long trips) {
        List<Long> fuels = new ArrayList<>();
        if (trips < 10) {
            for (long f = 0; f <= used + 1; f++) {
                fuels.add(f);
            }
            return fuels;
        }
        long per = used / trips;
        for (long d = -1; d <= 1; d++) {
            fuels.add(per + d);
            fuels.add(CHUNK * per + d);
            fuels.add(used + d);
        }
        return fuels;
    }

    /** The chunk preambles of {@code main}'s method ({@code Math.min} calls). */
    private static int chunks(VerifiedProgram vp) throws Exception {
        JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
        return JitTestAccess.methodCalls(bytes, "java/lang/Math", "min");
    }

    /**
     * A loop {@code i < end}, step {@code s}, whose body is {@code body}: r1 i, r2 end, r3 s (T,
     * i64 or u64), r4 x and r5 acc (f64), r6 the compare's bool, r7 and r8 scratch f64, r9 scratch
     * u64, r10 scratch bool.
     */
    private static String loop(String body, String t) {
        String setup = """
                    const.f64 r5, 1.0
                    const.u64 r9, 0
                    const.bool r10, false
                """;
        String head = """
                    T.to_f64 r7, r1
                    f64.mul r8, r7, r4
                    f64.add r5, r5, r8
                """;
        return CountedLoopPrograms.loop("f64spoil", "i: T, end: T, s: T, x: f64) -> (f64, T, T, T, u64, bool)", setup,
                "T.lt r6, r1, r2", head + body, "T.add r1, r1, r3", "r5, r1, r2, r3, r9, r10")
                .replace("T.", t + ".").replace(": T", ": " + t).replace(" T,", " " + t + ",");
    }

    private static String loop(String body) {
        return loop(body, "i64");
    }

    /**
     * f64 instructions writing the end, the step, the index or the compare's register (u64 bits
     * through {@code f64.to_bits}, a bool through a compare): each takes the chunk away (the plan
     * counts their writes), and both tiers agree at every fuel limit. A control body that writes
     * none of them keeps its chunk.
     */
    @Test
    void f64WritesOfTheLoopsRegisters() throws Exception {
        String control = loop("    f64.neg r7, r5\n    f64.abs r8, r7\n    f64.to_bits r9, r8\n    f64.gt r10, r8, r4\n");
        assertEquals(1, chunks(JitLeafInlineTest.verified(control)), control);
        sweep(control, false, true);
        String[] spoils = {
            "    f64.add r8, r8, r4\n    f64.to_bits r2, r8\n",
            "    f64.to_bits r3, r7\n",
            "    f64.abs r8, r8\n    f64.to_bits r1, r8\n",
            "    f64.lt r6, r5, r4\n",
            "    f64.ge r6, r4, r7\n",
        };
        for (String spoil : spoils) {
            String text = loop(spoil, "u64");
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            assertEquals(0, chunks(vp), text);
            sweep(text, true, false);
        }
    }

    /**
     * Both tiers at every fuel limit of short runs with every x; with {@code pauses}, also at limits
     * around the chunks of a long run and paused in slices.
     */
    private static void sweep(String text, boolean unsigned, boolean pauses) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
        for (long n : new long[] {0, 1, 4}) {
            for (long x : XS) {
                List<Value> a = List.of(word(unsigned, 0), word(unsigned, n), word(unsigned, 1), Value.f64Bits(x));
                String what = text + " args " + a;
                long used = 5_000 - t.check(0, a, Limits.DEFAULT.withFuel(5_000), what).fuelRemaining();
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
        }
        if (!pauses) {
            return;
        }
        List<Value> a = List.of(word(unsigned, 0), word(unsigned, CHUNK + 3), word(unsigned, 1),
                Value.f64Bits(0x7ff4000000000123L));
        Limits cap = Limits.DEFAULT.withFuel(30L * (CHUNK + 3));
        Tiers.Outcome full = t.check(0, a, cap, text);
        long used = cap.fuel() - full.fuelRemaining();
        for (long fuel : limits(used, CHUNK + 3)) {
            t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
        }
        int n = 0;
        for (long slice : new long[] {1, 2, 7, 31}) {
            n += t.lockstep(0, List.of(word(unsigned, 0), word(unsigned, 20), word(unsigned, 1),
                    Value.f64Bits(0xfff4000000000abcL)), slice, 1, text + " slice " + slice, (x, y, pause) -> { });
        }
        assertTrue(n >= 4, "pauses: " + n);
    }

    /**
     * The loop's range (head to latch) filled with f64 instructions to {@code MAX_INTS} (64) ints
     * exactly: chunked; one int more: not. Both tiers agree at every limit of short runs and, for
     * the chunked one, around the chunks of a long run and paused in slices.
     */
    @Test
    void fullRangeOfF64() throws Exception {
        // head to latch: to_f64 (3) + mul (4) + add (4) + body + add (4) + lt (4) = 19 + body
        String[] ops = {"f64.add", "f64.sub", "f64.mul", "f64.div", "f64.rem", "f64.min", "f64.max", "f64.min_num",
            "f64.max_num"};
        for (int[] shape : new int[][] {{9, 3}, {10, 2}}) {
            StringBuilder body = new StringBuilder();
            for (int k = 0; k < shape[0]; k++) {
                String dst = k % 2 == 0 ? "r8" : "r5";
                body.append("    ").append(ops[k % ops.length]).append(' ').append(dst).append(", r5, r8\n");
            }
            for (int k = 0; k < shape[1]; k++) {
                body.append(k % 2 == 0 ? "    f64.neg r7, r8\n" : "    f64.abs r8, r7\n");
            }
            String text = loop(body.toString());
            int ints = 19 + 4 * shape[0] + 3 * shape[1];
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            assertEquals(ints <= 64 ? 1 : 0, chunks(vp), text + " ints " + ints);
            sweep(text, false, ints <= 64);
        }
    }

    /**
     * An f64-to-integer conversion (traps on a NaN or out of range) spoils the loop: no chunk, and
     * the trap's kind and pc agree between the tiers, the NaN arriving on a later trip.
     */
    @Test
    void trappingConversionSpoils() throws Exception {
        for (String conv : new String[] {"f64.to_i64 r11, r8", "f64.to_u64 r9, r8"}) {
            String text = loop("    f64.div r8, r7, r5\n    " + conv + "\n");
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            assertEquals(0, chunks(vp), text);
            sweep(text, false, true);
        }
    }
}
