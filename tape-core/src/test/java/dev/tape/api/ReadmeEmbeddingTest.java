package dev.tape.api;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.FunctionHandle;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's embedding example, compiled and run: the code between the markers below is the
 * README's first {@code java} block under "## Embedding", character for character (after removing
 * this method's indentation), so the two cannot drift apart.
 */
class ReadmeEmbeddingTest {
    static final String PROGRAM = """
            program embed
            struct Stats = { min: i64, max: i64 }
            host add = "math.add" (i64, i64) -> (i64)
            host log = "log.info" (str) -> ()
            host stats = "app.stats" (i64, i64) -> (agg)

            func main(a: i64, b: i64) -> (sum: i64) {
                host_call r0, add, r0, [r1, r2] -> [r3]
                const.pool r4, str:"added"
                host_call r0, log, r0, [r4] -> []
                ret r0, [r3]
            }
            func spread(a: i64, b: i64) -> (i64) {
                host_call r0, stats, r0, [r1, r2] -> [r3]
                call r0, width, r0, [r3] -> [r4]
                ret r0, [r4]
            }
            func width(s: agg struct Stats) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                i64.sub r4, r3, r2
                ret r0, [r4]
            }
            """;

    @Test
    void theExampleRuns(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("embed.tape");
        Files.write(path, ProgramEncoder.encode(Assembler.assemble(PROGRAM, "embed.tasm")));
        // README-BEGIN
        Program program = ProgramDecoder.decode(Files.readAllBytes(path));      // DecodeException
        VerifiedProgram verified = Verifier.verify(program);                     // VerifyException
        int stats = program.types().structId("min", "max");    // a struct type, found by its field names
        List<String> lines = new ArrayList<>();
        HostRegistry host = new HostRegistry()
            .registerLong("math.add", (a, b) -> a + b)                           // (i64, i64) -> (i64)
            .registerConsumer("log.info", lines::add)                            // (str) -> ()
            .register("app.stats", Signature.of(List.of(I64, I64), List.of(AGG)), args -> new Value[] {
                Value.struct(stats, Value.of(Math.min(args[0].asLong(), args[1].asLong())),
                                    Value.of(Math.max(args[0].asLong(), args[1].asLong())))});
        Vm vm = new Vm(verified, host);     // links every import now: one LinkException lists what is missing
        FunctionHandle main = vm.function("main");       // main (i64, i64) -> (i64); no such name throws
        long sum = main.call(Value.of(40), Value.of(2)).get(0).asLong();                          // Trap
        long spread = vm.function("spread").call(Value.of(9), Value.of(2)).get(0).asLong();
        // README-END
        assertEquals(42, sum);
        assertEquals(7, spread);
        assertEquals(List.of("added"), lines);
        assertEquals("main (i64, i64) -> (i64)", main.toString());
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/tape/api/ReadmeEmbeddingTest.java"),
                StandardCharsets.UTF_8);
        int from = source.indexOf('\n', source.indexOf("// README-BEGIN")) + 1;
        int to = source.lastIndexOf('\n', source.indexOf("// README-END")) + 1;
        StringBuilder region = new StringBuilder();
        for (String line : source.substring(from, to).split("\n", -1)) {
            if (!line.isEmpty()) {
                assertTrue(line.startsWith("        "), line);
                region.append(line.substring(8));
            }
            region.append('\n');
        }
        String code = region.substring(0, region.length() - 1);
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Embedding\n");
        assertTrue(section >= 0, "README has an Embedding section");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        int end = readme.indexOf("```\n", start);
        assertEquals(code, readme.substring(start, end));
    }
}
