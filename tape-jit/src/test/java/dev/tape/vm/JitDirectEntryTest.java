package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled direct {@code call}'s {@link JitRuntime#enterDirect} (and an inlined leaf's guard,
 * {@link JitRuntime#leafRoom}) tests its three conditions in two compares ({@code depth < c.jitDepth}
 * and the register mark) and takes the checks in order only when one fails. {@code jitDepth} is
 * derived from the call-depth limit and the frame
 * records' length, which change between runs on one context (each run's limits; a deep run grows
 * the records, and its end shrinks them back, {@link ExecutionContext#release}), so these tests run
 * long random sequences of runs on one context per tier, with limits that go down as well as up:
 * call-depth limits at and around the recursion's depth, register limits from far too few to
 * enough, fuel limits, and runs deep enough that the records grow past what a context keeps.
 * An entry that first calls a wide function raises the register mark, so that the recursion's
 * calls pass the register test and the depth limit and the records' room are decided by
 * {@code jitDepth} alone. Every run must end alike on both tiers (result or trap with its stack,
 * fuel, heap), and nothing but a result or a trap may escape (a record written past the records'
 * end would).
 */
class JitDirectEntryTest {
    /** Deep enough that the frame records grow past {@link ExecutionContext#RETAIN_FRAMES}. */
    private static final int DEEP = ExecutionContext.RETAIN_FRAMES + 900;
    /** Registers of {@code wide}, which {@code main} calls first. */
    private static final int WIDE = 700;

    /**
     * {@link JitLazyFrameTest#program}'s functions under a new entry, {@code main(n, x)}, which
     * first calls {@code wide} ({@value #WIDE} registers, so the run's register mark then covers
     * some 25 levels of the recursion: their calls pass the register test, and only
     * {@code jitDepth} stands for the depth limit and the frame records' room), then {@code f0}.
     */
    static Tiers program(JitLazyFrameTest.Generated g, StringBuilder text) throws Exception {
        String src = g.source();
        boolean two = src.contains("func f0(n: i64, x: i64) -> (i64, i64)");
        text.append("program direct\n")
                .append("func main(n: i64, x: i64) -> (i64) {\n")
                .append("    call r0, wide, r0, [] -> [r3]\n")
                .append("    call r0, f0, r0, [r1, r2] -> [r4").append(two ? ", r5" : "").append("]\n")
                .append("    ret r0, [r4]\n}\n")
                .append("func wide() -> (i64) {\n    const.i64 r").append(WIDE - 1).append(", 7\n    ret r0, [r")
                .append(WIDE - 1).append("]\n}\n")
                .append(src.substring(src.indexOf('\n') + 1));
        Tiers t = Tiers.of(JitLazyFrameTest.verified(text.toString()), Host.NONE);
        Jit.precompile(t.compiled);
        assertEquals(g.functions() + 2, Jit.compiledFunctions(t.compiled), text.toString());
        return t;
    }

    /**
     * Random sequences of runs on one context per tier: the recursion 0 to 40 deep or
     * {@link #DEEP} (its records grow past what the context keeps, and its end shrinks them),
     * with a call-depth limit at, under or over the depth, or a register limit from far too few to
     * enough, or a fuel limit, so the limits go down as well as up from run to run.
     */
    @Test
    void sharedContextsRandomLimits() throws Exception {
        int trapped = 0;
        int results = 0;
        for (long seed = 300; seed < 316; seed++) {
            JitLazyFrameTest.Generated g = JitLazyFrameTest.program(seed, false);
            StringBuilder text = new StringBuilder();
            Tiers t = program(g, text);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int k = 0; k < 80; k++) {
                long n = rnd.nextInt(6) == 0 ? DEEP : rnd.nextInt(41);
                Limits limits = Limits.DEFAULT.withMaxCallDepth(n + 10);
                switch (rnd.nextInt(4)) {
                    case 0 -> limits = limits.withMaxCallDepth(Math.max(0, n + 3 - rnd.nextInt(8)));
                    case 1 -> limits = limits.withMaxRegisters(WIDE + rnd.nextInt((int) Math.min(n + 2, 60) * 30));
                    case 2 -> limits = limits.withFuel(rnd.nextInt(20 * (int) Math.min(n, 60) + 40));
                    default -> { }
                }
                List<Value> args = List.of(Value.i64(n), Value.i64(g.x()));
                Tiers.Outcome i = Tiers.run(t.interpreted, null, ci, 0, args, limits, null);
                Tiers.Outcome c = Tiers.run(t.compiled, null, cc, 0, args, limits, null);
                String run = text + "\nrun " + k + ", n " + n + ", " + limits;
                Tiers.assertSame(i, c, () -> run);
                if (i.trapped()) {
                    trapped++;
                } else {
                    results++;
                }
            }
        }
        // both kinds of ending, many of each
        assertTrue(trapped >= 200 && results >= 200, "trapped " + trapped + ", results " + results);
    }

    /**
     * Every call-depth limit from over the recursion's depth down to 0, each run on the contexts
     * the run before left, with a run deep enough to grow the records past what a context keeps
     * between every two.
     */
    @Test
    void depthLimitsSteppingDownOnOneContext() throws Exception {
        for (long seed = 400; seed < 410; seed++) {
            JitLazyFrameTest.Generated g = JitLazyFrameTest.program(seed, false);
            StringBuilder text = new StringBuilder();
            Tiers t = program(g, text);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            long n = 20 + seed % 10;
            List<Value> args = List.of(Value.i64(n), Value.i64(g.x()));
            Limits deep = Limits.DEFAULT.withMaxCallDepth(DEEP + 10);
            List<Value> deepArgs = List.of(Value.i64(DEEP), Value.i64(g.x()));
            for (long d = n + 3; d >= 0; d--) {
                Tiers.assertSame(Tiers.run(t.interpreted, null, ci, 0, deepArgs, deep, null),
                        Tiers.run(t.compiled, null, cc, 0, deepArgs, deep, null), () -> text + "\ndeep");
                Limits limits = Limits.DEFAULT.withMaxCallDepth(d);
                Tiers.assertSame(Tiers.run(t.interpreted, null, ci, 0, args, limits, null),
                        Tiers.run(t.compiled, null, cc, 0, args, limits, null), () -> text + "\n" + limits);
            }
        }
    }
}
