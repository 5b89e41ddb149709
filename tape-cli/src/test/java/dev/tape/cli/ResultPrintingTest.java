package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run} prints a huge or deep result within its cut ({@link RunCommand#MAX_RESULT_CHARS}
 * chars and then {@code ...}), formatting only what it prints: the bytes the thread allocates stay
 * far below what rendering the whole value would take.
 */
class ResultPrintingTest {
    @TempDir
    Path tmp;

    /** Bytes the current thread has allocated so far (HotSpot's per-thread counter). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** A function returning {@code seed} doubled {@code doublings} times by {@code str.concat}. */
    private String doubling(String seed, int doublings) throws IOException {
        StringBuilder src = new StringBuilder("func main() -> (str) {\n    const.pool r1, str:\"" + seed + "\"\n");
        for (int i = 0; i < doublings; i++) {
            src.append("    str.concat r1, r1, r1\n");
        }
        src.append("    ret r0, [r1]\n}\n");
        Path p = tmp.resolve("big.tasm");
        Files.writeString(p, src);
        return p.toString();
    }

    @Test
    void aSixteenMillionCharStringPrintsItsCutPrefixWithinBoundedMemory() throws IOException {
        // "ab", a control char and a newline: 4 chars that print as 10, doubled to 16,777,216 chars
        String file = doubling("ab\\u0001\\n", 22);
        for (String tier : new String[] {"interp", "jit"}) {
            long before = allocated();
            Cli.Result r = Cli.run("run", file, "--tier", tier);
            long used = allocated() - before;
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.err());
            String shown = ("str:\"" + "ab\\u0001\\n".repeat(RunCommand.MAX_RESULT_CHARS / 10 + 1))
                    .substring(0, RunCommand.MAX_RESULT_CHARS);
            assertEquals(shown + "...\n", r.out());
            // the run itself allocates 32 MiB of strings (every doubling) and the captured 1 Mi chars
            // cost a few MiB; rendering the 16 Mi chars whole (as 40 Mi escaped chars) would take
            // hundreds of MiB more
            assertTrue(used < (96L << 20), tier + ": allocated " + (used >> 20) + " MiB");
        }
    }

    @Test
    void aResultExactlyAtTheCutPrintsWhole() throws IOException {
        // str:"" and 1,048,570 chars: exactly MAX_RESULT_CHARS, so nothing is cut
        int chars = RunCommand.MAX_RESULT_CHARS - 6;
        Path p = tmp.resolve("exact.tasm");
        Files.writeString(p, "func main() -> (str) {\n    const.pool r1, str:\"" + "x".repeat(chars) + "\"\n"
                + "    ret r0, [r1]\n}\n");
        Cli.Result r = Cli.run("run", p.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("str:\"" + "x".repeat(chars) + "\"\n", r.out());
        Files.writeString(p, "func main() -> (str) {\n    const.pool r1, str:\"" + "x".repeat(chars + 1) + "\"\n"
                + "    ret r0, [r1]\n}\n");
        r = Cli.run("run", p.toString());
        assertEquals("str:\"" + "x".repeat(chars + 1) + "...\n", r.out());
    }

    @Test
    void aDeepArgumentIsParsedAndItsResultPrintedWhole() throws IOException {
        Path p = tmp.resolve("echo.tasm");
        Files.writeString(p, "func main(t: agg) -> (agg) {\n    ret r0, [r1]\n}\n");
        String deep = "tuple(".repeat(16_000) + "i64:1" + ")".repeat(16_000);
        Cli.Result r = Cli.run("run", p.toString(), "--arg", deep);
        assertEquals(0, r.code(), r.err());
        assertEquals(deep + "\n", r.out());
    }
}
