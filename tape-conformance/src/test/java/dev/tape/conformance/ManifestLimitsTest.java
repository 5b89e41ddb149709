package dev.tape.conformance;

import dev.tape.asm.Assembler;
import dev.tape.program.ProgramEncoder;
import dev.tape.vm.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the runner reads a manifest's limits: the reference's three as unsigned 64-bit numbers, never
 * truncated, and the reference's defaults where left out; the Java-only heap and register limits
 * off unless the manifest names them; and a value out of range refused with the case and field
 * named.
 */
class ManifestLimitsTest {
    @TempDir
    Path dir;

    /** down(n) recurses n deep: n + 1 frames, each with 1,000 registers. */
    static final String DOWN = """
            program down
            func down(n: i64) -> (i64) {
                const.i64 r999, 0
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, bottom, more
            bottom:
                ret r0, [r1]
            more:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, down, r0, [r5] -> [r6]
                ret r0, [r6]
            }
            """;

    static final String CHARGE = """
            program charge
            host charge = "test.charge" (u64) -> ()
            func main(x: u64) -> (i64) {
                host_call r0, charge, r0, [r1] -> []
                const.i64 r2, 7
                ret r0, [r2]
            }
            """;

    private void write(String name, String source) throws Exception {
        Files.write(dir.resolve(name + ".tape"), ProgramEncoder.encode(Assembler.assemble(source, name + ".tasm")));
    }

    private void manifest(String cases) throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": [" + cases
                + "]}");
    }

    private static String c(String name, String program, String args, String limits, String expect) {
        return "{\"name\": \"" + name + "\", \"program\": \"" + program + ".tape\", \"entry\": 0, \"args\": [" + args
                + "], \"limits\": {" + limits + "}, \"expect\": " + expect + "}";
    }

    @Test
    void referenceLimitsAreUnsignedAndJavaOnlyLimitsAreOffUnlessNamed() throws Exception {
        write("down", DOWN);
        write("charge", CHARGE);
        String max = "18446744073709551615";
        manifest(String.join(",\n", List.of(
                // 2^32 + 5 frames: the runner used to truncate this to 5
                c("depth_wide", "down", "\"i64:30\"", "\"fuel\": 1000000, \"max_call_depth\": 4294967301, "
                        + "\"max_host_calls\": 0", "{\"returns\": [\"i64:0\"]}"),
                c("depth_max", "down", "\"i64:30\"", "\"fuel\": " + max + ", \"max_call_depth\": " + max
                        + ", \"max_host_calls\": " + max, "{\"returns\": [\"i64:0\"]}"),
                c("depth_exact", "down", "\"i64:30\"", "\"fuel\": 1000000, \"max_call_depth\": 30, "
                        + "\"max_host_calls\": 0", "{\"trap\": \"call_depth_exceeded\", \"func\": 0, \"pc\": 34,"
                        + " \"span\": null}"),
                // 9,001 frames of 1,000 registers: over the default register limit, which is off here
                c("many_registers", "down", "\"i64:9000\"", "\"fuel\": 1000000, \"max_call_depth\": 10000, "
                        + "\"max_host_calls\": 0", "{\"returns\": [\"i64:0\"]}"),
                c("registers_named", "down", "\"i64:9000\"", "\"fuel\": 1000000, \"max_call_depth\": 10000, "
                        + "\"max_host_calls\": 0, \"max_registers\": 100000", "{\"trap\": \"heap_limit_exceeded\","
                        + " \"func\": 0, \"pc\": 34, \"span\": null}"),
                c("charge_all", "charge", "\"u64:" + max + "\"", "\"fuel\": " + max + ", \"max_call_depth\": 1, "
                        + "\"max_host_calls\": 1", "{\"trap\": \"fuel_exceeded\", \"func\": 0, \"pc\": 7,"
                        + " \"span\": null}"),
                c("charge_exact", "charge", "\"u64:18446744073709551612\"", "\"fuel\": " + max
                        + ", \"max_call_depth\": 1, \"max_host_calls\": 1", "{\"returns\": [\"i64:7\"]}"))));
        List<ConformanceCase> cases = ConformanceRunner.load(dir);
        assertEquals(4_294_967_301L, cases.get(0).limits().maxCallDepth());
        assertEquals(-1L, cases.get(1).limits().fuel());
        assertEquals(Long.MAX_VALUE, cases.get(0).limits().maxHeapBytes());
        assertEquals(Integer.MAX_VALUE, cases.get(0).limits().maxRegisters());
        assertEquals(100_000, cases.get(4).limits().maxRegisters());
        for (boolean compiled : new boolean[] {false, true}) {
            for (ConformanceResult r : ConformanceRunner.runAll(dir, compiled)) {
                assertTrue(r.passed(), () -> r.testCase().name() + (compiled ? " (compiled)" : "") + ": "
                        + r.mismatch() + "; got " + r.actual());
            }
        }
        // the same run under the default (Java-only) register limit traps: the manifest's silence matters
        assertTrue(9001L * 1000 > Limits.DEFAULT_REGISTERS);
    }

    /**
     * spin(n) counts to n: 3 instructions (two constants and a jmp, whose label operand the
     * assembler writes in 5 bytes), then 3 per round (i64.add at pc 12, i64.lt at pc 16, br at pc
     * 20), then ret.
     */
    static final String SPIN = """
            program spin
            func spin(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp loop
            loop:
                i64.add r2, r2, r3
                i64.lt r4, r2, r1
                br r4, loop, done
            done:
                ret r0, [r2]
            }
            """;

    /**
     * A limit the manifest leaves out is the reference's default ({@code impl Default for Limits}
     * in vm.rs: fuel 1,000,000, max_call_depth 256, max_host_calls 1,000,000), with which the
     * reference ran the case, not this implementation's larger defaults. With 1,000,000 fuel,
     * spin(500000) pays 3 and 333,332 rounds (999,999), then the i64.add of the next round, and
     * traps at its i64.lt (pc 16) with nothing left, while spin(333332) takes exactly 1,000,000;
     * down(255) takes 256 frames, and down(256) traps at the call (pc 34) of its 256th frame.
     */
    @Test
    void absentLimitsAreTheReferenceDefaults() throws Exception {
        write("down", DOWN);
        write("spin", SPIN);
        manifest(String.join(",\n", List.of(
                "{\"name\": \"spin_no_limits\", \"program\": \"spin.tape\", \"entry\": 0, "
                        + "\"args\": [\"i64:500000\"], \"expect\": {\"trap\": \"fuel_exceeded\", \"func\": 0, "
                        + "\"pc\": 16, \"span\": null}}",
                c("spin_fits", "spin", "\"i64:333332\"", "", "{\"returns\": [\"i64:333332\"]}"),
                c("down_fits", "down", "\"i64:255\"", "\"fuel\": 1000000", "{\"returns\": [\"i64:0\"]}"),
                c("down_too_deep", "down", "\"i64:256\"", "\"fuel\": 1000000", "{\"trap\": "
                        + "\"call_depth_exceeded\", \"func\": 0, \"pc\": 34, \"span\": null}"))));
        List<ConformanceCase> cases = ConformanceRunner.load(dir);
        assertEquals(1_000_000L, cases.get(0).limits().fuel());
        assertEquals(256L, cases.get(0).limits().maxCallDepth());
        assertEquals(1_000_000L, cases.get(0).limits().maxHostCalls());
        for (boolean compiled : new boolean[] {false, true}) {
            for (ConformanceResult r : ConformanceRunner.runAll(dir, compiled)) {
                assertTrue(r.passed(), () -> r.testCase().name() + (compiled ? " (compiled)" : "") + ": "
                        + r.mismatch() + "; got " + r.actual());
            }
        }
    }

    @Test
    void limitsOutOfRangeAreRefusedWithTheCaseAndField() throws Exception {
        write("down", DOWN);
        String[][] bad = {
            {"\"fuel\": -1", "case x: limits.fuel must be a whole number from 0 to 18446744073709551615"},
            {"\"fuel\": 18446744073709551616", "case x: limits.fuel must be a whole number from 0 to"
                    + " 18446744073709551615"},
            {"\"max_host_calls\": 1.5", "case x: limits.max_host_calls must be a whole number from 0 to"
                    + " 18446744073709551615"},
            {"\"max_registers\": 0", "case x: limits.max_registers must be 1 or more"},
            {"\"max_registers\": 2147483648", "case x: limits.max_registers must be a whole number from 0 to"
                    + " 2147483647"},
            {"\"max_heap_bytes\": \"lots\"", "case x: limits.max_heap_bytes must be a whole number from 0 to"
                    + " 9223372036854775807"},
        };
        for (String[] b : bad) {
            manifest(c("x", "down", "\"i64:1\"", b[0], "{\"returns\": [\"i64:0\"]}"));
            IOException e = assertThrows(IOException.class, () -> ConformanceRunner.load(dir), b[0]);
            assertEquals(b[1], e.getMessage());
        }
    }
}
