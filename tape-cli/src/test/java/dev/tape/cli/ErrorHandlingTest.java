package dev.tape.cli;

import dev.tape.program.ProgramDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every user error is one line on stderr and exit 2; nothing prints a stack trace. */
class ErrorHandlingTest {
    @TempDir
    Path tmp;

    @Test
    void missingFile() {
        String line = run("run", tmp.resolve("nope.tape").toString()).oneErrorOf("run", 2);
        assertEquals(tmp.resolve("nope.tape") + ": no such file", line);
        assertEquals(line, run("verify", tmp.resolve("nope.tape").toString()).oneErrorOf("verify", 2));
        assertEquals(line, run("disasm", tmp.resolve("nope.tape").toString()).oneErrorOf("disasm", 2));
        assertEquals(line, run("bench", tmp.resolve("nope.tape").toString()).oneErrorOf("bench", 2));
    }

    @Test
    void directoryInsteadOfFile() {
        assertEquals("tape run: " + tmp + ": is a directory, not a file", run("run", tmp.toString()).oneErrorLine(2));
    }

    @Test
    void filesLongerThanTheirKindsLimitAreRefusedAfterOneByteMore() throws IOException {
        // a program one byte over the decoder's limit, read through every command that reads programs
        Path big = tmp.resolve("big.tape");
        Files.write(big, new byte[ProgramDecoder.DEFAULT_MAX_PROGRAM_BYTES + 1]);
        String line = run("run", big.toString()).oneErrorOf("run", 2);
        assertEquals(big + ": more than 16777216 bytes, the most a program may have", line);
        assertEquals(line, run("verify", big.toString()).oneErrorOf("verify", 2));
        assertEquals(line, run("disasm", big.toString()).oneErrorOf("disasm", 2));
        assertEquals(line, run("inspect", big.toString()).oneErrorOf("inspect", 2));
        // exactly at the limit the bytes reach the decoder, whose error is about their content
        Path edge = tmp.resolve("edge.tape");
        Files.write(edge, new byte[ProgramDecoder.DEFAULT_MAX_PROGRAM_BYTES]);
        assertTrue(run("run", edge.toString()).oneErrorOf("run", 2).startsWith(edge + ": decode error in "));
    }

    @Test
    void aPseudoFileThatNeverEndsIsRefusedAtTheLimit() {
        // read to the JVM's array limit (about 2 GB) before the limit was applied while reading
        assertEquals("/dev/zero: more than 16777216 bytes, the most a program may have",
                run("run", "/dev/zero").oneErrorOf("run", 2));
    }

    @Test
    void randomBytes() throws IOException {
        Random rnd = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[rnd.nextInt(200)];
            rnd.nextBytes(junk);
            Path f = tmp.resolve("junk" + i + ".tape");
            Files.write(f, junk);
            String line = run("run", f.toString()).oneErrorOf("run", 2);
            assertTrue(line.startsWith(f + ": decode error in "), line);
            assertEquals(line, run("verify", f.toString()).oneErrorOf("verify", 2));
        }
    }

    @Test
    void corruptedVectorsNeverEscapeAsExceptions() throws IOException {
        // flip bytes in real programs: decode, verify or run may fail, but always in a controlled way
        Random rnd = new Random(7);
        String[] names = {"fib_20.tape", "aggregates.tape", "closure_call_indirect.tape", "host_reads_tuple.tape",
            "call_multi_ret.tape", "trap_reports_span.tape"};
        for (int i = 0; i < 300; i++) {
            byte[] bytes = Files.readAllBytes(Path.of(vector(names[i % names.length])));
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
            }
            Path f = tmp.resolve("c" + i + ".tape");
            Files.write(f, bytes);
            Cli.Result r = run("run", f.toString(), "--fuel", "100000", "--host", "test");
            r.assertNoStackTrace();
            assertTrue(r.code() >= 0 && r.code() <= 2, r.err());
            if (r.code() == 2) {
                assertEquals(1, r.errLines().size(), r.err());
                assertTrue(!r.err().contains("internal error"), r.err());
            }
            if (r.code() == 1) {
                assertTrue(r.err().startsWith("trap: "), r.err());
            }
        }
    }

    @Test
    void verifyFailure() {
        String file = vector("reject_uninit_read.tape");
        String line = run("run", file).oneErrorLine(2);
        assertTrue(line.startsWith("tape run: " + file + ": verify error in function 0"), line);
        assertTrue(line.endsWith("[UninitializedRead]"), line);
    }

    @Test
    void badLiteral() {
        String line = run("run", vector("fib_20.tape"), "--arg", "i64:twenty").oneErrorLine(2);
        assertTrue(line.startsWith("tape run: --arg 'i64:twenty' is not a value literal: "), line);
    }

    @Test
    void argumentsThatDoNotFitTheEntry() {
        assertEquals("tape run: function 0 takes 1 argument (i64), 0 given with --arg",
                run("run", vector("fib_20.tape")).oneErrorLine(2));
        assertEquals("tape run: argument 1 of function 0 must be i64, got u64:20",
                run("run", vector("fib_20.tape"), "--arg", "u64:20").oneErrorLine(2));
    }

    @Test
    void unknownEntry() {
        assertEquals("tape run: --entry 5: no such function (the program has 1 function)",
                run("run", vector("fib_20.tape"), "--entry", "5", "--arg", "i64:1").oneErrorLine(2));
        assertEquals("tape run: --entry main: no function has that name",
                run("run", vector("fib_20.tape"), "--entry", "main", "--arg", "i64:1").oneErrorLine(2));
    }

    @Test
    void badOptions() {
        assertEquals("tape run: Unknown option: '--bogus' (see 'tape run --help')",
                run("run", vector("fib_20.tape"), "--bogus").oneErrorLine(2));
        assertEquals("tape run: --fuel must be a whole number from 0 to 18446744073709551615, got 'lots'",
                run("run", vector("fib_20.tape"), "--fuel", "lots").oneErrorLine(2));
        assertTrue(run("run", vector("fib_20.tape"), "--host", "posix").oneErrorLine(2)
                .startsWith("tape run: Invalid value for option '--host'"));
        assertTrue(run("run", vector("fib_20.tape"), "--trace", "everything").oneErrorLine(2)
                .startsWith("tape run: Invalid value for option '--trace'"));
        assertEquals("tape run: Missing required parameter: 'FILE' (see 'tape run --help')",
                run("run").oneErrorLine(2));
        assertEquals("tape run: --max-call-depth must be a whole number from 0 to 18446744073709551615, got '-1'",
                run("run", vector("fib_20.tape"), "--arg", "i64:1", "--max-call-depth", "-1").oneErrorLine(2));
        assertEquals("tape run: --fuel is larger than 18446744073709551615 (2^64-1), the largest value it can hold, got"
                        + " '18446744073709551616'",
                run("run", vector("fib_20.tape"), "--fuel", "18446744073709551616").oneErrorLine(2));
        assertEquals("tape run: --max-host-calls must be a whole number from 0 to 18446744073709551615, got '-1'",
                run("run", vector("fib_20.tape"), "--max-host-calls", "-1").oneErrorLine(2));
        assertEquals("tape run: --max-registers must be from 1 to 2147483647 (2^31-1)",
                run("run", vector("fib_20.tape"), "--max-registers", "2147483648").oneErrorLine(2));
        assertEquals("tape run: --max-heap-bytes must be at most 9223372036854775807 (2^63-1)",
                run("run", vector("fib_20.tape"), "--max-heap-bytes", "9223372036854775808").oneErrorLine(2));
        assertEquals("tape asm: Missing required option: '--output=OUT.tape' (see 'tape asm --help')",
                run("asm", "x.tasm").oneErrorLine(2));
        assertTrue(run("frobnicate").oneErrorLine(2).startsWith("tape: Unmatched argument at index 0: 'frobnicate'"));
        assertEquals("tape: missing a command (run, resume, debug, dap, profile, replay, verify, inspect, disasm, asm, conformance, bench, completion); see 'tape --help'",
                run().oneErrorLine(2));
    }

    @Test
    void helpAndVersionGoToStdout() {
        Cli.Result help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("run") && help.out().contains("conformance"), help.out());
        Cli.Result runHelp = run("run", "--help");
        assertEquals(0, runHelp.code());
        assertTrue(runHelp.out().contains("--max-call-depth=N"), runHelp.out());
        Cli.Result version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("tape "), version.out());
    }

    /** A command that fails in a way no command expects. */
    @CommandLine.Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("kaboom\nsecond line");
        }
    }

    @Test
    void unexpectedExceptionsAreOneLineAndExit2() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = TapeCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        cl.addSubcommand("boom", new Boom());
        int code = cl.execute("boom");
        assertEquals(2, code);
        assertEquals("tape boom: internal error: IllegalStateException: kaboom\\nsecond line\n", err.toString());
    }
}
