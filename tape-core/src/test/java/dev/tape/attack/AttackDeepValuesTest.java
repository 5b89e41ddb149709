package dev.tape.attack;

import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@code DeepValues.equal}: its javadoc promises that shared aggregates are not walked
 * leaf by leaf ("neither walks the leaves ... two separately built copies of such a tuple compare
 * in 61 steps"), by remembering for each aggregate the ONE aggregate it was last proved equal to.
 * Two left nodes per level and two right nodes per level, each pairing needed, defeat a one-slot
 * memo: every pair at level k asks for four pairs at level k-1, and the memo always holds the other
 * partner, so equality costs about 4^k steps for 4k objects. A program builds such values with four
 * {@code tuple.new} per level; an embedder comparing two results ({@code Value.equals}) then hangs.
 *
 * <p>Measured (2-core build machine): k=10 0.12 s, k=11 0.23 s, k=12 0.79 s, k=13 3.7 s; k=15 is minutes, k=18
 * hours. A bounded equality (each distinct pair visited once, e.g. a set of proved pairs) does k=15
 * in microseconds, so the generous timeout below cannot be hit by a correct implementation.
 */
class AttackDeepValuesTest {
    static Value t(Value... x) {
        return Aggregate.of(Aggregate.Kind.TUPLE, 0, List.of(x));
    }

    /** @return {p, x}: two structurally equal values of 4k+4 distinct aggregates in all */
    static Value[] pair(int k) {
        Value p = t(Value.i64(1));
        Value q = t(Value.i64(1));
        Value x = t(Value.i64(1));
        Value y = t(Value.i64(1));
        for (int i = 0; i < k; i++) {
            Value np = t(p, q, p, q);
            Value nq = t(p, q, p, q);
            Value nx = t(x, y, y, x);
            Value ny = t(x, y, y, x);
            p = np;
            q = nq;
            x = nx;
            y = ny;
        }
        return new Value[] {p, x};
    }

    @Test
    void equalityOfSharedAggregatesIsNotExponential() {
        Value[] v = pair(15);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertTrue(v[0].equals(v[1])),
                "60 aggregates, 15 levels: equality walks ~4^15 pairs");
    }
}
