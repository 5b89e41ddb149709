package dev.tape.value;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deep equality on aggregates shared in ways a one-partner memo cannot cover (found by an attack on
 * {@link DeepValues}): two left and two right nodes per level, each needed against both partners.
 * Remembering one proved partner per aggregate made every pair at level k ask for four pairs at
 * level k-1 again (about 4^k steps for 4k objects: 3.7 s at k = 13, hours at k = 18); remembering
 * every proved pair looks inside each distinct pair once. The test counts the pairs looked inside,
 * never time.
 */
class DeepValuesSharingTest {
    static Value t(Value... x) {
        return Aggregate.of(Aggregate.Kind.TUPLE, 0, List.of(x));
    }

    /** @return {p, x}: two equal values of 4k+4 distinct aggregates, and a third differing at the bottom */
    static Value[] values(int k) {
        Value p = t(Value.i64(1));
        Value q = t(Value.i64(1));
        Value x = t(Value.i64(1));
        Value y = t(Value.i64(1));
        Value z = t(Value.i64(2));
        Value w = t(Value.i64(1));
        for (int i = 0; i < k; i++) {
            Value np = t(p, q, p, q);
            Value nq = t(p, q, p, q);
            Value nx = t(x, y, y, x);
            Value ny = t(x, y, y, x);
            Value nz = t(z, w, w, z);
            Value nw = t(z, w, w, z);
            p = np;
            q = nq;
            x = nx;
            y = ny;
            z = nz;
            w = nw;
        }
        return new Value[] {p, x, z};
    }

    @Test
    void equalityLooksInsideEachDistinctPairOnce() {
        for (int k : new int[] {1, 5, 15, 60}) {
            Value[] v = values(k);
            long[] work = new long[1];
            assertTrue(DeepValues.equal((Aggregate) v[0], (Aggregate) v[1], work), "k " + k);
            // 2 left x 2 right aggregates per level pair up at most 4 ways, plus the leaves
            assertTrue(work[0] <= 4L * (k + 1), "k " + k + ": " + work[0] + " pairs looked inside");
            long[] miss = new long[1];
            assertFalse(DeepValues.equal((Aggregate) v[0], (Aggregate) v[2], miss), "k " + k);
            assertTrue(miss[0] <= 4L * (k + 1), "k " + k + ": " + miss[0] + " pairs looked inside");
        }
        Value[] v = values(60);
        assertTrue(v[0].equals(v[1]));
        assertEquals(v[0].hashCode(), v[1].hashCode());
    }
}
