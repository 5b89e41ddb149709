package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A counted loop's latch, {@code i64.add} + {@code i64.lt}+{@code br}, in both lowered forms: the
 * {@link LOp#I64_ADD_LT_BR_RUN} the lowering chooses when the branch goes back to a head that starts
 * a run (the interpreter hands the loop to {@link WordRun} or {@link FloatRun} there) and the plain
 * {@link LOp#I64_ADD_LT_BR} otherwise. Both end exactly as their instructions one at a time on both
 * tiers: {@link StepSweep#sweep} runs the interpreter untraced, stepped one instruction at a time
 * (INSTR tracing) and the compiled tier under every fuel budget from 0 to past the end (results,
 * trap, pc and fuel alike) and pauses them in lockstep at fuel slices, snapshots restored.
 */
class LoopRunTiersTest {
    /** The ops of function 0's latches closed by {@code i64.add} + {@code i64.lt}+{@code br}, in code order. */
    private static List<Integer> latches(Vm vm) {
        List<Integer> ops = new ArrayList<>();
        LoweredFunction lf = vm.funcs[0];
        for (int i = 0; i < lf.codeLength(); i++) {
            int op = lf.code()[i];
            if (lf.pcOf()[i] >= 0 && (op == LOp.I64_ADD_LT_BR || op == LOp.I64_ADD_LT_BR_RUN)) {
                ops.add(op);
            }
        }
        return ops;
    }

    /**
     * {@code LoopRunFuelTest}'s five loops: two latches to a run's head (a loop the run takes whole,
     * and one whose run leaves at an {@code i64.xor} each trip), one {@code i64.add} latch to a head
     * that starts none, and two loops closed by other fused compares.
     */
    @Test
    void aLatchToARunsHeadAndOneToAnotherHeadEndAlikeOnBothTiersAtEveryBudget() throws Exception {
        VerifiedProgram vp = LoopRunFuelTest.program();
        Tiers t = Tiers.of(vp, new HostRegistry());
        assertEquals(List.of(LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR), latches(t.interpreted));
        long total = 0;
        for (long n : new long[] {0, 1, 2, 5}) {
            Tiers.Outcome full = StepSweep.sweep(t, List.of(Value.i64(n)), n, "n " + n);
            assertTrue(!full.trapped(), "n " + n + ": " + full);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(total > 300, "the runs ran " + total + " instructions");
    }

    /**
     * {@code LoopRunAttackTest}'s random nested counted loops (word and f64 heads, latches into a
     * body's middle, {@code i64.xor} exits, forward if/else, an {@code i64.div} that may trap):
     * programs holding each latch form, some trapping, end alike on both tiers at every budget.
     */
    @Test
    void randomCountedLoopsEndAlikeOnBothTiersAtEveryBudget() throws Exception {
        int withRun = 0;
        int withPlain = 0;
        int traps = 0;
        for (long seed = 1; seed <= 40; seed++) {
            VerifiedProgram vp = LoopRunAttackTest.program(seed);
            Tiers t = Tiers.of(vp, new HostRegistry());
            List<Integer> ops = latches(t.interpreted);
            withRun += ops.contains(LOp.I64_ADD_LT_BR_RUN) ? 1 : 0;
            withPlain += ops.contains(LOp.I64_ADD_LT_BR) ? 1 : 0;
            Tiers.Outcome full = StepSweep.sweep(t, List.of(Value.i64(2 + seed % 3)), seed, "seed " + seed);
            traps += full.trapped() ? 1 : 0;
        }
        assertTrue(withRun >= 15 && withPlain >= 5, "programs with a latch to a run's head " + withRun
                + ", with another latch " + withPlain);
        assertTrue(traps >= 2 && traps <= 38, "programs that trap: " + traps);
    }
}
