package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A block ending in an inlined leaf's call whose fuel test is the plain one (it allocates nothing)
 * and a block after the call that allocates ({@code CallCover}): the call's block may not cover
 * the next block's test, which is also the heap room's ({@code HeapLocal}), or the compiled tier
 * builds past the heap limit where the interpreter traps {@code heap_limit_exceeded} (review26's
 * finding: an ok result at a 500-byte limit, and about 177 MB held at a 10,000-byte one). The loop's
 * step comes from the leaf's result, so it is no counted loop, and the tuple is read at the next
 * block's start, so that block clears nothing: the shape that {@code CallCover} would cover.
 */
class AttackCallCoverHeapTest {
    /** The program at {@code seed}: n from 20 to 90 iterations, a chained or a fresh tuple. */
    static Tiers.Generated program(long seed) {
        boolean chain = seed % 2 == 0;
        String s = "program callcoverheap\n"
                + "func f(n: i64, x: i64) -> (i64) {\n"
                + "    const.i64 r3, 0\n    const.i64 r4, 1\n    const.i64 r5, 0\n    const.i64 r13, 1\n"
                + "    tuple.new r9, [r4, r4]\n"
                + "    i64.lt r7, r3, r1\n    br r7, body, done\n"
                + "body:\n"
                + "    i64.add r2, r2, r4\n"
                + "    call r0, g, r0, [r3, r2] -> [r10]\n"
                + "    tuple.get r11, r9, 0\n"
                + (chain ? "    tuple.new r9, [r10, r11]\n" : "    tuple.new r9, [r10, r2]\n")
                + "    i64.and r12, r10, r13\n    i64.or r12, r12, r13\n"
                + "    i64.add r3, r3, r12\n    i64.add r5, r5, r11\n"
                + "    i64.lt r7, r3, r1\n    br r7, body, done\n"
                + "done:\n    ret r0, [r5]\n}\n"
                + "func g(a: i64, b: i64) -> (i64) {\n    i64.add r2, r2, r1\n    ret r0, [r2]\n}\n";
        return new Tiers.Generated(s, List.of(Value.i64(20 + seed * 10), Value.i64(seed)));
    }

    /** Every fuel limit, and every heap limit from 400 bytes under the run's use to one past it. */
    @Test
    void theBlockAfterTheCallKeepsItsHeapTest() throws Exception {
        int heapTraps = Tiers.fuelAndHeapSweep(0, 8, AttackCallCoverHeapTest::program, (g, vp, t, full, what) -> {
            JitTier tier = (JitTier) t.compiled.tier;
            JitCallCoverTest.Shape shape = JitCallCoverTest.Shape.of(JitTestAccess.generate(tier.view, 0).bytes());
            // the inlined leaf's path does not jump past the allocating block's test
            assertEquals(0, shape.jumpsPastTests(), what + "\n" + shape);
        });
        assertTrue(heapTraps >= 8 * 100, "heap traps " + heapTraps);
    }
}
