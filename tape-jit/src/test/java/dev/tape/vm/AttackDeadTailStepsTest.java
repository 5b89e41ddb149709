package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fallback's last step (step 9: the last attempt without {@code DeadAggregates}' clearing
 * stores) on a main other than {@code JitFallbackStepsTest}'s: six tuples built on one path only,
 * so every later block start clears all six (30 bytes each), a struct kept in locals and read in
 * every block, calls to a leaf, then pad adds. Whether main compiles does not depend on an
 * unreachable tail that takes it past the clearing's 4,096 ints (which turns the clearing off at
 * every step); where it lands on step 9, both tiers agree at every fuel and heap limit.
 */
class AttackDeadTailStepsTest {
    /**
     * @param calls calls to the leaf {@code tiny} after the join
     * @param blocks blocks after them, each reading the struct {@code reads} times
     * @param reads struct reads per block
     * @param pad adds before {@code ret}
     */
    static String program(int calls, int blocks, int reads, int pad) {
        StringBuilder s = new StringBuilder("""
                program deadtail
                struct P = { a: i64, b: i64 }
                func main(n: i64) -> (total: i64) {
                    const.i64 r2, 0
                    const.i64 r4, 1
                    i64.lt r5, r2, r1
                    br r5, mk, skip
                mk:
                    tuple.new r10, [r2, r4]
                    tuple.new r11, [r2, r4]
                    tuple.new r12, [r2, r4]
                    tuple.new r13, [r2, r4]
                    tuple.new r14, [r2, r4]
                    tuple.new r15, [r2, r4]
                    jmp go
                skip:
                    jmp go
                go:
                    struct.new r20, P, [r2, r4]
                """);
        for (int k = 0; k < calls; k++) {
            s.append("    call r0, tiny, r0, [r2] -> [r2]\n");
        }
        for (int k = 0; k < blocks; k++) {
            for (int q = 0; q < reads; q++) {
                s.append("    struct.get r21, r20, ").append(q & 1).append("\n    i64.add r2, r2, r21\n");
            }
            s.append("    i64.add r2, r2, r4\n    jmp b").append(k).append("\nb").append(k).append(":\n");
        }
        for (int k = 0; k < pad; k++) {
            s.append("    i64.add r2, r2, r4\n");
        }
        s.append("""
                    ret r0, [r2]
                }

                func tiny(x: i64) -> (i64) {
                    ret r0, [r1]
                }
                """);
        return s.toString();
    }

    static int[] steps(String src) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(src);
        return JitTestAccess.steps(((JitTier) Jit.compile(p, Host.NONE).tier).view, 0);
    }

    /** main with an unreachable tail of adds after its {@code ret} that takes it to about 6,000 ints. */
    static String deadTail(String src) throws Exception {
        int len = JitLeafInlineTest.verified(src).program().functions().get(0).codeLength();
        return CompileCostMain.deadTail(src, (6000 - len) / 4 + 1);
    }

    @Test
    void anUnreachableTailDoesNotDecideWhetherMainFits() throws Exception {
        int[][] shapes = {{0, 30, 4}, {2, 30, 1}, {20, 30, 0}};
        int nine = 0;
        for (int[] sh : shapes) {
            for (int pad = 0; pad <= 240; pad += 6) {
                String src = program(sh[0], sh[1], sh[2], pad);
                int[] plain = steps(src);
                int[] dead = steps(deadTail(src));
                String what = java.util.Arrays.toString(sh) + " pad " + pad + ": step " + plain[1]
                        + ", with the dead tail " + dead[1];
                assertEquals(plain[1] >= 0, dead[1] >= 0, what);
                assertTrue(plain[0] <= JitTestAccess.maxAttempts() && dead[0] <= JitTestAccess.maxAttempts(), what);
                if (plain[1] == 9) {
                    nine++;
                    if (nine % 4 == 1) {
                        bothTiers(src, what);
                    }
                }
            }
        }
        assertTrue(nine > 0, "no main landed on step 9");
    }

    /** Both tiers on main(n), n 0 to 2, every fuel and heap limit of main(1) and main(2). */
    private static void bothTiers(String src, String what) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(src), Host.NONE);
        Jit.precompile(t.compiled);
        assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what);
        for (long n = 0; n <= 2; n++) {
            List<Value> args = List.of(Value.i64(n));
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, what + ", n " + n);
            if (n > 0) {
                t.everyFuel(0, args, o, what + ", n " + n);
                assertTrue(t.everyHeapTrapsBelow(0, args, o, what + ", n " + n) > 0, what);
            }
        }
    }
}
