package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counted loops that call leaves whose every path charges the same are charged a chunk's fuel at
 * once, and, when nothing else on the loop reads the index, raised by the chunk's steps at once
 * ({@code CountedLoop.Plan#once}, {@code #add}; twenty-ninth round, callc29): the inner copy then
 * charges nothing and leaves the index's add out. Both tiers must agree in result or trap (kind,
 * pc, stack) and fuel left at every fuel limit around the trips' and the chunks' edges, at every
 * call-depth and register limit, paused at every slice with the compiled run's snapshots restored
 * on both tiers, and on random loops; a chunk charged one unit per trip short or raised one step
 * short leaves another fuel or index.
 */
class JitCountedChargeOnceTest {
    /** The chunk's size ({@code CountedLoop.CHUNK}). */
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /** The leaves: one block (3 instructions); two paths of 6 each; two paths of 6 and 7. */
    private static final String LEAVES = """
            func add_one(x: T) -> (T) {
                const.T r2, 1
                T.add r3, r1, r2
                ret r0, [r3]
            }
            """ + twoPaths("even", "") + twoPaths("uneven", "    T.add r4, r4, r2\n");

    /** A leaf of two paths, {@code x + x} for an odd x (then {@code odd}'s line) and {@code x + 1} else. */
    private static String twoPaths(String name, String odd) {
        return "func " + name + "(x: T) -> (T) {\n    const.T r2, 1\n    T.and r3, r1, r2\n    T.eq r5, r3, r2\n"
                + "    br r5, odd, pair\nodd:\n    T.add r4, r1, r1\n" + odd + "    ret r0, [r4]\n"
                + "pair:\n    T.add r4, r1, r2\n    ret r0, [r4]\n}\n";
    }

    /**
     * {@code main(start, end, step) -> (acc, i, c)}: {@code acc} from 7, each trip calls
     * {@code leaves} on it in turn, then, with {@code reads}, folds the index in
     * ({@code acc ^= i}), else the step ({@code acc ^= step}), then {@code i += step} while
     * {@code i < end} ({@code cmp}: {@code i64.lt} or {@code u64.lt}).
     */
    static String loop(String cmp, String[] leaves, boolean reads) {
        String ty = cmp.substring(0, 3);
        StringBuilder s = new StringBuilder("program once_" + ty
                + "\nfunc main(start: T, end: T, step: T) -> (T, T, bool) {\n    const.T r4, 7\n");
        s.append("    ").append(cmp).append(" r5, r1, r2\n    br r5, top, done\ntop:\n");
        for (String leaf : leaves) {
            s.append("    call r0, ").append(leaf).append(", r0, [r4] -> [r4]\n");
        }
        s.append(reads ? "    T.xor r4, r4, r1\n" : "    T.xor r4, r4, r3\n");
        s.append("    T.add r1, r1, r3\n    ").append(cmp).append(" r5, r1, r2\n    br r5, top, done\n");
        s.append("done:\n    ret r0, [r4, r1, r5]\n}\n").append(LEAVES);
        return s.toString().replace("T", ty);
    }

    private static List<Value> args(String cmp, long start, long end, long step) {
        String ty = cmp.substring(0, 3);
        return List.of(CountedLoopPrograms.word(ty, start), CountedLoopPrograms.word(ty, end),
                CountedLoopPrograms.word(ty, step));
    }

    /** The loops of the tests, each with whether its chunk is charged at once and whether its index is raised at once. */
    private static final Object[][] SHAPES = {
        {new String[] {"add_one"}, false, true, true},
        {new String[] {"add_one"}, true, true, false},
        {new String[] {"even"}, false, true, true},
        {new String[] {"even", "add_one"}, false, true, true},
        {new String[] {"uneven"}, false, false, false},
        {new String[] {"add_one", "uneven"}, false, false, false},
        {new String[] {"even"}, true, true, false},
    };

    private static int lmuls(VerifiedProgram p) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        return JitTestAccess.insns(JitTestAccess.generate(tier.view, 0).bytes(), Opcodes.LMUL);
    }

    /**
     * The chunk's preambles (two: the loop is peeled) each multiply once for the trips' bound, once
     * more for the fuel charged at once and once more for the index raised at once; call_loop's
     * method does all three.
     */
    @Test
    void whichLoopsAreChargedAtOnce() throws Exception {
        for (Object[] shape : SHAPES) {
            String text = loop("i64.lt", (String[]) shape[0], (Boolean) shape[1]);
            VerifiedProgram p = JitLeafInlineTest.verified(text);
            assertEquals(2, CountedLoopPrograms.preambles(p), text);
            int per = 1 + ((Boolean) shape[2] ? 1 : 0) + ((Boolean) shape[3] ? 1 : 0);
            assertEquals(2 * per, lmuls(p), text);
        }
        assertEquals(6, lmuls(JitLeafInlineTest.verified(JitLeafInlinedTest.CALL_LOOP)));
    }

    /**
     * A loop whose index is read only as a leaf call's argument ({@code acc = mix(acc, i)}): the
     * chunk is charged at once but its index is not raised at once (the call reads it), so each trip
     * passes its own index; review29's program, which gave {@code 26448197000} on the compiled tier
     * when a call's arguments did not count as reads of the index.
     */
    @Test
    void anIndexReadOnlyAsALeafArgumentIsNotRaisedAtOnce() throws Exception {
        String text = """
                program idx
                func main(start: i64, end: i64, step: i64) -> (i64, i64, bool) {
                    const.i64 r4, 7
                    i64.lt r5, r1, r2
                    br r5, top, done
                top:
                    call r0, mix, r0, [r4, r1] -> [r4]
                    i64.add r1, r1, r3
                    i64.lt r5, r1, r2
                    br r5, top, done
                done:
                    ret r0, [r4, r1, r5]
                }
                func mix(a: i64, b: i64) -> (i64) {
                    i64.add r3, r1, r2
                    ret r0, [r3]
                }
                """;
        VerifiedProgram p = JitLeafInlineTest.verified(text);
        // two preambles, each multiplying for the trips' bound and the fuel charged at once only
        assertEquals(4, lmuls(p), text);
        Tiers t = Tiers.of(p, Host.NONE);
        List<Value> a = List.of(Value.i64(0), Value.i64(200_000), Value.i64(1));
        // 7 + (0 + 1 + ... + 199,999)
        assertEquals(List.of(Value.i64(7 + 199_999L * 200_000 / 2), Value.i64(200_000), Value.bool(false)),
                t.check(0, a, Limits.DEFAULT, text).results());
        for (long fuel = 1_000_000; fuel < 1_000_040; fuel++) {
            t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
        }
    }

    /** Every fuel limit on small loops of every shape, both compares. */
    @Test
    void everyFuelSmall() throws Exception {
        long[][] cases = {{0, 0, 1}, {0, 1, 1}, {0, 2, 1}, {0, 7, 1}, {-10, 10, 3}, {5, 3, 1},
            {Long.MAX_VALUE - 10, Long.MAX_VALUE, 4}, {-4, -1, 1}, {0, 50, 1 << 20}};
        for (String cmp : new String[] {"i64.lt", "u64.lt"}) {
            for (Object[] shape : SHAPES) {
                String text = loop(cmp, (String[]) shape[0], (Boolean) shape[1]);
                Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
                for (long[] c : cases) {
                    String what = text + " args " + java.util.Arrays.toString(c);
                    Limits few = Limits.DEFAULT.withFuel(1_000);
                    long used = few.fuel() - t.check(0, args(cmp, c[0], c[1], c[2]), few, what).fuelRemaining();
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, args(cmp, c[0], c[1], c[2]), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
    }

    /** Trips around the chunk's size, steps 1 and 3: every fuel limit near the chunks' and the run's ends. */
    @Test
    void aroundTheChunk() throws Exception {
        for (Object[] shape : SHAPES) {
            String text = loop("i64.lt", (String[]) shape[0], (Boolean) shape[1]);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long trips : new long[] {CHUNK - 1, CHUNK, CHUNK + 1, 2L * CHUNK + 1}) {
                for (long step : new long[] {1, 3}) {
                    List<Value> a = args("i64.lt", 100, 100 + trips * step, step);
                    String what = text + " trips " + trips + " step " + step;
                    long used = Limits.DEFAULT.fuel() - t.check(0, a, Limits.DEFAULT, what).fuelRemaining();
                    for (long fuel : CountedLoopPrograms.distinctChunkFuels(used, trips)) {
                        t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
    }

    /**
     * Every call-depth limit 0 to 2 and every register limit 1 to 16 (past the loop's need), with
     * fuel to spare and at 30 consecutive fuel limits that end the run inside its first chunk: the
     * leaves' room test (before a chunk) and the real calls' traps agree.
     */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        for (Object[] shape : SHAPES) {
            String text = loop("i64.lt", (String[]) shape[0], (Boolean) shape[1]);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            List<Value> a = args("i64.lt", 0, CHUNK + 5, 1);
            for (long depth = 0; depth <= 2; depth++) {
                t.check(0, a, Limits.DEFAULT.withMaxCallDepth(depth), text + " depth " + depth);
            }
            for (int regs = 1; regs <= 16; regs++) {
                Limits l = Limits.DEFAULT.withMaxRegisters(regs);
                t.check(0, a, l, text + " registers " + regs);
                for (long fuel = 3L * CHUNK; fuel < 3L * CHUNK + 30; fuel++) {
                    t.check(0, a, l.withFuel(fuel), text + " registers " + regs + " fuel " + fuel);
                }
            }
        }
    }

    /** Paused at every slice of 1 to 12 and at slices across chunks, restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (Object[] shape : SHAPES) {
            String text = loop("i64.lt", (String[]) shape[0], (Boolean) shape[1]);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long slice = 1; slice <= 12; slice++) {
                pauses += t.lockstep(0, args("i64.lt", 0, 30, 1), slice, 3, text + " slice " + slice, (x, y, p) -> { });
            }
            for (long slice : new long[] {CHUNK - 1, 5L * CHUNK + 3}) {
                pauses += t.lockstep(0, args("i64.lt", 2, 2 + 2L * CHUNK + 7, 1), slice, 1, text + " slice " + slice,
                        (x, y, p) -> { });
            }
        }
        assertTrue(pauses >= 1_000, "pauses: " + pauses);
    }

    /** Random leaf lists, compares, starts, ends and steps, at random fuel limits. */
    @Test
    void randomLoops() throws Exception {
        SplittableRandom rnd = new SplittableRandom(29);
        String[] names = {"add_one", "even", "uneven"};
        long[] near = {0, 1, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1, CHUNK, CHUNK * 5L};
        for (int n = 0; n < 60; n++) {
            String cmp = rnd.nextBoolean() ? "i64.lt" : "u64.lt";
            String[] leaves = new String[rnd.nextInt(1, 4)];
            for (int k = 0; k < leaves.length; k++) {
                leaves[k] = names[rnd.nextInt(rnd.nextBoolean() ? 2 : 3)];
            }
            String text = loop(cmp, leaves, rnd.nextInt(3) == 0);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            long start = near[rnd.nextInt(near.length)] + rnd.nextInt(-3, 4);
            long step = rnd.nextInt(5) == 0 ? rnd.nextLong() : rnd.nextInt(1, 9);
            long end = start + step * rnd.nextInt(0, 3 * CHUNK) + rnd.nextInt(-3, 4);
            List<Value> a = args(cmp, start, end, step);
            String what = text + " args " + a;
            long used = 5_000_000 - t.check(0, a, Limits.DEFAULT.withFuel(5_000_000), what).fuelRemaining();
            for (int k = 0; k < 12; k++) {
                long fuel = rnd.nextLong(used + 2);
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
    }
}
