package dev.tape.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape bench}, {@code replay}, {@code debug}, {@code dap} and {@code profile} after a failed
 * write of stdout (twenty-fourth round, cli24): bench, replay and debug stop as {@code tape run}
 * does (the std host's next print traps, the debugger reads no further command) and end with exit
 * 2 and the one line; dap ends its session at its next read; profile runs on to its end, writes its
 * files, and ends with exit 2 and the one line alone. Before, each ran to its end and printed its
 * trap report (or summary) before the line. Child JVMs ({@link ChildJvm}) with {@code /dev/full},
 * and in-process command lines over a failing writer ({@link CheckedWriter}).
 */
class WriteStopCommandsTest {
    @TempDir
    Path tmp;

    private final InputStream stdin = System.in;

    @AfterEach
    void restoreStdin() {
        System.setIn(stdin);
    }

    private File full() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        return full;
    }

    /** @return a recording of many.tasm's 20,000 prints, ended by the host-call limit */
    private Path recorded() throws Exception {
        Path rec = tmp.resolve("many.rec");
        ChildJvm.Result run = ChildJvm.in(tmp).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--max-host-calls", "20000", "--record", rec.toString());
        assertEquals(1, run.status(), run.err());
        return rec;
    }

    /** Fails before: 1,000,000 host calls, then the host-call limit's trap report before the line. */
    @Test
    void benchStops() throws Exception {
        File full = full();
        for (String tier : new String[] {"jit", "interp"}) {
            ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape("bench", "many.tasm", "--arg", "i64:100000000",
                    "--warmup", "0", "--runs", "1", "--tier", tier);
            assertEquals(2, c.status(), tier + ": " + c.err());
            assertEquals(WriteErrorsStopTest.FULL, c.err(), tier);
        }
    }

    /** Fails before: the recorded trap's report before the line. */
    @Test
    void replayStops() throws Exception {
        File full = full();
        Path rec = recorded();
        ChildJvm.Result whole = ChildJvm.in(tmp).tape("replay", rec.toString(), "many.tasm", "--max-host-calls",
                "20000");
        assertEquals(1, whole.status(), whole.err());
        assertEquals(20000, whole.out().lines().count());
        for (String tier : new String[] {"jit", "interp"}) {
            ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape("replay", rec.toString(), "many.tasm",
                    "--max-host-calls", "20000", "--tier", tier);
            assertEquals(2, c.status(), tier + ": " + c.err());
            assertEquals(WriteErrorsStopTest.FULL, c.err(), tier);
        }
    }

    /**
     * Fails before mend25: a traced replay whose stderr (where the trace goes) fails replays on to
     * its end, 20,000 lines on stdout, which did not fail; now it stops as {@code tape run} does,
     * interrupted right after the first host call's trace line failed.
     */
    @Test
    void tracedReplayStopsAtAFailedStderr() throws Exception {
        File full = full();
        Path rec = recorded();
        for (String tier : new String[] {"jit", "interp"}) {
            ChildJvm.Result c = ChildJvm.in(tmp).stderr(full).tape("replay", rec.toString(), "many.tasm",
                    "--max-host-calls", "20000", "--trace=host", "--tier", tier);
            assertEquals(2, c.status(), tier);
            long lines = c.out().lines().count();
            assertTrue(lines < 100, tier + ": " + lines + " lines replayed");
        }
    }

    /**
     * Fails before: the profile's trap report and summary line before the line. The profile is
     * written whole: a run that goes on to its end.
     */
    @Test
    void profileRunsOnAndEndsWithTheLineAlone() throws Exception {
        File full = full();
        Path svg = tmp.resolve("p.collapsed");
        ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape("profile", "many.tasm", "--arg", "i64:100000000",
                "--max-host-calls", "20000", "--collapsed", svg.toString());
        assertEquals(2, c.status(), c.err());
        assertEquals(WriteErrorsStopTest.FULL, c.err());
        // 20,000 turns of the loop (4 fuel units each) and the trapping call: the whole run's fuel,
        // where a run stopped at the failure (the writer's 8 KiB, about 1,900 lines) used under 8,000
        String stacks = Files.readString(svg);
        assertEquals("main 80006\nmain;[host] std.print_i64 20000\n", stacks);
    }

    /** A disk that is full: every write fails. */
    private static final class Full extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            throw new IOException("No space left on device");
        }
    }

    /**
     * Fails without {@link UntilWriteFails} in {@code tape debug}: it reads and answers every
     * command, 1 MB of them, for output that is lost.
     */
    @Test
    void debugReadsNoFurtherCommand() throws Exception {
        full();
        byte[] commands = ("run\n" + "fuel\n".repeat(200_000)).getBytes(StandardCharsets.UTF_8);
        ByteArrayInputStream in = new ByteArrayInputStream(commands);
        System.setIn(in);
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        int code = TapeCli.execute(new CheckedWriter(new CheckedStream(new Full())),
                new CheckedWriter(new CheckedStream(errBytes)), "debug", tmp.resolve("many.tasm").toString(), "--arg",
                "i64:100000000");
        assertEquals(0, code, "TapeCli.run turns it into 2 and the line");
        assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
        // the reader read ahead a buffer or two at most
        assertTrue(in.available() > commands.length - 64 * 1024, in.available() + " bytes left");
    }

    /** What {@code tape dap} reads: its requests end once stdout failed. */
    @Test
    void inputEndsOnceStdoutFailed() throws Exception {
        CheckedWriter out = new CheckedWriter(new CheckedStream(new Full()));
        InputStream bytes = UntilWriteFails.bytes(new ByteArrayInputStream(new byte[] {1, 2, 3, 4}), out);
        BufferedReader lines = UntilWriteFails.lines(new BufferedReader(new StringReader("a\nbc\nd\n")), out);
        assertEquals(1, bytes.read());
        assertEquals("a", lines.readLine());
        assertEquals('b', lines.read());
        char[] c = new char[1];
        assertEquals(1, lines.read(c, 0, 1));
        assertEquals('c', c[0]);
        out.println("x");
        assertEquals(-1, bytes.read());
        assertEquals(-1, bytes.read(new byte[4], 0, 4));
        assertNull(lines.readLine());
        // every read path of the lines (mend25: before, read() and read(char[]) read on)
        assertEquals(-1, lines.read());
        assertEquals(-1, lines.read(new char[4], 0, 4));
        assertEquals(-1, lines.read(new char[4]));
        assertEquals(0, lines.lines().count());
        PrintWriter plain = new PrintWriter(new Full());
        plain.println("x");
        assertEquals(1, UntilWriteFails.bytes(new ByteArrayInputStream(new byte[] {1}), plain).read(),
                "a writer TapeCli.run did not make is not watched");
    }
}
