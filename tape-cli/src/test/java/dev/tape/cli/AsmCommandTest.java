package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape asm} and {@code tape disasm}. */
class AsmCommandTest {
    @TempDir
    Path tmp;

    @Test
    void assemblesTextThatRuns() throws IOException {
        Path src = tmp.resolve("add.tasm");
        Files.writeString(src, """
                func add(a: i64, b: i64) -> (i64) {
                    i64.add r3, r1, r2
                    ret r0, [r3]
                }
                """);
        Path out = tmp.resolve("add.tape");
        Cli.Result r = run("asm", src.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals("", r.err());
        assertEquals("i64:5\n", run("run", out.toString(), "--entry", "add", "--arg", "i64:2", "--arg", "i64:3").out());
    }

    @Test
    void asmErrorsGiveFileLineAndColumn() throws IOException {
        Path src = tmp.resolve("bad.tasm");
        Files.writeString(src, "func main() {\n    i64.add r1, r2, 5\n    ret r0, []\n}\n");
        Path out = tmp.resolve("bad.tape");
        Cli.Result r = run("asm", src.toString(), "-o", out.toString());
        String line = r.oneErrorOf("asm", 2);
        assertTrue(line.matches("\\Q" + src + "\\E:2:\\d+: .+"), line);
        assertFalse(Files.exists(out), "nothing is written on an error");
        assertEquals(line, run("run", src.toString()).oneErrorOf("run", 2), "run reports the same error");
        assertEquals(line, run("verify", src.toString()).oneErrorOf("verify", 2));
    }

    @Test
    void asmOfAMissingFile() {
        Path src = tmp.resolve("none.tasm");
        assertEquals("tape asm: " + src + ": no such file", run("asm", src.toString(), "-o", tmp.resolve("x.tape").toString())
                .oneErrorLine(2));
    }

    @Test
    void asmOfNonUtf8Text() throws IOException {
        Path src = tmp.resolve("latin1.tasm");
        Files.write(src, new byte[] {'f', 'u', 'n', 'c', ' ', (byte) 0xe9});
        assertEquals("tape asm: " + src + ": not UTF-8 text", run("asm", src.toString(), "-o", tmp.resolve("x.tape").toString())
                .oneErrorLine(2));
    }

    @Test
    void disasmPrintsText() {
        Cli.Result r = run("disasm", vector("trap_reports_span.tape"));
        assertEquals(0, r.code(), r.err());
        assertEquals("""
                func @0(i64) -> (i64) {
                    .span 11
                    const.i64 r3, 0
                    .span 42
                    i64.div r4, r1, r3
                    ret r0, [r4]
                }
                """, r.out());
    }

    @Test
    void disasmOfRandomBytesIsOneLine() throws IOException {
        Path f = tmp.resolve("junk.tape");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertTrue(run("disasm", f.toString()).oneErrorLine(2).startsWith("tape disasm: " + f + ": decode error in "));
    }

    @Test
    void disasmThenAsmGivesBackTheSameBytesForEveryConformanceVector() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Cli.conformanceDir(), "*.tape")) {
            ds.forEach(files::add);
        }
        assertTrue(files.size() >= 300, "found " + files.size() + " vectors");
        List<String> failures = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            Path text = tmp.resolve(name.replace(".tape", ".tasm"));
            Path back = tmp.resolve(name);
            Cli.Result d = run("disasm", f.toString(), "-o", text.toString());
            if (d.code() != 0) {
                failures.add(name + ": disasm: " + d.err());
                continue;
            }
            Cli.Result a = run("asm", text.toString(), "-o", back.toString());
            if (a.code() != 0) {
                failures.add(name + ": asm: " + a.err());
                continue;
            }
            byte[] want = Files.readAllBytes(f);
            if (!java.util.Arrays.equals(want, Files.readAllBytes(back))) {
                failures.add(name + ": bytes differ");
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void disasmToStdoutMatchesDisasmToAFile() throws IOException {
        Path text = tmp.resolve("fib.tasm");
        assertEquals(0, run("disasm", vector("fib_20.tape"), "-o", text.toString()).code());
        assertArrayEquals(run("disasm", vector("fib_20.tape")).out().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Files.readAllBytes(text));
    }
}
