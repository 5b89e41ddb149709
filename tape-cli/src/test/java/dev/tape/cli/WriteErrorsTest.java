package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process-level errors of {@link TapeCli#main}: output that cannot be written (a full disk, a
 * closed descriptor) is one line on stderr and exit code 2, where {@code PrintWriter} over
 * {@code System.out} lost it with code 0; a pipe whose reader has gone stays quiet with the
 * command's code; a security manager is one line and code 2, not an {@code AccessControlException}'s
 * stack trace. The child JVMs are bounded: one still running after
 * {@link ChildJvm#BOUND_SECONDS} fails the test.
 */
class WriteErrorsTest {
    @TempDir
    Path tmp;

    /** A stream that fails every write with {@code message}, counting the calls. */
    static final class Failing extends OutputStream {
        final String message;
        int calls;

        Failing(String message) {
            this.message = message;
        }

        @Override
        public void write(int b) throws IOException {
            calls++;
            throw new IOException(message);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            calls++;
            throw new IOException(message);
        }
    }

    @Test
    void theFirstFailureIsKeptAndLaterWritesAreDropped() {
        Failing target = new Failing("No space left on device");
        CheckedStream s = new CheckedStream(target);
        assertNull(s.failure());
        s.write('a');
        IOException first = s.failure();
        assertEquals("No space left on device", first.getMessage());
        s.write(new byte[10], 0, 10);
        s.flush();
        assertSame(first, s.failure());
        assertEquals(1, target.calls);
    }

    @Test
    void writesThatSucceedPassThrough() {
        ByteArrayOutputStream target = new ByteArrayOutputStream();
        CheckedStream s = new CheckedStream(target);
        s.write('a');
        s.write("bcd".getBytes(StandardCharsets.UTF_8), 1, 2);
        s.flush();
        assertNull(s.failure());
        assertEquals("acd", target.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBrokenPipeIsQuietAndKeepsTheCode() {
        CheckedStream out = new CheckedStream(new Failing("Broken pipe"));
        CheckedStream err = new CheckedStream(new ByteArrayOutputStream());
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true).println("i64:1");
        StringWriter text = new StringWriter();
        assertEquals(1, TapeCli.writeErrors(1, out, err, new PrintWriter(text)));
        assertEquals(0, TapeCli.writeErrors(0, out, err, new PrintWriter(text)));
        assertEquals("", text.toString());
        assertTrue(CheckedStream.brokenPipe(new IOException("Broken pipe")));
        assertFalse(CheckedStream.brokenPipe(new IOException((String) null)));
        assertFalse(CheckedStream.brokenPipe(new IOException("No space left on device")));
    }

    @Test
    void aFullDiskIsOneLineAndCode2() {
        CheckedStream out = new CheckedStream(new Failing("No space left on device"));
        CheckedStream err = new CheckedStream(new ByteArrayOutputStream());
        out.write('x');
        StringWriter text = new StringWriter();
        assertEquals(2, TapeCli.writeErrors(0, out, err, new PrintWriter(text)));
        assertEquals("tape: cannot write the standard output: No space left on device" + System.lineSeparator(),
                text.toString());
        // a reason with a line break stays one line
        CheckedStream odd = new CheckedStream(new Failing("a\nb"));
        odd.write('x');
        StringWriter t2 = new StringWriter();
        assertEquals(2, TapeCli.writeErrors(1, odd, err, new PrintWriter(t2)));
        assertEquals("tape: cannot write the standard output: a\\nb" + System.lineSeparator(), t2.toString());
        // stderr failing: code 2, nothing more to say
        CheckedStream ok = new CheckedStream(new ByteArrayOutputStream());
        CheckedStream badErr = new CheckedStream(new Failing("No space left on device"));
        badErr.write('x');
        assertEquals(2, TapeCli.writeErrors(0, ok, badErr, new PrintWriter(new StringWriter())));
        assertEquals(0, TapeCli.writeErrors(0, ok, err, new PrintWriter(new StringWriter())));
    }

    /**
     * Runs {@code TapeCli.main(args)} in a child JVM ({@link ChildJvm}) with stdout to
     * {@code stdout} (null: a pipe closed at once, before the child writes), bounded.
     */
    private ChildJvm.Result child(List<String> jvmOptions, File stdout, String... args) throws Exception {
        ChildJvm c = ChildJvm.in(tmp).options(jvmOptions);
        return (stdout == null ? c.closedStdout() : c.stdout(stdout)).tape(args);
    }

    /** Fails before the fix: exit code 0 and nothing on stderr. */
    @Test
    void resultsToAFullDiskAreAnError() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("one.tasm"), ChildJvm.ONE);
        ChildJvm.Result run = child(List.of(), full, "run", "one.tasm");
        assertEquals(2, run.status(), run.err());
        assertEquals("tape: cannot write the standard output: No space left on device\n", run.err());
        ChildJvm.Result help = child(List.of(), full, "verify", "one.tasm");
        assertEquals(2, help.status(), help.err());
        assertEquals("tape: cannot write the standard output: No space left on device\n", help.err());
        // a trap's run writes nothing on stdout: its code stays 1
        ChildJvm.Result trap = child(List.of(), full, "run", "one.tasm", "--fuel", "1");
        assertEquals(1, trap.status(), trap.err());
        assertTrue(trap.err().startsWith("trap: fuel_exceeded"), trap.err());
        assertFalse(trap.err().contains("cannot write"), trap.err());
    }

    /** A reader that has gone: quiet, the command's own code, as before. */
    @Test
    void aClosedPipeStaysQuiet() throws Exception {
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        ChildJvm.Result c = child(List.of(), null, "run", "many.tasm", "--arg", "i64:20000", "--fuel", "10000000");
        assertEquals(0, c.status(), c.err());
        assertEquals("", c.err());
    }

    /**
     * Fails before the fix (an {@code AccessControlException}'s stack trace, code 1). JDK 24 and
     * later refuse the option themselves, before {@code main}, printing their "Error occurred
     * during initialization of VM" on stdout (JDK 25): only tape's own output is checked there
     * (attack-c22: the check of an empty stdout failed on JDK 25).
     */
    @Test
    void aSecurityManagerIsOneLine() throws Exception {
        ChildJvm.Result c = child(List.of("-Djava.security.manager"), tmp.resolve("out.txt").toFile(), "--version");
        if (Runtime.version().feature() < 24) {
            assertEquals(2, c.status(), c.err());
            assertTrue(c.err().endsWith(TapeCli.SECURITY_MANAGER + "\n"), c.err());
            assertFalse(c.err().contains("\tat "), c.err());
            assertEquals("", c.out());
        } else {
            assertNotEquals(0, c.status(), c.err());
            assertFalse(c.err().contains("dev.tape"), c.err());
            assertFalse(c.out().contains("dev.tape"), c.out());
            assertFalse(c.out().contains("tape 0."), c.out());
        }
    }
}
