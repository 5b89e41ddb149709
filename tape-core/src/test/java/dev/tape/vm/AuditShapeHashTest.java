package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Audit of issue 14 (thirteenth round): the compiled tier keys its methods by function shape
 * (functions sharing a code blob share one method), in a hash map. The key's hash was
 * {@code Arrays.hashCode} of the lowered code, which a program can collide at will: a word constant
 * is two ints (low, high), and (low + 1, high - 31) hashes as (low, high). Every compile then
 * compared its code with that of every earlier colliding shape, up to 8,192 ints each; past the
 * class budget no fuel credit is asked before that lookup, so a 16 MiB program of such functions
 * cost quadratic work in its function count. Shapes are now ordered (a {@code Comparable} of
 * themselves), so the map keeps colliding keys in a tree: O(log n) comparisons a lookup.
 */
class AuditShapeHashTest {
    private static final int COUNT = 200;

    @Test
    void functionsWithCollidingCodeHashesHaveDistinctShapeKeys() throws Exception {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < COUNT; k++) {
            long low = 1_000 + k;
            long high = 100_000 - 31L * k;
            long v = high << 32 | low;
            s.append("func f").append(k).append("(x: i64) -> (i64) {\n    const.i64 r2, ").append(v)
                    .append("\n    i64.add r1, r1, r2\n    ret r0, [r1]\n}\n");
        }
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(s.toString(), "collide.tasm")), Host.NONE);
        Set<Integer> codeHashes = new HashSet<>();
        Set<String> codes = new HashSet<>();
        for (int f = 0; f < COUNT; f++) {
            codeHashes.add(Arrays.hashCode(vm.funcs[f].code()));
            codes.add(Arrays.toString(vm.funcs[f].code()));
        }
        // the premise: distinct code, one Arrays.hashCode
        assertEquals(COUNT, codes.size());
        assertEquals(1, codeHashes.size());
        assertShapesOrdered(vm, COUNT);
    }

    /**
     * Asserts what keeps lookups among shapes of one hash logarithmic: {@code JitTier.Shape} is a
     * {@code Comparable} of itself (what {@link java.util.HashMap} needs to make a bin of colliding
     * keys a tree) and orders the {@code count} functions' shapes strictly and consistently.
     */
    static void assertShapesOrdered(Vm vm, int count) throws Exception {
        Class<?> shape = Class.forName("dev.tape.vm.JitTier$Shape");
        boolean comparable = false;
        for (java.lang.reflect.Type t : shape.getGenericInterfaces()) {
            comparable |= t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == Comparable.class
                    && p.getActualTypeArguments()[0] == shape;
        }
        org.junit.jupiter.api.Assertions.assertTrue(comparable, "Shape implements Comparable<Shape>");
        for (int a = 0; a < count; a++) {
            assertEquals(0, JitTier.shapeOrder(vm, a, a));
            for (int b = a + 1; b < count; b++) {
                int ab = JitTier.shapeOrder(vm, a, b);
                org.junit.jupiter.api.Assertions.assertNotEquals(0, ab, "shapes of f" + a + " and f" + b);
                assertEquals(-ab, JitTier.shapeOrder(vm, b, a), "order of f" + a + " and f" + b);
            }
        }
    }
}
