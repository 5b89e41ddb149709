package dev.tape.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link GeneralMode#enter} runs every workload on both tiers, checking each result. */
class GeneralModeTest {
    @Test
    void runsEveryWorkloadOnBothTiers() throws Exception {
        // 0 ms: one run of the measured workload before and one after; 2 runs x 12 workloads x 2 tiers
        assertEquals(1 + 2 * 12 * 2 + 1, GeneralMode.enter(Workload.SUM_LOOP, 0, 2));
        assertEquals(12, Workload.values().length);
    }

    @Test
    void runsTheMeasuredWorkloadForTheGivenTime() throws Exception {
        long start = System.nanoTime();
        long runs = GeneralMode.enter(Workload.TUPLE_LOOP, 50, 1);
        long ms = (System.nanoTime() - start) / 1_000_000;
        // each of the two phases of tuple_loop lasts at least 50 ms, however long one run takes
        assertEquals(true, ms >= 100, ms + " ms");
        assertEquals(true, runs >= 2 + 24, runs + " runs");
    }
}
