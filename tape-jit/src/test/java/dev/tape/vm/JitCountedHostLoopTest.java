package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A counted loop whose body makes one-to-three-word host calls ({@code HostCount}) runs its trips
 * in chunks ({@code CountedLoop}, twenty-eighth round, host28, issue 14): the chunk is bounded by
 * the fuel over the host-call threshold, so no trip of it tests the fuel or the host-call room.
 * Before, each trip tested both, and C2's register allocation of the unrolled trips, each with its
 * own deoptimization state, made compiled {@code host_loop} 1.2x Java in most JVMs and 1.85x in
 * some. Random loops of that shape (calls of one, two and three words and a {@code bool} result, a
 * function that throws for some arguments, so that a run traps inside a chunk) agree on both tiers
 * at every host-call limit, every fuel limit, a grid of both, and paused at every slice of fuel
 * with snapshots restored on both tiers.
 */
class JitCountedHostLoopTest {
    /** {@code host_loop}'s shape: one call of w.f per trip, its result summed. */
    private static final String HOST_LOOP = """
            program hl
            host hf = "w.f" (i64) -> (i64)
            func main(n: i64, k: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                i64.lt r5, r3, r1
                br r5, top, done
            top:
                host_call r0, hf, r0, [r3] -> [r6]
                i64.add r2, r2, r6
                i64.add r3, r3, r4
                i64.lt r5, r3, r1
                br r5, top, done
            done:
                ret r0, [r2]
            }
            """;

    private static final String HOSTS = """
            program randhost
            host hf = "w.f" (i64) -> (i64)
            host hg = "w.g" (i64, i64) -> (i64)
            host hh = "w.h" (i64, i64, i64) -> (i64)
            host hp = "w.p" (i64) -> (bool)
            """;

    private static final String[] OPS = {"i64.add", "i64.xor", "i64.mul", "i64.sub"};

    private static Tiers tiers(String text) {
        return Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), JitHostCountTest.host());
    }

    private static int preambles(Tiers t) {
        return CountedLoopPrograms.preambles((JitTier) t.compiled.tier, 0);
    }

    @Test
    void aHostLoopRunsInChunks() {
        assertEquals(1, preambles(tiers(HOST_LOOP)), HOST_LOOP);
    }

    /**
     * A random counted loop of main(n, k): one to four host calls per trip (w.f, which throws for an
     * argument of 17 mod 61, w.g, w.h, w.p with a {@code bool} result), each of registers r2..r4,
     * r8..r10 (the index r3 among them, so w.f's argument passes 17 on some trips), into r7 or r11
     * (w.p's into r12), each result folded into an accumulator (r8, r9, or the bool r13); the
     * step 1 to 3; in half of them, first a w.f call on the index, step 1 (so a run of more than 17
     * trips traps in it, inside a chunk when it has fuel and host-call room for one).
     */
    static String loop(SplittableRandom rnd) {
        StringBuilder body = new StringBuilder();
        // in half the loops a first call of w.f on the index, step 1: it throws on the trip from 17
        boolean traps = rnd.nextBoolean();
        if (traps) {
            body.append("    host_call r0, hf, r0, [r3] -> [r7]\n    i64.add r8, r8, r7\n");
        }
        String[] args = {"r2", "r3", "r4", "r8", "r9", "r10"};
        int calls = 1 + rnd.nextInt(4);
        for (int c = 0; c < calls; c++) {
            String a = args[rnd.nextInt(args.length)];
            String b = args[rnd.nextInt(args.length)];
            String d = args[rnd.nextInt(args.length)];
            String dst = rnd.nextBoolean() ? "r7" : "r11";
            switch (rnd.nextInt(4)) {
                case 0 -> body.append("    host_call r0, hf, r0, [").append(a).append("] -> [").append(dst).append("]\n");
                case 1 -> body.append("    host_call r0, hg, r0, [").append(a).append(", ").append(b).append("] -> [")
                        .append(dst).append("]\n");
                case 2 -> body.append("    host_call r0, hh, r0, [").append(a).append(", ").append(b).append(", ")
                        .append(d).append("] -> [").append(dst).append("]\n");
                default -> {
                    // a bool result, folded into the bool accumulator r13
                    body.append("    host_call r0, hp, r0, [").append(a).append("] -> [r12]\n")
                            .append("    bool.xor r13, r13, r12\n");
                    continue;
                }
            }
            String acc = rnd.nextBoolean() ? "r8" : "r9";
            body.append("    ").append(OPS[rnd.nextInt(OPS.length)]).append(' ').append(acc).append(", ")
                    .append(acc).append(", ").append(dst).append('\n');
        }
        return HOSTS + "func main(n: i64, k: i64) -> (i64, i64, i64, bool) {\n    const.i64 r3, 0\n"
                + "    const.i64 r4, " + (traps ? 1 : 1 + rnd.nextInt(3)) + "\n    const.i64 r8, 5\n    const.i64 r9, 0\n    const.bool r13, false\n"
                + "    i64.add r10, r2, r4\n    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n" + body
                + "    i64.add r3, r3, r4\n    i64.lt r5, r3, r1\n    br r5, top, done\n"
                + "done:\n    ret r0, [r8, r9, r3, r13]\n}\n";
    }

    @Test
    void randomHostLoopsAgreeAtEveryHostCallAndFuelLimit() {
        SplittableRandom rnd = new SplittableRandom(0x4057_28L);
        int chunked = 0;
        int trapped = 0;
        int limited = 0;
        for (int p = 0; p < 60; p++) {
            String text = loop(rnd);
            Tiers t = tiers(text);
            assertEquals(1, Jit.precompile(t.compiled), text);
            chunked += preambles(t);
            List<Value> a = JitWordHostBlockTest.args(p == 0 ? 40 : rnd.nextInt(30), rnd.nextInt(9) - 4);
            String what = text + a;
            if (p < 2) {
                // hot, so that C2's code is what the short runs use
                for (int k = 0; k < 300; k++) {
                    JitHostCountTest.check(t, JitWordHostBlockTest.args(30, k), Limits.DEFAULT, what + " hot " + k);
                }
            }
            Tiers.Outcome whole = JitHostCountTest.check(t, a, Limits.DEFAULT, what);
            trapped += whole.trapped() ? 1 : 0;
            long used = whole.used(Limits.DEFAULT);
            long calls = whole.hostCalls();
            for (long c = 0; c <= calls + 1; c++) {
                Tiers.Outcome o = JitHostCountTest.check(t, a, Limits.DEFAULT.withMaxHostCalls(c), what + " calls " + c);
                if (c < calls) {
                    assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, o.kind(), what + " calls " + c);
                    limited++;
                }
            }
            for (long fuel = 0; fuel <= used + 2; fuel++) {
                JitHostCountTest.check(t, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long c = 0; c <= calls; c += 1 + calls / 5) {
                for (long fuel = 0; fuel <= used; fuel += 1 + used / 7) {
                    JitHostCountTest.check(t, a, Limits.DEFAULT.withMaxHostCalls(c).withFuel(fuel),
                            what + " calls " + c + " fuel " + fuel);
                }
            }
        }
        assertEquals(60, chunked, "loops run in chunks");
        assertTrue(trapped >= 6, trapped + " runs trapped in w.f");
        assertTrue(limited > 500, limited + " runs stopped by the host-call limit");
    }

    @Test
    void randomHostLoopsPausedAtEverySliceRestoreOnBothTiers() {
        SplittableRandom rnd = new SplittableRandom(0x51_1ce_28L);
        int pauses = 0;
        for (int p = 0; p < 20; p++) {
            String text = loop(rnd);
            Tiers t = tiers(text);
            List<Value> a = JitWordHostBlockTest.args(rnd.nextInt(25), rnd.nextInt(9) - 4);
            long calls = JitHostCountTest.check(t, a, Limits.DEFAULT, text).hostCalls();
            for (long slice = 1; slice <= 24; slice++) {
                long limit = slice % 3 == 0 ? Math.max(0, calls - slice / 3) : Limits.DEFAULT.maxHostCalls();
                pauses += JitHostCountTest.lockstep(t, a, Limits.DEFAULT.withFuel(slice).withMaxHostCalls(limit), slice,
                        text + a + " slice " + slice + " limit " + limit)[0];
            }
        }
        assertTrue(pauses > 1_000, pauses + " pauses");
    }
}
