package dev.tape.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FirstRun}: a fork's sample line and command line, and a first run timed in this JVM. */
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
    void forksGetTheSuiteFlagsThenTheGivenOnes() {
        List<String> cmd = FirstRun.command("fib", "jit", false, List.of("-Ddev.tape.jit.warmup=false", "-Xint"));
        assertEquals(List.of("-XX:+AlwaysPreTouch", "-Xms1g", "-Xmx1g", "-Ddev.tape.jit.warmup=false", "-Xint", "-cp"),
                cmd.subList(1, 7));
        assertEquals(List.of(FirstRun.class.getName(), "-child", "fib", "jit", "cold"), cmd.subList(8, 13));
        assertEquals(13, cmd.size());
        assertEquals(List.of("-XX:+AlwaysPreTouch", "-Xms1g", "-Xmx1g", "-cp"),
                FirstRun.command("rules", "interp", true, List.of()).subList(1, 5));
        assertEquals("warm", FirstRun.command("rules", "interp", true, List.of()).get(10));
    }

    @Test
    void compiledFunctionsTellTheTiersApart() throws Exception {
        // what once() checks on the compiled tier: a compiled run compiles its entry, an
        // interpreted one nothing
        TapeRun compiled = new TapeRun(Workload.SUM_LOOP, 10, null, true);
        assertEquals(0, compiled.compiledFunctions(), "nothing is compiled before the first run");
        compiled.run();
        assertTrue(compiled.compiledFunctions() > 0, "a compiled run compiles its entry");
        TapeRun interpreted = new TapeRun(Workload.SUM_LOOP, 10, null, false);
        interpreted.run();
        assertEquals(0, interpreted.compiledFunctions());
    }

    @Test
    void figuresAreFormattedAsMedianAndRange() {
        assertEquals("6.4 (6.2-12.1)", FirstRun.format(new Forks(3, 6.4, 6.2, 12.1)));
    }
}
