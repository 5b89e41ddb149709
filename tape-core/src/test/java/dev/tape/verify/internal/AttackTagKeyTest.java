package dev.tape.verify.internal;

import dev.tape.asm.Assembler;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack of load27 (twenty-seventh round): {@code CodeImage} keeps equal tag lists once, found
 * in a hash map. A program chooses its tag lists (the kinds of a {@code tuple.new}'s registers)
 * and so their hashes: the two 12-kind blocks {@link #A} and {@link #B} have one
 * {@code sum b[i] 31^i mod 2^32}, so every list of {@code k} blocks, each {@code A} or
 * {@code B}, has one {@code ByteBuffer} hash (2^k lists), and reversed, one {@code String} hash.
 * The map was keyed by {@code ByteBuffer.wrap}, whose class ({@code HeapByteBuffer}) is no
 * {@code Comparable} of itself, so {@link java.util.HashMap} could not order a bin of such keys
 * and compared each new list with every earlier one: 16,384 lists (an 11 MB program) took 6 to
 * 15 s to verify against 0.3 to 0.4 s before the change. The key is now one HashMap orders
 * ({@link #assertOrderedKey}), and colliding lists are still shared exactly when equal.
 */
class AttackTagKeyTest {
    /** Two blocks of kind tags (0 unit to 7 str) of one {@code ByteBuffer} hash contribution. */
    private static final byte[] A = {7, 0, 1, 5, 1, 4, 5, 3, 7, 7, 5, 7};
    private static final byte[] B = {6, 5, 6, 2, 2, 6, 4, 2, 4, 1, 0, 6};
    private static final int BLOCKS = 5;
    private static final String[] TYPES = {"unit", "bool", "i64", "u64", "f64", "dec", "bytes", "str"};

    /** Every list of {@link #BLOCKS} blocks, each A or B, reversed when {@code reversed}. */
    private static List<byte[]> family(boolean reversed) {
        List<byte[]> out = new ArrayList<>();
        for (int bits = 0; bits < 1 << BLOCKS; bits++) {
            byte[] l = new byte[BLOCKS * A.length];
            for (int p = 0; p < BLOCKS; p++) {
                System.arraycopy((bits >> p & 1) == 0 ? A : B, 0, l, p * A.length, A.length);
            }
            if (reversed) {
                for (int i = 0, j = l.length - 1; i < j; i++, j--) {
                    byte t = l[i];
                    l[i] = l[j];
                    l[j] = t;
                }
            }
            out.add(l);
        }
        return out;
    }

    /** Asserts that HashMap orders a bin of colliding keys: String, or a Comparable of itself. */
    private static void assertOrderedKey(Class<?> c) {
        boolean ordered = c == String.class;
        for (java.lang.reflect.Type t : c.getGenericInterfaces()) {
            ordered |= t instanceof java.lang.reflect.ParameterizedType p && p.getRawType() == Comparable.class
                    && p.getActualTypeArguments()[0] == c;
        }
        assertTrue(ordered, c + " is a key HashMap orders");
    }

    @Test
    void collidingTagListsHaveOrderedDistinctKeys() {
        List<byte[]> byBuffer = family(false);
        List<byte[]> byString = family(true);
        Set<Integer> bufferHashes = new HashSet<>();
        for (byte[] l : byBuffer) {
            bufferHashes.add(ByteBuffer.wrap(l).hashCode());
        }
        Set<Integer> stringHashes = new HashSet<>();
        for (byte[] l : byString) {
            stringHashes.add(new String(l, java.nio.charset.StandardCharsets.ISO_8859_1).hashCode());
        }
        // the premise: 32 distinct lists of one hash in each family
        assertEquals(1, bufferHashes.size());
        assertEquals(1, stringHashes.size());
        List<byte[]> all = new ArrayList<>(byBuffer);
        all.addAll(byString);
        for (int a = 0; a < all.size(); a++) {
            Object ka = CodeImage.tagKey(all.get(a));
            assertOrderedKey(ka.getClass());
            assertEquals(ka, CodeImage.tagKey(all.get(a).clone()));
            for (int b = a + 1; b < all.size(); b++) {
                assertNotEquals(ka, CodeImage.tagKey(all.get(b)), "lists " + a + " and " + b);
            }
        }
    }

    /**
     * A program of a {@code tuple.new} for each colliding list, then each again in another order
     * (never beside itself, so the map finds it), and lists that differ from them in their first
     * or last kind: the image keeps each list once, in its instruction's slots, and distinct lists
     * apart.
     */
    @Test
    void collidingTagListsAreSharedExactlyWhenEqual() throws Exception {
        List<byte[]> lists = family(false);
        lists.addAll(family(true));
        // and each with its first or its last kind changed: lists that differ in one element
        for (int i = 0, m = lists.size(); i < m; i++) {
            for (int at : new int[] {0, lists.get(i).length - 1}) {
                byte[] l = lists.get(i).clone();
                l[at] = (byte) ((l[at] + 1) % TYPES.length);
                lists.add(l);
            }
        }
        int n = lists.size();
        StringBuilder s = new StringBuilder("func main(");
        for (int t = 0; t < TYPES.length; t++) {
            s.append(t == 0 ? "" : ", ").append("a").append(t).append(": ").append(TYPES[t]);
        }
        s.append(") -> () {\n");
        List<byte[]> order = new ArrayList<>(lists);
        for (int i = 0; i < n; i++) {
            order.add(lists.get((i * 7 + 3) % n));
        }
        for (byte[] l : order) {
            s.append("    tuple.new r9, [");
            for (int i = 0; i < l.length; i++) {
                s.append(i == 0 ? "r" : ", r").append(l[i] + 1);
            }
            s.append("]\n");
        }
        s.append("    ret r0, []\n}\n");
        VerifiedProgram vp = Verifier.verify(Assembler.assemble(s.toString(), "collide.tasm"));
        byte[][] tags = Lowered.image(vp).tags();
        assertEquals(order.size(), tags.length);
        for (int i = 0; i < tags.length; i++) {
            assertArrayEquals(order.get(i), tags[i], "slot " + i);
        }
        for (int i = 0; i < tags.length; i++) {
            for (int j = i + 1; j < tags.length; j++) {
                if (java.util.Arrays.equals(order.get(i), order.get(j))) {
                    assertSame(tags[i], tags[j], "slots " + i + " and " + j);
                } else {
                    assertNotSame(tags[i], tags[j], "slots " + i + " and " + j);
                }
            }
        }
    }
}
