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
 * Attacks on the guards a {@code CountedLoop}'s inner copy leaves out (the inlined leaves' fuel
 * and room tests, the blocks' fuel tests) and on what observes a run around a chunk (pauses,
 * snapshots restored on both tiers).
 *
 * <p>Random loops of the counted form ({@code work}: a body of random word instructions, compares,
 * {@code bool.not} and calls of three leaves of 2, 6 and 30 registers, one with two paths and two
 * results, one with none, the index raised by the step somewhere in it, the latch's compare last),
 * reached at call depth 1 ({@code main} is the loop) or 2 ({@code main} calls {@code work}), with
 * random starts, ends and steps near the chunk's size and the wraps. Both tiers must agree in
 * result or trap (kind, pc, stack) and fuel at random fuel limits, at every call-depth limit that
 * puts the leaves' calls at the limit, at register limits across the leaves' needs (the big leaf's
 * room short while the small ones' holds), and paused at slices inside the chunks with the
 * compiled run's snapshots restored on both tiers. Each program's method is checked to have its
 * chunk (a preamble's {@code Math.min}), so the attack reaches the inner copy.
 */
class AttackCountedLoopGuardsTest {
    private static final int CHUNK = CountedLoopPrograms.CHUNK;

    /** A generated program: text, whether the loop is in main (depth 1), the word type. */
    record Prog(String text, boolean inMain, String ty) {}

    /**
     * Registers of {@code work} (or main): r1 index, r2 end, r3 step, r4 x; words r5..r12; bools
     * r13..r15; r16 the latch's compare.
     */
    static Prog generate(SplittableRandom rnd) {
        String ty = rnd.nextBoolean() ? "i64" : "u64";
        boolean inMain = rnd.nextInt(3) == 0;
        boolean swapped = rnd.nextBoolean();
        String test = swapped ? ty + ".gt r16, r2, r1" : ty + ".lt r16, r1, r2";
        StringBuilder w = new StringBuilder();
        String sig = "(i: " + ty + ", end: " + ty + ", s: " + ty + ", x: " + ty + ")";
        String rets = "(" + ty + ", " + ty + ", " + ty + ", " + ty + ", " + ty + ", " + ty + ", bool, bool)";
        String name = inMain ? "main" : "work";
        w.append("func ").append(name).append(sig).append(" -> ").append(rets).append(" {\n");
        for (int r = 5; r <= 12; r++) {
            w.append("    const.").append(ty).append(" r").append(r).append(", ").append(rnd.nextInt(0, 50)).append('\n');
        }
        for (int r = 13; r <= 15; r++) {
            w.append("    ").append(ty).append(".lt r").append(r).append(", r4, r").append(4 + r - 12).append('\n');
        }
        if (rnd.nextInt(3) == 0) {
            w.append("    ").append(ty).append(".eq r16, r4, r4\n    jmp top\n");
        } else {
            w.append("    ").append(test).append("\n    br r16, top, done\n");
        }
        w.append("top:\n");
        int n = rnd.nextInt(1, 9);
        int addAt = rnd.nextInt(n + 1);
        for (int k = 0; k <= n; k++) {
            if (k == addAt) {
                w.append(rnd.nextBoolean() ? "    " + ty + ".add r1, r1, r3\n" : "    " + ty + ".add r1, r3, r1\n");
            }
            if (k < n) {
                w.append("    ").append(op(rnd, ty)).append('\n');
            }
        }
        w.append("    ").append(test).append("\n    br r16, top, done\ndone:\n");
        w.append("    ret r0, [r1, r5, r6, r7, r8, r9, r13, r16]\n}\n");
        StringBuilder s = new StringBuilder("program guards\n");
        if (!inMain) {
            s.append("func main").append(sig).append(" -> ").append(rets).append(" {\n");
            s.append("    call r0, work, r0, [r1, r2, r3, r4] -> [r5, r6, r7, r8, r9, r10, r11, r12]\n");
            s.append("    ret r0, [r5, r6, r7, r8, r9, r10, r11, r12]\n}\n");
        }
        s.append(w);
        // small: 2 registers, no result
        s.append("func la(x: T) -> () {\n    ret r0, []\n}\n");
        // two paths, two results, 6 registers
        s.append("func lb(x: T, y: T) -> (T, T) {\n    T.and r3, r1, r2\n    const.T r4, 1\n    T.and r3, r3, r4\n");
        s.append("    T.eq r5, r3, r4\n    br r5, odd, even\nodd:\n    T.xor r3, r1, r2\n    T.add r3, r3, r1\n");
        s.append("    ret r0, [r3, r2]\neven:\n    T.sub r3, r2, r1\n    ret r0, [r1, r3]\n}\n");
        // 30 registers
        s.append("func lc(x: T) -> (T) {\n    const.T r29, 5\n    T.mul r28, r1, r29\n    ret r0, [r28]\n}\n");
        return new Prog(s.toString().replace("T", ty), inMain, ty);
    }

    /** A random body instruction: never writes r1 (index), r2 (end), r3 (step) or r16 (compare). */
    private static String op(SplittableRandom rnd, String ty) {
        String[] bin = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr"};
        String[] cmp = {"eq", "lt", "gt", "le", "ge"};
        int d = rnd.nextInt(5, 13);
        int b = rnd.nextInt(13, 16);
        switch (rnd.nextInt(8)) {
            case 0, 1 -> {
                return ty + "." + bin[rnd.nextInt(bin.length)] + " r" + d + ", r" + src(rnd) + ", r" + src(rnd);
            }
            case 2 -> {
                return ty + "." + cmp[rnd.nextInt(cmp.length)] + " r" + b + ", r" + src(rnd) + ", r" + src(rnd);
            }
            case 3 -> {
                int c = rnd.nextInt(13, 17);
                return rnd.nextBoolean() ? "bool.not r" + b + ", r" + c : "bool.xor r" + b + ", r" + c + ", r" + rnd.nextInt(13, 17);
            }
            case 4 -> {
                return rnd.nextBoolean() ? "mov r" + d + ", r" + src(rnd) : "const." + ty + " r" + d + ", " + rnd.nextInt(0, 9);
            }
            case 5 -> {
                return "call r0, la, r0, [r" + src(rnd) + "] -> []";
            }
            case 6 -> {
                int d2 = d == 12 ? 5 : d + 1;
                return "call r0, lb, r0, [r" + src(rnd) + ", r" + src(rnd) + "] -> [r" + d + ", r" + d2 + "]";
            }
            default -> {
                return "call r0, lc, r0, [r" + src(rnd) + "] -> [r" + d + "]";
            }
        }
    }

    private static int src(SplittableRandom rnd) {
        return rnd.nextInt(1, 13);
    }

    private static List<Value> args(Prog p, long start, long end, long step, long x) {
        if (p.ty().equals("u64")) {
            return List.of(Value.u64(start), Value.u64(end), Value.u64(step), Value.u64(x));
        }
        return List.of(Value.i64(start), Value.i64(end), Value.i64(step), Value.i64(x));
    }

    private static int preambles(Tiers t, int func) {
        return CountedLoopPrograms.preambles((JitTier) t.compiled.tier, func);
    }

    private static Tiers tiers(Prog p) throws Exception {
        VerifiedProgram vp = JitLeafInlineTest.verified(p.text());
        Tiers t = Tiers.of(vp, Host.NONE);
        Jit.precompile(t.compiled);
        return t;
    }

    /** Random start, end, step: trips 0 to about two chunks, steps 1 to 2^20 and some that take no chunk. */
    private static long[] bounds(SplittableRandom rnd) {
        long[] near = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};
        long start = near[rnd.nextInt(near.length)] - rnd.nextInt(0, 4 * CHUNK);
        long[] steps = {1, 1, 2, 3, 7, 1 << 20, (1 << 20) + 1, 0, -1};
        long step = steps[rnd.nextInt(steps.length)];
        long trips = rnd.nextInt(4) == 0 ? rnd.nextInt(CHUNK - 2, 2 * CHUNK + 3) : rnd.nextInt(0, 40);
        long end = start + (step <= 0 ? 30 : step * trips) + rnd.nextInt(-2, 3);
        return new long[] {start, end, step};
    }

    /**
     * Random programs at random fuel limits, at call-depth limits 1 to 4 and at register limits from
     * 1 until a dozen in a row repeat the full run.
     */
    @Test
    void randomLoopsAtLimits() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1818);
        int chunked = 0;
        for (int n = 0; n < 120; n++) {
            Prog p = generate(rnd);
            Tiers t = tiers(p);
            int func = p.inMain() ? 0 : 1;
            chunked += preambles(t, func) > 0 ? 1 : 0;
            long[] b = bounds(rnd);
            List<Value> a = args(p, b[0], b[1], b[2], rnd.nextInt(-5, 100));
            String what = p.text() + " args " + a;
            long cap = 3_000_000;
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT.withFuel(cap), what);
            long used = cap - full.fuelRemaining();
            for (int k = 0; k < 10; k++) {
                long fuel = rnd.nextLong(used + 2);
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long depth = 1; depth <= 4; depth++) {
                t.check(0, a, Limits.DEFAULT.withFuel(cap).withMaxCallDepth(depth), what + " depth " + depth);
            }
            // past the limit the run needs (main's, work's and the 30-register leaf's frames), every
            // limit repeats the full run: none checked after 12 such in a row (about 24 registers
            // past it); the limits drawn all the same, so the later programs are the same
            int alike = 0;
            for (int regs = 1; regs <= 120; regs += rnd.nextInt(1, 4)) {
                if (alike < 12) {
                    Tiers.Outcome o = t.check(0, a, Limits.DEFAULT.withFuel(cap).withMaxRegisters(regs), what + " regs " + regs);
                    alike = o.equals(full) ? alike + 1 : 0;
                }
            }
        }
        assertTrue(chunked >= 60, "programs with a chunk: " + chunked);
    }

    /** Random programs paused at slices that end inside chunks, restored from the compiled run's snapshots. */
    @Test
    void randomLoopsPaused() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1819);
        int pauses = 0;
        for (int n = 0; n < 30; n++) {
            Prog p = generate(rnd);
            Tiers t = tiers(p);
            long step = rnd.nextInt(1, 4);
            long start = rnd.nextBoolean() ? 0 : Long.MAX_VALUE - 3L * CHUNK * step;
            List<Value> a = args(p, start, start + step * (rnd.nextInt(3 * CHUNK / 2, 3 * CHUNK)), step, 3);
            long slice = rnd.nextInt(1, 8) * (long) CHUNK + rnd.nextInt(-50, 50);
            pauses += t.lockstep(0, a, slice, 3, p.text() + " slice " + slice, (x, y, k) -> { });
            long small = rnd.nextInt(1, 200);
            List<Value> few = args(p, 5, 5 + 40 * step, step, 3);
            pauses += t.lockstep(0, few, small, 7, p.text() + " slice " + small, (x, y, k) -> { });
        }
        assertTrue(pauses >= 100, "pauses: " + pauses);
    }

    /**
     * A method that fits the method limit without its chunk must not be left to the interpreter
     * for the bytes its chunk adds (the preambles and the inner copy): for fillers that put the
     * method around the limit, whenever the same loop that is no counted loop compiles, the
     * counted one compiles too; and both tiers agree on it at fuel limits inside the loop.
     */
    @Test
    void aChunkNeverCostsTheMethod() throws Exception {
        int max = JitTestAccess.maxMethodBytes();
        int near = 0;
        for (int filler = 900; filler <= 1300; filler += 4) {
            VerifiedProgram plain = JitLeafInlineTest.verified(CountedLoopPrograms.sized(filler, false, false));
            VerifiedProgram counted = JitLeafInlineTest.verified(CountedLoopPrograms.sized(filler, true, false));
            int plainSize = JitTestAccess.measure(new JitView(new Vm(plain, Host.NONE), null), 0);
            int countedSize = JitTestAccess.measure(new JitView(new Vm(counted, Host.NONE), null), 0);
            if (plainSize > max) {
                continue;
            }
            near += countedSize > max ? 1 : 0;
            Tiers t = Tiers.of(counted, Host.NONE);
            assertEquals(1, Jit.precompile(t.compiled), "filler " + filler + ": " + plainSize + " bytes without the chunk, "
                    + countedSize + " with it");
            if (countedSize > max) {
                List<Value> a = List.of(Value.i64(3 * CHUNK + 5));
                Tiers.Outcome full = t.check(0, a, Limits.DEFAULT, "filler " + filler);
                long used = full.used(Limits.DEFAULT);
                for (long fuel = used - 40; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), "filler " + filler + " fuel " + fuel);
                }
                t.check(0, a, Limits.DEFAULT.withFuel(used / 2), "filler " + filler + " fuel " + used / 2);
            }
        }
        assertTrue(near >= 3, "fillers whose chunk puts the method over the limit: " + near);
    }

    /**
     * Random i64 loops through the attack driver's four ways (interpreted, compiled, stepped with
     * an instruction sink, framed: nothing inline, one JVM frame per VM frame), every call-depth
     * limit to 3 and register limit to 40, lazily linked, with the pauses restored across ways.
     */
    @Test
    void randomLoopsAllWays() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1820);
        int n = 0;
        while (n < 16) {
            Prog p = generate(rnd);
            if (!p.ty().equals("i64")) {
                continue;
            }
            n++;
            long step = new long[] {1, 2, 3, 1 << 20}[rnd.nextInt(4)]; // runs that end: the driver's pauses restore under its fuel
            long start = rnd.nextInt(-5, 5);
            long[] argv = {start, start + step * rnd.nextInt(0, 12) + rnd.nextInt(0, 2), step, rnd.nextInt(0, 40)};
            TierCompare.waysAgree(null, p.text(), argv, 3, true, 40, true, p.text() + " args " + java.util.Arrays.toString(argv));
        }
    }

    /** Hand-made shapes around the loop: main(i, end, s) -> (i, acc, c). */
    static final String[] SHAPES = {
        // the head is the function's first block
        """
        func main(i: i64, end: i64, s: i64) -> (i64, i64, bool) {
        top:
            i64.mul r4, r1, r1
            i64.add r1, r1, r3
            i64.lt r5, r1, r2
            br r5, top, done
        done:
            ret r0, [r1, r4, r5]
        }
        """,
        // entered from two places; the out edge changes the end and goes back to the head; end is the step
        """
        func main(i: i64, end: i64, s: i64) -> (i64, i64, bool) {
            const.i64 r4, 1
            i64.lt r5, r1, r2
            i64.eq r6, r1, r4
            br r6, top, pre
        pre:
            i64.add r4, r4, r1
            jmp top
        top:
            i64.mul r4, r4, r4
            call r0, sq, r0, [r4] -> [r4]
            i64.add r1, r1, r2
            bool.not r7, r5
            i64.lt r5, r1, r2
            br r5, top, out
        out:
            i64.lt r8, r2, r1
            br r8, done, again
        again:
            const.i64 r2, 1000
            jmp top
        done:
            ret r0, [r1, r4, r5]
        }
        """,
        // nested: the counted loop inside an outer loop with a real call (peeled), the compare read in the body
        """
        func main(i: i64, end: i64, s: i64) -> (i64, i64, bool) {
            const.i64 r4, 0
            const.i64 r9, 0
            const.i64 r10, 1
            const.i64 r11, 3
            i64.lt r5, r1, r2
            jmp outer
        outer:
            mov r12, r1
            jmp top
        top:
            call r0, sq, r0, [r12] -> [r13]
            bool.not r7, r5
            i64.add r4, r4, r13
            i64.add r12, r12, r3
            i64.lt r5, r12, r2
            br r5, top, next
        next:
            call r0, big, r0, [r4] -> [r4]
            i64.add r9, r9, r10
            i64.lt r8, r9, r11
            br r8, outer, done
        done:
            ret r0, [r12, r4, r5]
        }
        """,
        // the latch's targets both the head (never leaves: runs until the fuel is out)
        """
        func main(i: i64, end: i64, s: i64) -> (i64, i64, bool) {
            const.i64 r4, 0
            jmp top
        top:
            call r0, sq, r0, [r1] -> [r6]
            i64.add r4, r4, r6
            i64.add r1, r3, r1
            i64.gt r5, r2, r1
            br r5, top, top
        }
        """,
    };

    private static final String CALLEES = """
            func sq(x: i64) -> (i64) {
                i64.mul r2, r1, r1
                ret r0, [r2]
            }
            func big(x: i64) -> (i64) {
                const.i64 r40, 3
                i64.div r2, r1, r40
                ret r0, [r2]
            }
            """;

    /** Each shape at every fuel limit of small runs, at call-depth and register limits, paused at every slice to 7, and around the chunk. */
    @Test
    void shapes() throws Exception {
        int k = 0;
        for (String shape : SHAPES) {
            String text = "program shape" + k++ + "\n" + shape + CALLEES;
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            Jit.precompile(t.compiled);
            assertTrue(preambles(t, 0) > 0, text);
            for (long[] c : new long[][] {{0, 5, 1}, {1, 9, 2}, {7, 3, 1}, {-3, 4, 1}, {0, 4, 0}, {Long.MAX_VALUE - 6, Long.MAX_VALUE, 1}}) {
                List<Value> a = List.of(Value.i64(c[0]), Value.i64(c[1]), Value.i64(c[2]));
                String what = text + " args " + a;
                Limits few = Limits.DEFAULT.withFuel(3_000);
                Tiers.Outcome o = t.check(0, a, few, what);
                for (long fuel = 0; fuel <= o.used(few) + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                for (long depth = 0; depth <= 3; depth++) {
                    t.check(0, a, few.withMaxCallDepth(depth), what + " depth " + depth);
                }
                for (int regs = 1; regs <= 90; regs++) {
                    t.check(0, a, few.withMaxRegisters(regs), what + " regs " + regs);
                }
            }
            List<Value> a = List.of(Value.i64(1), Value.i64(3L * CHUNK), Value.i64(1));
            Tiers.Outcome full = t.check(0, a, Limits.DEFAULT.withFuel(5_000_000), text);
            long used = full.used(Limits.DEFAULT.withFuel(5_000_000));
            for (long fuel = 0; fuel < used; fuel += used / 40 + 1) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + " fuel " + fuel);
            }
            if (full.trapped()) {
                continue; // the loop that never leaves: no pauses (they would go on for ever)
            }
            for (long slice = 1; slice <= 7; slice++) {
                t.lockstep(0, List.of(Value.i64(0), Value.i64(12), Value.i64(1)), slice, 2, text + " slice " + slice,
                        (x, y, p) -> { });
            }
            t.lockstep(0, a, CHUNK + 17, 1, text + " slice chunk", (x, y, p) -> { });
        }
    }
}
