package dev.tape.attack;

import dev.tape.asm.Assembler;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on accept/refuse fidelity: a small, valid program the reference accepts (its verifier has
 * no work budget; {@code VerifyConfig::default()} only bounds registers per function at 65,536,
 * verifier.rs {@code verify_function_container}) is refused here with
 * {@code AnalysisBudgetExceeded}: 130 reachable blocks in a function declaring 65,536 registers
 * are charged blocks x registers for each of (at least) two fixpoint passes, past the default
 * 16,777,216 units (120 blocks pass, 127 do not). The conformance runner and
 * {@code tape conformance} verify with the default budget, so such a vector (under 1 KB) is judged
 * "reject verify" where the reference runs it. Issue 11 part 6 asks conformance runs to apply only
 * the limits a manifest names.
 */
class AttackAnalysisBudgetTest {
    static Program chain(int blocks) throws Exception {
        StringBuilder b = new StringBuilder("program chain\nfunc main() -> (i64) {\n    const.i64 r65535, 0\n");
        for (int i = 0; i < blocks; i++) {
            b.append("    jmp b").append(i).append("\nb").append(i).append(":\n");
        }
        b.append("    const.i64 r1, 7\n    ret r0, [r1]\n}\n");
        return Assembler.assemble(b.toString(), "chain.tasm");
    }

    @Test
    void aSmallValidProgramTheReferenceAcceptsVerifies() throws Exception {
        Program p = chain(130);
        int size = ProgramEncoder.encode(p).length;
        assertTrue(size < 4096, "the file is " + size + " bytes");
        assertDoesNotThrow(() -> Verifier.verify(p));
    }
}
