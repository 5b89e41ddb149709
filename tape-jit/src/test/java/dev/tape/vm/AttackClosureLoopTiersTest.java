package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's {@link ClosureLoop} (entered after an indirect call) against the compiled tier:
 * closure28's program ({@link ClosureCallLoopTest#SOURCE}: a loop of closure calls, a closure
 * passed down and called one call deeper, a stop for room, an {@code i64.mul} handed back) and the
 * attack's ({@link AttackClosureLoopTest#SOURCE}: a closure of eight captured values read up to the
 * last, recursion through a closure made in its own body, indirect calls of a function and of a
 * closure of the wrong signature, and of closures whose environment is too short or of another
 * element type, trapping inside the loop). Result or trap (kind, pc, span, stack)
 * and fuel alike at every fuel limit under four depth limits and at every register limit from main's
 * count up; paused at every slice of 1, 2 and 5
 * fuel with frames, fuel and snapshot bytes alike, and restored at every pause on both tiers.
 */
class AttackClosureLoopTiersTest {
    @Test
    void bothTiersAgreeAtEveryFuelDepthAndPause() throws Exception {
        String[] sources = {ClosureCallLoopTest.SOURCE, AttackClosureLoopTest.SOURCE};
        int pauses = 0;
        for (String source : sources) {
            Tiers t = Tiers.of(Assembler.assemble(source, "closures.tasm"), Host.NONE);
            Jit.precompile(t.compiled);
            for (long n = 0; n <= 5; n++) {
                List<Value> args = List.of(Value.i64(n));
                String what = source.substring(8, source.indexOf('\n')) + " n " + n;
                long used = t.check(0, args, Limits.DEFAULT, what).used(Limits.DEFAULT);
                for (long depth : new long[] {Limits.DEFAULT.maxCallDepth(), 3, 2, 1}) {
                    for (long fuel = 0; fuel <= used + 1; fuel++) {
                        t.check(0, args, Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth),
                                what + " fuel " + fuel + " depth " + depth);
                    }
                }
                int regs = t.interpreted.image.regCounts()[0];
                for (int maxRegs = regs; maxRegs <= regs + 200; maxRegs++) {
                    t.check(0, args, Limits.DEFAULT.withMaxRegisters(maxRegs), what + " registers " + maxRegs);
                }
                for (long slice : new long[] {1, 2, 5}) {
                    pauses += t.lockstep(0, args, slice, 1, what + " slice " + slice, (a, b, pause) -> { });
                }
            }
        }
        assertTrue(pauses > 300, pauses + " pauses");
    }

    @Test
    void deepClosureRecursionAgreesOnBothTiers() throws Exception {
        Tiers t = Tiers.of(Assembler.assemble(AttackClosureLoopTest.DEEP, "closure_deep.tasm"), Host.NONE);
        Jit.precompile(t.compiled);
        for (long n : AttackClosureLoopTest.DEEP_NS) {
            List<Value> args = List.of(Value.i64(n));
            for (int maxRegs : new int[] {Limits.DEFAULT.maxRegisters(), 4_000, 12_000, 13_000}) {
                t.check(0, args, Limits.DEFAULT.withMaxRegisters(maxRegs), "n " + n + " registers " + maxRegs);
            }
        }
    }
}
