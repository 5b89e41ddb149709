package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run --pause-at FUEL -o FILE.snap} then {@code tape resume FILE.snap PROGRAM}, two
 * invocations, print together exactly what one {@code tape run} prints (stdout, stderr, exit code),
 * on both tiers and across them; damaged and mismatched snapshots exit 2 with one line.
 */
class PauseResumeTest {
    /** Prints 0..n-1 through the std host, then returns their sum. */
    static final String COUNT = """
            host print = "std.print_i64" (i64) -> ()
            func count(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                host_call r0, print, r0, [r2] -> []
                i64.add r3, r3, r2
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            """;

    @TempDir
    Path tmp;

    private String count() throws IOException {
        Path p = tmp.resolve("count.tasm");
        Files.writeString(p, COUNT);
        return p.toString();
    }

    private static String[] with(String[] a, String... more) {
        List<String> l = new ArrayList<>(Arrays.asList(a));
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }

    /** Pauses at {@code at} on tier {@code t1}, resumes on {@code t2}, and checks against the one-shot run. */
    private void pauseThenResume(String program, String[] runArgs, String[] limits, long at, String t1, String t2)
            throws IOException {
        Cli.Result whole = run(with(with(new String[] {"run", program}, runArgs), limits));
        Path snap = tmp.resolve("at" + at + t1 + t2 + ".snap");
        Cli.Result first = run(with(with(new String[] {"run", program}, runArgs), with(limits, "--tier", t1,
                "--pause-at", Long.toString(at), "-o", snap.toString())));
        assertEquals(ExitCodes.PAUSED, first.code(), first.err());
        String line = first.oneErrorLine(ExitCodes.PAUSED);
        assertTrue(line.startsWith("paused: at ") && line.contains(" after " + at + " fuel") && line.endsWith(
                Escape.path(snap)), line);
        Cli.Result rest = run(with(new String[] {"resume", snap.toString(), program}, with(limits, "--tier", t2)));
        assertEquals(whole.code(), rest.code(), rest.err());
        assertEquals(whole.out(), first.out() + rest.out(), "pause at " + at + " " + t1 + " -> " + t2);
        assertEquals(whole.err(), rest.err());
    }

    @Test
    void pauseThenResumePrintsWhatOneRunPrintsOnBothTiers() throws IOException {
        String prog = count();
        String[] args = {"--arg", "i64:40"};
        String[] limits = {};
        for (long at : new long[] {0, 1, 7, 100, 246}) { // the run uses 247
            pauseThenResume(prog, args, limits, at, "interp", "interp");
            pauseThenResume(prog, args, limits, at, "jit", "jit");
            pauseThenResume(prog, args, limits, at, "jit", "interp");
            pauseThenResume(prog, args, limits, at, "interp", "jit");
        }
        // deep recursion, no host: fib(20) paused inside its calls
        for (long at : new long[] {1_000, 10_007}) {
            pauseThenResume(vector("fib_20.tape"), new String[] {"--arg", "i64:20"}, limits, at, "jit", "jit");
            pauseThenResume(vector("fib_20.tape"), new String[] {"--arg", "i64:20"}, limits, at, "interp", "jit");
        }
    }

    @Test
    void aTrapAfterThePauseIsReportedAsTheRunReportsIt() throws IOException {
        // fuel_exact_loop with 56 fuel traps fuel_exceeded; with the trap in the resumed half
        String[] args = {"--arg", "i64:10"};
        String[] limits = {"--fuel", "56"};
        Cli.Result whole = run("run", vector("fuel_exact_loop.tape"), "--arg", "i64:10", "--fuel", "56");
        assertEquals(1, whole.code());
        for (String tier : new String[] {"interp", "jit"}) {
            pauseThenResume(vector("fuel_exact_loop.tape"), args, limits, 30, tier, tier);
            pauseThenResume(vector("fuel_exact_loop.tape"), args, limits, 55, tier, tier);
        }
    }

    @Test
    void aRunThatEndsBeforeThePausePrintsAsUsualAndWritesNothing() throws IOException {
        Path snap = tmp.resolve("none.snap");
        Cli.Result r = run("run", count(), "--arg", "i64:3", "--pause-at", "10000", "-o", snap.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("0\n1\n2\ni64:3\n", r.out());
        assertFalse(Files.exists(snap));
        // at or past --fuel: the run traps as without --pause-at
        Cli.Result t = run("run", vector("fuel_exact_loop.tape"), "--arg", "i64:10", "--fuel", "56", "--pause-at", "56",
                "-o", snap.toString());
        assertEquals(1, t.code());
        assertFalse(Files.exists(snap));
    }

    @Test
    void pauseOptionsGoTogether() throws IOException {
        String prog = count();
        String snap = tmp.resolve("x.snap").toString();
        assertTrue(run("run", prog, "--arg", "1", "--pause-at", "5").oneErrorOf("run", 2).contains("needs -o"));
        assertTrue(run("run", prog, "--arg", "1", "-o", snap).oneErrorOf("run", 2).contains("goes with --pause-at"));
        assertTrue(run("run", prog, "--arg", "1", "--pause-at", "5", "-o", snap, "--slice", "3").oneErrorOf("run", 2)
                .contains("does not go with"));
        assertTrue(run("run", prog, "--arg", "1", "--pause-at", "-5", "-o", snap).oneErrorOf("run", 2)
                .contains("--pause-at"));
    }

    private Path paused() throws IOException {
        Path snap = tmp.resolve("p.snap");
        assertEquals(ExitCodes.PAUSED, run("run", count(), "--arg", "i64:40", "--pause-at", "100", "-o",
                snap.toString()).code());
        return snap;
    }

    @Test
    void damagedSnapshotsExit2WithOneLine() throws IOException {
        Path snap = paused();
        byte[] good = Files.readAllBytes(snap);
        String prog = tmp.resolve("count.tasm").toString();
        // every truncation and a flipped byte in each field: one line, exit 2, never a stack trace
        Path bad = tmp.resolve("bad\nname.snap");
        for (int n = 0; n < good.length; n += Math.max(1, good.length / 40)) {
            Files.write(bad, Arrays.copyOf(good, n));
            String line = run("resume", bad.toString(), prog).oneErrorOf("resume", 2);
            assertTrue(line.startsWith(Escape.path(bad) + ": snapshot error at byte "), line);
        }
        byte[] t = good.clone();
        t[4] = 9;
        Files.write(bad, t);
        assertTrue(run("resume", bad.toString(), prog).oneErrorOf("resume", 2).contains("format version 9"));
        t = good.clone();
        t[0] = 'X';
        Files.write(bad, t);
        assertTrue(run("resume", bad.toString(), prog).oneErrorOf("resume", 2).contains("not a snapshot"));
        Files.write(bad, with(good, 0));
        assertTrue(run("resume", bad.toString(), prog).oneErrorOf("resume", 2).contains("follow the snapshot's end"));
        assertTrue(run("resume", tmp.resolve("missing.snap").toString(), prog).oneErrorOf("resume", 2)
                .contains("no such file"));
    }

    private static byte[] with(byte[] a, int b) {
        byte[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = (byte) b;
        return r;
    }

    @Test
    void aSnapshotOfAnotherProgramOrOverTheLimitsExits2() throws IOException {
        Path snap = paused();
        String other = run("resume", snap.toString(), vector("fib_20.tape")).oneErrorOf("resume", 2);
        assertTrue(other.contains("not of this program"), other);
        // the same source with one constant changed is another program
        Path changed = tmp.resolve("changed.tasm");
        Files.writeString(changed, COUNT.replace("const.i64 r4, 1", "const.i64 r4, 2"));
        assertTrue(run("resume", snap.toString(), changed.toString()).oneErrorOf("resume", 2)
                .contains("not of this program"));
        String over = run("resume", snap.toString(), tmp.resolve("count.tasm").toString(), "--max-registers", "2")
                .oneErrorOf("resume", 2);
        assertTrue(over.contains("exceed the ceiling"), over);
    }

    @Test
    void helpListsTheExitCodes() {
        Cli.Result run = run("run", "--help");
        assertTrue(run.out().contains("4   --pause-at: the run paused and its snapshot was written"), run.out());
        Cli.Result resume = run("resume", "--help");
        assertTrue(resume.out().contains("2   bad usage, an unreadable or invalid program, a damaged or mismatched"),
                resume.out());
        assertTrue(resume.out().contains("--max-registers") && resume.out().contains("--tier"), resume.out());
    }
}
