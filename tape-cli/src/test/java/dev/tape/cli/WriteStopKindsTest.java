package dev.tape.cli;

import dev.tape.vm.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two ways a run stops after a failed write, each shown alone, each failing without its
 * mechanism (docs/PERFORMANCE-LOG.md, twenty-fourth round, cli24):
 *
 * <ul>
 *   <li>the std host's stop ({@link StdHost}, "A failed standard output"): once stdout failed the
 *       next print traps, so a compiled run that prints, then counts quietly for long, then would
 *       print again, ends at the print right after the failure, not at its end nor at the next
 *       poll of an interrupt ({@link Run#COMPILED_CHUNK} fuel units later). The run's fuel is read
 *       from its {@code --trace=run} end line on stderr (a file, not the full disk); the
 *       interrupt, also armed in a traced run, would come later on this tier and end the run
 *       paused, without that line.</li>
 *   <li>the interrupt of a traced run ({@link RunCommand#watch}): when stderr, where the trace
 *       goes, fails, the std host (bound to stdout, which did not fail) prints on, and only the
 *       interrupt stops the run, within a host call of the failure on the interpreter.</li>
 * </ul>
 *
 * Child JVMs ({@link ChildJvm}).
 */
class WriteStopKindsTest {
    /**
     * Prints 0 to n - 1 (5 fuel units a line), counts to m quietly (3 a step), prints n and
     * returns it.
     */
    static final String PRINT_LOOP_PRINT = AttackWriteStopTiersTest.printThenCount("plp",
            "    host_call r0, print_i64, r0, [r3] -> []\n    ret r0, [r3]\n");

    @TempDir
    Path tmp;

    private File full() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("plp.tasm"), PRINT_LOOP_PRINT);
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        return full;
    }

    /**
     * Fails without the std host's stop: the run goes on past the failure to the interrupt's poll,
     * 2^18 fuel units on, and ends paused, with no {@code trace run end} line.
     */
    @Test
    void theStdHostStopsAPrintingRunAtItsNextPrint() throws Exception {
        File full = full();
        // 5,000 lines (about 24 KiB, three times the writer's 8 KiB buffer), then 10,000,000 quiet steps
        ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape("run", "plp.tasm", "--arg", "i64:5000", "--arg",
                "i64:10000000", "--tier", "jit", "--trace=run");
        assertEquals(2, c.status(), c.err());
        List<String> lines = c.err().lines().toList();
        assertEquals(3, lines.size(), c.err());
        assertTrue(lines.get(0).startsWith("trace run start "), c.err());
        assertTrue(lines.get(1).startsWith("trace run end trapped fuel_used "), c.err());
        long fuel = Long.parseLong(lines.get(1).substring("trace run end trapped fuel_used ".length()));
        // the failure came when the buffer first reached the disk: within the first 8 KiB of lines
        assertTrue(fuel > 0 && fuel < 5 * 2_000, fuel + " fuel units");
        assertEquals(WriteErrorsStopTest.FULL, lines.get(2) + "\n");
    }

    /**
     * Fails without the interrupt: the run prints on (its stdout did not fail) to the host-call
     * limit, 1,000,000 lines.
     */
    @Test
    void theInterruptStopsATracedRunWhoseStderrFailed() throws Exception {
        File full = full();
        ChildJvm.Result c = ChildJvm.in(tmp).stderr(full).tape("run", "many.tasm", "--arg", "i64:100000000",
                "--trace=host", "--tier", "interp");
        assertEquals(2, c.status());
        long lines = c.out().lines().count();
        // the first trace line fails (each is flushed), and the run pauses right after that call
        assertTrue(lines < 100, lines + " lines printed");
        assertTrue(!c.out().contains("i64:"), "no result");
    }
}
