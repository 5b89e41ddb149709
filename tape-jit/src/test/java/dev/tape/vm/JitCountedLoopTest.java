package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counted loops run in chunks with no fuel test ({@code CountedLoop}): a loop of the method's
 * own code from its head to a latch {@code br c, head, out} after {@code c = i < end}, the index
 * raised by a step register, with word instructions and leaf calls only. Both tiers must agree in
 * result or trap (kind, pc, stack) and fuel left at every fuel limit around the chunk's and the
 * trips' boundaries (trips 0, 1, the chunk's size and one either side, an end below the start,
 * indices near {@code Long.MAX_VALUE} and the u64 wrap, steps above 1, 0, negative and past the
 * largest the chunk takes), paused at every slice of several sizes with the compiled run's
 * snapshots restored on both tiers (so a chunk is entered again from a resume at the loop's head).
 * A chunk that charges one unit too few or runs one trip too many leaves another fuel or result.
 */
class JitCountedLoopTest {
    /** The chunk's size ({@code CountedLoop.CHUNK}). */
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /**
     * {@code main(start, end, step) -> (acc, i, c)}: {@code acc} from 7, each trip adds the index
     * (and, with {@code leaf}, calls a leaf on it), then {@code i += step}; the loop goes on
     * while {@code i < end} ({@code cmp}: {@code i64.lt}, {@code u64.lt}, or {@code i64.gt} /
     * {@code u64.gt} with the operands swapped). {@code doWhile}: entered with no test.
     */
    static String loop(String cmp, boolean leaf, boolean branchyLeaf, boolean doWhile, boolean stepLeft) {
        String ty = cmp.substring(0, 3);
        boolean swapped = cmp.endsWith(".gt");
        String test = swapped ? cmp + " r5, r2, r1" : cmp + " r5, r1, r2";
        StringBuilder s = new StringBuilder("program counted\nfunc main(start: T, end: T, step: T) -> (T, T, bool) {\n");
        s.append("    const.T r4, 7\n");
        if (doWhile) {
            s.append("    jmp top\n");
        } else {
            s.append("    ").append(test).append("\n    br r5, top, done\n");
        }
        s.append("top:\n");
        if (leaf) {
            s.append("    call r0, ").append(branchyLeaf ? "pick" : "add_one").append(", r0, [r4] -> [r4]\n");
        }
        s.append("    T.xor r6, r4, r1\n    T.add r4, r4, r6\n");
        s.append(stepLeft ? "    T.add r1, r3, r1\n" : "    T.add r1, r1, r3\n");
        s.append("    ").append(test).append("\n    br r5, top, done\ndone:\n    ret r0, [r4, r1, r5]\n}\n");
        s.append("func add_one(x: T) -> (T) {\n    const.T r2, 1\n    T.add r3, r1, r2\n    ret r0, [r3]\n}\n");
        // a leaf with two paths of different fuel: the chunk's bound is its costliest
        s.append("func pick(x: T) -> (T) {\n    const.T r2, 1\n    T.and r3, r1, r2\n    const.T r5, 0\n");
        s.append("    T.eq r6, r3, r5\n    br r6, even, odd\n");
        s.append("odd:\n    T.add r4, r1, r2\n    T.add r4, r4, r2\n    ret r0, [r4]\n");
        s.append("even:\n    T.add r4, r1, r2\n    ret r0, [r4]\n}\n");
        return s.toString().replace("T", ty).replace("program counted", "program counted_" + ty);
    }

    private static List<Value> args(String text, long start, long end, long step) {
        if (text.contains("program counted_u64")) {
            return List.of(Value.u64(start), Value.u64(end), Value.u64(step));
        }
        return List.of(Value.i64(start), Value.i64(end), Value.i64(step));
    }

    /** The loops' methods have their chunk: one preamble per copy of the head (two when peeled). */
    @Test
    void loopsHaveTheirChunk() throws Exception {
        for (String cmp : new String[] {"i64.lt", "u64.lt", "i64.gt", "u64.gt"}) {
            for (boolean leaf : new boolean[] {false, true}) {
                String text = loop(cmp, leaf, false, false, false);
                assertEquals(leaf ? 2 : 1, preambles(JitLeafInlineTest.verified(text)), text);
            }
        }
        assertEquals(2, preambles(JitLeafInlineTest.verified(JitLeafInlinedTest.CALL_LOOP)));
    }

    /** Loops not of the form keep their fuel tests: no chunk. */
    @Test
    void otherLoopsHaveNone() throws Exception {
        String base = loop("i64.lt", false, false, false, false);
        // <= is no counted loop's latch; the end written on the loop; the index written twice; a
        // division (can trap); the step written on the loop; the br going on when the compare fails
        for (String[] edit : new String[][] {
                {"i64.lt r5, r1, r2\n    br r5, top, done\ndone", "i64.le r5, r1, r2\n    br r5, top, done\ndone"},
                {"i64.xor r6, r4, r1\n", "i64.xor r6, r4, r1\n    i64.xor r2, r4, r1\n"},
                {"i64.xor r6, r4, r1\n", "i64.xor r6, r4, r1\n    i64.xor r1, r4, r1\n"},
                {"i64.xor r6, r4, r1\n", "i64.div r6, r4, r3\n"},
                {"i64.xor r6, r4, r1\n", "i64.xor r6, r4, r1\n    i64.xor r3, r4, r1\n"},
                {"br r5, top, done\ndone", "br r5, done, top\ndone"}}) {
            String text = base.replace(edit[0], edit[1]);
            assertTrue(!text.equals(base), edit[0]);
            assertEquals(0, preambles(JitLeafInlineTest.verified(text)), text);
        }
    }

    private static int preambles(VerifiedProgram p) {
        return CountedLoopPrograms.preambles(p);
    }

    /** Starts, ends and steps: trips 0, 1, 2, around the chunk, end below start, the wraps. */
    private static List<long[]> cases() {
        List<long[]> c = new ArrayList<>();
        long max = Long.MAX_VALUE;
        for (long trips : new long[] {0, 1, 2, 3, 10}) {
            c.add(new long[] {0, trips, 1});
        }
        c.add(new long[] {5, 3, 1});
        c.add(new long[] {-10, 10, 3});
        c.add(new long[] {max - 10, max, 1});
        c.add(new long[] {max - 10, max, 4});
        c.add(new long[] {-5, 5, 1}); // unsigned: -5 is above 5
        c.add(new long[] {max - 3, Long.MIN_VALUE + 2, 1}); // across the signed wrap: unsigned goes on
        c.add(new long[] {-4, -1, 1}); // near the u64 wrap
        c.add(new long[] {0, 10, 0}); // step 0: runs until the fuel is out
        c.add(new long[] {0, 10, -1});
        c.add(new long[] {0, 50, 1 << 20});
        c.add(new long[] {0, 50L << 20, (1 << 20) + 1}); // past the largest step: no chunk
        return c;
    }

    /** Every fuel limit on small loops, every shape. */
    @Test
    void everyFuelSmall() throws Exception {
        for (String cmp : new String[] {"i64.lt", "u64.lt", "i64.gt", "u64.gt"}) {
            for (int shape = 0; shape < 8; shape++) {
                String text = loop(cmp, (shape & 1) != 0, (shape & 2) != 0, (shape & 4) != 0, shape == 5);
                Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
                for (long[] c : cases()) {
                    String what = text + " args " + java.util.Arrays.toString(c);
                    Limits few = Limits.DEFAULT.withFuel(600);
                    Tiers.Outcome o = t.check(0, args(text, c[0], c[1], c[2]), few, what);
                    long used = few.fuel() - o.fuelRemaining();
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, args(text, c[0], c[1], c[2]), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
    }

    /**
     * Trips around the chunk's size: the result, and the fuel at every limit near the chunk's
     * and the run's ends and at a stride between.
     */
    @Test
    void aroundTheChunk() throws Exception {
        for (String cmp : new String[] {"i64.lt", "u64.lt"}) {
            for (boolean leaf : new boolean[] {false, true}) {
                String text = loop(cmp, leaf, leaf, false, false);
                Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
                for (long trips : new long[] {CHUNK - 1, CHUNK, CHUNK + 1, 2L * CHUNK + 1}) {
                    for (long step : new long[] {1, 3}) {
                        List<Value> a = args(text, 100, 100 + trips * step, step);
                        String what = text + " trips " + trips + " step " + step;
                        Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, what);
                        long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
                        List<Long> fuels = CountedLoopPrograms.distinctChunkFuels(used, trips);
                        for (long f = 0; f < used; f += 1 + used / 16) {
                            fuels.add(f);
                        }
                        for (long fuel : fuels) {
                            t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                        }
                    }
                }
            }
        }
    }

    /** Paused at every slice of several sizes, inside the loop; restored on both tiers from the compiled run's snapshots. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (boolean leaf : new boolean[] {false, true}) {
            String text = loop("i64.lt", leaf, leaf, false, false);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long slice : new long[] {1, 2, 3, 5, 8, 13, 29, 61}) {
                String what = text + " slice " + slice;
                pauses += t.lockstep(0, args(text, 0, 40, 1), slice, 1, what, (a, b, pause) -> { });
            }
            for (long slice : new long[] {CHUNK - 1, 7L * CHUNK + 5, 9L * CHUNK}) {
                String what = text + " slice " + slice;
                pauses += t.lockstep(0, args(text, 3, 3 + 3L * CHUNK, 1), slice, 1, what, (a, b, pause) -> { });
            }
        }
        assertTrue(pauses >= 500, "pauses: " + pauses);
    }

    /** Random starts, ends and steps on random shapes, at random fuel limits. */
    @Test
    void randomLoops() throws Exception {
        SplittableRandom rnd = new SplittableRandom(18);
        long[] near = {0, 1, 2, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, CHUNK, CHUNK * 5L};
        for (int n = 0; n < 60; n++) {
            String cmp = new String[] {"i64.lt", "u64.lt", "i64.gt", "u64.gt"}[rnd.nextInt(4)];
            boolean leaf = rnd.nextBoolean();
            String text = loop(cmp, leaf, leaf && rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean());
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            long start = near[rnd.nextInt(near.length)] + rnd.nextInt(-3, 4);
            long step = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(1, 9);
            long end = start + step * rnd.nextInt(0, 3 * CHUNK) + rnd.nextInt(-3, 4);
            List<Value> a = args(text, start, end, step);
            String what = text + " args " + a;
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT.withFuel(5_000_000), what);
            long used = 5_000_000 - full.fuelRemaining();
            for (int k = 0; k < 12; k++) {
                long fuel = rnd.nextLong(used + 2);
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
    }

    /**
     * {@code main(n, m, s, k) -> (acc, i, j)}: three counted loops in one method, a do-while of
     * {@code i < n} (calling a leaf when {@code leaf}), then {@code j < m} entered with a test,
     * then an outer loop of {@code k} trips (no counted loop: it holds another br) around a
     * do-while of {@code q < p} with {@code p} the outer index; every index raised by {@code s}
     * but the inner one's (by 1).
     */
    static String threeLoops(boolean leaf) {
        return """
                program three
                func main(n: i64, m: i64, s: i64, k: i64) -> (i64, i64, i64) {
                    const.i64 r5, 7
                    const.i64 r6, 0
                    jmp a
                a:
                """ + (leaf ? "    call r0, add_one, r0, [r5] -> [r5]\n" : "") + """
                    i64.xor r7, r5, r6
                    i64.add r5, r5, r7
                    i64.add r6, r6, r3
                    i64.lt r8, r6, r1
                    br r8, a, b0
                b0:
                    const.i64 r9, 0
                    i64.lt r8, r9, r2
                    br r8, b, c0
                b:
                    i64.add r5, r5, r9
                    i64.add r9, r9, r3
                    i64.lt r8, r9, r2
                    br r8, b, c0
                c0:
                    const.i64 r10, 0
                    const.i64 r11, 1
                    jmp outer
                outer:
                    const.i64 r12, 0
                    jmp inner
                inner:
                    i64.xor r5, r5, r12
                    i64.add r12, r12, r11
                    i64.lt r13, r12, r10
                    br r13, inner, next
                next:
                    i64.add r10, r10, r11
                    i64.lt r13, r10, r4
                    br r13, outer, done
                done:
                    ret r0, [r5, r6, r9]
                }
                func add_one(x: i64) -> (i64) {
                    const.i64 r2, 1
                    i64.add r3, r1, r2
                    ret r0, [r3]
                }
                """;
    }

    /**
     * Every loop of the form in a method gets its chunk (sequential ones, and one nested in a
     * loop that is not of the form), each with its preamble in each copy of its head (all three
     * loops are peeled when the first calls a leaf); both tiers agree at every fuel limit of small
     * runs that pass through all three loops; in runs that never end (a step of 0 or -1, which no
     * chunk takes), one in the first loop and one in the second, at the first 300 fuel limits, the
     * last 40 and 40 drawn at random; in a run of several chunks, at each chunk's end and one unit
     * either side in the first two loops (where the chunk is one trip short of fuel, just has it,
     * or has one to spare), at 150 limits drawn at random and the last 40; and paused at slices
     * inside them with the compiled run's snapshots restored on both tiers.
     */
    @Test
    void everyLoopOfAMethod() throws Exception {
        for (boolean leaf : new boolean[] {false, true}) {
            String text = threeLoops(leaf);
            VerifiedProgram p = JitLeafInlineTest.verified(text);
            assertEquals(leaf ? 6 : 3, preambles(p), text);
            Tiers t = Tiers.of(p, Host.NONE);
            for (long[] c : new long[][] {{5, 7, 1, 6}, {0, 0, 1, 1}, {9, 3, 2, 4}, {-4, 2, 1, 9}}) {
                List<Value> a = args4(c);
                String what = text + " args " + a;
                long used = Limits.DEFAULT.fuel() - t.check(0, a, Limits.DEFAULT, what).fuelRemaining();
                assertTrue(used < 1_000, what + " used " + used);
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
            long trips = 2L * CHUNK + 3;
            List<Value> a = List.of(Value.i64(trips), Value.i64(CHUNK + 1), Value.i64(1), Value.i64(300));
            String what = text + " args " + a;
            long used = Limits.DEFAULT.fuel() - t.check(0, a, Limits.DEFAULT, what).fuelRemaining();
            // the first loop's head at fuel 3 (two consts and a jmp), 5 instructions a trip (9 with the
            // leaf's call and its 3); the second's 3 after the first loop's last trip, 4 a trip
            long headA = 3;
            long tripA = leaf ? 9 : 5;
            long headB = headA + trips * tripA + 3;
            String pcA = fuelTrapPc(t.check(0, a, Limits.DEFAULT.withFuel(headA), what), what);
            String pcB = fuelTrapPc(t.check(0, a, Limits.DEFAULT.withFuel(headB), what), what);
            assertTrue(!pcA.equals(pcB), what);
            // i += 0 or i += -1 while i < n: the first loop, or (left after one trip) the second, until the fuel ends
            long[][] endless = {{4, 4, 0, 2}, {3, 8, -1, 3}, {0, 4, 0, 2}, {-5, 3, -1, 3}};
            SplittableRandom rnd = new SplittableRandom(19);
            for (int e = 0; e < endless.length; e++) {
                List<Value> x = args4(endless[e]);
                String at = text + " args " + x;
                boolean second = e >= 2;
                // which loop it stays in: the fuel runs out at its head after 1,000 trips
                long head = second ? headA + tripA + 3 + 1_000 * 4 : headA + 1_000 * tripA;
                assertEquals(second ? pcB : pcA, fuelTrapPc(t.check(0, x, Limits.DEFAULT.withFuel(head), at), at), at);
                long most = 20_000;
                fuelTrapPc(t.check(0, x, Limits.DEFAULT.withFuel(most), at), at);
                for (long fuel = 0; fuel <= most + 1; fuel = fuel == 300 ? most - 40 : fuel + 1) {
                    t.check(0, x, Limits.DEFAULT.withFuel(fuel), at + " fuel " + fuel);
                }
                for (int k = 0; k < 40; k++) {
                    long fuel = rnd.nextLong(most);
                    t.check(0, x, Limits.DEFAULT.withFuel(fuel), at + " fuel " + fuel);
                }
            }
            long[][] chunks = {{headA, tripA, 1}, {headA, tripA, 2}, {headB, 4, 1}};
            for (long[] h : chunks) {
                long end = h[0] + h[2] * CHUNK * h[1];
                String at = what + " chunk " + h[2] + " of the loop whose head is at fuel " + h[0];
                // at the chunk's end the fuel runs out at the loop's head, where it does at its first trip
                assertEquals(fuelTrapPc(t.check(0, a, Limits.DEFAULT.withFuel(h[0]), at), at),
                        fuelTrapPc(t.check(0, a, Limits.DEFAULT.withFuel(end), at), at), at);
                for (long fuel = end - 1; fuel <= end + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), at + " fuel " + fuel);
                }
            }
            for (int k = 0; k < 150; k++) {
                long fuel = rnd.nextLong(used + 2);
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long fuel = used - 40; fuel <= used + 1; fuel++) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long slice : new long[] {CHUNK - 1, 3L * CHUNK + 5}) {
                t.lockstep(0, a, slice, 1, what + " slice " + slice, (x, y, pause) -> { });
            }
            List<Value> small = List.of(Value.i64(9), Value.i64(12), Value.i64(1), Value.i64(7));
            for (long slice : new long[] {1, 3, 7, 13}) {
                t.lockstep(0, small, slice, 1, what + " small, slice " + slice, (x, y, pause) -> { });
            }
        }
    }

    private static List<Value> args4(long[] c) {
        return List.of(Value.i64(c[0]), Value.i64(c[1]), Value.i64(c[2]), Value.i64(c[3]));
    }

    /** Where a run that ran out of fuel stopped: {@code f<function> pc <pc>}. */
    private static String fuelTrapPc(Tiers.Outcome o, String what) {
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), () -> what + ": " + o);
        return "f" + o.trap().func() + " pc " + o.trap().pc();
    }
}
