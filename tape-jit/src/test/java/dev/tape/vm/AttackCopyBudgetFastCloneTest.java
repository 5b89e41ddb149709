package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the fast clones (review24): a compiled method's direct call of a pure callee moves its
 * arguments and result, and a call moving more than {@link ExecutionContext#FREE_VALUES} values
 * counts the rest against the copy budget ({@code ExecutionContext.copied}, docs/SECURITY.md "Wide
 * calls"), which the fast entry must not skip: such a call takes the compiled tier's own path. A
 * loop calls a pure callee of {@code k} word arguments twice per iteration, with the fuel limit just
 * over what the loop uses, so that the copy budget (16 per unit of the fuel limit, plus 2^20) runs
 * out first when each call moves more than 16 values; both tiers must trap at the same call, with
 * the same fuel left.
 */
class AttackCopyBudgetFastCloneTest {

    /** {@code main(n)} calls {@code g(i, .., i)} twice per iteration, {@code n} iterations. */
    static String program(int k) {
        StringBuilder args = new StringBuilder();
        for (int j = 0; j < k; j++) {
            args.append(j == 0 ? "" : ", ").append("r2");
        }
        StringBuilder params = new StringBuilder();
        for (int j = 0; j < k; j++) {
            params.append(j == 0 ? "" : ", ").append('a').append(j).append(": i64");
        }
        return "program wide\n"
                + "func main(n: i64) -> (i64) {\n"
                + "    const.i64 r2, 0\n"
                + "    const.i64 r3, 1\n"
                + "    jmp head\n"
                + "head:\n"
                + "    i64.lt r4, r2, r1\n"
                + "    br r4, body, done\n"
                + "body:\n"
                + "    call r0, g, r0, [" + args + "] -> [r5]\n"
                + "    call r0, g, r0, [" + args + "] -> [r5]\n"
                + "    i64.add r2, r2, r3\n"
                + "    jmp head\n"
                + "done:\n"
                + "    ret r0, [r2]\n"
                + "}\n"
                + "func g(" + params + ") -> (i64) {\n"
                + "    ret r0, [r1]\n"
                + "}\n";
    }

    @Test
    void aWideCallOfAPureCalleeChargesTheCopyBudgetOnBothTiers() throws Exception {
        int n = 40_000;
        List<Value> arg = List.of(Value.i64(n));
        for (int k : new int[] {14, 15, 16, 20, 100, 125}) {
            Tiers t = Tiers.of(JitLeafInlineTest.verified(program(k)), Host.NONE);
            // first runs: the callee compiles, so later runs may enter its clone
            Tiers.Outcome whole = t.check(0, arg, Limits.DEFAULT, "k " + k + " default limits");
            long used = Limits.DEFAULT.fuel() - whole.fuelRemaining();
            Limits tight = Limits.DEFAULT.withFuel(used + 10);
            Tiers.Outcome o = t.check(0, arg, tight, "k " + k + " fuel just over the use");
            // each call moves k + 1 values, those beyond the free ones counted one unit each
            long units = 2L * n * Math.max(0, k + 1 - ExecutionContext.FREE_VALUES);
            long budget = ExecutionContext.COPY_FACTOR * tight.fuel() + ExecutionContext.COPY_FLOOR;
            assertEquals(units > budget, o.trapped(), "k " + k + ": the copy budget traps exactly when passed");
            if (o.trapped()) {
                assertEquals(TrapKind.FUEL_EXCEEDED, o.trap().kind(), "k " + k);
            }
        }
        // the case the attack is about: a clone-eligible callee whose calls pass the budget
        assertTrue(2L * n * (100 + 1 - ExecutionContext.FREE_VALUES) > ExecutionContext.COPY_FLOOR);
    }
}
