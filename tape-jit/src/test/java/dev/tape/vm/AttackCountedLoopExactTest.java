package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the exactness of {@code CountedLoop}'s chunks (eighteenth round, attack-c18): random
 * loops of the chunk's form with random bodies (several leaves, leaves with paths of different
 * fuel, mov chains, the compare's register read in the body, the end the same register as the
 * step, the head the function's first block, an entry into the middle of the loop), and edits
 * that must take the chunk away (the index written by another op), compared between the tiers
 * at every fuel limit of small runs and at limits around each trip of long ones, and paused in
 * slices with the compiled run's snapshots restored on both tiers.
 */
class AttackCountedLoopExactTest {
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /** Word registers r1 (i), r2 (end), r3 (step), r4..r9; bool r10 (the compare's), r11, r12. */
    private static final int WORDS = 9;

    /** Leaves: word arguments and results, paths of different fuel. */
    private static final String LEAVES = CountedLoopPrograms.INC + CountedLoopPrograms.pick(true) + """
            func tri(x: T, y: T) -> (T, T) {
                T.lt r3, r1, r2
                br r3, less, more
            less:
                T.xor r4, r1, r2
                jmp join
            more:
                T.add r4, r1, r2
                T.add r4, r4, r1
                T.or r4, r4, r2
                T.and r4, r4, r1
                T.sub r4, r4, r2
                jmp join
            join:
                mov r5, r4
                T.eq r6, r4, r1
                br r6, same, done
            same:
                T.add r5, r5, r2
                jmp done
            done:
                ret r0, [r4, r5]
            }
            func none(x: T) -> () {
                ret r0, []
            }
            """;

    /** The shape of one generated loop. */
    record Shape(String cmp, boolean endIsStep, int entry, boolean stepLeft, boolean spoil) {}

    /**
     * A random loop: {@code main} takes every register as a parameter (so the body may read any of
     * them first), loops from {@code top} to the latch {@code br r10, top, out} after
     * {@code r10 = i < end}, and returns every register.
     *
     * @param entry 0: a test before the loop; 1: entered with no test; 2: the head is the
     *     function's first block; 3: entered in the middle of the loop (a
     *     {@code jmp} to it on the loop too, as a label must follow a terminator: no chunk)
     */
    static String program(SplittableRandom rnd, Shape sh) {
        String ty = sh.cmp().substring(0, 3);
        boolean swapped = sh.cmp().endsWith(".gt");
        String endReg = sh.endIsStep() ? "r3" : "r2";
        String test = swapped ? sh.cmp() + " r10, " + endReg + ", r1" : sh.cmp() + " r10, r1, " + endReg;
        StringBuilder s = CountedLoopPrograms.mainHeader("attack_c18", WORDS);
        switch (sh.entry()) {
            case 0 -> s.append("    ").append(test).append("\n    br r10, top, out\n");
            case 1 -> s.append("    jmp top\n");
            case 3 -> s.append("    jmp mid\n");
            default -> { }
        }
        s.append("top:\n");
        List<String> body = new ArrayList<>();
        int n = rnd.nextInt(0, 9);
        for (int k = 0; k < n; k++) {
            body.add(instruction(rnd));
        }
        int at = rnd.nextInt(body.size() + 1);
        body.add(at, sh.stepLeft() ? "T.add r1, r3, r1" : "T.add r1, r1, r3");
        if (sh.spoil()) {
            // the index, the compare's register, the step or the end written by another op too: no
            // chunk, but the tiers must still agree
            String[] spoils = {"mov r1, r4", "T.xor r1, r1, r4", "const.T r1, 3", "call r0, inc, r0, [r1] -> [r1]",
                "T.add r1, r1, r3", "bool.not r10, r11", "mov r3, r4", "const.T r2, 40", "call r0, inc, r0, [r3] -> [r3]"};
            body.add(rnd.nextInt(body.size() + 1), spoils[rnd.nextInt(spoils.length)]);
        }
        int mid = sh.entry() == 3 ? rnd.nextInt(body.size() + 1) : -1;
        for (int k = 0; k < body.size(); k++) {
            if (k == mid) {
                s.append("    jmp mid\nmid:\n");
            }
            s.append("    ").append(body.get(k)).append('\n');
        }
        if (mid == body.size()) {
            s.append("    jmp mid\nmid:\n");
        }
        s.append("    ").append(test).append("\n    br r10, top, out\nout:\n    ret r0, [");
        for (int r = 1; r <= WORDS; r++) {
            s.append('r').append(r).append(", ");
        }
        s.append("r10, r11, r12]\n}\n").append(LEAVES);
        return s.toString().replace("T", ty).replace("program attack_c18", "program attack_c18_" + ty);
    }

    /** A body instruction that writes neither the index, the end nor the step. */
    private static String instruction(SplittableRandom rnd) {
        String d = "r" + rnd.nextInt(4, WORDS + 1);
        String a = "r" + rnd.nextInt(1, WORDS + 1);
        String b = "r" + rnd.nextInt(1, WORDS + 1);
        String bd = "r" + rnd.nextInt(11, 13);
        String ba = "r" + rnd.nextInt(10, 13);
        return switch (rnd.nextInt(16)) {
            case 0 -> "T.add " + d + ", " + a + ", " + b;
            case 1 -> "T.sub " + d + ", " + a + ", " + b;
            case 2 -> "T.mul " + d + ", " + a + ", " + b;
            case 3 -> "T." + new String[] {"and", "or", "xor"}[rnd.nextInt(3)] + " " + d + ", " + a + ", " + b;
            case 4 -> "const.T " + d + ", " + rnd.nextInt(0, 100);
            case 5 -> "mov " + d + ", " + a;
            case 6 -> "T." + new String[] {"lt", "gt", "eq", "le", "ge"}[rnd.nextInt(5)] + " " + bd + ", " + a + ", " + b;
            case 7 -> "bool.not " + bd + ", " + ba;
            case 8 -> "bool." + new String[] {"and", "or", "xor"}[rnd.nextInt(3)] + " " + bd + ", " + ba + ", r10";
            case 9 -> "call r0, inc, r0, [" + a + "] -> [" + d + "]";
            case 10 -> "call r0, pick, r0, [" + a + ", " + b + "] -> [" + d + "]";
            case 11 -> "call r0, tri, r0, [" + a + ", " + b + "] -> [" + d + ", r" + rnd.nextInt(4, WORDS + 1) + "]";
            case 12 -> "call r0, none, r0, [" + a + "] -> []";
            case 13 -> "T.add " + d + ", " + d + ", r3";
            case 14 -> "const.T " + d + ", 1\n    T.add " + d + ", " + d + ", " + a; // fused const + add
            default -> "T." + new String[] {"shl", "shr"}[rnd.nextInt(2)] + " " + d + ", " + a + ", " + b;
        };
    }

    /** Main's arguments: i, end and step of type {@code ty}, r4..r9 drawn from -5 to 49, three random bools. */
    static List<Value> args(String ty, SplittableRandom rnd, long i, long end, long step) {
        List<Value> a = new ArrayList<>();
        a.add(CountedLoopPrograms.word(ty, i));
        a.add(CountedLoopPrograms.word(ty, end));
        a.add(CountedLoopPrograms.word(ty, step));
        for (int r = 4; r <= WORDS; r++) {
            a.add(CountedLoopPrograms.word(ty, rnd.nextInt(-5, 50)));
        }
        for (int r = 10; r <= 12; r++) {
            a.add(Value.bool(rnd.nextBoolean()));
        }
        return a;
    }

    /** Random loops, small trip counts, every fuel limit. */
    @Test
    void randomLoopsEveryFuel() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1818);
        int chunked = 0;
        int runs = 0;
        String[] cmps = {"i64.lt", "u64.lt", "i64.gt", "u64.gt"};
        for (int n = 0; n < 240; n++) {
            Shape sh = new Shape(cmps[rnd.nextInt(4)], rnd.nextInt(5) == 0, rnd.nextInt(4), rnd.nextBoolean(),
                    rnd.nextInt(6) == 0);
            String text = program(rnd, sh);
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            if (CountedLoopPrograms.preambles(vp) > 0) {
                chunked++;
            }
            Tiers t = Tiers.of(vp, Host.NONE);
            String ty = sh.cmp().substring(0, 3);
            for (int c = 0; c < 3; c++) {
                long i = rnd.nextInt(-4, 8);
                long step = rnd.nextInt(6) == 0 ? rnd.nextInt(-1, 1) : rnd.nextInt(1, 4);
                long end = sh.endIsStep() ? step : i + step * rnd.nextInt(0, 12) + rnd.nextInt(-2, 3);
                if (sh.endIsStep()) {
                    i = rnd.nextInt(-30, 3);
                }
                List<Value> a = args(ty, rnd, i, end, sh.endIsStep() ? end : step);
                String what = text + " args " + a;
                Tiers.Outcome o = t.check(0, a, Limits.DEFAULT.withFuel(3000), what);
                long used = 3000 - o.fuelRemaining();
                long stride = used < 500 ? 1 : 1 + rnd.nextInt(5);
                for (long fuel = 0; fuel <= used + 1; fuel += fuel < 300 ? 1 : stride) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    runs++;
                }
            }
        }
        assertTrue(chunked >= 120, "chunked: " + chunked);
        assertTrue(runs >= 10_000, "runs: " + runs);
    }

    /** One loop of the given body from the head to the latch, entered with a test. */
    static String fixed(String cmp, String body, String after) {
        String ty = cmp.substring(0, 3);
        boolean swapped = cmp.endsWith(".gt");
        String test = swapped ? cmp + " r5, r2, r1" : cmp + " r5, r1, r2";
        return ("program fixed\nfunc main(i: T, end: T, s: T) -> (T, T, bool) {\n    const.T r4, 7\n    " + test
                + "\n    br r5, top, out\ntop:\n" + body + "    " + test + "\n    br r5, top, out\n" + after
                + "out:\n    ret r0, [r4, r1, r5]\n}\n").replace("T", ty);
    }

    private static List<Value> three(String cmp, long i, long end, long s) {
        return cmp.startsWith("u64") ? List.of(Value.u64(i), Value.u64(end), Value.u64(s))
                : List.of(Value.i64(i), Value.i64(end), Value.i64(s));
    }

    /**
     * Overflow: indices near the ends of both orders, steps at and past the largest the chunk
     * takes, trips at the chunk's size exactly, fuel at 0, 1 and near {@code Long.MAX_VALUE}.
     */
    @Test
    void overflowAndFuelEnds() throws Exception {
        long max = Long.MAX_VALUE;
        long min = Long.MIN_VALUE;
        long big = 1L << 20;
        long[][] cases = {
            {max - 3 * big, max, big}, {max - (long) CHUNK * big - 1, max, big}, {max - (long) CHUNK * big, max, big},
            {min, max, big}, {min, max, 1}, {min, min + CHUNK, 1}, {min, min + CHUNK + 1, 1}, {-1, 0, 1},
            {0, -1, big}, {-big * CHUNK, -1, big}, {max, min, 1}, {max - 1, min + 1, 1}, {0, CHUNK, 1},
            {0, CHUNK + 1, 1}, {1, 2L * CHUNK + 1, 2}, {0, max, big + 1}, {min, max, max}, {5, 5, 1},
            {-2, -1, big}, {0, (long) CHUNK * big, big}, {0, (long) CHUNK * big + 1, big}};
        String body = "    i64.xor r6, r4, r1\n    i64.add r4, r4, r6\n    i64.add r1, r1, r3\n";
        for (String cmp : new String[] {"i64.lt", "u64.lt", "i64.gt", "u64.gt"}) {
            String text = fixed(cmp, body.replace("i64", cmp.substring(0, 3)), "");
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            for (long[] c : cases) {
                List<Value> a = three(cmp, c[0], c[1], c[2]);
                String what = text + " args " + a;
                boolean u = cmp.startsWith("u64");
                java.math.BigInteger from = u ? unsigned(c[0]) : java.math.BigInteger.valueOf(c[0]);
                java.math.BigInteger to = u ? unsigned(c[1]) : java.math.BigInteger.valueOf(c[1]);
                // whether the loop ends within a few chunks, its index not wrapping (else it runs
                // until the fuel is out, on both tiers)
                java.math.BigInteger step = java.math.BigInteger.valueOf(c[2]);
                java.math.BigInteger top = u ? unsigned(-1) : java.math.BigInteger.valueOf(max);
                boolean ends = from.compareTo(to) >= 0;
                if (!ends && c[2] >= 1) {
                    java.math.BigInteger trips = to.subtract(from).add(step).subtract(java.math.BigInteger.ONE).divide(step);
                    ends = trips.compareTo(java.math.BigInteger.valueOf(4L * CHUNK)) <= 0
                            && from.add(trips.multiply(step)).compareTo(top) <= 0;
                }
                for (long fuel : new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 60, 1000, 5 * CHUNK + 3,
                        max / 2, max - 1, max}) {
                    if (ends || fuel < 100L * CHUNK) {
                        t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                }
            }
        }
    }

    private static java.math.BigInteger unsigned(long v) {
        return new java.math.BigInteger(Long.toUnsignedString(v));
    }

    /**
     * Loops at the code cap: a body whose head-to-latch span is just under, at and just over the
     * most ints the chunk takes, every fuel limit over a few trips.
     */
    @Test
    void atTheCodeCap() throws Exception {
        for (int n = 10; n <= 16; n++) {
            StringBuilder body = new StringBuilder();
            for (int k = 0; k < n; k++) {
                body.append(k % 2 == 0 ? "    i64.xor r6, r4, r1\n" : "    i64.add r4, r4, r6\n");
            }
            body.append("    i64.add r1, r1, r3\n");
            String text = fixed("i64.lt", body.toString(), "");
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            List<Value> a = three("i64.lt", 0, 9, 1);
            Tiers.Outcome o = t.check(0, a, Limits.DEFAULT, text);
            t.everyFuel(0, a, o, text + " n " + n);
        }
    }

    /** Long runs of random chunked loops, paused in slices of several sizes, restored on both tiers. */
    @Test
    void randomLoopsInSlices() throws Exception {
        SplittableRandom rnd = new SplittableRandom(18_18);
        String[] cmps = {"i64.lt", "u64.lt", "i64.gt", "u64.gt"};
        int pauses = 0;
        for (int n = 0; n < 12; n++) {
            Shape sh = new Shape(cmps[rnd.nextInt(4)], false, rnd.nextInt(3), rnd.nextBoolean(), false);
            String text = program(rnd, sh);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            String ty = sh.cmp().substring(0, 3);
            long step = rnd.nextInt(1, 5);
            long i = rnd.nextInt(-100, 100);
            // short runs in small slices, long ones in slices around the chunk's size
            List<Value> few = args(ty, rnd, i, i + step * rnd.nextInt(20, 200), step);
            for (long slice : new long[] {rnd.nextInt(1, 8), rnd.nextInt(8, 80)}) {
                pauses += t.lockstep(0, few, slice, 3, text + " slice " + slice + " args " + few, (x, y, p) -> { });
            }
            List<Value> many = args(ty, rnd, i, i + step * rnd.nextInt(CHUNK / 2, 3 * CHUNK), step);
            for (long slice : new long[] {rnd.nextInt(CHUNK - 50, CHUNK + 50), 3L * CHUNK + 7}) {
                pauses += t.lockstep(0, many, slice, 3, text + " slice " + slice + " args " + many, (x, y, p) -> { });
            }
        }
        assertTrue(pauses >= 100, "pauses: " + pauses);
    }
}
