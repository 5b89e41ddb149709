package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

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
 * Every run must end alike on both tiers (result or trap with its stack, fuel, heap), and nothing
 * but a result or a trap may escape (a record written past the records' end would).
 */
class JitDirectEntryTest {
    /** Deep enough that the frame records grow past {@link ExecutionContext#RETAIN_FRAMES}. */
    private static final int DEEP = ExecutionContext.RETAIN_FRAMES + 900;

    @Test
    void sharedContextsRandomLimits() throws Exception {
        int trapped = 0;
        int results = 0;
        for (long seed = 300; seed < 316; seed++) {
            JitLazyFrameTest.Generated g = JitLazyFrameTest.program(seed, true);
            Tiers t = JitLazyFrameTest.tiers(g);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            SplittableRandom rnd = new SplittableRandom(seed);
            String what = "seed " + seed + "\n" + g.source();
            for (int k = 0; k < 60; k++) {
                long n = switch (rnd.nextInt(4)) {
                    case 0 -> DEEP;
                    case 1 -> rnd.nextInt(20);
                    default -> g.n();
                };
                Limits limits = Limits.DEFAULT.withMaxCallDepth(n + 10);
                switch (rnd.nextInt(5)) {
                    case 0 -> limits = limits.withMaxCallDepth(Math.max(0, n + 3 - rnd.nextInt(6)));
                    case 1 -> limits = limits.withMaxCallDepth(rnd.nextInt(230));
                    case 2 -> limits = limits.withMaxRegisters(1 + rnd.nextInt((int) (n + 2) * 24));
                    case 3 -> limits = limits.withFuel(rnd.nextInt(20 * (int) n + 40));
                    default -> { }
                }
                List<Value> args = List.of(Value.i64(n), Value.i64(g.x()));
                Tiers.Outcome i = Tiers.run(t.interpreted, null, ci, 0, args, limits, null);
                Tiers.Outcome c = Tiers.run(t.compiled, null, cc, 0, args, limits, null);
                String run = what + "\nrun " + k + ", n " + n + ", " + limits;
                Tiers.assertSame(i, c, () -> run);
                if (i.trapped()) {
                    trapped++;
                } else {
                    results++;
                }
            }
        }
        // both kinds of ending, many of each
        assertTrue(trapped >= 100 && results >= 100, "trapped " + trapped + ", results " + results);
    }

    /**
     * At every call-depth limit around the recursion's depth and every register limit near the
     * least the run needs, each run on the contexts the run before left (its records grown or
     * not), with the limits stepping down.
     */
    @Test
    void limitsSteppingDownOnOneContext() throws Exception {
        for (long seed = 400; seed < 408; seed++) {
            JitLazyFrameTest.Generated g = JitLazyFrameTest.program(seed, true);
            Tiers t = JitLazyFrameTest.tiers(g);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()));
            String what = "seed " + seed + "\n" + g.source();
            // the least register limit the whole run passes with, found on the interpreter
            int least = leastRegisters(t, args);
            for (long d = g.n() + 3; d >= Math.max(0, g.n() - 3); d--) {
                for (int regs = least + 4; regs >= least - 4; regs--) {
                    Limits limits = Limits.DEFAULT.withMaxCallDepth(d).withMaxRegisters(regs);
                    Tiers.Outcome i = Tiers.run(t.interpreted, null, ci, 0, args, limits, null);
                    Tiers.Outcome c = Tiers.run(t.compiled, null, cc, 0, args, limits, null);
                    Tiers.assertSame(i, c, () -> what + "\n" + limits);
                }
                // a deep run between: the records grow past what the contexts keep
                Limits deep = Limits.DEFAULT.withMaxCallDepth(DEEP + 10);
                List<Value> deepArgs = List.of(Value.i64(DEEP), Value.i64(g.x()));
                Tiers.assertSame(Tiers.run(t.interpreted, null, ci, 0, deepArgs, deep, null),
                        Tiers.run(t.compiled, null, cc, 0, deepArgs, deep, null), () -> what + "\ndeep");
            }
        }
    }

    /** @return the least register limit with which the run does not trap {@code heap_limit_exceeded} */
    private static int leastRegisters(Tiers t, List<Value> args) {
        int lo = 1;
        int hi = Limits.DEFAULT.maxRegisters();
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            Tiers.Outcome o = t.interpret(0, args, Limits.DEFAULT.withMaxRegisters(mid));
            if (o.kind() == TrapKind.HEAP_LIMIT_EXCEEDED) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
