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
 * Attacks swing27's chunks of counted loops that build tuples of words ({@code CountedLoop}'s
 * {@code m = min(t, fuel / k, room / h)}, twenty-seventh round, attack-s27). Shapes no earlier
 * test covered: the four compares (signed and unsigned, {@code lt} and {@code gt} swapped), steps
 * other than 1, indices near both ends of each order, tuples of one to eight words (one of 104
 * bytes beside ones of 41) in the same trip, built before the loop and read on it, rebuilt on it
 * and read after it (escaping), kept in locals or not, beside inlined leaves of paths of
 * different fuel and a call before the loop of a function that builds a tuple (not a leaf);
 * compared between the tiers at every fuel limit and at every heap limit of small runs (a stride
 * past the first few hundred bytes), at the fuel and heap limits around the chunk's boundary
 * (trip {@code CHUNK} +- 1, each limit +- 1 and +- a trip) of long runs, at both limits short
 * together, and paused in slices with the compiled run's snapshots restored on both tiers.
 */
class AttackCountedTupleLoopTest {
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /** Word registers r1 (i), r2 (end), r3 (step), r4..r9; bool r10 (the compare's), r11, r12. */
    private static final int WORDS = 9;

    /** The tuple registers and their arities: r13 one word, r14 three, r15 two, r16 eight. */
    private static final int[] ARITY = {1, 3, 2, 8};

    /** Leaves of word arguments and results, and {@code mk}, a function that builds a tuple (not a leaf). */
    private static final String FUNCS = CountedLoopPrograms.INC + CountedLoopPrograms.pick(true) + """
            func mk(x: T) -> (T) {
                tuple.new r2, [r1, r1, r1, r1]
                tuple.get r3, r2, 3
                T.add r3, r3, r1
                ret r0, [r3]
            }
            """;

    /**
     * A random loop: {@code main} takes every register as a parameter, builds the four tuples,
     * maybe calls {@code mk}, loops from {@code top} to {@code br r10, top, out} after
     * {@code r10 = i < end} (in the compare's order), reads one element of each tuple after the
     * loop into r4..r7 and returns every word and bool register.
     *
     * @param cmp {@code i64.lt}, {@code u64.lt}, {@code i64.gt} or {@code u64.gt}
     */
    static String program(SplittableRandom rnd, String cmp) {
        String ty = cmp.substring(0, 3);
        String test = cmp.endsWith(".gt") ? cmp + " r10, r2, r1" : cmp + " r10, r1, r2";
        StringBuilder s = CountedLoopPrograms.mainHeader("attack_s27", WORDS);
        for (int t = 0; t < ARITY.length; t++) {
            s.append("    ").append(tupleNew(rnd, t)).append('\n');
        }
        if (rnd.nextInt(4) == 0) {
            s.append("    call r0, mk, r0, [r4] -> [r").append(rnd.nextInt(4, WORDS + 1)).append("]\n");
        }
        s.append("    ").append(test).append("\n    br r10, top, out\ntop:\n");
        List<String> body = new ArrayList<>();
        int n = rnd.nextInt(1, 9);
        for (int k = 0; k < n; k++) {
            body.add(instruction(rnd));
        }
        body.add(rnd.nextInt(body.size() + 1), "T.add r1, r1, r3");
        for (String line : body) {
            s.append("    ").append(line).append('\n');
        }
        s.append("    ").append(test).append("\n    br r10, top, out\nout:\n");
        for (int t = 0; t < ARITY.length; t++) {
            s.append("    tuple.get r").append(4 + t).append(", r").append(13 + t).append(", ")
                    .append(rnd.nextInt(ARITY[t])).append('\n');
        }
        s.append("    ret r0, [");
        for (int r = 1; r <= WORDS; r++) {
            s.append('r').append(r).append(", ");
        }
        s.append("r10, r11, r12]\n}\n").append(FUNCS);
        return s.toString().replace("T", ty).replace("program attack_s27", "program attack_s27_" + ty);
    }

    /** A {@code tuple.new} of tuple register {@code t} (r13 + t) from random word registers. */
    private static String tupleNew(SplittableRandom rnd, int t) {
        StringBuilder s = new StringBuilder("tuple.new r" + (13 + t) + ", [");
        for (int j = 0; j < ARITY[t]; j++) {
            s.append(j == 0 ? "" : ", ").append('r').append(rnd.nextInt(1, WORDS + 1));
        }
        return s.append(']').toString();
    }

    /** A body instruction that writes neither the index, the end nor the step. */
    private static String instruction(SplittableRandom rnd) {
        String d = "r" + rnd.nextInt(4, WORDS + 1);
        String a = "r" + rnd.nextInt(1, WORDS + 1);
        String b = "r" + rnd.nextInt(1, WORDS + 1);
        int t = rnd.nextInt(ARITY.length);
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> tupleNew(rnd, t);
            case 3, 4 -> "tuple.get " + d + ", r" + (13 + t) + ", " + rnd.nextInt(ARITY[t]);
            case 5 -> tupleNew(rnd, t) + "\n    tuple.get " + d + ", r" + (13 + t) + ", " + rnd.nextInt(ARITY[t]);
            case 6 -> "T." + new String[] {"add", "xor", "mul", "sub"}[rnd.nextInt(4)] + " " + d + ", " + a + ", " + b;
            case 7 -> "call r0, inc, r0, [" + a + "] -> [" + d + "]";
            case 8 -> "call r0, pick, r0, [" + a + ", " + b + "] -> [" + d + "]";
            default -> "T.lt r" + rnd.nextInt(11, 13) + ", " + a + ", " + b;
        };
    }

    /** {@link AttackCountedLoopExactTest#args}: the same nine word and three bool parameters. */
    private static List<Value> args(String ty, SplittableRandom rnd, long i, long end, long step) {
        return AttackCountedLoopExactTest.args(ty, rnd, i, end, step);
    }

    /** The fuel of a short run's whole run (a step the chunk refuses may not end the loop). */
    private static final long FUEL_CAP = 2000;

    private static final String[] CMPS = {"i64.lt", "u64.lt", "i64.gt", "u64.gt"};

    /**
     * The first index, end and step of a short run: a few trips from near 0, near the top of the
     * compare's order or (unsigned) across the sign bit, a step of 1 to 3 or now and then one the
     * chunk refuses (0, or past {@code LoopBounds.MAX_STEP}).
     */
    private static long[] shortRun(SplittableRandom rnd, String cmp) {
        long step = rnd.nextInt(8) == 0 ? new long[] {0, (1L << 20) + 1, -1}[rnd.nextInt(3)] : rnd.nextInt(1, 4);
        long trips = rnd.nextInt(0, 10);
        long top = cmp.startsWith("u64") ? -1L : Long.MAX_VALUE;
        long base = switch (rnd.nextInt(4)) {
            case 0 -> top - Math.max(step, 1) * trips - rnd.nextInt(0, 3);
            case 1 -> cmp.startsWith("u64") ? Long.MAX_VALUE - 4 : Long.MIN_VALUE;
            default -> rnd.nextInt(-4, 8);
        };
        long end = base + Math.max(step, 1) * trips + rnd.nextInt(-2, 3);
        return new long[] {base, end, step};
    }

    /** Random loops, short runs: every fuel limit, every heap limit (a stride past 400 bytes), both short. */
    @Test
    void randomTupleLoopsEveryFuelAndHeapLimit() throws Exception {
        SplittableRandom rnd = new SplittableRandom(2727);
        int chunked = 0;
        int heapTraps = 0;
        int programs = 0;
        for (int p = 0; p < 320; p++) {
            String cmp = CMPS[p % 4];
            String text = program(rnd, cmp);
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            chunked += CountedLoopPrograms.preambles(vp) > 0 ? 1 : 0;
            programs++;
            Tiers t = Tiers.of(vp, Host.NONE);
            long[] run = shortRun(rnd, cmp);
            List<Value> a = args(cmp.substring(0, 3), rnd, run[0], run[1], run[2]);
            String what = text + " args " + a;
            // a step the chunk refuses may loop until the fuel runs out: a cap
            Limits cap = Limits.DEFAULT.withFuel(FUEL_CAP);
            Tiers.Outcome o = t.check(0, a, cap, what);
            long used = FUEL_CAP - o.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel += fuel < 300 ? 1 : 1 + rnd.nextInt(4)) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            long stride = 1 + rnd.nextInt(6);
            for (long heap = 0; heap <= o.heapBytes() + 1; heap += heap < 400 ? 1 : stride) {
                Tiers.Outcome h = t.check(0, a, cap.withMaxHeapBytes(heap), what + " heap " + heap);
                heapTraps += h.trap() != null && h.kind() == TrapKind.HEAP_LIMIT_EXCEEDED ? 1 : 0;
            }
            for (long fuel = used / 2; fuel <= used; fuel += 1 + used / 5) {
                for (long heap = o.heapBytes() / 2; heap <= o.heapBytes(); heap += 1 + o.heapBytes() / 5) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel).withMaxHeapBytes(heap),
                            what + " fuel " + fuel + " heap " + heap);
                }
            }
            if (run[2] >= 1 && run[2] <= 3 && run[0] >= 0 && run[1] >= run[0] && run[1] < 100) {
                t.check(0, a, Limits.DEFAULT.withFuel(Long.MAX_VALUE).withMaxHeapBytes(Long.MAX_VALUE), what + " max");
            }
        }
        assertEquals(320, programs);
        assertTrue(chunked >= 200, "chunked: " + chunked);
        assertTrue(heapTraps > 30_000, "heap limits that trapped: " + heapTraps);
    }

    /**
     * Random loops of {@code CHUNK + 2} trips (step 1 or 3, from near either end of the order):
     * the fuel and heap limits at which the first chunk ends one trip short of, at, or one past
     * its full size, each limit exact, one under and one over and one trip's worth under and over.
     */
    @Test
    void longTupleLoopsAtTheChunksBoundary() throws Exception {
        SplittableRandom rnd = new SplittableRandom(27027);
        int checks = 0;
        for (int p = 0; p < 24; p++) {
            String cmp = CMPS[p % 4];
            String text = program(rnd, cmp);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            String ty = cmp.substring(0, 3);
            long step = rnd.nextBoolean() ? 1 : 3;
            long top = ty.equals("u64") ? -1L : Long.MAX_VALUE;
            long i = rnd.nextBoolean() ? rnd.nextInt(-3, 3) : top - step * (CHUNK + 2L) - rnd.nextInt(0, 2);
            SplittableRandom argRnd = new SplittableRandom(p);
            List<Value> zero = args(ty, argRnd.split(), i, i, step);
            List<Value> one = args(ty, argRnd.split(), i, i + step, step);
            List<Value> a = args(ty, argRnd.split(), i, i + step * (CHUNK + 2L), step);
            String what = text + " args " + a;
            Tiers.Outcome o0 = t.check(0, zero, Limits.DEFAULT, what + " zero");
            Tiers.Outcome o1 = t.check(0, one, Limits.DEFAULT, what + " one");
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, what);
            long heap0 = o0.heapBytes();
            long h = o1.heapBytes() - heap0;
            long fuel0 = o0.used(Limits.DEFAULT);
            long k = (full.used(Limits.DEFAULT) - fuel0) / (CHUNK + 2L);
            for (long trips = CHUNK - 1; trips <= CHUNK + 1; trips++) {
                for (long d : new long[] {-h, -1, 0, 1, h}) {
                    long heap = Math.max(0, heap0 + h * trips + d);
                    t.check(0, a, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
                    checks++;
                }
                for (long d : new long[] {-k, -1, 0, 1, k}) {
                    long fuel = Math.max(0, fuel0 + k * trips + d);
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    long heap = Math.max(0, heap0 + h * trips + rnd.nextLong(-h, h + 1));
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel).withMaxHeapBytes(heap),
                            what + " fuel " + fuel + " heap " + heap);
                    checks += 2;
                }
            }
        }
        assertEquals(24 * 45, checks);
    }

    /** Random loops paused in slices of 1 to 15 fuel, every second pause restored on both tiers. */
    @Test
    void randomTupleLoopsPausedRestoreOnBothTiers() throws Exception {
        SplittableRandom rnd = new SplittableRandom(72);
        int pauses = 0;
        for (int p = 0; p < 120; p++) {
            String cmp = CMPS[p % 4];
            String text = program(rnd, cmp);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            // a run that ends: from 0 to 7, a step of 1 to 3, so no index wraps
            long step = rnd.nextInt(1, 4);
            long i = rnd.nextInt(0, 8);
            List<Value> a = args(cmp.substring(0, 3), rnd, i, i + step * rnd.nextInt(0, 10) + rnd.nextInt(0, 3), step);
            long slice = 1 + rnd.nextInt(15);
            pauses += t.lockstep(0, a, slice, 2, text + " args " + a + " slice " + slice, (x, y, pause) -> { });
        }
        assertTrue(pauses >= 500, "pauses " + pauses);
    }
}
