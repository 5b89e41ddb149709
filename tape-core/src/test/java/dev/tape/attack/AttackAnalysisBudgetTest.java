package dev.tape.attack;

import dev.tape.asm.Assembler;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small, valid program the reference accepts (its verifier has no work budget;
 * {@code VerifyConfig::default()} only bounds registers per function at 65,536) that this
 * verifier's default analysis budget refuses: 130 reachable blocks in a function declaring 65,536
 * registers are charged blocks x registers for each fixpoint pass. The budget is a Java-only limit,
 * so a verifier without it (as conformance runs use, see {@code ConformanceRunner}) accepts the
 * program, while the default still refuses it cleanly.
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
    void aSmallValidProgramVerifiesWithoutTheJavaOnlyBudget() throws Exception {
        Program p = chain(130);
        int size = ProgramEncoder.encode(p).length;
        assertTrue(size < 4096, "the file is " + size + " bytes");
        assertDoesNotThrow(() -> new Verifier(Verifier.DEFAULT_MAX_REGS, Long.MAX_VALUE).check(p));
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p));
        assertEquals("AnalysisBudgetExceeded", e.kind());
    }
}
