package dev.tape.conformance;

import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vectors with span ids at the top of the unsigned 64-bit range (2^63, 2^64-1), with no span, and
 * with the reserved id 0, in the manifest format the reference writes: the runner reads the
 * expected span as an integer up to 2^64-1 or null, and tells "no span" from every id, on both
 * tiers.
 */
class SpanVectorsTest {
    @TempDir
    Path dir;

    /**
     * {@code main(n)} (no span) calls {@code mid(n)}, whose call to {@code bottom(n)} is under span
     * 2^64-1; {@code bottom} divides 1 by n under span 2^63; {@code mid} recurses once more when n
     * is 1, so a depth limit of 3 traps at mid's call.
     */
    private void writeProgram() throws IOException {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int mid = pb.declareFunction(List.of(I64), List.of(I64));
        int bottom = pb.declareFunction(List.of(I64), List.of(I64));
        pb.function(main).call(0, mid, 0, new int[] {1}, new int[] {2}).ret(0, 2);
        pb.function(mid).span(-1L).call(0, bottom, 0, new int[] {1}, new int[] {2}).ret(0, 2);
        FunctionBuilder b = pb.function(bottom);
        b.constI64(2, 1).span(Long.MIN_VALUE).i64Div(3, 2, 1).ret(0, 3);
        Files.write(dir.resolve("spans.tape"), ProgramEncoder.encode(pb.build()));

        // the same shape of file with span id 0, which the format reserves
        ProgramBuilder z = new ProgramBuilder();
        z.addFunction(List.of(), List.of()).span(0x55).ret(0);
        byte[] bytes = ProgramEncoder.encode(z.build());
        byte[] table = {1, 1, 0, 0x55}; // one table of one entry: delta 0, id 0x55
        int at = indexOf(bytes, table);
        assertTrue(at >= 0 && indexOf(bytes, new byte[] {0x55}) == at + 3);
        bytes[at + 3] = 0;
        Files.write(dir.resolve("span_zero.tape"), bytes);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String trapCase(String name, String arg, int depth, String trap, int func, int pc, String span) {
        return "{\"name\": \"" + name + "\", \"program\": \"spans.tape\", \"entry\": 0, \"args\": [\"" + arg + "\"], "
                + "\"limits\": {\"fuel\": 1000, \"max_call_depth\": " + depth + ", \"max_host_calls\": 10}, "
                + "\"expect\": {\"trap\": \"" + trap + "\", \"func\": " + func + ", \"pc\": " + pc + ", \"span\": "
                + span + "}}";
    }

    private void writeManifest(String... cases) throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": ["
                + String.join(", ", cases) + "]}");
    }

    private List<ConformanceResult> runAll(boolean compiled) throws IOException {
        return ConformanceRunner.load(dir).stream().map(c -> ConformanceRunner.run(dir, c, compiled)).toList();
    }

    @Test
    void spanIdsOfTheWholeRangeAndNoSpan() throws IOException {
        writeProgram();
        writeManifest(
                trapCase("at_2_63", "i64:0", 10, "div_by_zero", 2, 3, "9223372036854775808"),
                trapCase("at_2_64_minus_1", "i64:0", 2, "call_depth_exceeded", 1, 0, "18446744073709551615"),
                trapCase("no_span", "i64:0", 1, "call_depth_exceeded", 0, 0, "null"),
                "{\"name\": \"span_zero\", \"program\": \"span_zero.tape\", \"entry\": 0, \"args\": [], \"limits\": {},"
                        + " \"expect\": {\"reject\": \"decode\", \"detail\": \"span id 0\"}}",
                // wrong expectations, each of which must fail
                trapCase("wrong_2_63_minus_1", "i64:0", 10, "div_by_zero", 2, 3, "9223372036854775807"),
                trapCase("wrong_none_for_id", "i64:0", 10, "div_by_zero", 2, 3, "null"),
                trapCase("wrong_id_for_none", "i64:0", 1, "call_depth_exceeded", 0, 0, "18446744073709551615"),
                trapCase("wrong_1_for_2_64_minus_1", "i64:0", 2, "call_depth_exceeded", 1, 0, "1"));
        for (boolean compiled : new boolean[] {false, true}) {
            List<ConformanceResult> rs = runAll(compiled);
            assertEquals(8, rs.size());
            for (ConformanceResult r : rs.subList(0, 4)) {
                assertTrue(r.passed(), r.testCase() + " compiled " + compiled + ": " + r.mismatch() + "; "
                        + r.actual());
            }
            assertEquals("trap div_by_zero func 2 pc 3 span 9223372036854775808", rs.get(0).actual());
            assertEquals("trap call_depth_exceeded func 1 pc 0 span 18446744073709551615", rs.get(1).actual());
            assertEquals("trap call_depth_exceeded func 0 pc 0 span null", rs.get(2).actual());
            for (ConformanceResult r : rs.subList(4, 8)) {
                assertFalse(r.passed(), r.testCase() + " compiled " + compiled + " passed: " + r.actual());
            }
            assertTrue(rs.get(4).mismatch().endsWith(" span 9223372036854775807"), rs.get(4).mismatch());
        }
    }

    @Test
    void expectedSpansOutsideTheRangeAreManifestErrors() throws IOException {
        writeProgram();
        for (String bad : new String[] {"0", "-1", "18446744073709551616", "1.5", "\"7\"", "true"}) {
            writeManifest(trapCase("bad", "i64:0", 10, "div_by_zero", 2, 3, bad));
            IOException e = assertThrows(IOException.class, () -> ConformanceRunner.load(dir), bad);
            assertTrue(e.getMessage().contains("is not a span id"), e.getMessage());
        }
    }
}
