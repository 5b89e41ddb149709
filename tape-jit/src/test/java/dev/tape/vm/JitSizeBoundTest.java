package dev.tape.vm;

import dev.tape.jit.JitTestAccess;
import dev.tape.format.DecodeException;
import dev.tape.gen.ValidPrograms;
import dev.tape.host.Host;
import dev.tape.program.ConformanceFiles;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JitTestAccess#sizeBound} is an upper bound on the bytecode of every method the compiler
 * generates. The compiler measures every method it generates, so the bound is an oracle for the
 * tests (a function under it must compile, {@code JitFuzzTest}); a bound that is too low would
 * make that oracle wrong.
 */
class JitSizeBoundTest {
    private static void check(VerifiedProgram p, String what) {
        Vm vm = new Vm(p, Host.NONE, Tiers.LAZY);
        for (LoweredFunction fn : Lowered.functions(p)) {
            int size = JitTestAccess.measure(new JitView(vm, null), fn.id());
            int bound = JitTestAccess.sizeBound(fn);
            assertTrue(size <= bound, what + " function " + fn.id() + ": " + size + " bytes, bound " + bound);
        }
    }

    @Test
    void boundHoldsForEveryConformanceProgram() throws Exception {
        int checked = 0;
        for (Path t : ConformanceFiles.tapes()) {
            Program prog;
            VerifiedProgram p;
            try {
                prog = ProgramDecoder.decode(Files.readAllBytes(t));
                p = Verifier.verifyWithShapesAcrossBlocks(prog);
            } catch (DecodeException | VerifyException e) {
                continue;
            }
            check(p, t.getFileName().toString());
            checked++;
        }
        assertTrue(checked > 300, "only " + checked + " programs verified");
    }

    @Test
    void boundHoldsForGeneratedPrograms() throws Exception {
        for (long seed = 0; seed < 300; seed++) {
            check(Verifier.verifyWithShapesAcrossBlocks(ValidPrograms.program(seed)), "seed " + seed);
        }
    }
}
