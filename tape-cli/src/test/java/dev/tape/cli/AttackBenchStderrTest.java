package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape bench --trace} whose stderr (where the traces go) fails to be written
 * (attack-c24): {@link RunCommand#ended}'s rule, a failed stdout or stderr ends the command with
 * exit 2 and nothing more, held for a run that trapped only. A bench whose runs returned went on
 * with every further warm-up and timed run, tracing each to the failed stream, and then printed its
 * summary on stdout. Now it stops after the run in which the write failed, on either tier, and
 * prints no summary. In-process command lines over a failing writer ({@link CheckedWriter}), as
 * {@link TapeCli#run} makes them.
 */
class AttackBenchStderrTest {
    @TempDir
    Path tmp;

    /** A disk that is full: every write fails. */
    private static final class Full extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    /** Fails before the fix: 2,000 runs' prints (20,000 lines) and the summary line. */
    @Test
    void benchStopsAfterTheRunWhoseTraceFailed() throws Exception {
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        for (String tier : new String[] {"jit", "interp"}) {
            for (String warmup : new String[] {"0", "1000"}) {
                ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
                int code = TapeCli.execute(new CheckedWriter(new CheckedStream(outBytes)),
                        new CheckedWriter(new CheckedStream(new Full())), "bench",
                        tmp.resolve("many.tasm").toString(), "--arg", "i64:10", "--trace", "host",
                        "--warmup", warmup, "--runs", "1000", "--tier", tier);
                String out = outBytes.toString(StandardCharsets.UTF_8);
                String what = tier + " --warmup " + warmup;
                assertEquals(ExitCodes.ERROR, code, what);
                assertFalse(out.contains("median"), what + ": no summary after the failure");
                // the first run's ten prints at most (the trace's first line failed in it)
                assertTrue(out.lines().count() <= 10, what + ": " + out.lines().count() + " lines");
            }
        }
    }

    /** What held: a bench whose stderr is not written to (untraced) runs every run and prints its summary. */
    @Test
    void benchUntracedWithAFailedStderrRunsOn() throws Exception {
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        int code = TapeCli.execute(new CheckedWriter(new CheckedStream(outBytes)),
                new CheckedWriter(new CheckedStream(new Full())), "bench", tmp.resolve("many.tasm").toString(),
                "--arg", "i64:10", "--warmup", "2", "--runs", "3");
        String out = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.OK, code);
        assertEquals(51, out.lines().count());
        assertTrue(out.lines().reduce((a, b) -> b).orElseThrow().startsWith("median: "), out);
    }
}
