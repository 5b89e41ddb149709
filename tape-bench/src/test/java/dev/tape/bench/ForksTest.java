package dev.tape.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Forks}: the median of the forks' medians and their range. */
class ForksTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, Forks.median(new double[] {5, 1, 3}));
        assertEquals(2.5, Forks.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, Forks.median(new double[] {7}));
        double[] xs = {3, 1, 2};
        Forks.median(xs);
        assertEquals(3.0, xs[0], "the input is not sorted in place");
        assertThrows(IllegalArgumentException.class, () -> Forks.median(new double[0]));
    }

    @Test
    void forksAreSummarisedByTheirMedians() {
        // fork medians 6.2 (fast), 12.1 (slow), 6.4 (fast): a mean of all iterations would say 8.2
        Forks f = Forks.of(List.of(new double[] {6.0, 6.2, 9.0}, new double[] {12.1, 12.0, 13.0},
            new double[] {6.4, 6.3, 6.5}));
        assertEquals(new Forks(3, 6.4, 6.2, 12.1), f);
        Forks two = Forks.of(List.of(new double[] {10, 11, 12}, new double[] {20}));
        assertEquals(new Forks(2, 15.5, 11, 20), two);
        assertThrows(IllegalArgumentException.class, () -> Forks.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Forks.of(List.of(new double[0])));
    }
}
