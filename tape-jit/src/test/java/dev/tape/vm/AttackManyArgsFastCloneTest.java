package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on the fast clones (attack-f24): a pure callee with many word arguments. A clone's JVM
 * descriptor takes two slots per word argument and four more (the context, the nest, the fuel), and
 * the JVM allows 255: a pure callee of more than 125 arguments must not make its caller's class
 * fail, and both tiers must agree at every argument count around the JVM's limits.
 */
class AttackManyArgsFastCloneTest {

    /** {@code main} calls {@code g(a1..ak)}, pure: the sum of its arguments times their positions. */
    static String program(int k) {
        StringBuilder s = new StringBuilder("program many\n");
        s.append("func main(x: i64) -> (i64) {\n");
        StringBuilder args = new StringBuilder();
        s.append("    const.i64 r2, 3\n");
        for (int j = 0; j < k; j++) {
            s.append("    i64.add r").append(3 + j).append(", r1, r2\n");
            s.append("    i64.mul r2, r2, r2\n");
            args.append(j == 0 ? "" : ", ").append('r').append(3 + j);
        }
        s.append("    call r0, g, r0, [").append(args).append("] -> [r").append(3 + k).append("]\n");
        s.append("    ret r0, [r").append(3 + k).append("]\n}\n");
        s.append("func g(");
        for (int j = 0; j < k; j++) {
            s.append(j == 0 ? "" : ", ").append('a').append(j).append(": i64");
        }
        // its last argument: one instruction, so that it is pure at every argument count
        s.append(") -> (i64) {\n    ret r0, [r").append(Math.max(k, 0)).append("]\n}\n");
        return s.toString();
    }

    /**
     * Without the limit on a clone's arguments ({@code FastClone.MAX_ARGS}), a pure callee of 126
     * to 129 arguments made its caller's class fail to load: the caller ran on the interpreter.
     * Since the fast entry also leaves out calls moving more than the free values (review24), no
     * such call enters a clone; the caller must still compile at every count.
     */
    @Test
    void argumentCountsAroundTheJvmLimits() throws Exception {
        List<String> failed = new ArrayList<>();
        for (int k : new int[] {1, 6, 7, 8, 62, 63, 64, 100, 124, 125, 126, 127, 128, 129}) {
            String src = program(k);
            VerifiedProgram vp;
            try {
                vp = JitLeafInlineTest.verified(src);
            } catch (AssertionError | RuntimeException e) {
                continue; // past the format's limits
            }
            Tiers t = Tiers.of(vp, Host.NONE);
            t.check(0, List.of(Value.i64(5)), Limits.DEFAULT, "k " + k);
            if (!t.compiled.tier.compiled(0)) {
                String why;
                try {
                    why = "inlining " + (dev.tape.jit.JitTestAccess.generate(((JitTier) t.compiled.tier).view, 0) != null)
                            + ", framed " + (dev.tape.jit.JitTestAccess.generateFramed(((JitTier) t.compiled.tier).view, 0) != null);
                } catch (RuntimeException | LinkageError e) {
                    why = e.toString();
                }
                failed.add(k + ": " + why);
            }
            // a call moving more than the free values takes the tier's own path, which counts them
            // against the copy budget (AttackCopyBudgetFastCloneTest): no clone is entered then
            ExecutionContext ctx = new ExecutionContext();
            t.compiled.run(ctx, 0, List.of(Value.i64(5)), Limits.DEFAULT, null);
            if (k + 1 > ExecutionContext.FREE_VALUES && ctx.fastEntries != 0) {
                failed.add(k + ": a clone entered past the free values");
            }
        }
        assertEquals(List.of(), failed, "argument counts whose main was not compiled");
    }
}
