package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape profile} on a tree within {@code --max-depth} and {@code --max-stacks} whose
 * collapsed stacks would still be huge: a recursion 600 deep through a function with a 2,000-char
 * name makes 600 stacks of 300 frames on average, 360 million characters (a 4,000-deep one ran a
 * 4.5 GB JVM out of memory).
 */
class ProfileSizeTest {
    static final String NAME = "a".repeat(2000);

    static final String LONG = """
            program long
            func main(n: i64) -> (t: i64) {
                call r0, NAME, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func NAME(n: i64) -> (t: i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                i64.eq r4, r1, r2
                br r4, base, step
            base:
                ret r0, [r2]
            step:
                i64.sub r5, r1, r3
                call r0, NAME, r0, [r5] -> [r6]
                i64.add r6, r6, r3
                ret r0, [r6]
            }
            """.replace("NAME", NAME);

    @Test
    void collapsedStacksTooLargeToBuildAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path program = dir.resolve("long.tasm");
        Files.writeString(program, LONG);
        Path folded = dir.resolve("long.folded");
        Cli.Result r = Cli.run("profile", program.toString(), "--arg", "600", "--max-depth", "4096",
                "--max-call-depth", "10000", "--collapsed", folded.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.out().contains("i64:600"), r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("tape profile: the profile is too large to write as collapsed stacks"),
                lines[0]);
        assertTrue(lines[0].contains("more than " + ProfileWriters.MAX_COLLAPSED_CHARS + " characters"), lines[0]);
        assertFalse(Files.exists(folded));
        // the SVG alone is written: its size follows the tree's frames, not their depth
        Path svg = dir.resolve("long.svg");
        r = Cli.run("profile", program.toString(), "--arg", "600", "--max-depth", "4096", "--max-call-depth", "10000",
                "-o", svg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(svg) < 10_000_000, "svg bytes: " + Files.size(svg));
        // a shallower cut fits
        r = Cli.run("profile", program.toString(), "--arg", "600", "--max-depth", "100", "--max-call-depth", "10000",
                "--collapsed", folded.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(101, Files.readAllLines(folded).size());
    }
}
