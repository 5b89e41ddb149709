package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run whose stdout fails to be written ends the same way on both tiers and in every mode of
 * {@code tape run} and {@code tape resume}: exit 2 and {@link TapeCli#writeErrors}' one line,
 * whatever the run did between the failed write and the pause the failure asked for. The
 * interpreter pauses right after the host call that wrote; compiled code runs on for up to
 * {@link dev.tape.vm.Run#COMPILED_CHUNK} fuel units before it polls, so a program that traps (or
 * returns, or reaches {@code --pause-at}) within that stretch used to print its trap report before
 * the line on the compiled tier only (attack-c23). The program prints n lines (enough to fill the
 * writer's 8 KiB buffer, so that the failure comes while it runs), then counts to m without
 * printing (3 fuel units a step, far less than a compiled stretch), then traps with code 7.
 * Child JVMs ({@link ChildJvm}).
 */
class AttackWriteStopTiersTest {
    /**
     * Prints 0 to n - 1 (5 fuel units a line), counts to m quietly (3 a step), then does
     * {@code done} (also {@link WriteStopKindsTest}'s program, which prints n and returns it).
     *
     * @param name the program's name
     * @param done the instructions at its end, one per line, indented as the others
     */
    static String printThenCount(String name, String done) {
        return """
                program %s
                host print_i64 = "std.print_i64" (i64) -> ()
                func main(n: i64, m: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 1
                    jmp head
                head:
                    i64.lt r5, r3, r1
                    br r5, body, quiet
                body:
                    host_call r0, print_i64, r0, [r3] -> []
                    i64.add r3, r3, r4
                    jmp head
                quiet:
                    const.i64 r6, 0
                    jmp qhead
                qhead:
                    i64.lt r5, r6, r2
                    br r5, qbody, done
                qbody:
                    i64.add r6, r6, r4
                    jmp qhead
                done:
                %s}
                """.formatted(name, done);
    }

    /** Prints 0 to n - 1, counts to m quietly, traps. */
    static final String LATE = printThenCount("late", "    trap 7\n");

    @TempDir
    Path tmp;

    private File full() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("late.tasm"), LATE);
        return full;
    }

    private void oneLine(String what, String... args) throws Exception {
        File full = full();
        for (String tier : new String[] {"interp", "jit"}) {
            String[] line = new String[args.length + 2];
            System.arraycopy(args, 0, line, 0, args.length);
            line[args.length] = "--tier";
            line[args.length + 1] = tier;
            ChildJvm.Result c = ChildJvm.in(tmp).stdout(full).tape(line);
            assertEquals(2, c.status(), what + ", " + tier + ": " + c.err());
            assertEquals(WriteErrorsStopTest.FULL, c.err(), what + ", " + tier);
        }
    }

    /** Fails before the fix on the compiled tier: the trap's report, then the line. */
    @Test
    void aTrapAfterTheFailedWriteIsNotReported() throws Exception {
        oneLine("plain", "run", "late.tasm", "--arg", "i64:5000", "--arg", "i64:20000");
    }

    /**
     * Fails before mend25's flush on both tiers: ten lines stay in the writer's 8 KiB buffer, so no
     * write has failed when the run traps, and the trap's report came before the line (the buffer
     * reached {@code /dev/full} only at the exit).
     */
    @Test
    void aTrapWhileTheOutputIsStillBufferedIsNotReported() throws Exception {
        oneLine("buffered", "run", "late.tasm", "--arg", "i64:10", "--arg", "i64:10");
    }

    /** Fails before the fix on the compiled tier, as the plain run. */
    @Test
    void timedAndPausingRunsAlike() throws Exception {
        oneLine("timeout", "run", "late.tasm", "--arg", "i64:5000", "--arg", "i64:20000", "--timeout", "10m");
        oneLine("pause-at", "run", "late.tasm", "--arg", "i64:5000", "--arg", "i64:20000", "--pause-at",
                "90000000", "-o", tmp.resolve("never.snap").toString());
        assertTrue(!Files.exists(tmp.resolve("never.snap")), "the run trapped before its pause");
    }

    /** Fails before the fix on the compiled tier: a resumed run's trap report, then the line. */
    @Test
    void aResumedRunAlike() throws Exception {
        full();
        Path snap = tmp.resolve("early.snap");
        ChildJvm.Result paused = ChildJvm.in(tmp).tape("run", "late.tasm", "--arg", "i64:5000", "--arg",
                "i64:20000", "--pause-at", "10", "-o", snap.toString());
        assertEquals(4, paused.status(), paused.err());
        oneLine("resume", "resume", snap.toString(), "late.tasm");
    }
}
