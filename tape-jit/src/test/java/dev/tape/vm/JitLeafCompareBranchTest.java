package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An inlined leaf's compare followed by a {@code br} on its register in the same block is one
 * branch on the compare ({@code InlineBody.branchCompare}, the twenty-fourth round): on every
 * integer and f64 compare, at the edges of its type (NaNs, -0.0, MIN and MAX, equal operands), both
 * tiers take the same block, leave the register the same value (the leaf returns it) and use the
 * same fuel, with enough fuel and with the fuel running out at every instruction. Two shapes must
 * not be fused: a br on another register (a fusion that ignored it gives other results here), and a
 * br that starts a block another edge reaches, which verified code reaches only by a jump (the
 * verifier refuses a fall into a jump target), so it never directly follows a compare.
 */
class JitLeafCompareBranchTest {
    private static final String[] OPS = CompareBranchEdges.OPS;

    /**
     * Function k &lt; OPS.length: {@code m(a, b)} calls leaf {@code c(a, b)}, which compares, branches on
     * the result and returns it with 11 (holds) or 22. Then {@code lead(a, b)} (a br that starts a block
     * reached by jumps from two compares) and {@code other(a, b)} (a compare followed by a br on
     * another register), each through a caller.
     */
    private static String program() {
        StringBuilder s = new StringBuilder("program cmpbr\n");
        for (int k = 0; k < OPS.length; k++) {
            String t = OPS[k].substring(0, 3);
            s.append("func m").append(k).append("(a: ").append(t).append(", b: ").append(t)
                    .append(") -> (bool, i64) {\n    call r0, c").append(k)
                    .append(", r0, [r1, r2] -> [r3, r4]\n    ret r0, [r3, r4]\n}\n");
        }
        s.append("""
                func mlead(a: i64, b: i64) -> (bool, i64) {
                    call r0, lead, r0, [r1, r2] -> [r3, r4]
                    ret r0, [r3, r4]
                }
                func mother(a: i64, b: i64) -> (bool, i64) {
                    call r0, other, r0, [r1, r2] -> [r3, r4]
                    ret r0, [r3, r4]
                }
                """);
        for (int k = 0; k < OPS.length; k++) {
            String t = OPS[k].substring(0, 3);
            s.append("func c").append(k).append("(a: ").append(t).append(", b: ").append(t)
                    .append(") -> (bool, i64) {\n    ").append(OPS[k]).append(" r3, r1, r2\n")
                    .append("""
                                br r3, yes, no
                            yes:
                                const.i64 r4, 11
                                ret r0, [r3, r4]
                            no:
                                const.i64 r4, 22
                                ret r0, [r3, r4]
                            }
                            """);
        }
        s.append("""
                func lead(a: i64, b: i64) -> (bool, i64) {
                    i64.eq r5, r1, r2
                    br r5, same, diff
                same:
                    i64.le r3, r1, r2
                    jmp test
                diff:
                    i64.lt r3, r1, r2
                    jmp test
                test:
                    br r3, yes, no
                yes:
                    const.i64 r4, 11
                    ret r0, [r3, r4]
                no:
                    const.i64 r4, 22
                    ret r0, [r3, r4]
                }
                func other(a: i64, b: i64) -> (bool, i64) {
                    i64.eq r5, r1, r2
                    i64.lt r3, r1, r2
                    br r5, yes, no
                yes:
                    const.i64 r4, 11
                    ret r0, [r3, r4]
                no:
                    const.i64 r4, 22
                    ret r0, [r3, r4]
                }
                """);
        return s.toString();
    }

    @Test
    void everyCompareAndItsBrAgreeOnBothTiersAtTheEdges() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(program()));
        for (int k = 0; k < OPS.length + 2; k++) {
            assertEquals(1, JitLeafInlinedTest.inlinedSites(p, k), "function " + k + " runs its leaf inline");
        }
        Tiers t = Tiers.of(p, Host.NONE);
        String[] names = Arrays.copyOf(OPS, OPS.length + 2);
        names[OPS.length] = "lead";
        names[OPS.length + 1] = "other";
        String[] types = Arrays.copyOf(CompareBranchEdges.types(OPS), OPS.length + 2);
        types[OPS.length] = "i64";
        types[OPS.length + 1] = "i64";
        List<CompareBranchEdges.Run> edges = CompareBranchEdges.run(t, names, types);
        int runs = edges.size();
        int holds = CompareBranchEdges.holds(edges);
        assertEquals(2 * OPS.length + 4, Jit.precompile(t.compiled), "every function compiled");
        assertEquals(10 * 36 + 5 * 64 + 2 * 36, runs);
        assertTrue(holds > runs / 4 && holds < runs * 3 / 4, "both ways taken: " + holds + " of " + runs);
    }

    @Test
    void theLeaderAndTheOtherRegisterKeepTheirOwnBranch() {
        Tiers t = Tiers.of(Tiers.verified(JitCornerCasesTest.asm(program())), Host.NONE);
        Jit.precompile(t.compiled);
        // equal operands take lead's `same` path: le holds, so 11; a br fused into `diff` would skip it
        assertEquals(List.of(Value.bool(true), Value.i64(11)),
                t.check(OPS.length, List.of(Value.i64(3), Value.i64(3)), Limits.DEFAULT, "lead").results());
        assertEquals(List.of(Value.bool(false), Value.i64(22)),
                t.check(OPS.length, List.of(Value.i64(4), Value.i64(3)), Limits.DEFAULT, "lead").results());
        // other's br tests eq, not lt: 1 < 2 is true, but 1 == 2 is not
        assertEquals(List.of(Value.bool(true), Value.i64(22)),
                t.check(OPS.length + 1, List.of(Value.i64(1), Value.i64(2)), Limits.DEFAULT, "other").results());
    }
}
