package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names, host symbols, file names and manifest text that hold newlines, carriage returns, terminal
 * escapes, C1 controls and bidi overrides never break a message into two lines or reach the
 * terminal raw, in any command (issue 12, hole 6).
 */
class HostileTextTest {
    /** What the assembler reads as a string holding the evil text below. */
    static final String EVIL_TASM = "main\\ntrap: fake line\\r\\u001b[2K\\u001b[31mred\\u001b[0m\\u009b\\u202e";
    /** How the CLI prints it. */
    static final String EVIL_SHOWN = "main\\ntrap: fake line\\r\\u001b[2K\\u001b[31mred\\u001b[0m\\u009b\\u202e";

    /** A character no CLI message may carry: controls, format characters (bidi), line separators. */
    private static final Pattern RAW = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");

    /**
     * main (named with the evil text) calls a helper (named with a carriage return, an escape
     * sequence and an invisible tag character outside the BMP), prints its argument, then calls a
     * host symbol that holds a newline and an escape, which no host provides, so the run traps
     * host_call_failed.
     */
    static final String PROGRAM = """
            host ps = "std.print_i64" (i64) -> ()
            host bad = "std.print\\n trap: fake\\u001b[31m" (i64) -> ()

            func "%s"(n: i64) -> () {
                call r0, @1, r0, [r1] -> []
                host_call r0, ps, r0, [r1] -> []
                host_call r0, bad, r0, [r1] -> []
                ret r0, []
            }

            func "helper\\r\\u001b[2K\\udb40\\udc41"(x: i64) -> () {
                ret r0, []
            }
            """.formatted(EVIL_TASM);

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** Asserts no line of {@code text} holds a raw control, format or separator character. */
    private static void assertNoRawText(String text) {
        for (String line : text.split("\n", -1)) {
            assertFalse(RAW.matcher(line).find(), () -> "a raw control character in: " + line);
        }
    }

    @Test
    void aTrapNamingEvilFunctionsAndSymbolsIsOneLinePerFrame() throws IOException {
        Path p = write("evil.tasm", PROGRAM);
        for (String tier : List.of("jit", "interp")) {
            Cli.Result r = run("run", p.toString(), "--arg", "i64:7", "--tier", tier);
            assertEquals(1, r.code(), r.err());
            assertEquals("7\n", r.out());
            assertEquals(List.of("trap: host_call_failed at 0 (" + EVIL_SHOWN + ") pc 14 span none host "
                    + "std.print\\n trap: fake\\u001b[31m: the host does not provide "
                    + "std.print\\n trap: fake\\u001b[31m",
                    "  at 0 (" + EVIL_SHOWN + ") pc 14 span none"), r.errLines());
            assertNoRawText(r.err());
        }
    }

    @Test
    void tracesEscapeNamesAndSymbols() throws IOException {
        Path p = write("evil.tasm", PROGRAM);
        Cli.Result r = run("run", p.toString(), "--arg", "i64:7", "--trace", "call,host,instr");
        assertEquals(1, r.code(), r.err());
        assertNoRawText(r.err());
        List<String> lines = r.errLines();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("trap:")).count(), r.err());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("trace ") || l.startsWith("trap: ")
                || l.startsWith("  at ")), r.err());
        assertTrue(lines.contains("trace call enter func 1 (helper\\r\\u001b[2K\\udb40\\udc41) depth 2"), r.err());
        assertTrue(lines.contains("trace host enter std.print_i64 sig 0 from func 0 (" + EVIL_SHOWN + ") pc 7"),
                r.err());
        assertTrue(lines.contains("trace instr func 0 (" + EVIL_SHOWN + ") pc 0 span none call"), r.err());
    }

    @Test
    void traceLinesEscapeHostSymbols() throws Exception {
        // no host provides an evil symbol, so the trace sink is driven directly
        Path p = write("evil.tasm", PROGRAM);
        java.io.StringWriter err = new java.io.StringWriter();
        TextTrace t = new TextTrace(new java.io.PrintWriter(err, true), dev.tape.trace.TraceMask.HOST,
                ProgramFiles.load(p));
        t.hostEnter(1, "std.print\n trap: fake\u001b[31m", 0, 14);
        t.hostExit(1, "std.print\n trap: fake\u001b[31m");
        assertEquals("trace host enter std.print\\n trap: fake\\u001b[31m sig 1 from func 0 (" + EVIL_SHOWN
                + ") pc 14\ntrace host exit std.print\\n trap: fake\\u001b[31m sig 1\n", err.toString());
    }

    @Test
    void argumentErrorsNamingAnEvilFunctionAreOneLine() throws IOException {
        Path p = write("evil.tasm", PROGRAM);
        String line = run("run", p.toString()).oneErrorLine(2);
        assertEquals("tape run: function 0 (" + EVIL_SHOWN + ") takes 1 argument (i64), 0 given with --arg", line);
        line = run("run", p.toString(), "--arg", "str:\"x\\ny\"").oneErrorLine(2);
        assertEquals("tape run: argument 1 of function 0 (" + EVIL_SHOWN + ") must be i64, got str:\"x\\ny\"", line);
        line = run("run", p.toString(), "--entry", "x\ntrap: y\u001b[31m").oneErrorLine(2);
        assertEquals("tape run: --entry x\\ntrap: y\\u001b[31m: no function has that name", line);
        line = run("run", p.toString(), "--arg", "i64:\n\u001b[31m").oneErrorLine(2);
        assertNoRawText(line);
        assertTrue(line.startsWith("tape run: --arg 'i64:\\n\\u001b[31m' is not a value literal"), line);
    }

    @Test
    void verifyPrintsEachFunctionOnOneLine() throws IOException {
        Path p = write("evil.tasm", PROGRAM);
        Cli.Result r = run("verify", p.toString());
        assertEquals(0, r.code(), r.err());
        assertNoRawText(r.out());
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.out());
        assertEquals("  func 0 (" + EVIL_SHOWN + "): (i64) -> (), 4 instructions, 2 registers", lines.get(1));
        assertEquals("  func 1 (helper\\r\\u001b[2K\\udb40\\udc41): (i64) -> (), 1 instructions, 2 registers",
                lines.get(2));
    }

    @Test
    void verifierMessagesQuotingASymbolAreOneLine() throws IOException {
        Path p = write("badhash.tasm", """
                host bad = "x\\n trap: fake\\u001b[31m\\u202e" (i64) -> () hash 0x1
                func main() -> () {
                    ret r0, []
                }
                """);
        String line = run("verify", p.toString()).oneErrorOf("verify", 2);
        assertNoRawText(line);
        assertTrue(line.startsWith(p + ": "), line);
        assertTrue(line.contains("(x\\n trap: fake\\u001b[31m\\u202e)"), line);
        assertEquals(line, run("run", p.toString()).oneErrorOf("run", 2));
    }

    @Test
    void fileNamesWithNewlinesAreEscaped() throws IOException {
        String evil = "bad\ntrap: fake\u001b[31m";
        String shown = "bad\\ntrap: fake\\u001b[31m";
        assertEquals("tape verify: " + tmp + "/" + shown + ".tape: no such file",
                run("verify", tmp.resolve(evil + ".tape").toString()).oneErrorLine(2));
        Path garbage = tmp.resolve(evil + ".tape");
        Files.write(garbage, new byte[] {1, 2, 3});
        for (String cmd : List.of("verify", "run", "disasm", "bench")) {
            String line = run(cmd, garbage.toString()).oneErrorOf(cmd, 2);
            assertTrue(line.startsWith(tmp + "/" + shown + ".tape: "), line);
            assertNoRawText(line);
        }
        Path text = tmp.resolve(evil + ".tasm");
        Files.writeString(text, "func main() -> () {\n    bogus\u001b[31m r0\n}\n");
        for (String cmd : List.of("verify", "run")) {
            String line = run(cmd, text.toString()).oneErrorOf(cmd, 2);
            assertTrue(line.startsWith(tmp + "/" + shown + ".tasm:2:"), line);
            assertNoRawText(line);
        }
        String line = run("asm", text.toString(), "-o", tmp.resolve("out\n.tape").toString()).oneErrorLine(2);
        assertNoRawText(line);
        line = run("asm", write("ok.tasm", "func main() -> () {\n    ret r0, []\n}\n").toString(), "-o",
                tmp.resolve("no\ndir").resolve("x.tape").toString()).oneErrorLine(2);
        assertEquals("tape asm: " + tmp + "/no\\ndir/x.tape: no such directory", line);
    }

    @Test
    void conformanceFailuresNamingEvilCasesAreOneLineEach() throws IOException {
        Files.copy(Path.of(vector("fib_20.tape")), tmp.resolve("fib.tape"));
        Files.writeString(tmp.resolve("manifest.json"), """
                {"format": "tape-conformance-v1", "cases": [
                  {"name": "wrong\\ntrap: fake\\u001b[31m", "program": "fib.tape", "entry": 0, "args": ["i64:10"],
                   "expect": {"returns": ["i64:56"]}},
                  {"name": "gone\\r", "program": "gone\\n\\u001b[31m.tape", "entry": 0, "args": [],
                   "expect": {"returns": []}}
                ]}
                """);
        Cli.Result r = run("conformance", tmp.toString());
        assertEquals(1, r.code(), r.err());
        assertNoRawText(r.out());
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.out());
        assertEquals("FAIL wrong\\ntrap: fake\\u001b[31m: expected returns [i64:56]; got returns [i64:55]",
                lines.get(0));
        assertTrue(lines.get(1).startsWith("FAIL gone\\r: "), lines.get(1));
        assertEquals("0 passed, 2 failed", lines.get(2));
    }

    @Test
    void disasmQuotesOddNamesSoTheyAssembleBackToTheSameBytes() throws IOException {
        Path p = write("evil.tasm", PROGRAM);
        Path bin = tmp.resolve("evil.tape");
        assertEquals(0, run("asm", p.toString(), "-o", bin.toString()).code());
        Cli.Result d = run("disasm", bin.toString());
        assertEquals(0, d.code(), d.err());
        assertNoRawText(d.out());
        assertTrue(d.out().contains("func \"" + EVIL_TASM + "\"(n: i64) -> () {"), d.out());
        Path again = write("again.tasm", d.out());
        Path bin2 = tmp.resolve("again.tape");
        assertEquals(0, run("asm", again.toString(), "-o", bin2.toString()).code());
        assertArrayEquals(Files.readAllBytes(bin), Files.readAllBytes(bin2));
    }
}
