package dev.tape.cli;

import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run --max-output-bytes}: the std host's output is bounded, and a print past the
 * bound traps cleanly on both tiers (issue 12, hole 4).
 */
class OutputLimitTest {
    /** Prints its string argument n times, then returns how many prints were left (0). */
    static final String PRINT_LOOP = """
            host ps = "std.print_str" (str) -> ()

            func main(s: str, n: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                jmp loop
            loop:
                i64.gt r5, r2, r3
                br r5, body, done
            body:
                host_call r0, ps, r0, [r1] -> []
                i64.sub r2, r2, r4
                jmp loop
            done:
                ret r0, [r2]
            }
            """;

    /** Doubles a one-character string 23 times (8 MiB) and prints it twice: 16 MiB and 2 bytes. */
    static final String DOUBLE_PRINT = """
            host ps = "std.print_str" (str) -> ()

            func main() -> () {
                const.pool r1, str:"x"
                const.i64 r2, 23
                const.i64 r3, 0
                const.i64 r4, 1
                jmp loop
            loop:
                i64.gt r5, r2, r3
                br r5, body, done
            body:
                str.concat r1, r1, r1
                i64.sub r2, r2, r4
                jmp loop
            done:
                host_call r0, ps, r0, [r1] -> []
                host_call r0, ps, r0, [r1] -> []
                ret r0, []
            }
            """;

    @TempDir
    Path tmp;

    private String file(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p.toString();
    }

    @Test
    void aPrintPastTheLimitWritesNothingAndTrapsOnBothTiers() throws IOException {
        String p = file("loop.tasm", PRINT_LOOP);
        // each print is 16 bytes and a newline: five fit in 100 bytes, the sixth does not
        String arg = "str:\"0123456789abcdef\"";
        for (String tier : List.of("jit", "interp")) {
            Cli.Result r = run("run", p, "--arg", arg, "--arg", "i64:1000000", "--max-output-bytes", "100",
                    "--tier", tier);
            assertEquals(1, r.code(), r.err());
            assertEquals("0123456789abcdef\n".repeat(5), r.out());
            assertEquals(List.of("trap: host_call_failed at 0 (main) pc 28 span none host std.print_str: "
                    + "OutputLimitExceeded: "
                    + "std.print_str would write 17 bytes, past the output limit of 100 bytes (--max-output-bytes) "
                    + "with 85 written", "  at 0 (main) pc 28 span none"), r.errLines());
        }
        // exactly at the limit is fine
        Cli.Result ok = run("run", p, "--arg", arg, "--arg", "i64:5", "--max-output-bytes", "85");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("0123456789abcdef\n".repeat(5) + "i64:0\n", ok.out());
    }

    @Test
    void bytesAreCountedAsUtf8WithTheNewline() throws IOException {
        String p = file("loop.tasm", PRINT_LOOP);
        // "é€😀" is 2 + 3 + 4 = 9 UTF-8 bytes (4 chars): two prints with newlines are 20 bytes
        String arg = "str:\"é€\ud83d\ude00\"";
        assertEquals(0, run("run", p, "--arg", arg, "--arg", "i64:2", "--max-output-bytes", "20").code());
        Cli.Result r = run("run", p, "--arg", arg, "--arg", "i64:2", "--max-output-bytes", "19");
        assertEquals(1, r.code());
        assertEquals("é€\ud83d\ude00\n", r.out());
        assertTrue(r.errLines().get(0).endsWith("would write 10 bytes, past the output limit of 19 bytes "
                + "(--max-output-bytes) with 10 written"), r.err());
    }

    @Test
    void theDefaultLimitIs16MiB() throws IOException {
        assertEquals(16L << 20, StdHost.DEFAULT_MAX_OUTPUT_BYTES);
        String p = file("double.tasm", DOUBLE_PRINT);
        Cli.Result r = run("run", p, "--tier", "interp");
        assertEquals(1, r.code(), r.errLines().toString());
        assertEquals((1 << 23) + 1, r.out().length(), "the first print, and nothing of the second");
        assertTrue(r.errLines().get(0).endsWith("std.print_str would write 8388609 bytes, past the output limit of "
                + "16777216 bytes (--max-output-bytes) with 8388609 written"), r.errLines().get(0));
        Cli.Result more = run("run", p, "--max-output-bytes", Long.toString(2 * ((1 << 23) + 1)));
        assertEquals(0, more.code(), more.errLines().toString());
        assertEquals(2 * ((1 << 23) + 1), more.out().length());
    }

    @Test
    void otherPrintsCountToo() throws IOException {
        String p = file("ints.tasm", """
                host pi = "std.print_i64" (i64) -> ()
                host pb = "std.print_bool" (bool) -> ()

                func main() -> () {
                    const.i64 r1, -42
                    const.bool r2, true
                    host_call r0, pi, r0, [r1] -> []
                    host_call r0, pb, r0, [r2] -> []
                    ret r0, []
                }
                """);
        assertEquals("-42\ntrue\n", run("run", p, "--max-output-bytes", "9").out());
        Cli.Result r = run("run", p, "--max-output-bytes", "8");
        assertEquals(1, r.code());
        assertEquals("-42\n", r.out());
        assertTrue(r.errLines().get(0).contains("host std.print_bool: OutputLimitExceeded: std.print_bool would "
                + "write 5 bytes"), r.err());
        Cli.Result none = run("run", p, "--max-output-bytes", "0");
        assertEquals("", none.out());
        assertTrue(none.errLines().get(0).contains("host std.print_i64:"), none.err());
    }

    @Test
    void aNegativeLimitIsAnOptionError() throws IOException {
        String p = file("ints.tasm", PRINT_LOOP);
        assertEquals("tape run: --max-output-bytes must be 0 or more",
                run("run", p, "--max-output-bytes", "-1").oneErrorLine(2));
        assertThrows(IllegalArgumentException.class, () -> StdHost.create(new PrintWriter(Writer.nullWriter()), -1));
        assertTrue(run("run", "--help").out().contains("--max-output-bytes"));
    }

    /** Records the longest single write it is handed. */
    private static final class ChunkWriter extends Writer {
        final StringBuilder text = new StringBuilder();
        int longest;

        @Override
        public void write(char[] buf, int off, int len) {
            longest = Math.max(longest, len);
            text.append(buf, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
            longest = Math.max(longest, len);
            text.append(s, off, off + len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void aLongStringIsWrittenInBoundedChunks() throws Exception {
        ChunkWriter w = new ChunkWriter();
        HostRegistry host = StdHost.create(new PrintWriter(w), 1 << 30);
        Signature sig = Signature.of(List.of(ValueType.STR), List.of());
        HostFunction f = host.resolve("std.print_str", sig.hash(), sig.args(), sig.rets());
        // 3-byte and 4-byte characters, so that chunk ends fall inside and between surrogate pairs
        String s = "a€\ud83d\ude00".repeat(50_000);
        f.call(new Value[] {Value.Str.fromUtf8(s.getBytes(StandardCharsets.UTF_8))}, new Value[0], (HostContext) null);
        assertEquals(s + "\n", w.text.toString());
        assertTrue(w.longest <= StdHost.CHUNK_CHARS, "longest write: " + w.longest);
    }
}
