package dev.tape.cli;

import dev.tape.vm.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run whose stdout or stderr fails to be written (a full disk) stops there, interrupted
 * ({@link RunCommand}'s watch over {@link CheckedStream#onFailure}), and exits 2 with
 * {@link TapeCli#writeErrors}' line; before, it ran on to its end (here the default limit of
 * 1,000,000 host calls: 1,000,000 printed lines) for output that was lost, then reported its trap.
 * The program prints a line every 5 fuel units, for far longer than its limits allow; the
 * checks are on what it did before it stopped (trace lines, lines printed, the trap line, the
 * snapshot), never on time. Child JVMs ({@link ChildJvm}).
 */
class WriteErrorsStopTest {
    /** The one line of a full stdout. */
    static final String FULL = "tape: cannot write the standard output: No space left on device\n";

    /**
     * The most host calls an interrupted run may make: the failure comes once the writer's buffer
     * (8 KiB of output, about 1,800 short lines) reaches the stream, and an interpreted run stops
     * right after that host call; a compiled one within {@link Run#COMPILED_CHUNK} fuel. Before
     * the fix the run made 1,000,000.
     */
    static final int MOST_CALLS = Run.COMPILED_CHUNK / 5 + 10_000;

    @TempDir
    Path tmp;

    private File full() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        return full;
    }

    private static long count(String text, String what) {
        return text.lines().filter(l -> l.startsWith(what)).count();
    }

    /** Fails before the fix: 1,000,000 traced host calls, then the host-call limit's trap report. */
    @Test
    void aFullStdoutStopsATracedRun() throws Exception {
        ChildJvm.Result c = ChildJvm.in(tmp).stdout(full()).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--trace=host");
        String tail = c.err().substring(Math.max(0, c.err().length() - 300));
        assertEquals(2, c.status(), tail);
        assertTrue(c.err().endsWith(FULL), tail);
        long calls = count(c.err(), "trace host enter ");
        assertTrue(calls > 0 && calls < MOST_CALLS, calls + " host calls");
        assertEquals(0, count(c.err(), "trap: "));
        // every line but the last is the trace's: no trap report, no second error line
        assertEquals(count(c.err(), "") - 1, count(c.err(), "trace "));
    }

    /** Fails before the fix: the trap's report came before the line. Compiled, untraced. */
    @Test
    void aFullStdoutStopsACompiledRun() throws Exception {
        File full = full();
        for (String tier : new String[] {"jit", "interp"}) {
            ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                    "--tier", tier);
            assertEquals(2, c.status(), tier + ": " + c.err());
            assertEquals(FULL, c.err(), tier);
        }
    }

    /** Sliced and paused runs stop alike: no timeout or pause line, no snapshot written. */
    @Test
    void slicedAndPausingRunsStopToo() throws Exception {
        File full = full();
        ChildJvm.Result sliced = ChildJvm.in(tmp).stdout(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--slice", "1000");
        assertEquals(2, sliced.status(), sliced.err());
        assertEquals(FULL, sliced.err());
        ChildJvm.Result timed = ChildJvm.in(tmp).stdout(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--timeout", "10m");
        assertEquals(2, timed.status(), timed.err());
        assertEquals(FULL, timed.err());
        Path snap = tmp.resolve("late.snap");
        ChildJvm.Result paused = ChildJvm.in(tmp).stdout(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--pause-at", "9000000", "-o", snap.toString());
        assertEquals(2, paused.status(), paused.err());
        assertEquals(FULL, paused.err());
        assertFalse(Files.exists(snap), "the run stopped before its pause");
    }

    /**
     * A resumed run stops too: paused early (to a file), resumed into a full stdout. Fails before the
     * fix: the resumed run ran to its trap.
     */
    @Test
    void aResumedRunStops() throws Exception {
        File full = full();
        Path snap = tmp.resolve("early.snap");
        ChildJvm.Result paused = ChildJvm.in(tmp).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--pause-at", "100", "-o", snap.toString());
        assertEquals(4, paused.status(), paused.err());
        ChildJvm.Result resumed = ChildJvm.in(tmp).stdout(full).tape("resume", snap.toString(), "many.tasm");
        assertEquals(2, resumed.status(), resumed.err());
        assertEquals(FULL, resumed.err());
    }

    /**
     * A full stderr stops a traced run: its first trace line fails (each is flushed), and the run
     * stops right after the host call it was in. Fails before the fix: 1,000,000 lines
     * printed on stdout.
     */
    @Test
    void aFullStderrStopsATracedRun() throws Exception {
        File full = full();
        ChildJvm.Result c = ChildJvm.in(tmp).stderr(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--trace=host");
        assertEquals(2, c.status());
        long lines = count(c.out(), "");
        assertTrue(lines < MOST_CALLS, lines + " lines printed");
        assertFalse(c.out().contains("i64:"), "no result");
    }
}
