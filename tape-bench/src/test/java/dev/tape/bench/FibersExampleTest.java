package dev.tape.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FibersExample}: 10,000 runs on two threads each end as they do alone, on both tiers. */
class FibersExampleTest {
    @Test
    void tenThousandFibersEndAsAlone() throws Exception {
        for (boolean jit : new boolean[] {false, true}) {
            FibersExample.Summary s = FibersExample.run(10_000, 2, 1_000, jit);
            assertEquals(10_000, s.correct(), "jit " + jit);
            // fib(13) to fib(17) need 6,000 to 46,000 fuel: those runs pause many times
            assertTrue(s.resumes() > 4 * s.fibers(), "resumes " + s.resumes());
        }
    }
}
