package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.host.Host;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the counted loops charged at once (twenty-ninth round, callc29; {@code
 * CountedLoop.Plan#once}, {@code #add}): random leaves of nested forward diamonds whose paths
 * charge the same fuel or differ by one (some paths ending in their own {@code ret}, fused compares,
 * {@code nop}s, two arguments), called from random loop bodies that read the index or not (moved
 * into another register, passed to a leaf, compared off the latch, an immediate equal to its
 * register number), the add anywhere before the latch's compare, either operand order, the compare
 * swapped ({@code gt}), i64 or u64, beside callees that are no leaves (a loop, a call, a division
 * by zero); at starts, ends and steps at the format's edges (0, negative, 2<sup>63</sup>, wrapping
 * unsigned, the chunk planner's step bound and one past it), every fuel limit near the chunks' and
 * the run's edges, call-depth and register limits, and (the first arguments' run, when of at
 * most 1,000 fuel) paused at slices of 1 to 13 with the compiled run's snapshots restored on both
 * tiers. Both tiers must agree in everything ({@link Tiers}).
 */
class AttackCountedChargeOnceTest {
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /** A leaf fragment: its lines and the fuel each of its paths charges (min and max). */
    private record Frag(String text, int least, int most) {}

    /** Labels, unique per program. */
    private int labels;

    /** A straight run of {@code n} word instructions on the leaf's registers r1..r6 (r1, r2 the arguments). */
    private static String straight(SplittableRandom rnd, String ty, int n) {
        StringBuilder s = new StringBuilder();
        String[] ops = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr"};
        for (int k = 0; k < n; k++) {
            int d = rnd.nextInt(3, 7);
            int a = rnd.nextInt(1, 7);
            int b = rnd.nextInt(1, 7);
            switch (rnd.nextInt(6)) {
                case 0 -> s.append("    nop\n");
                case 1 -> s.append("    mov r").append(d).append(", r").append(a).append('\n');
                case 2 -> s.append("    const.").append(ty).append(" r").append(d).append(", ")
                        .append(imm(ty, rnd.nextBoolean() ? rnd.nextInt(-3, 64) : rnd.nextLong())).append('\n');
                default -> s.append("    ").append(ty).append('.').append(ops[rnd.nextInt(ops.length)]).append(" r")
                        .append(d).append(", r").append(a).append(", r").append(b).append('\n');
            }
        }
        return s.toString();
    }

    /** The immediate {@code v} as a {@code const} of {@code ty} spells it. */
    private static String imm(String ty, long v) {
        return ty.equals("u64") ? Long.toUnsignedString(v) : Long.toString(v);
    }

    /**
     * A fragment that falls through at its end (or returns on every path, {@code last}): straight
     * code, or a diamond of two fragments (each arm ending in its own {@code ret}, or both jumping
     * to a join, after which a returning fragment follows when {@code last}), the shorter arm
     * padded with {@code nop}s so the paths charge the same (or, with {@code uneven}, one more or
     * less).
     */
    private Frag frag(SplittableRandom rnd, String ty, int depth, boolean last, boolean uneven) {
        int n = rnd.nextInt(0, 4);
        String pre = straight(rnd, ty, n);
        if (depth == 0 || rnd.nextInt(3) == 0) {
            return last ? new Frag(pre + "    ret r0, [r" + rnd.nextInt(1, 7) + "]\n", n + 1, n + 1)
                    : new Frag(pre, n, n);
        }
        int id = labels++;
        boolean join = !last || rnd.nextBoolean();
        String cmp = new String[] {"lt", "eq", "gt", "le", "ge"}[rnd.nextInt(5)];
        String head = pre + "    " + ty + "." + cmp + " r8, r" + rnd.nextInt(1, 7) + ", r" + rnd.nextInt(1, 7) + "\n"
                + "    br r8, t" + id + ", f" + id + "\n";
        Frag a = frag(rnd, ty, depth - 1, !join, uneven);
        Frag b = frag(rnd, ty, depth - 1, !join, uneven);
        int tweak = uneven && rnd.nextInt(3) == 0 ? (rnd.nextBoolean() ? 1 : -1) : 0;
        int padB = Math.max(0, a.most() - b.most() + tweak);
        int padA = Math.max(0, b.most() - a.most() - tweak);
        String jmp = join ? "    jmp j" + id + "\n" : "";
        String text = head + "t" + id + ":\n" + pad(a.text(), padA, !join) + jmp + "f" + id + ":\n"
                + pad(b.text(), padB, !join) + jmp;
        int least = n + 2 + Math.min(a.least() + padA, b.least() + padB) + (join ? 1 : 0);
        int most = n + 2 + Math.max(a.most() + padA, b.most() + padB) + (join ? 1 : 0);
        if (join) {
            text += "j" + id + ":\n";
            if (last) {
                Frag tail = frag(rnd, ty, depth - 1, true, uneven);
                text += tail.text();
                least += tail.least();
                most += tail.most();
            }
        }
        return new Frag(text, least, most);
    }

    /** {@code text} with {@code k} nops added before its ret ({@code last}) or at its end. */
    private static String pad(String text, int k, boolean last) {
        String nops = "    nop\n".repeat(k);
        if (!last) {
            return text + nops;
        }
        int at = text.lastIndexOf("    ret ");
        return text.substring(0, at) + nops + text.substring(at);
    }

    /** A leaf {@code name(x, y) -> (T)} of random diamonds; its registers r3..r6 set first, r8 its compares'. */
    private String leaf(SplittableRandom rnd, String ty, String name, boolean uneven) {
        StringBuilder s = new StringBuilder("func ").append(name).append("(x: T, y: T) -> (T) {\n");
        for (int r = 3; r <= 6; r++) {
            s.append("    const.T r").append(r).append(", ").append(r).append('\n');
        }
        s.append(frag(rnd, ty, rnd.nextInt(1, 4), true, uneven).text());
        return s.append("}\n").toString();
    }

    /** Callees that are no leaves: a loop, a call, a division (by zero when y is). */
    private static final String OTHERS = """
            func looping(x: T, y: T) -> (T) {
                const.T r3, 0
                const.T r4, 1
                const.T r5, 3
                jmp again
            again:
                T.add r3, r3, r4
                T.lt r6, r3, r5
                br r6, again, out
            out:
                T.add r3, r3, r1
                ret r0, [r3]
            }
            func calling(x: T, y: T) -> (T) {
                call r0, l0, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            func dividing(x: T, y: T) -> (T) {
                const.T r4, 3
                T.and r5, r2, r4
                T.div r3, r1, r5
                ret r0, [r3]
            }
            """;

    /**
     * {@code main(start, end, step) -> (acc, i, c, t)}: r1 the index, r2 the end, r3 the step, r4
     * the accumulator, r5 the latch's condition, r6..r9 temporaries; a random body of calls and
     * word instructions, the index's add at a random place before the compare.
     */
    private String program(SplittableRandom rnd, String ty, int leaves, boolean others) {
        StringBuilder s = new StringBuilder("program attack_once\nfunc main(start: T, end: T, step: T) -> (T, T, bool, T) {\n");
        s.append("    const.T r4, 7\n    const.T r6, 1\n    const.T r7, 2\n    const.T r8, 3\n    const.bool r9, false\n");
        boolean swapped = rnd.nextBoolean();
        String latch = swapped ? "    T.gt r5, r2, r1\n" : "    T.lt r5, r1, r2\n";
        s.append(latch).append("    br r5, top, done\ntop:\n");
        List<String> body = new ArrayList<>();
        int items = rnd.nextInt(1, 6);
        String[] srcs = {"r4", "r4", "r6", "r7", "r1", "r3"};
        for (int k = 0; k < items; k++) {
            int pick = rnd.nextInt(10);
            if (pick < 5) {
                String callee = others && rnd.nextInt(4) == 0
                        ? new String[] {"looping", "calling", "dividing"}[rnd.nextInt(3)] : "l" + rnd.nextInt(leaves);
                String dst = rnd.nextInt(4) == 0 ? "r6" : "r4";
                body.add("    call r0, " + callee + ", r0, [" + srcs[rnd.nextInt(srcs.length)] + ", "
                        + srcs[rnd.nextInt(srcs.length)] + "] -> [" + dst + "]\n");
            } else {
                body.add(switch (pick) {
                    case 5 -> "    mov r6, r1\n";
                    case 6 -> "    T.xor r4, r4, r" + (rnd.nextBoolean() ? 6 : 7) + "\n";
                    case 7 -> "    const.T r7, " + rnd.nextInt(0, 3) + "\n";
                    case 8 -> "    T.lt r9, r" + (rnd.nextBoolean() ? 1 : 6) + ", r2\n";
                    default -> "    T.add r8, r4, r" + (rnd.nextBoolean() ? 1 : 3) + "\n";
                });
            }
        }
        body.add(rnd.nextInt(body.size() + 1), rnd.nextBoolean() ? "    T.add r1, r1, r3\n" : "    T.add r1, r3, r1\n");
        body.forEach(s::append);
        s.append(latch).append("    br r5, top, done\ndone:\n    ret r0, [r4, r1, r5, r6]\n}\n");
        for (int k = 0; k < leaves; k++) {
            s.append(leaf(rnd, ty, "l" + k, rnd.nextInt(3) == 0));
        }
        if (others) {
            s.append(OTHERS);
        }
        return s.toString().replace("T", ty);
    }

    /** Starts, steps and trip counts at the edges, as the loop's type reads them. */
    private static long[] args(SplittableRandom rnd) {
        long[] starts = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, -(long) CHUNK};
        long[] steps = {1, 1, 2, 3, 7, 0, -1, -3, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 20, (1L << 20) + 1, 1L << 40};
        long start = starts[rnd.nextInt(starts.length)] + rnd.nextInt(-4, 5);
        long step = steps[rnd.nextInt(steps.length)];
        long trips = rnd.nextInt(4) == 0 ? rnd.nextLong(CHUNK - 3, CHUNK + 4) : rnd.nextInt(0, 300);
        long end = rnd.nextInt(6) == 0 ? new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -1, 0}[rnd.nextInt(4)]
                : start + step * trips + rnd.nextInt(-2, 3);
        return new long[] {start, end, step};
    }

    /** Runs one program on random arguments at every fuel limit near its chunks' and run's edges. */
    private static int attack(String text, String ty, SplittableRandom rnd, int argSets) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
        int chunked = CountedLoopPrograms.preambles((JitTier) t.compiled.tier, 0);
        for (int n = 0; n < argSets; n++) {
            long[] a = args(rnd);
            List<Value> args = List.of(CountedLoopPrograms.word(ty, a[0]), CountedLoopPrograms.word(ty, a[1]),
                    CountedLoopPrograms.word(ty, a[2]));
            String what = text + " args " + args;
            long budget = 3_000_000;
            Tiers.Outcome whole = t.check(0, args, Limits.DEFAULT.withFuel(budget), what);
            long used = budget - whole.fuelRemaining();
            long trips = Math.max(1, Math.min(used / 8, CHUNK + 8));
            Set<Long> done = new HashSet<>();
            for (long fuel : CountedLoopPrograms.chunkFuels(used, trips)) {
                // the draw for every listed limit, a repeated one's too: the same programs and
                // limits as the sweep that ran them twice (around CHUNK trips half are repeats)
                if (fuel >= 0 && rnd.nextInt(4) == 0 && done.add(fuel)) {
                    t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
            for (int k = 0; k < 6; k++) {
                long fuel = rnd.nextLong(used + 2);
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            if (n == 0 && used <= 1_000) {
                long slice = rnd.nextInt(1, 14);
                t.lockstep(0, args, slice, 20, what + " slice " + slice, (x, y, p) -> { });
            }
            t.check(0, args, Limits.DEFAULT.withFuel(budget).withMaxCallDepth(rnd.nextInt(0, 2)), what + " depth");
            int regs = rnd.nextInt(9, 20);
            t.check(0, args, Limits.DEFAULT.withFuel(budget).withMaxRegisters(regs), what + " registers " + regs);
        }
        return chunked;
    }

    /** Random programs of uniform and uneven leaves, each at random edge arguments and fuel limits. */
    @Test
    void randomLoopsOfRandomLeaves() throws Exception {
        SplittableRandom rnd = new SplittableRandom(0x29cc);
        int chunked = 0;
        for (int n = 0; n < 120; n++) {
            labels = 0;
            String ty = rnd.nextInt(3) == 0 ? "u64" : "i64";
            String text = program(rnd, ty, rnd.nextInt(1, 4), rnd.nextInt(5) == 0);
            chunked += attack(text, ty, rnd, 3) > 0 ? 1 : 0;
        }
        assertTrue(chunked >= 40, "chunked programs: " + chunked);
    }
}
