package dev.tape.vm;

import dev.tape.value.Value;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds of {@link SnapshotIds} that only rare inputs reach: a value a table growth cannot place
 * within {@link SnapshotIds#MAX_PROBES} slots of its home (it goes to the tree, where a lookup finds
 * it), and the tables' largest sizes (past them, a {@link SnapshotException}, not an overflowed
 * array size).
 */
class SnapshotIdsBoundsTest {
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0F0E0D0C0B0A0908L;

    /**
     * Decimals whose kept hash bits have the given homes in a 512-slot table (so the same home in a
     * 256-slot one, the ninth bit clear), each with distinct hash bits, in the order asked.
     */
    private static long[] withHomes(int[] homes) throws ReflectiveOperationException {
        SnapshotIds probe = new SnapshotIds(K0, K1, -1L);
        long[] out = new long[homes.length];
        boolean[] found = new boolean[homes.length];
        Set<Integer> tags = new HashSet<>();
        int left = homes.length;
        for (long m = 0; left > 0; m++) {
            int t = SnapshotIdsModelTest.tag(probe, probe.add(Value.decimal(m, 0), new int[0], 0, 0));
            for (int i = 0; i < homes.length; i++) {
                if (!found[i] && (t & 511) == homes[i] && tags.add(t)) {
                    found[i] = true;
                    out[i] = m;
                    left--;
                    break;
                }
            }
        }
        return out;
    }

    /**
     * With the key known: 64 values at homes 1 to 64, 63 at homes 192 to 254 of the 256-slot table,
     * then E, of home 192, placed at slot 255 by the 64th probe, then W, of home 255, which wraps to
     * slot 0. W is the 129th value: the table doubles, walking the old slots in order, so W (slot 0)
     * takes slot 255 before E is placed, and E's 64 slots from its home are full: it goes to the tree.
     * A value equal to E gets E's id (without the tree put in the growth, it got a new id); equal
     * values of the others get theirs.
     */
    @Test
    void aValueTheGrowthCannotPlaceGoesToTheTree() throws ReflectiveOperationException {
        int[] homes = new int[129];
        for (int i = 0; i < 64; i++) {
            homes[i] = 1 + i;
        }
        for (int i = 0; i < 63; i++) {
            homes[64 + i] = 192 + i;
        }
        homes[127] = 192;
        homes[128] = 255;
        long[] m = withHomes(homes);
        SnapshotIds ids = new SnapshotIds(K0, K1, -1L);
        for (int i = 0; i < m.length; i++) {
            assertEquals(i, ids.add(Value.decimal(m[i], 0), new int[0], 0, 0), "value " + i);
        }
        Field tree = SnapshotIds.class.getDeclaredField("tree");
        tree.setAccessible(true);
        assertEquals(Map.of(127, 127), tree.get(ids), "E in the tree after the growth");
        for (int i = m.length - 1; i >= 0; i--) {
            assertEquals(i, ids.add(Value.decimal(m[i], 0), new int[0], 0, 0), "value " + i + " again");
        }
        assertEquals(m.length, ids.size());
    }

    /** The tables double up to 2^30 slots; the arrays of ids grow to the most a JVM allocates. */
    @Test
    void theLargestTablesRefuseWithASnapshotException() {
        assertEquals(1 << 30, SnapshotIds.doubled(1 << 29));
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotIds.doubled(1 << 30));
        assertEquals(-1, e.offset());
        assertTrue(e.getMessage().startsWith("snapshot error: the run holds more objects"), e.getMessage());
        assertEquals(16, SnapshotIds.capacity(8, 9));
        assertEquals(100, SnapshotIds.capacity(8, 100));
        // twice 2^30 is past an int: the most a JVM allocates, not a negative size
        assertEquals(SnapshotIds.MAX_ARRAY, SnapshotIds.capacity(1 << 30, (1L << 30) + 1));
        assertEquals(SnapshotIds.MAX_ARRAY, SnapshotIds.capacity(SnapshotIds.MAX_ARRAY - 1, SnapshotIds.MAX_ARRAY));
        assertThrows(SnapshotException.class, () -> SnapshotIds.capacity(SnapshotIds.MAX_ARRAY, SnapshotIds.MAX_ARRAY + 1L));
        // a sum of two ints past 2^31, as the children of one more value can make it
        assertThrows(SnapshotException.class, () -> SnapshotIds.capacity(1 << 30, (long) Integer.MAX_VALUE + 5));
    }
}
