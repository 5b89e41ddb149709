package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.program.ConformanceFiles;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verifier reuses one set of scratch arrays ({@link Lowerer.Buffers}: the type analysis's
 * block states, the must-init pass's bit sets, the control-flow tables) for all functions of a
 * program; verifying with new arrays for every function gives the same decisions, errors and
 * results over the mutated corpus ({@link MutatedCorpus}: 3,348 programs, many with functions of
 * very different sizes, spliced bodies and register counts up to 2^24), and arrays left over from a
 * larger function never leak into a smaller one after it.
 */
class ScratchReuseTest {
    private static final Verifier VERIFIER = new Verifier();

    @Test
    void reusedScratchDecidesAsFreshScratchOverTheMutatedCorpus() throws Exception {
        List<Path> tapes = ConformanceFiles.tapes();
        List<String> reused = MutatedCorpus.outcomes(tapes, VERIFIER::check);
        List<String> fresh = MutatedCorpus.outcomes(tapes, VERIFIER::checkWithFreshScratch);
        assertEquals(3348, reused.size());
        for (int i = 0; i < reused.size(); i++) {
            assertEquals(fresh.get(i), reused.get(i), "program " + i);
        }
    }

    /**
     * Function 0 (200 registers, 51 blocks) writes every register in its entry block; function 1
     * (a smaller one) adds a bool as an i64 in its entry block ({@code TypeMismatch}), then jumps
     * to a block that reads r5, written nowhere. The must-init pass runs over the whole function
     * before the types are checked, so the error is the read of r5; had the pass seen function 0's
     * bits, r5 would look written there and the type error would come first. The must-init bits function 0 left in the scratch arrays must not
     * make r5 look written in function 1.
     */
    @Test
    void aSmallerFunctionAfterALargerOneSeesNoneOfItsBits() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder big = pb.addFunction(List.of(), List.of());
        for (int r = 1; r < 200; r++) {
            big.constI64(r, r);
        }
        FunctionBuilder.Label next = big.newLabel();
        for (int i = 0; i < 50; i++) {
            big.jmp(next);
            big.place(next);
            next = big.newLabel();
        }
        big.ret(0);
        FunctionBuilder small = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label body = small.newLabel();
        small.constBool(1, true);
        small.i64Add(6, 1, 1);
        small.jmp(body);
        small.place(body);
        small.i64Add(6, 5, 5);
        small.ret(0);
        small.regCount(100);
        Program p = pb.build();
        for (boolean fresh : new boolean[] {false, true}) {
            MutatedCorpus.Verify verify = fresh ? VERIFIER::checkWithFreshScratch : VERIFIER::check;
            VerifyException e = assertThrows(VerifyException.class, () -> verify.verify(p));
            assertEquals("UninitializedRead", e.kind());
            assertEquals(1, e.func());
            assertEquals(small.pcOf(body), e.pc());
            assertEquals("r5 is read before it is written on some path", e.reason());
        }
    }
}
