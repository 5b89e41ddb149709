package dev.tape.conformance;

import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results nested deeper than any fixed bound are judged by the runner like any other, on both tiers:
 * a program builds a 1,500-deep tuple (the reference returns such values), and another returns a
 * 100,000-deep argument, parsed, run, compared and shown on a 256 KiB thread stack.
 */
class DeepResultsTest {
    @TempDir
    Path dir;

    private static String nested(int depth) {
        return "tuple(".repeat(depth) + "tuple()" + ")".repeat(depth);
    }

    /** Function 0, {@code (n: i64) -> agg}: n times {@code t = (t)} from {@code t = ()}; function 1 returns its argument. */
    private void writeProgram() throws IOException {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(ValueType.I64), List.of(ValueType.AGG));
        FunctionBuilder.Label head = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        f.tupleNew(2).constI64(3, 0).constI64(4, 1).jmp(head);
        f.place(head).i64Gt(5, 1, 3).br(5, body, done);
        f.place(body).tupleNew(2, 2).i64Sub(1, 1, 4).jmp(head);
        f.place(done).ret(0, 2);
        pb.addFunction(List.of(ValueType.AGG), List.of(ValueType.AGG)).ret(0, 1);
        Files.write(dir.resolve("deep.tape"), ProgramEncoder.encode(pb.build()));
    }

    private static String testCase(String name, int entry, String arg, String returns) {
        return "{\"name\": \"" + name + "\", \"program\": \"deep.tape\", \"entry\": " + entry + ", \"args\": [\"" + arg
                + "\"], \"limits\": {\"fuel\": 1000000, \"max_call_depth\": 256, \"max_host_calls\": 1000000}, "
                + "\"expect\": {\"returns\": [\"" + returns + "\"]}}";
    }

    private List<ConformanceResult> runAll(boolean compiled) throws Exception {
        List<ConformanceResult> out = new ArrayList<>();
        for (ConformanceCase c : ConformanceRunner.load(dir)) {
            out.add(ConformanceRunner.run(dir, c, compiled));
        }
        return out;
    }

    @Test
    void aFifteenHundredDeepResultPassesOnBothTiersAndAShallowerExpectationFails() throws Exception {
        writeProgram();
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": ["
                + testCase("deep_1500", 0, "i64:1500", nested(1500)) + ", "
                + testCase("deep_1500_wrong", 0, "i64:1500", nested(1499)) + "]}");
        for (boolean compiled : new boolean[] {false, true}) {
            List<ConformanceResult> rs = runAll(compiled);
            assertTrue(rs.get(0).passed(), rs.get(0).mismatch() + "; got " + rs.get(0).actual());
            assertEquals("returns [" + nested(1500) + "]", rs.get(0).actual());
            assertFalse(rs.get(1).passed(), "a 1,499-deep expectation does not match a 1,500-deep result");
            assertEquals("returns [" + nested(1500) + "]", rs.get(1).actual());
        }
    }

    @Test
    void aHundredThousandDeepArgumentRoundTripsOnASmallStack() throws Exception {
        writeProgram();
        String deep = nested(100_000);
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": ["
                + testCase("echo_deep", 1, deep, deep) + "]}");
        for (boolean compiled : new boolean[] {false, true}) {
            Object[] got = new Object[1];
            Thread t = new Thread(null, () -> {
                try {
                    got[0] = runAll(compiled);
                } catch (Throwable e) {
                    got[0] = e;
                }
            }, "small-stack", 256 * 1024);
            t.start();
            t.join();
            if (got[0] instanceof Throwable e) {
                throw new AssertionError("the runner failed on a 256 KiB stack", e);
            }
            @SuppressWarnings("unchecked")
            ConformanceResult r = ((List<ConformanceResult>) got[0]).get(0);
            assertTrue(r.passed(), r.mismatch() + "; got " + r.actual().substring(0, 100));
            assertEquals("returns [" + deep.substring(0, ConformanceRunner.SHOWN_CHARS) + "...]", r.actual());
        }
    }
}
