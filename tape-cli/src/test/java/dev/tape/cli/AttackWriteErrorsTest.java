package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@link CheckedStream} and {@link TapeCli#writeErrors} (twenty-second round): a broken
 * pipe whose message is in the system's language (the JVM takes it from {@code strerror}, which
 * follows {@code LC_ALL}/{@code LANG}: "Datenübergabe unterbrochen (broken pipe)" in German,
 * "Relais brisé (pipe)" in French) was taken for a full disk, one line and code 2 under
 * {@code | head -c1}; {@code tape dap} wrote its responses past the check, so a full disk lost them
 * with code 0. The child JVMs are bounded ({@link ChildJvm}).
 */
class AttackWriteErrorsTest {
    @TempDir
    Path tmp;

    /**
     * Runs {@code TapeCli.main(args)} in a child JVM ({@link ChildJvm}) with the environment
     * additions {@code env}, stdin from {@code stdin} (null: none), stdout to {@code stdout} (null: a
     * pipe closed at once).
     */
    private ChildJvm.Result child(Map<String, String> env, File stdin, File stdout, String... args) throws Exception {
        ChildJvm c = ChildJvm.in(tmp).env(env).stdin(stdin);
        return (stdout == null ? c.closedStdout() : c.stdout(stdout)).tape(args);
    }

    /** A program that prints {@code n} lines, far more than a pipe holds for n = 200000. */
    private void writeMany() throws IOException {
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
    }

    /**
     * The environment of a German locale compiled into the temporary folder with glibc's
     * {@code localedef} (LOCPATH), or the C locale's when the machine cannot compile it (no glibc
     * locale sources): then the run below checks the English message only.
     */
    private Map<String, String> german() throws Exception {
        Path loc = tmp.resolve("locales");
        Files.createDirectories(loc);
        try {
            Process p = new ProcessBuilder("localedef", "-i", "de_DE", "-f", "UTF-8",
                    loc.resolve("de_DE.UTF-8").toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("localedef.txt").toFile()).start();
            if (p.waitFor(ChildJvm.BOUND_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Map.of("LOCPATH", loc.toString(), "LC_ALL", "de_DE.UTF-8", "LANG", "de_DE.UTF-8");
            }
            p.destroyForcibly();
        } catch (IOException e) {
            // no localedef
        }
        return Map.of("LC_ALL", "C");
    }

    /**
     * Fails before the fix on a machine with glibc's locale sources: code 2 and
     * "tape: cannot write the standard output: Datenübergabe unterbrochen (broken pipe)".
     */
    @Test
    void aBrokenPipeInTheSystemsLanguageStaysQuiet() throws Exception {
        writeMany();
        ChildJvm.Result c = child(german(), null, null, "run", "many.tasm", "--arg", "i64:200000");
        assertEquals("", c.err());
        assertEquals(0, c.status());
        // and a trap's code stays 1 with stdout gone: the trap line goes to stderr, a file
        ChildJvm.Result t = child(german(), null, null, "run", "many.tasm", "--arg", "i64:200000", "--fuel", "100000");
        assertEquals(1, t.status(), t.err());
        assertTrue(t.err().startsWith("trap: fuel_exceeded"), t.err());
        assertFalse(t.err().contains("tape: cannot write"), t.err());
    }

    /** A pipe whose reader has gone, written to in this JVM: recognised whatever its language. */
    @Test
    void aRealBrokenPipeIsRecognised() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().close();
        IOException failure = null;
        try {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException e) {
            failure = e;
        } finally {
            pipe.sink().close();
        }
        assertNotNull(failure, "a write to a pipe without reader must fail");
        assertTrue(CheckedStream.brokenPipe(failure), String.valueOf(failure.getMessage()));
        assertFalse(CheckedStream.brokenPipe(new IOException("No space left on device")));
        assertFalse(CheckedStream.brokenPipe(new IOException("")));
        assertFalse(CheckedStream.brokenPipe(new IOException((String) null)));
    }

    /** The comparison with the system's own text: the messages a localized strerror gives. */
    @Test
    void theSystemsTextIsCompared() {
        String de = "Datenübergabe unterbrochen (broken pipe)";
        assertTrue(CheckedStream.brokenPipe(new IOException(de), de));
        assertTrue(CheckedStream.brokenPipe(new IOException("Relais brisé (pipe)"), "Relais brisé (pipe)"));
        assertFalse(CheckedStream.brokenPipe(new IOException("Auf dem Gerät ist kein Speicherplatz mehr verfügbar"), de));
        assertFalse(CheckedStream.brokenPipe(new IOException(""), ""));
        assertFalse(CheckedStream.brokenPipe(new IOException("No space left on device"), null));
        assertTrue(CheckedStream.brokenPipe(new IOException("Broken pipe"), null));
    }

    /** Fails before the fix: {@code tape dap}'s responses to a full disk were lost with code 0. */
    @Test
    void dapToAFullDiskIsAnError() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        String body = "{\"seq\":1,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{\"adapterID\":\"x\"}}";
        Path in = tmp.resolve("dap.in");
        Files.write(in, ("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        ChildJvm.Result c = child(Map.of(), in.toFile(), full, "dap");
        assertEquals(2, c.status(), c.err());
        assertEquals("tape: cannot write the standard output: No space left on device\n", c.err());
        // written where it can be, the response is there and the code is 0
        Path out = tmp.resolve("dap.out");
        ChildJvm.Result ok = child(Map.of(), in.toFile(), out.toFile(), "dap");
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("\"command\":\"initialize\",\"success\":true"), ok.out());
        assertEquals("", ok.err());
    }
}
