package dev.tape.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FirstRun}: a fork's sample line, and a first run timed in this JVM. */
class FirstRunTest {
    @Test
    void samplesRoundTripThroughTheirLine() {
        FirstRun.Sample s = new FirstRun.Sample(12_345_678L, 9_876_543L, 23_456_789L, 34_567_890L);
        assertEquals("first 12345678 9876543 23456789 34567890", s.line());
        assertEquals(s, FirstRun.Sample.parse(s.line()));
        assertNull(FirstRun.Sample.parse("# JMH-style noise"));
        assertNull(FirstRun.Sample.parse("firsts 1 2"));
        assertThrows(NumberFormatException.class, () -> FirstRun.Sample.parse("first 1"));
        assertThrows(NumberFormatException.class, () -> FirstRun.Sample.parse("first 1 2"));
        assertThrows(NumberFormatException.class, () -> FirstRun.Sample.parse("first 1 2 3 x"));
    }

    @Test
    void aFirstRunIsTimedOnBothTiers() throws Exception {
        for (boolean compiled : new boolean[] {true, false}) {
            // once() checks the result against the hand-written Java version and throws on a mismatch
            FirstRun.Sample s = FirstRun.once(Workload.SUM_LOOP, 1000, compiled, compiled);
            assertTrue(s.wallNanos() > 0, "wall " + s);
            assertTrue(s.cpuNanos() >= 0, "cpu " + s);
            assertTrue(s.totalWallNanos() >= s.wallNanos(), "set-up and run " + s);
            assertTrue(s.processCpuNanos() >= 0, "process cpu " + s);
        }
    }

    @Test
    void figuresAreFormattedAsMedianAndRange() {
        assertEquals("6.4 (6.2-12.1)", FirstRun.format(new Forks(3, 6.4, 6.2, 12.1)));
    }
}
