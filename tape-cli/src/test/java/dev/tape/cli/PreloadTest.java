package dev.tape.cli;

import dev.tape.testing.FibText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run}'s program loaded on a second thread ({@link Preload}): started only for
 * {@code run FILE ...}, taken only for the same path when it loaded and verified, and every
 * command line prints, fails and exits as without it.
 */
class PreloadTest {
    @TempDir
    Path tmp;

    private static final String FIB = FibText.FIB;

    /** a program that returns 7 whatever its argument */
    private static final String SEVEN = """
            program seven
            func main(n: i64) -> (result: i64) {
                const.i64 r2, 7
                ret r0, [r2]
            }
            """;

    @AfterEach
    void noneLeft() throws InterruptedException {
        Preload p = Preload.claim();
        if (p != null) {
            p.thread.join();
        }
    }

    /** @return tape ARGS run with the preload {@link TapeCli#main} would start, after it finished */
    private static Cli.Result preloaded(String... args) throws InterruptedException {
        Preload.start(args);
        Preload p = Preload.started;
        if (p != null) {
            p.thread.join();
        }
        return Cli.lazy(args);
    }

    @Test
    void everyCommandLineGivesWhatItGaveWithoutIt() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FIB);
        Path bin = tmp.resolve("fib.tape");
        assertEquals(0, Cli.lazy("asm", "-o", bin.toString(), fib.toString()).code());
        Path bad = tmp.resolve("bad.tasm");
        Files.writeString(bad, "program bad\nfunc f() -> () {\n    nosuch r1\n}\n");
        Path invalid = tmp.resolve("invalid.tasm");
        Files.writeString(invalid, "program invalid\nfunc f() -> (r: i64) {\n    ret r0, [r1]\n}\n");
        Path junk = tmp.resolve("junk.tape");
        Files.write(junk, new byte[] {1, 2, 3});
        String f = fib.toString();
        String[][] lines = {
            {"run", f, "--arg", "i64:20"},
            {"run", bin.toString(), "--arg", "i64:20"},
            {"run", f, "--arg", "i64:20", "--tier", "interp"},
            {"run", f, "--arg", "i64:20", "--fuel", "1000"},
            {"run", f, "--arg", "i64:20", "--fuel", "x"},
            {"run", f, "--arg", "str:x"},
            {"run", f},
            {"run", f, "--entry", "9"},
            {"run", f, "--help"},
            {"run", f, "--no-such-option"},
            {"run", f, "--arg", "i64:20", "--pause-at", "5"},
            {"run", tmp.resolve("missing.tasm").toString()},
            {"run", tmp.toString()},
            {"run", bad.toString()},
            {"run", invalid.toString()},
            {"run", junk.toString(), "--arg", "i64:20"},
            {"run", "--arg", "i64:20", f},
            {"run", ""},
            {"run", "nul\0.tasm"},
            {"run", f, f, "--arg", "i64:20"},
            {"run", f, "--arg", "i64:20", "--", "x"},
            {"run", f, "--arg", "i64:20", "--record", tmp.resolve("no/such/folder.rec").toString()},
            {"run", "/dev/null"},
        };
        for (String[] args : lines) {
            assertEquals(Cli.lazy(args), preloaded(args), String.join(" ", args));
            noneLeft();
        }
        assertEquals(new Cli.Result(0, "i64:6765\n", ""), preloaded("run", f, "--arg", "i64:20"));
    }

    @Test
    void theRunUsesTheProgramLoadedAheadWhileTheFileIsUnchanged() throws Exception {
        Path file = tmp.resolve("p.tasm");
        Files.writeString(file, FIB);
        String[] args = {"run", file.toString(), "--arg", "i64:20"};
        Preload.start(args);
        Preload p = Preload.started;
        p.thread.join();
        assertNotNull(p.take(file), "loaded and unchanged");
        Preload.start(args);
        Preload.started.thread.join();
        assertEquals(new Cli.Result(0, "i64:6765\n", ""), Cli.lazy(args));
        assertNull(Preload.started, "claimed");
    }

    /**
     * The file changes after the preload read it, before the command loads it: the run is of the file as the
     * command reads it, as without the preload (the preload read the file earlier than the command would).
     */
    @Test
    void aFileChangedAfterThePreloadIsLoadedAgain() throws Exception {
        Path file = tmp.resolve("p.tasm");
        String[] args = {"run", file.toString(), "--arg", "i64:20"};
        // rewritten in place: another program, a longer text, a shorter one
        for (String now : new String[] {SEVEN, FIB + "; a comment", FIB.substring(0, FIB.length() - 3) + "}\n"}) {
            Files.writeString(file, FIB);
            Preload.start(args);
            Preload.started.thread.join();
            Files.writeString(file, now);
            Cli.Result preloaded = Cli.lazy(args);
            assertNull(Preload.started, "claimed");
            assertEquals(Cli.lazy(args), preloaded, now);
        }
        Files.writeString(file, FIB);
        Preload.start(args);
        Preload.started.thread.join();
        Files.writeString(file, SEVEN);
        assertEquals(new Cli.Result(0, "i64:7\n", ""), Cli.lazy(args));
        // replaced by another file of the same length, by a rename
        Path other = tmp.resolve("other.tasm");
        Files.writeString(file, FIB);
        Files.writeString(other, FIB.replace("const.i64 r4, 1", "const.i64 r4, 2"));
        Preload.start(args);
        Preload.started.thread.join();
        Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cli.Result replaced = Cli.lazy(args);
        assertEquals(Cli.lazy(args), replaced);
        assertTrue(!replaced.out().equals("i64:6765\n"), replaced.toString());
        // deleted, or made a directory
        Files.writeString(file, FIB);
        Preload.start(args);
        Preload.started.thread.join();
        Files.delete(file);
        Cli.Result deleted = Cli.lazy(args);
        assertEquals(Cli.lazy(args), deleted);
        assertEquals(2, deleted.code());
        Files.writeString(file, FIB);
        Preload.start(args);
        Preload.started.thread.join();
        Files.delete(file);
        Files.createDirectory(file);
        Cli.Result dir = Cli.lazy(args);
        assertEquals(Cli.lazy(args), dir);
        assertEquals(2, dir.code());
    }

    /**
     * {@code --record FILE} names the program file itself: the command truncates it before it loads the program,
     * which then fails as it does without the preload.
     */
    @Test
    void aRecordingWrittenOverTheProgramFileFailsAsWithoutThePreload() throws Exception {
        Path file = tmp.resolve("p.tasm");
        String[] args = {"run", file.toString(), "--arg", "i64:20", "--record", file.toString()};
        Files.writeString(file, FIB);
        Cli.Result without = Cli.lazy(args);
        assertEquals(2, without.code(), without.toString());
        Files.writeString(file, FIB);
        assertEquals(without, preloaded(args));
    }

    @Test
    void takenOnlyForTheSamePathLoadedAndVerified() throws Exception {
        Path file = tmp.resolve("p.tasm");
        Files.writeString(file, FIB);
        Preload.start(new String[] {"run", file.toString()});
        Preload p = Preload.claim();
        assertNull(Preload.claim(), "claimed once");
        Preload.Loaded l = p.take(file);
        assertNotNull(l);
        assertSame(l.program(), l.verified().program());
        assertNull(p.take(tmp.resolve("other.tasm")), "another path");

        Preload.start(new String[] {"run", tmp.resolve("missing.tasm").toString()});
        assertNull(Preload.claim().take(tmp.resolve("missing.tasm")), "no such file");
        Path invalid = tmp.resolve("invalid.tasm");
        Files.writeString(invalid, "program invalid\nfunc f() -> (r: i64) {\n    ret r0, [r1]\n}\n");
        Preload.start(new String[] {"run", invalid.toString()});
        assertNull(Preload.claim().take(invalid), "refused by the verifier");

        // a file over MAX_BYTES is left to the command (a valid program padded with a comment)
        Path big = tmp.resolve("big.tasm");
        Files.writeString(big, FIB + "; " + "x".repeat((int) Preload.MAX_BYTES) + "\n");
        Preload.start(new String[] {"run", big.toString()});
        assertNull(Preload.claim().take(big), "too large");
        Path edge = tmp.resolve("edge.tasm");
        String head = FIB + "; ";
        Files.writeString(edge, head + "x".repeat((int) Preload.MAX_BYTES - head.length() - 1) + "\n");
        assertEquals(Preload.MAX_BYTES, Files.size(edge));
        Preload.start(new String[] {"run", edge.toString()});
        assertNotNull(Preload.claim().take(edge), "at the limit");
        assertEquals(new Cli.Result(0, "i64:6765\n", ""), preloaded("run", big.toString(), "--arg", "i64:20"));

        // what the thread reads, and take reads again: regular files of at most MAX_BYTES, through links
        assertNull(Preload.read(big), "too large");
        assertEquals(Preload.MAX_BYTES, Preload.read(edge).length);
        Path link = tmp.resolve("link.tasm");
        Files.createSymbolicLink(link, file);
        assertEquals(FIB, new String(Preload.read(link), java.nio.charset.StandardCharsets.UTF_8));
        Path dirLink = tmp.resolve("dir.tasm");
        Files.createSymbolicLink(dirLink, tmp);
        for (Path p2 : new Path[] {tmp, dirLink, tmp.resolve("missing.tasm"), Path.of("/dev/zero"), Path.of("/dev/null")}) {
            assertNull(Preload.read(p2), p2.toString());
        }
    }

    @Test
    void startedOnlyForRunWithItsFileFirst() throws Exception {
        Path file = tmp.resolve("p.tasm");
        Files.writeString(file, FIB);
        String f = file.toString();
        for (String[] args : new String[][] {{}, {"run"}, {"verify", f}, {"debug", f}, {"run", "--arg", "i64:1", f},
            {"run", "-h"}, {"run", "@" + f}, {"run", ""}, {"RUN", f}}) {
            Preload.start(args);
            assertNull(Preload.claim(), String.join(" ", args));
        }
        Preload.start(new String[] {"run", f, "--arg", "i64:1"});
        Preload p = Preload.claim();
        assertNotNull(p);
        assertTrue(p.thread.isDaemon(), "a daemon thread: the process exits without waiting for it");
        p.thread.join();
    }

    @Test
    void onlyARunThatSelectsTheInterpreterSkipsTheWarmUp() {
        assertTrue(Preload.compiles(new String[] {"run", "f.tasm", "--arg", "i64:20"}));
        assertTrue(Preload.compiles(new String[] {"run", "f.tasm", "--tier=jit"}));
        assertTrue(Preload.compiles(new String[] {"run", "f.tasm", "--tier", "jit", "--arg", "str:interp"}));
        assertTrue(Preload.compiles(new String[] {"run", "f.tasm", "--tier"}));
        assertFalse(Preload.compiles(new String[] {"run", "f.tasm", "--tier=interp"}));
        assertFalse(Preload.compiles(new String[] {"run", "--tier", "interp", "f.tasm"}));
        assertFalse(Preload.compiles(new String[] {"run", "f.tasm", "--arg", "i64:1", "--tier", "interp"}));
    }
}
