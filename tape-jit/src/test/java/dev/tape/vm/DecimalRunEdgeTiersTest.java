package dev.tape.vm;

import dev.tape.host.HostRegistry;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun} at the edges of its operands ({@link DecimalRunEdgePrograms}): the untraced
 * interpreter ends every program under every fuel budget exactly as the build before it did
 * (6a4249e, where each decimal instruction was a case of {@code execute}: results, trap kind,
 * function, pc and fuel left), and the interpreter stepped, untraced and the compiled tier end
 * alike under every budget and pause alike at fuel slices ({@link StepSweep}).
 */
class DecimalRunEdgeTiersTest {
    /**
     * {@link DecimalRunEdgePrograms#digest} on the classes of 6a4249e (tape-core/target/classes of
     * a clone at that commit: {@code java -cp CLASSES:. dev.tape.vm.DecimalRunEdgePrograms}); the
     * same on this build when it was written. A wrong unit given back on leaving a run or on a trap in
     * it, or a fused half run without its unit, changes it (both tried).
     */
    static final String BEFORE = "77ce3dba28af357651c0843a098b8a368bcc602f35d411ddbc39123b62dfa23d";

    @Test
    void everyBudgetEndsAsInTheBuildBeforeDecimalRun() throws Exception {
        StringBuilder log = new StringBuilder();
        String digest = DecimalRunEdgePrograms.digest(log);
        Set<String> endings = new HashSet<>();
        for (String line : log.toString().split("\n")) {
            endings.add(line.split(" ")[2]);
        }
        // the programs end every way: results, decimal_overflow, decimal_scale_mismatch
        assertEquals(Set.of("ok", "DECIMAL_OVERFLOW", "DECIMAL_SCALE_MISMATCH"), endings);
        assertEquals(BEFORE, digest, "the outcomes differ from the build before's; whole runs:\n" + log);
    }

    @Test
    void edgeProgramsEndAlikeOnBothTiersAtEveryBudget() throws Exception {
        for (long seed = 1; seed <= 60; seed++) {
            Tiers t = Tiers.of(Tiers.verified(DecimalRunEdgePrograms.program(seed)), new HostRegistry());
            Tiers.Outcome full = StepSweep.sweep(t, DecimalRunEdgePrograms.ARGS, seed, "edge seed " + seed);
            assertTrue(full.used(Limits.DEFAULT.withFuel(1_000_000)) > 10, "edge seed " + seed);
        }
    }
}
