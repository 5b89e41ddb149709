package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A counted loop whose body builds tuples of words and reads them back ({@code tuple.new},
 * {@code tuple.get}) runs its trips in chunks ({@code CountedLoop}, twenty-seventh round, swing27,
 * issue 14): the chunk is bounded by the heap room as well as the fuel, so no trip of it tests
 * either. Before, each trip tested the fuel, and C2's register allocation of the unrolled trips,
 * each with its own deoptimization state, swung between forks (compiled {@code tuple_loop} 2.0x
 * or 3.5x Java on the same bytecode). Random loops of that shape agree on both tiers with enough
 * fuel and heap, at every fuel limit and every heap limit below what they use, with both short,
 * and paused at every slice and restored on the other tier.
 */
class JitCountedTupleLoopTest {
    /** {@code tuple_loop}'s shape: a 2-tuple of the index and the sum, both elements read back. */
    private static final String TUPLE_LOOP = JitDeadAggregatesTest.PAIRS;

    private static final String[] WORDS = {"r2", "r3", "r4", "r10"};
    private static final String[] OPS = {"i64.add", "i64.xor", "i64.mul", "i64.sub"};

    @Test
    void aTupleLoopRunsInChunks() throws Exception {
        assertEquals(1, CountedLoopPrograms.preambles(JitLeafInlineTest.verified(TUPLE_LOOP)), TUPLE_LOOP);
    }

    /**
     * A loop that reads a tuple built before it, beside f64 arithmetic the chunk would hold in
     * {@code double} locals, runs in no chunk: a tuple read's slow path reads the registers' long
     * locals (review27: such a loop that builds no tuple was chunked, and a stale shape's read traps
     * inside the chunk); without the f64 arithmetic the same loop runs in chunks.
     */
    @Test
    void aLoopReadingTuplesBesideDoubleLocalsRunsInNoChunk() throws Exception {
        String head = "program tg\nfunc f(n: i64) -> (i64) {\n    const.i64 r2, 0\n    const.i64 r3, 0\n"
                + "    const.i64 r4, 1\n    const.f64 r9, 1.5\n    tuple.new r6, [r3, r4]\n    i64.lt r5, r3, r1\n"
                + "    br r5, top, done\ntop:\n    tuple.get r7, r6, 1\n    i64.add r2, r2, r7\n";
        String tail = "    i64.add r3, r3, r4\n    i64.lt r5, r3, r1\n    br r5, top, done\ndone:\n    ret r0, [r2]\n}\n";
        String withDoubles = head + "    f64.mul r9, r9, r9\n" + tail;
        String withoutDoubles = head + tail;
        assertEquals(0, CountedLoopPrograms.preambles(JitLeafInlineTest.verified(withDoubles)), withDoubles);
        assertEquals(1, CountedLoopPrograms.preambles(JitLeafInlineTest.verified(withoutDoubles)), withoutDoubles);
    }

    /**
     * A random counted loop building one or two tuples of one to three words per trip, reading
     * some of their elements and folding them into two accumulators; its step 1 to 3.
     */
    static Tiers.Generated loop(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder body = new StringBuilder();
        int tuples = 1 + rnd.nextInt(2);
        for (int t = 0; t < tuples; t++) {
            String tuple = t == 0 ? "r6" : "r11";
            int n = 1 + rnd.nextInt(3);
            StringBuilder elements = new StringBuilder();
            for (int j = 0; j < n; j++) {
                elements.append(j == 0 ? "" : ", ").append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            body.append("    tuple.new ").append(tuple).append(", [").append(elements).append("]\n");
            int reads = 1 + rnd.nextInt(2);
            for (int j = 0; j < reads; j++) {
                String dst = j == 0 ? "r7" : "r8";
                body.append("    tuple.get ").append(dst).append(", ").append(tuple).append(", ")
                        .append(rnd.nextInt(n)).append('\n');
                String acc = rnd.nextBoolean() ? "r2" : "r10";
                body.append("    ").append(OPS[rnd.nextInt(OPS.length)]).append(' ').append(acc).append(", ")
                        .append(acc).append(", ").append(dst).append('\n');
            }
        }
        String src = "program randtuple\nfunc f(n: i64, x: i64) -> (i64, i64, i64) {\n    const.i64 r2, 0\n"
                + "    const.i64 r3, 0\n    const.i64 r4, " + (1 + rnd.nextInt(3)) + "\n    const.i64 r10, 7\n"
                + "    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n" + body
                + "    i64.add r3, r3, r4\n    i64.lt r5, r3, r1\n    br r5, top, done\n"
                + "done:\n    ret r0, [r2, r10, r3]\n}\n";
        long n = seed == 0 ? 6 : rnd.nextInt(14);
        return new Tiers.Generated(src, List.of(Value.i64(n), Value.i64(rnd.nextInt(7) - 2)));
    }

    @Test
    void randomTupleLoopsAgreeAtEveryFuelAndHeapLimit() throws Exception {
        int chunked = 0;
        int heapTraps = 0;
        for (long seed = 0; seed < 80; seed++) {
            Tiers.Generated g = loop(seed);
            String what = "seed " + seed + "\n" + g.source();
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            assertEquals(1, Jit.precompile(t.compiled), what);
            chunked += CountedLoopPrograms.preambles(JitLeafInlineTest.verified(g.source()));
            Tiers.Outcome o = t.check(0, g.args(), Limits.DEFAULT, what);
            assertNull(o.trap(), what);
            t.everyFuelTrapsBelow(0, g.args(), o, what);
            heapTraps += t.everyHeapTrapsBelow(0, g.args(), o, what);
            t.fuelAndHeapShort(0, g.args(), o, 6, what);
        }
        assertEquals(80, chunked, "loops run in chunks");
        assertTrue(heapTraps > 500, "heap limits that trapped: " + heapTraps);
    }

    @Test
    void randomTupleLoopsPausedAtEverySliceRestoreOnTheOtherTier() throws Exception {
        int pauses = 0;
        for (long seed = 0; seed < 50; seed++) {
            Tiers.Generated g = loop(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            long slice = 1 + new SplittableRandom(seed).nextInt(15);
            pauses += t.lockstep(0, g.args(), slice, 2, "seed " + seed + " slice " + slice + "\n" + g.source(),
                    (a, b, pause) -> { });
        }
        assertTrue(pauses >= 50, "pauses " + pauses);
    }
}
