package dev.tape.conformance;

import dev.tape.asm.Assembler;
import dev.tape.program.ProgramEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the manifest limits: the reference runs a case with {@code "max_call_depth": 0} (its
 * {@code usize} limit is only checked by {@code call}: {@code if ctx.frames.len() >= max_call_depth}
 * in vm.rs; the entry frame is pushed unchecked), so a call-free program returns its result. The
 * runner refuses the whole manifest ("limits.max_call_depth must be 1 or more").
 */
class AttackManifestDepthZeroTest {
    @TempDir
    Path dir;

    @Test
    void aCaseWithDepthZeroRunsAsTheReferenceDoes() throws Exception {
        Files.write(dir.resolve("nocall.tape"), ProgramEncoder.encode(Assembler.assemble("""
                program nocall
                func main() -> (i64) {
                    const.i64 r1, 7
                    ret r0, [r1]
                }
                """, "nocall.tasm")));
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": ["
                + "{\"name\": \"depth_zero\", \"program\": \"nocall.tape\", \"entry\": 0, \"args\": [], "
                + "\"limits\": {\"fuel\": 1000, \"max_call_depth\": 0, \"max_host_calls\": 0}, "
                + "\"expect\": {\"returns\": [\"i64:7\"]}}]}");
        for (boolean compiled : new boolean[] {false, true}) {
            List<ConformanceResult> r = ConformanceRunner.runAll(dir, compiled);
            assertTrue(r.size() == 1 && r.get(0).passed(), (compiled ? "compiled: " : "interpreted: ") + r);
        }
    }

    /** The verifier's analysis budget is Java-only: a conformance run verifies without it. */
    @Test
    void aProgramOverTheJavaOnlyAnalysisBudgetRunsAsTheReferenceDoes() throws Exception {
        StringBuilder b = new StringBuilder("program chain\nfunc main() -> (i64) {\n    const.i64 r65535, 0\n");
        for (int i = 0; i < 130; i++) {
            b.append("    jmp b").append(i).append("\nb").append(i).append(":\n");
        }
        b.append("    const.i64 r1, 7\n    ret r0, [r1]\n}\n");
        Files.write(dir.resolve("chain.tape"), ProgramEncoder.encode(Assembler.assemble(b.toString(), "chain.tasm")));
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\", \"cases\": ["
                + "{\"name\": \"chain\", \"program\": \"chain.tape\", \"entry\": 0, \"args\": [], "
                + "\"limits\": {\"fuel\": 1000, \"max_call_depth\": 1, \"max_host_calls\": 0}, "
                + "\"expect\": {\"returns\": [\"i64:7\"]}}]}");
        for (boolean compiled : new boolean[] {false, true}) {
            List<ConformanceResult> r = ConformanceRunner.runAll(dir, compiled);
            assertTrue(r.size() == 1 && r.get(0).passed(), (compiled ? "compiled: " : "interpreted: ") + r);
        }
    }
}
