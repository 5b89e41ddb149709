package dev.tape.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape run --record} and {@code tape replay}: the same output, on both tiers, and clear refusals. */
class RecordReplayCommandTest {
    @ParameterizedTest
    @ValueSource(strings = {"jit", "interp"})
    void replayPrintsWhatTheRunPrinted(String tier, @TempDir Path dir) throws Exception {
        Path rec = dir.resolve("h.rec");
        Cli.Result live = Cli.run("run", "../examples/hello_host.tasm", "--tier", tier, "--record", rec.toString());
        assertEquals(0, live.code(), live.err());
        assertEquals("6 * 7 =\n42\n", live.out());
        for (String other : new String[] {"jit", "interp"}) {
            Cli.Result again = Cli.run("replay", rec.toString(), "../examples/hello_host.tasm", "--tier", other);
            assertEquals(live, again);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jit", "interp"})
    void aRecordedFailureIsReplayedAsTheSameTrap(String tier, @TempDir Path dir) throws Exception {
        Path rec = dir.resolve("h.rec");
        // the second print passes the output limit: host_call_failed at its host_call
        Cli.Result live = Cli.run("run", "../examples/hello_host.tasm", "--tier", tier, "--max-output-bytes", "9",
                "--record", rec.toString());
        assertEquals(1, live.code());
        assertTrue(live.err().startsWith("trap: host_call_failed"), live.err());
        Cli.Result again = Cli.run("replay", rec.toString(), "../examples/hello_host.tasm", "--tier", tier);
        assertEquals(live, again);
    }

    @Test
    void aMissingRecordingIsReportedAsAMissingProgramIs(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("nope.rec");
        Cli.Result r = Cli.run("replay", rec.toString(), "../examples/hello_host.tasm");
        assertEquals(2, r.code());
        assertEquals("tape replay: " + rec + ": no such file\n", r.err());
        r = Cli.run("debug", "--replay", dir.toString(), "../examples/hello_host.tasm");
        assertEquals(2, r.code());
        assertEquals("tape debug: " + dir + ": is a directory, not a file\n", r.err());
    }

    @Test
    void aDamagedRecordingIsRefusedWithOneLine(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("h.rec");
        assertEquals(0, Cli.run("run", "../examples/hello_host.tasm", "--record", rec.toString()).code());
        byte[] file = Files.readAllBytes(rec);
        Path bad = dir.resolve("bad.rec");
        for (int len : new int[] {0, 5, 40, file.length / 2, file.length - 1}) {
            Files.write(bad, Arrays.copyOf(file, len));
            Cli.Result r = Cli.run("replay", bad.toString(), "../examples/hello_host.tasm");
            assertEquals(2, r.code());
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("tape replay: " + bad + ": damaged recording at byte "), r.err());
            assertEquals(1, r.err().split("\n").length, r.err());
        }
        // one changed byte in the printed string (the digest no longer matches)
        String text = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("6 * 7");
        byte[] edited = file.clone();
        edited[at] = '7';
        Files.write(bad, edited);
        Cli.Result r = Cli.run("replay", bad.toString(), "../examples/hello_host.tasm");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(": the digest does not match the bytes before it (the file was changed)\n"),
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void aRecordingOfAnotherProgramIsRefused(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("h.rec");
        assertEquals(0, Cli.run("run", "../examples/hello_host.tasm", "--record", rec.toString()).code());
        Cli.Result r = Cli.run("replay", rec.toString(), "../examples/sum_loop.tasm");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("tape replay: " + rec + ": the recording is of another program (recorded "
                + "program "), r.err());
        assertEquals(1, r.err().split("\n").length);
        assertEquals("", r.out());
    }

    @Test
    void otherArgumentsAreRefused(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("f.rec");
        Cli.Result live = Cli.run("run", "../examples/fib.tasm", "--arg", "10", "--record", rec.toString());
        assertEquals("i64:55\n", live.out());
        assertEquals(live, Cli.run("replay", rec.toString(), "../examples/fib.tasm"));
        Cli.Result r = Cli.run("replay", rec.toString(), "../examples/fib.tasm", "--arg", "11");
        assertEquals(2, r.code());
        assertEquals("tape replay: the recording ran function 0 with (i64:10); the options ask for function 0 "
                + "with (i64:11) (leave out --entry and --arg to use the recorded ones)\n", r.err());
    }

    @Test
    void aMissingRecordingIsOneLine(@TempDir Path dir) {
        Cli.Result r = Cli.run("replay", dir.resolve("none.rec").toString(), "../examples/fib.tasm");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("tape replay: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals(1, r.err().split("\n").length, r.err());
    }

    @Test
    void aRecordedArgumentTooLongToFormatIsRefusedNotAnInternalError(@TempDir Path dir) throws Exception {
        Path prog = dir.resolve("s.tasm");
        Files.writeString(prog, "program s\nfunc main(s: str) -> () {\n    ret r0, []\n}\n");
        Path rec = dir.resolve("s.rec");
        assertEquals(0, Cli.run("run", prog.toString(), "--arg", "hi", "--record", rec.toString()).code());
        byte[] header = Arrays.copyOf(Files.readAllBytes(rec), 40);
        // the run record's argument: 3,000,000 raw U+0085 (a C1 control) in the literal, which
        // formats as 18,000,000 chars (each escaped as 6), past the 16 Mi a literal may have
        byte[] literal = ("str:\"" + "\u0085".repeat(3_000_000) + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(header);
        b.write(new byte[] {2, 0, 1, 1});
        for (long n = literal.length; ; n >>>= 7) {
            if (n < 0x80) {
                b.write((int) n);
                break;
            }
            b.write((int) (n & 0x7f) | 0x80);
        }
        b.write(literal);
        byte[] body = b.toByteArray();
        b.write(new byte[] {0x7f, 0});
        b.write(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        Path bad = dir.resolve("long.rec");
        Files.write(bad, b.toByteArray());
        for (String[] args : new String[][] {{"replay", bad.toString(), prog.toString()},
                {"debug", "--replay", bad.toString(), prog.toString()}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(2, r.code(), r.err());
            assertEquals("tape " + args[0] + ": " + bad + ": damaged recording at byte 40: a value of the record is longer "
                    + "than 16777216 chars as a literal\n", r.err());
        }
    }
}
