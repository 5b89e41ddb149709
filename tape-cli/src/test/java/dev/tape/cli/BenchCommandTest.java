package dev.tape.cli;

import org.junit.jupiter.api.Test;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape bench}. */
class BenchCommandTest {
    @Test
    void printsTheMedianLine() {
        Cli.Result r = run("bench", vector("fib_20.tape"), "--arg", "i64:15", "--warmup", "2", "--runs", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("median: \\d+\\.\\d{3} ms over 3 runs \\(min \\d+\\.\\d{3}, max \\d+\\.\\d{3}\\)\n"),
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void aTrapStopsTheBenchmark() {
        Cli.Result r = run("bench", vector("trap_reports_span.tape"), "--arg", "i64:1", "--runs", "2");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals("trap: div_by_zero at 0 pc 3 span 42", r.errLines().get(0));
    }

    @Test
    void badCounts() {
        assertEquals("tape bench: --warmup must be 0 or more and --runs 1 or more",
                run("bench", vector("fib_20.tape"), "--arg", "i64:1", "--runs", "0").oneErrorLine(2));
    }

    @Test
    void summaryIsTheMedianMinAndMaxInMilliseconds() {
        assertEquals("median: 2.000 ms over 3 runs (min 1.000, max 3.500)",
                BenchCommand.summary(new long[] {3_500_000, 1_000_000, 2_000_000}));
        assertEquals("median: 2.500 ms over 4 runs (min 1.000, max 9.000)",
                BenchCommand.summary(new long[] {9_000_000, 1_000_000, 2_000_000, 3_000_000}));
        assertEquals("median: 0.001 ms over 1 run (min 0.001, max 0.001)", BenchCommand.summary(new long[] {1_000}));
    }
}
