package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run} reports span ids up to 2^64-1 and "none" apart from them, in trap reports and in
 * {@code --trace instr}, and elides the middle of deep call stacks in one line.
 */
class TrapSpansTest {
    static final String PROGRAM = """
            func main() -> (i64) {
                call r0, mid, r0, [] -> [r1]
                ret r0, [r1]
            }

            func mid() -> (i64) {
                .span 18446744073709551615
                call r0, bottom, r0, [] -> [r1]
                ret r0, [r1]
            }

            func bottom() -> (i64) {
                const.i64 r1, 0
                .span 9223372036854775808
                i64.div r2, r1, r1
                ret r0, [r2]
            }
            """;

    @TempDir
    Path tmp;

    private String program() throws IOException {
        Path p = tmp.resolve("spans.tasm");
        Files.writeString(p, PROGRAM);
        return p.toString();
    }

    @Test
    void trapReportsShowSpanIdsOfTheWholeRange() throws IOException {
        for (String tier : new String[] {"jit", "interp"}) {
            Cli.Result r = run("run", "--tier", tier, program());
            assertEquals(1, r.code(), r.err());
            assertEquals(List.of(
                    "trap: div_by_zero at 2 (bottom) pc 3 span 9223372036854775808",
                    "  at 2 (bottom) pc 3 span 9223372036854775808",
                    "  at 1 (mid) pc 0 span 18446744073709551615",
                    "  at 0 (main) pc 0 span none"), r.errLines(), tier);
        }
    }

    @Test
    void instructionTracesShowSpanIdsOfTheWholeRange() throws IOException {
        Cli.Result r = run("run", "--trace", "instr", program());
        assertEquals(1, r.code(), r.err());
        List<String> instr = r.errLines().stream().filter(l -> l.startsWith("trace instr")).toList();
        assertEquals(List.of(
                "trace instr func 0 (main) pc 0 span none call",
                "trace instr func 1 (mid) pc 0 span 18446744073709551615 call",
                "trace instr func 2 (bottom) pc 0 span none const.i64",
                "trace instr func 2 (bottom) pc 3 span 9223372036854775808 i64.div"), instr);
    }

    @Test
    void theBinaryAndItsDisassemblyKeepTheSpans() throws IOException {
        Path bin = tmp.resolve("spans.tape");
        assertEquals(0, run("asm", program(), "-o", bin.toString()).code());
        Cli.Result r = run("disasm", bin.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(".span 18446744073709551615\n"), r.out());
        assertTrue(r.out().contains(".span 9223372036854775808\n"), r.out());
        assertEquals("trap: div_by_zero at 2 (bottom) pc 3 span 9223372036854775808",
                run("run", bin.toString()).errLines().get(0));
    }

    /** 5,000 frames: the trap keeps 128 of them, the report shows 32 and one line for the rest. */
    @Test
    void deepStacksPrintTheirEndsAndOneElisionLine() {
        Cli.Result r = run("run", vector("deep_recursion_10000.tape"), "--arg", "i64:10000", "--max-call-depth",
                "5000");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("trap: call_depth_exceeded at 0 pc 30 span none\n"), r.err());
        assertEquals(1 + 2 * TrapReport.STACK_EDGE + 1, r.errLines().size(), r.err());
        assertEquals("  ... " + (5_000 - 2 * TrapReport.STACK_EDGE) + " frames elided",
                r.errLines().get(1 + TrapReport.STACK_EDGE));
        assertTrue(r.errLines().subList(1, r.errLines().size()).stream()
                .filter(l -> !l.contains("elided")).allMatch(l -> l.startsWith("  at 0 pc ")), r.err());
    }
}
