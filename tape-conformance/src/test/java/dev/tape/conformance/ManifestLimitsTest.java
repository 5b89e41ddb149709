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
 * truncated; the Java-only heap and register limits off unless the manifest names them; and a
 * value out of range refused with the case and field named.
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
