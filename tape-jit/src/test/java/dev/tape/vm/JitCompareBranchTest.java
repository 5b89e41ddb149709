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
 * A method's own compare followed by a {@code br} on its register in the same block is one branch
 * on the compare, writing the register 1 on the edge to the taken block and 0 on the other
 * ({@code InstructionEmitter.compare} with {@code InlineOps.branchCompare}, the twenty-fourth round,
 * issue 14). On every integer and f64 compare at its type's edges both tiers take the same block,
 * leave the register the same value (returned, read again in the other block and live into a
 * loop head) and use the same fuel, with enough fuel, with the fuel running out at every
 * instruction, and when paused at every slice and restored on the other tier.
 */
class JitCompareBranchTest {
    private static final String[] OPS = CompareBranchEdges.OPS;
    private static final String[] RANDOM_OPS = {"i64.eq", "i64.lt", "i64.gt", "i64.le", "i64.ge"};
    private static final String[] RANDOM_F64 = {"f64.eq", "f64.lt", "f64.gt", "f64.le", "f64.ge"};

    private static long bits(double d) {
        return CompareBranchEdges.bits(d);
    }

    /**
     * Function k: {@code c(a, b)} compares, branches on the result and returns it with 11 (holds)
     * or 22; the `no` block reads the register again (a second br on it, which must see 0).
     */
    private static String program() {
        StringBuilder s = new StringBuilder("program ownbr\n");
        for (int k = 0; k < OPS.length; k++) {
            String t = OPS[k].substring(0, 3);
            s.append("func c").append(k).append("(a: ").append(t).append(", b: ").append(t)
                    .append(") -> (bool, i64) {\n    ").append(OPS[k]).append(" r3, r1, r2\n")
                    .append("""
                                br r3, yes, no
                            yes:
                                const.i64 r4, 11
                                ret r0, [r3, r4]
                            no:
                                br r3, wrong, right
                            wrong:
                                const.i64 r4, 33
                                ret r0, [r3, r4]
                            right:
                                const.i64 r4, 22
                                ret r0, [r3, r4]
                            }
                            """);
        }
        return s.toString();
    }

    @Test
    void everyCompareAndItsBrAgreeOnBothTiersAtTheEdges() {
        Tiers t = Tiers.of(Tiers.verified(JitCornerCasesTest.asm(program())), Host.NONE);
        assertEquals(OPS.length, Jit.precompile(t.compiled), "every function compiled");
        List<CompareBranchEdges.Run> edges = CompareBranchEdges.run(t, OPS, CompareBranchEdges.types(OPS));
        for (CompareBranchEdges.Run r : edges) {
            assertTrue(!r.outcome().results().get(1).equals(Value.i64(33)), r.what() + ": the register read 1 after 0");
        }
        int runs = edges.size();
        int holds = CompareBranchEdges.holds(edges);
        assertEquals(10 * 36 + 5 * 64, runs);
        assertTrue(holds > runs / 4 && holds < runs * 3 / 4, "both ways taken: " + holds + " of " + runs);
    }

    @Test
    void theRegisterHoldsItsBitInTheLoopAndAfter() {
        Tiers t = Tiers.of(Tiers.verified(JitCornerCasesTest.asm(loop(0L).source())), Host.NONE);
        Jit.precompile(t.compiled);
        // n = 5, x = 2: i runs 0..4; i64.lt r6, r2, r3 holds for i = 3, 4 (2 of 5)
        Tiers.Outcome o = t.check(0, List.of(Value.i64(5), Value.i64(2), new Value.F64(bits(1.5)),
                new Value.F64(bits(0.5))), Limits.DEFAULT, "fixed loop");
        assertEquals(Value.bool(false), o.results().get(2), "the latch's register after the loop");
    }

    /**
     * A loop whose head compares (an i64 or f64 compare drawn from the seed) and branches on it,
     * both blocks reading the register again, a bool accumulator reading the latch's compare
     * register at the head (live across the back edge and into the hand-over), and the results the
     * registers after the loop. Seed 0 is fixed: {@code i64.lt r6, r2, r5}.
     */
    static Tiers.Generated loop(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String head;
        if (seed == 0) {
            head = "i64.lt r6, r2, r5";
        } else if (rnd.nextInt(3) == 0) {
            head = RANDOM_F64[rnd.nextInt(RANDOM_F64.length)] + (rnd.nextBoolean() ? " r6, r3, r4" : " r6, r4, r3");
        } else {
            String[] regs = {"r1", "r2", "r5", "r11"};
            head = RANDOM_OPS[rnd.nextInt(RANDOM_OPS.length)] + " r6, " + regs[rnd.nextInt(4)] + ", "
                    + regs[rnd.nextInt(4)];
        }
        String latch = rnd.nextBoolean() ? "i64.lt r8, r5, r1" : "i64.gt r8, r1, r5";
        String source = "program ownloop\nfunc f(n: i64, x: i64, y: f64, z: f64) -> (i64, bool, bool, bool) {\n"
                + "    const.i64 r5, 0\n    const.i64 r11, 0\n    const.i64 r12, 1\n"
                + "    i64.eq r6, r5, r12\n    i64.eq r7, r5, r5\n    i64.lt r8, r5, r1\n"
                + "    br r8, head, done\n"
                + "head:\n    bool.xor r7, r7, r8\n    f64.add r4, r4, r3\n    " + head + "\n    br r6, a, b\n"
                + "a:\n    bool.xor r7, r7, r6\n    i64.add r11, r11, r5\n    jmp latch\n"
                + "b:\n    bool.or r7, r7, r6\n    br r6, bad, latch\n"
                + "bad:\n    const.i64 r11, 999\n    jmp latch\n"
                + "latch:\n    i64.add r5, r5, r12\n    " + latch + "\n    br r8, head, done\n"
                + "done:\n    ret r0, [r11, r6, r8, r7]\n}\n";
        long n = seed == 0 ? 5 : rnd.nextInt(9);
        long x = seed == 0 ? 2 : rnd.nextInt(7) - 2;
        double[] ds = {0.0, -0.0, 1.5, -2.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        return new Tiers.Generated(source, List.of(Value.i64(n), Value.i64(x),
                new Value.F64(bits(ds[rnd.nextInt(ds.length)])), new Value.F64(bits(ds[rnd.nextInt(ds.length)]))));
    }

    @Test
    void randomLoopsAgreeWithEveryFuel() throws Exception {
        for (long seed = 0; seed < 120; seed++) {
            Tiers.Generated g = loop(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            Jit.precompile(t.compiled);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome o = t.check(0, g.args(), Limits.DEFAULT, what);
            assertTrue(o.trap() == null && !o.results().get(0).equals(Value.i64(999)), what);
            t.everyFuelTrapsBelow(0, g.args(), o, what);
        }
    }

    @Test
    void randomLoopsPausedAtEverySliceRestoreOnTheOtherTier() throws Exception {
        int pauses = Tiers.pauseSweep(0, 120, JitCompareBranchTest::loop);
        assertTrue(pauses >= 200, "pauses " + pauses);
    }
}
