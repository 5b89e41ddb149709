package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun} with more decimal registers than the interpreter's list of unboxed slots
 * ({@link ExecutionContext#DEC_SLOTS}): a loop whose body writes 128 decimal registers fills the
 * list twice a trip, and each instruction after a run's first whose result would box the full
 * list is handed back to {@code execute} ({@link DecimalRunBoxingTest}). The interpreter stepped
 * (INSTR trace), untraced and the compiled tier end alike under every fuel budget and pause alike
 * at fuel slices ({@link StepSweep}), for inputs that end with results and one whose growing
 * product traps {@code decimal_overflow} in the loop.
 */
class DecimalRunFullListTiersTest {
    private static final int REGS = 2 * ExecutionContext.DEC_SLOTS;

    /** main(n) -> (dec, dec, dec): r(3+k) = k at scale 2; n trips of r(3+k) += 1.00 and p *= 10; r3, r66, p. */
    static String program() {
        StringBuilder s = new StringBuilder("""
                func main(n: i64) -> (dec, dec, dec) {
                    const.i64 r140, 1
                    const.i64 r141, 0
                    i64.to_dec r2, r140, 2
                    i64.to_dec r131, r140, 0
                    const.i64 r142, 10
                    i64.to_dec r132, r142, 0
                """);
        for (int k = 0; k < REGS; k++) {
            s.append("    const.i64 r143, ").append(k).append("\n    i64.to_dec r").append(3 + k).append(", r143, 2\n");
        }
        s.append("    i64.lt r144, r141, r1\n    br r144, body, done\nbody:\n");
        for (int k = 0; k < REGS; k++) {
            s.append("    dec.add r").append(3 + k).append(", r").append(3 + k).append(", r2\n");
            if (k == REGS / 2) {
                s.append("    dec.mul r131, r131, r132\n");
            }
        }
        s.append("""
                    i64.add r141, r141, r140
                    i64.lt r144, r141, r1
                    br r144, body, done
                done:
                    ret r0, [r3, r66, r131]
                }
                """);
        return s.toString();
    }

    @Test
    void everyBudgetEndsAlikeOnBothTiers() throws Exception {
        Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(program())), new HostRegistry());
        Tiers.Outcome three = StepSweep.sweep(t, List.of(Value.i64(3)), 3, "n 3");
        assertEquals(List.of(Value.decimal(300, 2), Value.decimal(6600, 2), Value.decimal(1000, 0)), three.results());
        Tiers.Outcome overflow = StepSweep.sweep(t, List.of(Value.i64(25)), 25, "n 25");
        assertTrue(overflow.trapped(), "n 25 traps: " + overflow);
        assertEquals("DECIMAL_OVERFLOW", overflow.trap().kind().toString());
        // the 19th trip's dec.mul: set-up, 18 whole trips, then the adds before it and itself
        long setup = 6 + 2 * REGS + 2;
        long trip = REGS + 1 + 3;
        assertEquals(setup + 18 * trip + REGS / 2 + 2, overflow.used(Limits.DEFAULT.withFuel(1_000_000)));
    }
}
