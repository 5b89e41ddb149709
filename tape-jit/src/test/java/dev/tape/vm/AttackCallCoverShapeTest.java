package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code CallCover} must not cover, read from the generated class ({@link
 * JitCallCoverTest.Shape}): a method with a counted loop (its exclusion), and a block with a plain
 * fuel test whose next block allocates against the heap room local (the next block's heap test
 * is then the only proof of its room, so the inlined path must not skip it). Where it still
 * covers a heap block (rules) is {@code JitCallCoverTest.rulesTestsItsFuelOncePerIteration}'s.
 */
class AttackCallCoverShapeTest {
    private static JitCallCoverTest.Shape shape(String src) throws Exception {
        JitTier tier = (JitTier) Jit.compile(JitLeafInlineTest.verified(src), Host.NONE).tier;
        return JitCallCoverTest.Shape.of(JitTestAccess.generate(tier.view, 0).bytes());
    }

    /** A loop over {@code i} with a step, its body a call of a leaf then the latch: run in chunks. */
    @Test
    void aCountedLoopsMethodCoversNoCall() throws Exception {
        String src = "program counted\nfunc main(start: i64, end: i64, step: i64) -> (i64, i64, bool) {\n"
                + "    const.i64 r4, 7\n    i64.lt r5, r1, r2\n    br r5, top, done\ntop:\n"
                + "    call r0, add_one, r0, [r4] -> [r4]\n    i64.xor r6, r4, r1\n    i64.add r4, r4, r6\n"
                + "    i64.add r1, r1, r3\n    i64.lt r5, r1, r2\n    br r5, top, done\ndone:\n    ret r0, [r4, r1, r5]\n}\n"
                + "func add_one(x: i64) -> (i64) {\n    const.i64 r2, 1\n    i64.add r3, r1, r2\n    ret r0, [r3]\n}\n";
        JitCallCoverTest.Shape shape = shape(src);
        assertEquals(0, shape.jumpsPastTests(), "inlined paths past a test " + shape);
        // the leaf's guard still tests its fuel (add_one's 3) in the outer copy
        assertTrue(shape.plain.contains(3L), "guard tests " + shape);
    }

    /**
     * {@link AttackCallCoverHeapTest}'s seed 4 (a plain block calls the leaf, the next block
     * builds tuples), whose compiled run returned past the heap limit: no inlined path past a
     * test, and the leaf's guard tests its fuel.
     */
    @Test
    void aPlainBlockDoesNotCoverANextBlockThatAllocates() throws Exception {
        JitCallCoverTest.Shape shape = shape(AttackCallCoverHeapTest.program(4).source());
        assertEquals(0, shape.jumpsPastTests(), "inlined paths past a test " + shape);
    }
}
