package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code CompileView.movesFree} at its edge (the twenty-fifth round, attack-l25, issue 14): a leaf
 * called in a loop with 14 to 17 arguments and one result (up to 16 values free; 17, one copy
 * unit a call; 18, two). The copy units are in a snapshot's bytes, so paused at every slice and restored on the
 * other tier both tiers must have counted the same: a compiled call that skipped its real path at
 * 17 values (an off-by-one in the rule) leaves the count short.
 */
class AttackMovesFreeTest {
    static String program(int argc) {
        StringBuilder params = new StringBuilder();
        StringBuilder regs = new StringBuilder();
        for (int k = 1; k <= argc; k++) {
            params.append(k > 1 ? ", " : "").append("a").append(k).append(": i64");
            regs.append(k > 1 ? ", " : "").append("r").append(k % 3 + 1);
        }
        int t = argc + 1;
        return "program free\n"
                + "func f(n: i64, x: i64, y: i64) -> (i64) {\n    const.i64 r4, 0\n    const.i64 r5, 1\n"
                + "    const.i64 r6, 0\n    jmp head\n"
                + "head:\n    i64.lt r7, r4, r1\n    br r7, body, done\n"
                + "body:\n    call r0, g, r0, [" + regs + "] -> [r8]\n    i64.add r6, r6, r8\n"
                + "    i64.add r4, r4, r5\n    jmp head\n"
                + "done:\n    ret r0, [r6]\n}\n"
                + "func g(" + params + ") -> (i64) {\n    i64.add r" + t + ", r1, r" + argc + "\n    ret r0, [r" + t + "]\n}\n";
    }

    @Test
    void callsOfSixteenAndSeventeenValuesPausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (int argc = 14; argc <= 17; argc++) {
            String src = program(argc);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(src), Host.NONE);
            List<Value> args = List.of(Value.i64(6), Value.i64(3), Value.i64(-5));
            t.check(0, args, Limits.DEFAULT, src);
            for (long slice = 1; slice <= 9; slice++) {
                pauses += t.lockstep(0, args, slice, 1, "argc " + argc + " slice " + slice + "\n" + src, (a, b, p) -> { });
            }
        }
        assertTrue(pauses > 40, "pauses " + pauses);
    }
}
