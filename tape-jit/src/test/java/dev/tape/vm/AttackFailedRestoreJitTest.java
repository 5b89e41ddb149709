package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.testing.TrapPrograms;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on mend20's failed-restore release ({@link ExecutionContext#releaseFailed}: shared empty
 * register files and frame records) on the compiled tier, which its test did not run: a context
 * left by a failed restore (of either tier's snapshot) runs deep and shallow compiled runs, one
 * trapping on the call depth, and restores a good snapshot, each as a fresh context does, with the
 * same results, traps and fuel as the interpreter.
 */
class AttackFailedRestoreJitTest {
    private static final Limits LIMITS = Limits.DEFAULT.withMaxCallDepth(100_000);

    /** @return each run's outcome and fuel used in {@code ctx}, then a good snapshot's restored outcome */
    private static List<String> outcomes(Vm vm, ExecutionContext ctx, byte[] good) throws Exception {
        List<String> out = new ArrayList<>();
        for (long n : new long[] {30_000, 1, 0, 200_000}) {
            Run run = vm.start(ctx, 0, List.of(Value.i64(n)), LIMITS, null);
            Outcome o = run.resume();
            out.add(n + ": " + (o instanceof Outcome.Trapped t ? t.trap().kind() + "@" + t.trap().pc() : o)
                    + " fuel left " + run.fuelRemaining());
        }
        Run restored = vm.restore(ctx, good, null, null);
        restored.addFuel(10_000_000);
        Outcome o = restored.resume();
        out.add("restored: " + o + " fuel left " + restored.fuelRemaining());
        return out;
    }

    @Test
    void aContextLeftByAFailedRestoreRunsAsAFreshOneOnBothTiers() throws Exception {
        VerifiedProgram vp = Verifier.verify(TrapPrograms.deep(false).program());
        Vm[] tiers = {new Vm(vp, Host.NONE), Jit.compile(vp, Host.NONE)};
        List<List<String>> seen = new ArrayList<>();
        for (Vm maker : tiers) {
            Run deep = maker.start(new ExecutionContext(), 0, List.of(Value.i64(50_000)), LIMITS.withFuel(140_000),
                    null);
            assertTrue(deep.resume() instanceof Outcome.Paused);
            byte[] good = deep.snapshot();
            byte[] bad = Arrays.copyOf(good, good.length + 1);
            for (Vm vm : tiers) {
                ExecutionContext ctx = new ExecutionContext();
                assertThrows(SnapshotException.class, () -> vm.restore(ctx, bad, null, null));
                assertEquals(0, ctx.frameCapacity());
                assertEquals(0, ctx.registerCapacity());
                List<String> failed = outcomes(vm, ctx, good);
                assertEquals(outcomes(vm, new ExecutionContext(), good), failed, vm.toString());
                seen.add(failed);
            }
        }
        for (List<String> s : seen) {
            assertEquals(seen.get(0), s);
        }
        assertTrue(seen.get(0).get(3).contains("CALL_DEPTH_EXCEEDED"), seen.get(0).toString());
    }
}
