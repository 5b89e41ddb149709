package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on host25's back-edge branch ({@code InlineOps.branchCompare}: the conditional jump on the
 * negated comparison when only the br's zero block is backward) and the merge fix's polarity index
 * in inlined leaves (the twenty-fifth round, attack-l25, issue 14). A random latch
 * {@code add; CMP c, a, b; br c, T, O} over every integer and f64 compare (plain, and fused with
 * the add or a constant), its operands at their type's edges (NaNs, -0.0, infinities, MIN, MAX),
 * its two targets drawn from the loop head, the body, the latch itself (a self-loop), a forward
 * block that reads {@code c} again and the exit (both backward, both forward, one of each, the
 * same block twice), in the method's own code (entry 1) and inlined twice in a caller (entry 0, the
 * callee at a non-zero entry): both tiers agree in results, trap, pc and fuel at sampled fuel
 * limits, and paused at every slice and restored on the other tier. Where exactly one target is
 * backward, the generated method closes the loop with a conditional jump (no backward goto).
 */
class AttackBackEdgePolarityTest {
    private static final String[] CMPS = {"lt", "gt", "le", "ge", "eq"};
    private static final String[] TYPES = {"i64", "u64", "f64"};
    private static final String[] TARGETS = {"head", "body", "latch", "fwd", "done"};
    private static final long[] I64 = {0, 1, -1, 2, 7, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1};

    /** A generated program with its latch's targets (for the shape check). */
    record Case(Tiers.Generated g, String taken, String other) {
    }

    static Value value(String type, long v) {
        return CompareBranchEdges.value(type, v);
    }

    /** Seed s: type, compare, operands, targets and step all drawn from it. */
    static Case generate(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String type = TYPES[rnd.nextInt(3)];
        String cmp = type + "." + CMPS[rnd.nextInt(CMPS.length)];
        String taken = TARGETS[rnd.nextInt(TARGETS.length)];
        String other = TARGETS[rnd.nextInt(TARGETS.length)];
        long[] edges = type.equals("f64") ? CompareBranchEdges.F64 : I64;
        long step = edges[rnd.nextInt(edges.length)];
        String stepConst = type.equals("f64") ? "    const.u64 r11, " + Long.toUnsignedString(step) + "\n    f64.from_bits r7, r11\n"
                : "    const." + type + " r7, " + (type.equals("u64") ? Long.toUnsignedString(step) : step) + "\n";
        boolean array = rnd.nextBoolean(); // an array argument: LoopInliner runs g inside f
        String[] ops = type.equals("i64") ? new String[] {"r2", "r3", "r5", "r1"} : new String[] {"r2", "r3"};
        String a = ops[rnd.nextInt(ops.length)];
        String b = ops[rnd.nextInt(ops.length)];
        String latchCmp;
        int shape = type.equals("i64") ? rnd.nextInt(3) : 0;
        if (shape == 1) { // const then lt (CONST_LT_BR when fused)
            latchCmp = "    const.i64 r14, " + edges[rnd.nextInt(edges.length)] + "\n    i64.lt r8, " + a + ", r14\n";
        } else if (shape == 2) { // add then lt on its result (I64_ADD_LT_BR)
            latchCmp = "    i64.add r2, r2, r7\n    i64.lt r8, r2, " + b + "\n";
        } else {
            latchCmp = "    " + cmp + " r8, " + a + ", " + b + "\n";
        }
        String step2 = array && type.equals("f64") ? "" : "    " + type + ".add r2, r2, r7\n";
        String g = "func g(n: i64, x: " + type + ", y: " + type + (array ? ", xs: agg array A" : "") + ") -> (i64, bool, "
                + type + ") {\n"
                + "    const.i64 r5, 0\n    const.i64 r6, 1\n    const.i64 r9, 0\n" + stepConst
                + (array ? "    array.len r12, r4\n" : "")
                + "    i64.eq r8, r5, r6\n    jmp head\n"
                + "head:\n    i64.lt r10, r5, r1\n    br r10, body, done\n"
                + "body:\n    i64.add r9, r9, r5\n" + step2 + "    jmp latch\n"
                + "latch:\n    i64.add r5, r5, r6\n" + latchCmp + "    br r8, " + taken + ", " + other + "\n"
                + "fwd:\n    i64.add r9, r9, r6\n    br r8, head, done\n"
                + "done:\n    ret r0, [r9, r8, r2]\n}\n";
        String xs = array ? ", r20" : "";
        String f = "func f(n: i64, x: " + type + ", y: " + type + ") -> (i64, bool, " + type + ") {\n"
                + (array ? "    array.new r20, A, [r1, r1]\n" : "")
                + "    call r0, g, r0, [r1, r2, r3" + xs + "] -> [r4, r5, r6]\n"
                + "    call r0, g, r0, [r1, r3, r2" + xs + "] -> [r7, r8, r9]\n"
                + "    i64.add r4, r4, r7\n    ret r0, [r4, r8, r6]\n}\n";
        String src = "program polar\narray A = i64\n" + f + g;
        List<Value> args = List.of(Value.i64(rnd.nextInt(6)), value(type, edges[rnd.nextInt(edges.length)]),
                value(type, edges[rnd.nextInt(edges.length)]));
        return new Case(new Tiers.Generated(src, args), taken, other);
    }

    private static boolean backward(String target) {
        return target.equals("head") || target.equals("body") || target.equals("latch");
    }

    @Test
    void randomLatchesAgreeOnBothTiersAtSampledFuel() throws Exception {
        int oneBackward = 0;
        int checks = 0;
        for (long seed = 0; seed < 400; seed++) {
            Case c = generate(seed);
            String what = "seed " + seed + "\n" + c.g().source();
            VerifiedProgram p = JitLeafInlineTest.verified(c.g().source());
            Tiers t = Tiers.of(p, Host.NONE);
            assertEquals(2, Jit.precompile(t.compiled), what);
            SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
            for (int entry = 0; entry < 2; entry++) {
                Tiers.Outcome o = t.check(entry, c.g().args(), Limits.DEFAULT.withFuel(600), what);
                long used = 600 - o.fuelRemaining();
                List<Long> fuels = new ArrayList<>(List.of(0L, 1L, used, used + 1, Math.max(0, used - 1)));
                for (int k = 0; k < 8; k++) {
                    fuels.add((long) rnd.nextInt((int) used + 2));
                }
                for (long fuel : fuels) {
                    t.check(entry, c.g().args(), Limits.DEFAULT.withFuel(fuel), what + " entry " + entry + " fuel " + fuel);
                    checks++;
                }
            }
            if (backward(c.taken()) != backward(c.other())) {
                oneBackward++;
            }
        }
        assertTrue(oneBackward > 100, "latches with exactly one backward target: " + oneBackward);
        assertTrue(checks > 4000, "checks " + checks);
    }

    @Test
    void randomLatchesPausedAtEverySliceRestoreOnTheOtherTier() throws Exception {
        int pauses = 0;
        for (long seed = 0; seed < 120; seed++) {
            Case c = generate(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(c.g().source()), Host.NONE);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            for (int entry = 0; entry < 2; entry++) {
                Tiers.Outcome o = t.check(entry, c.g().args(), Limits.DEFAULT.withFuel(600), "seed " + seed);
                if (o.trapped()) {
                    continue; // a loop that does not end: the fuel runs out, checked above
                }
                pauses += t.lockstep(entry, c.g().args(), slice, 2,
                        "seed " + seed + " entry " + entry + " slice " + slice + "\n" + c.g().source(), (x, y, z) -> { });
            }
        }
        assertTrue(pauses >= 100, "pauses " + pauses);
    }

    /** A latch with exactly one backward target to the loop head: the loop closes on a conditional jump. */
    @Test
    void oneBackwardTargetClosesOnAConditionalJump() throws Exception {
        int checked = 0;
        int inlined = 0;
        for (long seed = 0; seed < 400; seed++) {
            Case c = generate(seed);
            boolean headTaken = c.taken().equals("head") && !backward(c.other());
            boolean headOther = c.other().equals("head") && !backward(c.taken());
            if (!headTaken && !headOther) {
                continue;
            }
            VerifiedProgram p = JitLeafInlineTest.verified(c.g().source());
            JitLoopBackEdgeTest.backEdgesAreConditional(p, Host.NONE, 1, 1, "seed " + seed + "\n" + c.g().source());
            checked++;
            if (JitKeptStructTest.calls(p, 0, "leafMakeRoom") > 0) { // g inlined into f (one call or both)
                JitLoopBackEdgeTest.backEdgesAreConditional(p, Host.NONE, 0, 1, "f, seed " + seed + "\n" + c.g().source());
                inlined++;
            }
        }
        assertTrue(checked > 20, "checked " + checked);
        assertTrue(inlined > 10, "inlined " + inlined);
    }
}
