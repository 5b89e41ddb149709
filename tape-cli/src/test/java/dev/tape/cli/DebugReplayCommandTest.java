package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tape debug --replay FILE.rec PROGRAM}: a recorded run debugged without its host. */
class DebugReplayCommandTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = String.join("\n", "break 15", "run", "print r4", "next", "reverse-step",
            "reverse-step", "next", "next", "continue", "");

    private Cli.Result debug(Path rec, Path program, String... more) throws IOException {
        Path script = dir.resolve("script");
        Files.writeString(script, SCRIPT);
        String[] argv = new String[6 + more.length];
        argv[0] = "debug";
        argv[1] = "--replay";
        argv[2] = rec.toString();
        argv[3] = program.toString();
        System.arraycopy(more, 0, argv, 4, more.length);
        argv[4 + more.length] = "-x";
        argv[5 + more.length] = script.toString();
        return Cli.run(argv);
    }

    @Test
    void aRecordedRunIsDebuggedBothWaysAndPrintsOnce() throws IOException {
        Path program = DebugCommandTest.example("hello_host.tasm");
        Path rec = dir.resolve("h.rec");
        assertEquals(0, Cli.run("run", program.toString(), "--record", rec.toString()).code());
        Cli.Result r = debug(rec, program);
        assertEquals("", r.err());
        assertEquals(String.join("\n",
                "(tape) break 15",
                "Breakpoint 1 at main pc 20 (FILE:15)",
                "(tape) run",
                "6 * 7 =",
                "Breakpoint 1, main pc 20 (FILE:15)",
                "15  host_call r0, print_i64, r0, [r4] -> []",
                "(tape) print r4",
                "r4 = i64:42",
                "(tape) next",
                "42",
                "main pc 27 (FILE:16)",
                "16  ret r0, []",
                "(tape) reverse-step",
                "main pc 20 (FILE:15)",
                "15  host_call r0, print_i64, r0, [r4] -> []",
                "(tape) reverse-step",
                "main pc 16 (FILE:14)",
                "14  i64.mul r4, r2, r3",
                "(tape) next",
                "Breakpoint 1, main pc 20 (FILE:15)",
                "15  host_call r0, print_i64, r0, [r4] -> []",
                "(tape) next",
                "main pc 27 (FILE:16)",
                "16  ret r0, []",
                "(tape) continue",
                "Program returned no values",
                "").replace("FILE", program.toString()), r.out());
        assertEquals(0, r.code());
    }

    @Test
    void aRecordedFailureIsTheTrapEvenWhereTheHostWouldNowSucceed() throws IOException {
        Path program = DebugCommandTest.example("hello_host.tasm");
        Path rec = dir.resolve("h.rec");
        // the second print passed the output limit when recorded; the debugger runs with the default limit
        assertEquals(1, Cli.run("run", program.toString(), "--max-output-bytes", "9", "--record", rec.toString())
                .code());
        Cli.Result r = debug(rec, program);
        assertEquals("", r.err());
        String trap = "Program trapped: host_call_failed at main pc 20 (FILE:15) host std.print_i64: OutputLimitExceeded:"
                + " std.print_i64 would write 3 bytes, past the output limit of 9 bytes (--max-output-bytes) with 8"
                + " written\n  at main pc 20 (FILE:15)\n";
        String out = r.out().replace(program.toString(), "FILE");
        assertTrue(out.contains("(tape) next\n" + trap + "(tape) reverse-step\nmain pc 20 (FILE:15)\n"), out);
        assertTrue(out.endsWith("(tape) next\n" + trap + "(tape) continue\nerror: The program is not being run.\n"), out);
        assertEquals(1, out.split("6 \\* 7 =", -1).length - 1, "printed once: " + out);
    }

    @Test
    void aRecordingOfAnotherProgramOrADamagedOneIsRefusedWithOneLine() throws IOException {
        Path rec = dir.resolve("h.rec");
        assertEquals(0, Cli.run("run", DebugCommandTest.example("hello_host.tasm").toString(), "--record",
                rec.toString()).code());
        Path fib = DebugCommandTest.example("fib.tasm");
        Cli.Result r = debug(rec, fib);
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("tape debug: " + rec + ": the recording is of another program (recorded program "),
                r.err());
        assertTrue(r.err().endsWith("; it cannot replay " + fib + "\n"), r.err());
        assertEquals(1, r.err().split("\n").length);

        Path bad = dir.resolve("bad.rec");
        byte[] bytes = Files.readAllBytes(rec);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        r = debug(bad, DebugCommandTest.example("hello_host.tasm"));
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("tape debug: " + bad + ": damaged recording at byte "), r.err());
        assertEquals(1, r.err().split("\n").length);
    }

    @Test
    void anotherRunOfTheRecordedProgramIsRefused() throws IOException {
        Path fib = DebugCommandTest.example("fib.tasm");
        Path rec = dir.resolve("f.rec");
        assertEquals(0, Cli.run("run", fib.toString(), "--arg", "5", "--record", rec.toString()).code());
        Cli.Result r = debug(rec, fib, "--arg", "6");
        assertEquals(2, r.code());
        assertEquals("tape debug: the recording ran function 0 with (i64:5); the options ask for function 0 with "
                + "(i64:6) (leave out --entry and --arg to use the recorded ones)\n", r.err());
    }
}
