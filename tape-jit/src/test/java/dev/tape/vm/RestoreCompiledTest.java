package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run restored on a VM with the compiled tier resumes in compiled code ({@link JitTier#resume},
 * counted by {@code JitTier.resumed}), not only in the interpreter, with the one-shot run's result
 * and fuel; and a snapshot taken on the compiled tier restores on the interpreter.
 */
class RestoreCompiledTest {
    private static VerifiedProgram program(String src) throws Exception {
        return Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(src, "t.tasm"));
    }

    @Test
    void aLoopRestoredOnTheCompiledTierRunsCompiled() throws Exception {
        VerifiedProgram p = program(RunTest.SUM);
        List<Value> args = List.of(Value.i64(100_000));
        Vm interp = new Vm(p, Host.NONE);
        ExecutionContext one = new ExecutionContext();
        List<Value> expected = interp.run(one, 0, args, Limits.DEFAULT, null);
        Run run = interp.start(0, args, Limits.DEFAULT.withFuel(5_000));
        assertInstanceOf(Outcome.Paused.class, run.resume());
        byte[] snap = run.snapshot();

        Vm jit = Jit.compile(p, Host.NONE);
        JitTier tier = (JitTier) jit.tier;
        Run restored = jit.restore(snap);
        restored.addFuel(Limits.DEFAULT.fuel() - 5_000);
        long before = tier.resumed.get();
        assertEquals(new Outcome.Done(expected), restored.resume());
        assertTrue(tier.resumed.get() > before, "compiled code was re-entered");
        assertEquals(one.fuelRemaining(), restored.fuelRemaining());
    }

    @Test
    void aRecursionPausedCompiledRestoresOnEitherTier() throws Exception {
        VerifiedProgram p = program(SnapshotPrograms.FIB);
        List<Value> args = List.of(Value.i64(18));
        ExecutionContext one = new ExecutionContext();
        List<Value> expected = new Vm(p, Host.NONE).run(one, 0, args, Limits.DEFAULT, null);
        Vm jit = Jit.compile(p, Host.NONE);
        for (long at : new long[] {1, 777, 10_001}) {
            Run run = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            assertInstanceOf(Outcome.Paused.class, run.resume());
            run.addFuel(Limits.DEFAULT.fuel() - at);
            byte[] snap = run.snapshot();
            assertTrue(run.frames().size() > 1 || at == 1, "paused inside the recursion at " + at);
            for (Vm vm : new Vm[] {new Vm(p, Host.NONE), Jit.compile(p, Host.NONE)}) {
                Run restored = vm.restore(snap);
                assertEquals(new Outcome.Done(expected), restored.resume(), "at " + at);
                assertEquals(one.fuelRemaining(), restored.fuelRemaining(), "at " + at);
            }
            assertEquals(new Outcome.Done(expected), run.resume(), "the original goes on too");
        }
    }
}
