package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape verify}. */
class VerifyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void summarisesAVerifiedProgram() {
        Cli.Result r = run("verify", vector("fib_20.tape"));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("ok: 1 function, 11 instructions, 10 registers",
                "  func 0: (i64) -> (i64), 11 instructions, 10 registers"), r.outLines());
        assertEquals("", r.err());
    }

    @Test
    void reportsTheVerifierError() {
        String file = vector("reject_uninit_read.tape");
        Cli.Result r = run("verify", file);
        String line = r.oneErrorLine(2);
        assertEquals("", r.out());
        assertTrue(line.matches("tape verify: \\Q" + file + "\\E: verify error in function 0 at pc \\d+ \\([a-z0-9.]+\\): .+"
                + " \\[UninitializedRead\\]"), line);
    }

    @Test
    void reportsADecodeError() throws IOException {
        Path file = tmp.resolve("truncated.tape");
        byte[] fib = Files.readAllBytes(Path.of(vector("fib_20.tape")));
        Files.write(file, Arrays.copyOf(fib, fib.length - 3));
        Cli.Result r = run("verify", file.toString());
        assertTrue(r.oneErrorLine(2).startsWith("tape verify: " + file + ": decode error in "), r.err());
    }
}
