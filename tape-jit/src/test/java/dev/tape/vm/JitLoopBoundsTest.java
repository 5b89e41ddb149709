package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inlined callee loop's range-check elimination ({@code LoopBounds}): which loops it proves
 * (an index raised only by a constant step in [1, 2<sup>20</sup>], an end not written on the loop,
 * one simple loop entered at one head) and which it must leave alone; and random callee loops
 * with hostile starts, steps and ends (at and around the array's bounds, 2<sup>32</sup>,
 * 2<sup>63</sup> - 1, 2<sup>63</sup>, 2<sup>64</sup> - 1, minus the step), whose entry test
 * passes or fails, run alike on both tiers: result or trap (kind, pc, stack), fuel and heap bytes,
 * at every fuel limit (sampled past 3,000) and at every call-depth limit 0 to 2.
 */
class JitLoopBoundsTest {
    private static final String HEADER = "program bounds\narray A = i64\nfunc main(n: i64) -> (i64) {\n    ret r0, [r1]\n}\n";
    private static final String SIG = "func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {\n";
    private static final String BENCH = SIG + "top:\n    array.get r5, r1, r2\n    i64.add r3, r3, r5\n"
            + "    const.u64 r6, 1\n    u64.add r2, r2, r6\n    u64.lt r7, r2, r4\n    br r7, top, out\n"
            + "out:\n    ret r0, [r3]\n}\n";

    /** {@code walk}'s loop as LoopBounds sees it (null: no unchecked reads). */
    private static String plan(String walk) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(HEADER + walk);
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        return JitTestAccess.loopBounds(tier.view, 1);
    }

    /** A do-while loop over {@code xs} with {@code body} between the read and the compare. */
    private static String doWhile(String body, String compare) {
        return SIG + "top:\n    array.get r5, r1, r2\n    i64.add r3, r3, r5\n" + body + compare
                + "out:\n    ret r0, [r3]\n}\n";
    }

    @Test
    void provedLoops() throws Exception {
        assertEquals("index 2 end 4 reads 1", plan(BENCH), "the benchmark's");
        // a loop with a test block, entered by a jmp, left from the test
        assertEquals("index 2 end 4 reads 1", plan(SIG + "    array.len r8, r1\n    jmp check\ncheck:\n"
                + "    u64.lt r7, r2, r4\n    br r7, step, out\nstep:\n    array.get r5, r1, r2\n"
                + "    i64.add r3, r3, r5\n    const.u64 r6, 3\n    u64.add r2, r6, r2\n    jmp check\n"
                + "out:\n    ret r0, [r3]\n}\n"), "a tested loop, step 3 on the right");
        assertEquals("index 2 end 4 reads 1", plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n",
                "    u64.gt r7, r4, r2\n    br r7, top, out\n")), "end > index");
        assertEquals("index 2 end 4 reads 1", plan(doWhile("    const.u64 r6, 1048576\n    u64.add r2, r2, r6\n",
                "    u64.lt r7, r2, r4\n    br r7, top, out\n")), "step 2^20");
        assertEquals("index 2 end 4 reads 2", plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n"
                        + "    array.get r8, r1, r2\n    i64.xor r3, r3, r8\n    u64.add r2, r2, r6\n",
                "    u64.lt r7, r2, r4\n    br r7, top, out\n")), "a read between two raises");
        assertEquals("index 2 end 4 reads 1", plan(doWhile("    const.i64 r8, 1000\n    i64.gt r9, r3, r8\n"
                        + "    br r9, out, more\nmore:\n    const.u64 r6, 1\n    u64.add r2, r2, r6\n",
                "    u64.lt r7, r2, r4\n    br r7, top, out\n")), "a second exit, two blocks on the loop");
    }

    @Test
    void loopsLeftAlone() throws Exception {
        String lt = "    u64.lt r7, r2, r4\n    br r7, top, out\n";
        assertNull(plan(doWhile("    const.u64 r6, 0\n    u64.add r2, r2, r6\n", lt)), "step 0");
        assertNull(plan(doWhile("    const.u64 r6, 1048577\n    u64.add r2, r2, r6\n", lt)), "step 2^20 + 1");
        assertNull(plan(doWhile("    const.u64 r6, 18446744073709551615\n    u64.add r2, r2, r6\n", lt)), "step -1");
        assertNull(plan(doWhile("    const.u64 r6, 9223372036854775808\n    u64.add r2, r2, r6\n", lt)), "step 2^63");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.sub r2, r2, r6\n", lt)), "a lowered index");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r8, r2, r6\n    mov r2, r8\n", lt)), "a mov");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n    u64.add r4, r4, r6\n", lt)),
                "an end raised on the loop");
        assertNull(plan(doWhile("    array.len r8, r1\n    u64.add r2, r2, r8\n", lt)), "a step not constant");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n    u64.add r2, r2, r2\n", lt)),
                "the index added to itself");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n",
                "    u64.le r7, r2, r4\n    br r7, top, out\n")), "index <= end");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n",
                "    u64.ge r7, r2, r4\n    br r7, out, top\n")), "goes on when the compare fails");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n",
                "    u64.lt r7, r4, r2\n    br r7, top, out\n")), "end < index");
        assertNull(plan(doWhile("    const.u64 r6, 1\n    u64.add r2, r2, r6\n    mov r8, r2\n",
                "    u64.lt r7, r2, r8\n    br r7, top, out\n")), "an end written on the loop");
        assertNull(plan(doWhile("    const.i64 r8, 0\n    i64.gt r9, r3, r8\n    br r9, inc, more\n"
                        + "inc:\n    const.u64 r6, 1\n    u64.add r2, r2, r6\n    jmp more\nmore:\n",
                lt)), "an index raised on one path only");
        assertNull(plan(SIG + "    u64.lt r7, r2, r4\n    br r7, top, mid\ntop:\n    array.get r5, r1, r2\n"
                + "    i64.add r3, r3, r5\n    jmp mid\nmid:\n    const.u64 r6, 1\n    u64.add r2, r2, r6\n"
                + "    u64.lt r7, r2, r4\n    br r7, top, out\nout:\n    ret r0, [r3]\n}\n"), "two ways in");
        assertNull(plan(SIG + "    mov r8, r2\n    jmp top\ntop:\n    array.get r5, r1, r2\n    i64.add r3, r3, r5\n"
                + "    const.u64 r6, 1\n    u64.add r2, r2, r6\n    u64.lt r7, r2, r4\n    br r7, top, again\n"
                + "again:\n    array.get r5, r1, r8\n    i64.add r3, r3, r5\n    u64.add r8, r8, r6\n"
                + "    u64.lt r7, r8, r4\n    br r7, again, out\nout:\n    ret r0, [r3]\n}\n"), "two loops");
        assertNull(plan(SIG + "top:\n    mov r8, r2\n    array.get r5, r1, r8\n    i64.add r3, r3, r5\n"
                + "    const.u64 r6, 1\n    u64.add r2, r2, r6\n" + lt + "out:\n    ret r0, [r3]\n}\n"),
                "reads of a copy of the index only");
    }

    /**
     * tape-bench's array_loop: its method has two sites of {@code sum} (LoopPeel's two copies),
     * each with the loop twice, with and without its bound test; with {@code sum}'s compare
     * written as {@code end > index} the method is the same but that it has no unchecked copies,
     * so two reads of the scratch elements fewer.
     */
    @Test
    void arrayLoopReadsUnchecked() throws Exception {
        String src;
        try (var in = JitLoopBoundsTest.class.getResourceAsStream("/dev/tape/bench/array_loop.tasm")) {
            src = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (src == null) {
            src = java.nio.file.Files.readString(java.nio.file.Path.of(
                    "../tape-bench/src/main/resources/dev/tape/bench/array_loop.tasm"));
        }
        String swapped = src.replace("u64.lt r7, r2, r4", "u64.gt r7, r2, r4");
        assertTrue(!swapped.equals(src));
        int[] reads = new int[2];
        String[] plans = new String[2];
        for (int k = 0; k < 2; k++) {
            VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(k == 0 ? src : swapped));
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            plans[k] = JitTestAccess.loopBounds(tier.view, 1);
            reads[k] = JitTestAccess.insns(JitTestAccess.generate(tier.view, 0).bytes(), Opcodes.LALOAD);
        }
        assertEquals("index 2 end 4 reads 1", plans[0]);
        assertNull(plans[1], "index > end");
        assertEquals(reads[1] + 2, reads[0], "the two sites' unchecked reads");
    }

    /** One generated program, its entry's arguments, and whether {@code walk}'s loop is proved. */
    record Generated(String source, long n, long x, long start, long end, boolean proved) {}

    private static long pick(SplittableRandom rnd, long... values) {
        return values[rnd.nextInt(values.length)];
    }

    /**
     * A program: {@code main(n, x, k, e)} builds an array of 1 to 16 elements per iteration and
     * calls {@code walk(xs, k, acc, e)}, a loop over it: a do-while (the benchmark's, sometimes with
     * a second exit) or a tested loop, with a read before and/or after the index is raised, the
     * compare as {@code index < end} or {@code end > index}.
     */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(16);
        long step = pick(rnd, 1, 1, 1, 2, 3, 5, 16, 1L << 20, (1L << 20) + 1, 1L << 62, -1, Long.MIN_VALUE);
        long start = pick(rnd, 0, 0, 0, 1, len - 1, len, len + 1, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1,
                -step, len - step);
        long end = pick(rnd, len, len, len, len - 1, len + 1, 0, 1, len + step, len - 1 + step, len - step,
                1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1, -step);
        boolean tested = rnd.nextBoolean();
        boolean before = rnd.nextInt(4) != 0;
        boolean after = !before || rnd.nextInt(3) == 0;
        boolean swapped = rnd.nextInt(3) == 0;
        boolean exit = rnd.nextInt(4) == 0;
        StringBuilder s = new StringBuilder("program bounds\narray A = i64\n");
        s.append("func main(n: i64, x: i64, k: u64, e: u64) -> (i64) {\n");
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    mov r12, r2\n    jmp loop\n");
        s.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n    i64.add r15, r12, r10\n");
        s.append("    array.new r20, A, [");
        String[] values = {"r10", "r12", "r15"};
        for (int j = 0; j < len; j++) {
            s.append(j == 0 ? "" : ", ").append(values[(j + (int) (seed % 3)) % 3]);
        }
        s.append("]\n    mov r24, r3\n    mov r23, r4\n");
        s.append("    call r0, walk, r0, [r20, r24, r12, r23] -> [r12]\n");
        s.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        String raise = "    const.u64 r6, " + Long.toUnsignedString(step) + "\n    u64.add r2, r2, r6\n";
        String read = "    array.get r5, r1, r2\n    i64.add r3, r3, r5\n";
        String readAfter = "    array.get r8, r1, r2\n    i64.xor r3, r3, r8\n";
        String compare = swapped ? "    u64.gt r7, r4, r2\n" : "    u64.lt r7, r2, r4\n";
        s.append(SIG);
        if (tested) {
            s.append("    jmp check\ncheck:\n").append(compare).append("    br r7, step, out\nstep:\n");
            s.append(before ? read : "").append(raise).append(after ? readAfter : "").append("    jmp check\n");
        } else {
            s.append("top:\n").append(before ? read : "");
            if (exit) {
                s.append("    const.i64 r9, 100000\n    i64.gt r10, r3, r9\n    br r10, out, more\nmore:\n");
            }
            s.append(raise).append(after ? readAfter : "").append(compare).append("    br r7, top, out\n");
        }
        s.append("out:\n    ret r0, [r3]\n}\n");
        boolean proved = step >= 1 && step <= 1L << 20;
        return new Generated(s.toString(), 1 + rnd.nextInt(4), rnd.nextLong(1000), start, end, proved);
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()), new Value.U64(g.start()), new Value.U64(g.end()));
    }

    /**
     * Random loops with hostile starts, steps and ends: both tiers alike at every fuel limit
     * (sampled above 3,000), every call-depth limit 0 to 2; the proved ones are those with a step
     * in [1, 2^20], and the walk runs inline in most.
     */
    @Test
    void hostileStartsStepsAndEnds() throws Exception {
        int proved = 0;
        int inlined = 0;
        int traps = 0;
        int ended = 0;
        for (long seed = 0; seed < 160; seed++) {
            Generated g = program(seed);
            VerifiedProgram p = JitLeafInlineTest.verified(g.source());
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            String what = "seed " + seed + ", start " + Long.toUnsignedString(g.start()) + ", end "
                    + Long.toUnsignedString(g.end()) + "\n" + g.source();
            String plan = JitTestAccess.loopBounds(tier.view, 1);
            assertEquals(g.proved(), plan != null, what);
            proved += plan != null ? 1 : 0;
            inlined += JitKeptStructTest.calls(p, 0, "leafMakeRoom") > 0 ? 1 : 0;
            Tiers t = Tiers.of(p, Host.NONE);
            Jit.precompile(t.compiled);
            if (fuelAndDepthAgree(t, args(g), what, 3_000, 97)) {
                traps++;
            } else {
                ended++;
            }
        }
        System.out.println("JitLoopBoundsTest: " + proved + " proved, " + inlined + " inlined, " + traps
                + " trapped, " + ended + " ended");
        assertTrue(proved >= 80, "proved: " + proved);
        assertTrue(inlined >= 120, "inlined: " + inlined);
        assertTrue(traps >= 30, "trapped: " + traps);
        assertTrue(ended >= 30, "ended: " + ended);
    }

    /**
     * Runs {@code main} with {@code args} on both tiers ({@link Tiers#check}) with 1,000,000 fuel, then
     * at every fuel limit up to {@code dense} and one in {@code step} of the rest up to what the run
     * used plus one, and at call-depth limits 0 to 2: every run alike on both tiers.
     *
     * @return whether the whole run trapped
     */
    static boolean fuelAndDepthAgree(Tiers t, List<Value> args, String what, long dense, long step) {
        Limits limits = Limits.DEFAULT.withFuel(1_000_000);
        Tiers.Outcome full = t.check(0, args, limits, what);
        long used = full.used(limits);
        for (long fuel = 0; fuel <= used + 1; fuel += fuel < dense ? 1 : 1 + fuel / step) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
        }
        for (long d = 0; d <= 2; d++) {
            t.check(0, args, limits.withMaxCallDepth(d), what + " depth " + d);
        }
        return full.trapped();
    }
}
