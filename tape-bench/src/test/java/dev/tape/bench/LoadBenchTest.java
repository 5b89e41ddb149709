package dev.tape.bench;

import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LoadBench}'s programs decode and verify, and guard steps make their functions larger. */
class LoadBenchTest {
    @Test
    void specsBuildProgramsThatVerify() throws Exception {
        LoadBench b = new LoadBench();
        b.program = "500x4";
        b.setup();
        VerifiedProgram vp = b.decodeVerify();
        assertEquals(500, vp.functionCount());
        // six instructions per guard step, four steps, before each function's plain body
        VerifiedProgram plain = Verifier.verify(BigProgram.build(500));
        for (int f = 0; f < 5; f++) {
            assertEquals(plain.instructionCount(f) + 4 * 6, vp.instructionCount(f), "instructions of function " + f);
        }
        // each step takes at least 3 bytes an instruction
        assertTrue(b.bytes() > LoadBench.encode("500x0").length + 500 * 4 * 6 * 3, b.bytes() + " bytes");
        assertThrows(IllegalArgumentException.class, () -> LoadBench.encode("500"));
    }
}
