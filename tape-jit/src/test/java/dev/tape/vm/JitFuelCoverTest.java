package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled block's fuel test that covers its successors ({@code FuelCover}): a block ending in a
 * {@code br} or {@code jmp} tests for its length plus the longest successor whose only
 * predecessor it is, and those successors charge with no test (a resumed frame enters them through
 * a stub with their own test). A test too small would let a covered block run on fuel the run
 * does not have; one that hands over where the interpreter would not must still end the same.
 *
 * <p>The programs are random recursions with nested diamonds, {@code jmp} chains, joins (two
 * predecessors: their own test), blocks of random lengths, a division that may trap inside a
 * covered block and, optionally, a loop. Both tiers must agree on every run (result or trap with
 * its call stack, fuel, heap) at every fuel limit (the fuel running out in every block, covered or
 * not), every depth and register limit, and in pauses at every slice of 1 to 12 with the snapshot
 * bytes compared and restored on both tiers (a resumed frame entering a covered block).
 */
class JitFuelCoverTest {
    /**
     * A random program: {@code f(n, x)} recurses twice per inner frame in fib's shape, with a
     * nested diamond and {@code jmp} chain before the calls.
     *
     * @param seed the seed
     * @return its text, and {@code f}'s arguments (n from 2 to 6)
     */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program cover\nfunc f(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r3, 2\n");
        pad(s, rnd, 2);
        s.append("    i64.lt r4, r1, r3\n")
                .append("    br r4, small, big\n")
                .append("small:\n");
        pad(s, rnd, 4);
        s.append("    ret r0, [r2]\n")
                .append("big:\n");
        pad(s, rnd, 3);
        s.append("    const.i64 r5, 1\n")
                .append("    i64.sub r6, r1, r5\n")
                .append("    const.i64 r11, 25\n")
                .append("    i64.lt r7, r2, r11\n")
                .append("    br r7, left, right\n")
                .append("left:\n");
        pad(s, rnd, 5);
        if (rnd.nextBoolean()) {
            // traps when x is a multiple of 5, in a covered block
            s.append("    const.i64 r9, 5\n")
                    .append("    i64.rem r9, r2, r9\n")
                    .append("    i64.div r9, r2, r9\n")
                    .append("    i64.add r2, r2, r9\n");
        }
        s.append("    jmp join\n")
                .append("right:\n");
        pad(s, rnd, 3);
        if (rnd.nextBoolean()) {
            s.append("    jmp tail\n")
                    .append("tail:\n");
            pad(s, rnd, 4);
        }
        if (rnd.nextBoolean()) {
            // a loop: its head has two predecessors, its exit one
            s.append("    const.i64 r9, 0\n")
                    .append("    jmp head\n")
                    .append("head:\n")
                    .append("    i64.add r9, r9, r5\n")
                    .append("    i64.add r2, r2, r9\n")
                    .append("    i64.lt r10, r9, r3\n")
                    .append("    br r10, head, out\n")
                    .append("out:\n");
            pad(s, rnd, 2);
        }
        s.append("    jmp join\n")
                .append("join:\n")
                .append("    call r0, f, r0, [r6, r2] -> [r8]\n")
                .append("    i64.sub r6, r1, r3\n")
                .append("    call r0, f, r0, [r6, r8] -> [r8]\n")
                .append("    i64.add r8, r8, r5\n")
                .append("    ret r0, [r8]\n}\n");
        long n = 2 + rnd.nextInt(5);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(n), Value.i64(1 + rnd.nextInt(40))));
    }

    /** Up to {@code max} instructions that change r2 (the running value). */
    private static void pad(StringBuilder s, SplittableRandom rnd, int max) {
        for (int k = rnd.nextInt(max + 1); k > 0; k--) {
            s.append(rnd.nextBoolean() ? "    i64.add r2, r2, r1\n" : "    i64.xor r2, r2, r3\n");
        }
    }

    /** Every fuel limit from 0 to one past what the run uses (and heap limits) on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 60, JitFuelCoverTest::program, (g, vp, t, full, what) ->
                assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
    }

    /** Every call-depth limit from 0 to 4, then every register limit from 1 to 80. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 130, JitFuelCoverTest::program);
    }

    /** Pauses at every slice of 1 to 12 fuel, the snapshots compared and restored on both tiers. */
    @Test
    void pausesInCoveredBlocks() throws Exception {
        int pauses = Tiers.pauseSweep(200, 260, JitFuelCoverTest::program);
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }

    /**
     * fib's method: its entry block tests for its 3 instructions and its longer successor's 3
     * (6), the blocks after its two calls for their 2 each, and its two branches test nothing when
     * entered from the entry, only at their resumed entries, after the blocks (1 and 3). Without
     * the cover the tests are 3, 1, 3, 2, 2 in block order.
     */
    @Test
    void fibsEntryCoversBothBranches() throws Exception {
        String src = Files.readString(Path.of("../examples/fib.tasm"));
        JitTier tier = (JitTier) Jit.compile(JitLeafInlineTest.verified(src), Host.NONE).tier;
        List<Long> tests = JitTestAccess.fuelTests(JitTestAccess.generate(tier.view, 0).bytes());
        assertEquals(List.of(6L, 2L, 2L, 1L, 3L), tests);
    }
}
