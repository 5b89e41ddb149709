package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --tier jit|interp}: the compiled tier and the interpreter print the same results, the same
 * trap reports (kind, place, stack, fuel left) and exit with the same code, through the command.
 */
class TierOptionTest {
    @TempDir
    Path tmp;

    /** Runs a command on both tiers and asserts identical output, errors and exit code. */
    private static Cli.Result same(String... args) {
        List<String> jit = new ArrayList<>(List.of(args));
        jit.add("--tier");
        jit.add("jit");
        List<String> interp = new ArrayList<>(List.of(args));
        interp.add("--tier");
        interp.add("interp");
        Cli.Result a = run(jit.toArray(new String[0]));
        Cli.Result b = run(interp.toArray(new String[0]));
        assertEquals(b, a, () -> "jit and interp differ for " + String.join(" ", args));
        return a;
    }

    @Test
    void resultsAreTheSame() {
        Cli.Result r = same("run", vector("fib_20.tape"), "--arg", "i64:20");
        assertEquals("i64:6765\n", r.out());
        assertEquals(0, r.code());
    }

    @Test
    void trapsAtTheSamePlaceWithTheSameFuelLeft() throws IOException {
        Path p = tmp.resolve("div.tasm");
        Files.writeString(p, RunCommandTest.PROGRAM);
        Cli.Result r = same("run", p.toString(), "--entry", "calls_divide", "--arg", "i64:21");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("div"), r.err());
    }

    @Test
    void limitsTrapTheSameWay() {
        for (int fuel = 50; fuel <= 58; fuel++) {
            same("run", vector("fuel_exact_loop.tape"), "--arg", "i64:10", "--fuel", Integer.toString(fuel));
        }
        assertEquals(1, same("run", vector("fib_20.tape"), "--arg", "i64:20", "--max-call-depth", "3").code());
        assertEquals(1, same("run", vector("deep_recursion_10000.tape"), "--arg", "i64:10000").code());
        assertEquals(1, same("run", vector("host_call_limit.tape"), "--arg", "i64:100", "--host", "test",
                "--max-host-calls", "5").code());
    }

    @Test
    void conformancePassesOnBothTiers() {
        Cli.Result r = same("conformance", Cli.conformanceDir().toString());
        assertEquals("372 passed, 0 failed\n", r.out());
    }

    @Test
    void unknownTierIsAUsageError() {
        Cli.Result r = run("run", vector("fib_20.tape"), "--arg", "i64:20", "--tier", "fast");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--tier"), r.err());
    }
}
