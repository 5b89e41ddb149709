package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on compiled leaf calls run inline ({@code LeafInliner}): programs where the inlined body
 * and the real call could end differently. Each runs on both tiers at every fuel limit up to what
 * it uses ({@link Tiers#check}: result or trap with its function, pc, span and stack, fuel, heap).
 */
class AttackLeafInlineTest {
    /**
     * A leaf's projection of its aggregate argument: the verifier types the element by the
     * argument's declared shape, which a call does not check (an {@code agg} is an {@code agg}), so
     * a caller can pass a tuple of another element type, a shorter tuple or a struct. The leaf then
     * traps at its {@code tuple.get}/{@code struct.get}, in its own frame, on both tiers.
     */
    static final String SHAPES = """
            program shapes
            struct P = { x: i64, y: i64 }
            callsig one = (agg) -> (i64)
            func main(k: i64) -> (i64) {
                call r0, wide, r0, [r1] -> [r2]
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, good, bad
            good:
                tuple.new r4, [r1]
                jmp go
            bad:
                const.i64 r2, 1
                i64.eq r3, r1, r2
                br r3, boolean, other
            boolean:
                const.bool r5, true
                tuple.new r4, [r5]
                jmp go
            other:
                const.i64 r2, 2
                i64.eq r3, r1, r2
                br r3, empty, strct
            empty:
                tuple.new r4, []
                jmp go
            strct:
                struct.new r4, P, [r1, r1]
                jmp go
            go:
                const.i64 r6, 7
                call r0, first, r0, [r4] -> [r7]
                i64.add r6, r6, r7
                const.func r8, first
                call.indirect r0, one, r8, r0, [r4] -> [r7]
                i64.add r6, r6, r7
                ret r0, [r6]
            }
            func wide(x: i64) -> (i64) {
                const.i64 r20, 1
                i64.add r1, r1, r20
                ret r0, [r1]
            }
            func first(t: agg tuple(i64)) -> (i64) {
                const.i64 r3, 1
                tuple.get r2, r1, 0
                i64.add r2, r2, r3
                ret r0, [r2]
            }
            """;


    /**
     * Leaves of every shape the inliner takes at its limits and one past them: 8 results (the most
     * a leaf's {@code ret} may have) and 9 (no leaf: the real call), none, no arguments, 32
     * registers; results of every word kind (a func, an f64 passed through,
     * bools of f64 compares on NaN, -0.0 and infinities, u64 compares at the top of the range,
     * shifts by counts past 63). Both tiers agree at every fuel limit and paused at every slice.
     */
    @Test
    void resultsAndOperandsAtTheLimits() throws Exception {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(RESULTS), Host.NONE);
        // eight (direct and through its func value), zero, none, wide: nine is no leaf
        assertEquals(5, JitLeafInlinedTest.inlinedSites(Tiers.verified(JitCornerCasesTest.asm(RESULTS)), 0));
        Jit.precompile(t.compiled);
        double[] xs = {Double.NaN, -0.0, 0.0, 1.5, -1.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        long[] as = {0, -1, 63, 64, 65, Long.MIN_VALUE, Long.MAX_VALUE};
        for (int k = 0; k < xs.length; k++) {
            List<Value> args = List.of(Value.i64(as[k]), Value.f64(xs[k]));
            String what = "a " + as[k] + " x " + xs[k];
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            assertEquals(27, full.results().size(), full::toString);
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long slice = 1; slice <= 7; slice += 3) {
                t.lockstep(0, args, slice, 3, what + " slice " + slice, (a, b, pause) -> { });
            }
        }
    }

    static final String RESULTS = """
            program results
            callsig s8 = (i64, f64) -> (i64, u64, bool, bool, bool, bool, func, f64)
            func main(a: i64, x: f64) -> (i64, u64, bool, bool, bool, bool, func, f64, i64, u64, bool, bool, bool, bool, func, f64, i64, u64, bool, bool, bool, bool, func, f64, bool, i64, i64) {
                call r0, pad, r0, [r1] -> [r3]
                call r0, eight, r0, [r1, r2] -> [r4, r5, r6, r7, r8, r9, r10, r11]
                const.func r30, eight
                call.indirect r0, s8, r30, r0, [r1, r2] -> [r12, r13, r14, r15, r16, r17, r18, r19]
                call r0, nine, r0, [r1, r2] -> [r20, r21, r22, r23, r24, r25, r26, r27, r28]
                call r0, zero, r0, [] -> [r29]
                call r0, none, r0, [r1] -> []
                call r0, wide, r0, [r1] -> [r31]
                ret r0, [r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21, r22, r23, r24, r25, r26, r27, r28, r29, r31]
            }
            func pad(a: i64) -> (i64) {
                const.i64 r60, 1
                ret r0, [r60]
            }
            func eight(a: i64, x: f64) -> (i64, u64, bool, bool, bool, bool, func, f64) {
                const.f64 r3, 0.0
                f64.eq r4, r2, r2
                f64.lt r5, r2, r3
                f64.ge r6, r2, r3
                f64.gt r7, r2, r3
                f64.le r8, r2, r3
                bool.xor r7, r7, r8
                const.u64 r9, 18446744073709551615
                const.u64 r11, 5
                u64.gt r10, r9, r11
                u64.le r14, r9, r11
                bool.or r14, r14, r10
                i64.shl r12, r1, r1
                i64.shr r15, r1, r12
                i64.xor r12, r12, r15
                const.func r13, eight
                ret r0, [r12, r9, r4, r5, r6, r7, r13, r2]
            }
            func nine(a: i64, x: f64) -> (i64, u64, bool, bool, bool, bool, func, f64, bool) {
                const.f64 r3, 0.0
                f64.eq r4, r2, r2
                f64.lt r5, r2, r3
                f64.ge r6, r2, r3
                f64.gt r7, r2, r3
                f64.le r8, r2, r3
                bool.xor r7, r7, r8
                const.u64 r9, 18446744073709551615
                const.u64 r11, 5
                u64.gt r10, r9, r11
                u64.le r14, r9, r11
                bool.or r14, r14, r10
                i64.shl r12, r1, r1
                i64.shr r15, r1, r12
                i64.xor r12, r12, r15
                const.func r13, nine
                ret r0, [r12, r9, r4, r5, r6, r7, r13, r2, r14]
            }
            func zero() -> (i64) {
                const.i64 r1, 42
                ret r0, [r1]
            }
            func none(a: i64) -> () {
                ret r0, []
            }
            func wide(a: i64) -> (i64) {
                const.i64 r31, 5
                i64.add r31, r31, r1
                ret r0, [r31]
            }
            """;

    /**
     * The same through closures: {@code closure.new} takes any aggregate as the environment, so a
     * closure over a leaf that reads its environment as a tuple of one i64 can hold a tuple of a
     * bool, an empty tuple or a struct. Two closures alternate at one site ({@code i % 2}): one over
     * the reading leaf, one over a leaf that ignores its environment; both are the site's inlined
     * callees. The reading one traps in its own frame on both tiers.
     */
    static final String ENVS = """
            program envs
            struct P = { x: i64, y: i64 }
            callsig un = (i64) -> (i64)
            func main(k: i64) -> (i64) {
                call r0, pad, r0, [r1] -> [r2]
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, good, bad
            good:
                tuple.new r4, [r1]
                jmp go
            bad:
                const.i64 r2, 1
                i64.eq r3, r1, r2
                br r3, boolean, other
            boolean:
                const.bool r5, true
                tuple.new r4, [r5]
                jmp go
            other:
                const.i64 r2, 2
                i64.eq r3, r1, r2
                br r3, empty, strct
            empty:
                tuple.new r4, []
                jmp go
            strct:
                struct.new r4, P, [r1, r1]
                jmp go
            go:
                const.func r8, reads
                const.func r9, ignores
                closure.new r10, r8, r4
                closure.new r11, r9, r4
                const.i64 r12, 0
                const.i64 r13, 1
                const.i64 r6, 0
                const.i64 r17, 3
                jmp test
            test:
                i64.lt r3, r12, r17
                br r3, body, done
            body:
                i64.and r14, r12, r13
                const.i64 r15, 0
                i64.eq r3, r14, r15
                br r3, even, odd
            even:
                mov r16, r11
                jmp call
            odd:
                mov r16, r10
                jmp call
            call:
                call.indirect r0, un, r16, r0, [r12] -> [r7]
                i64.add r6, r6, r7
                i64.add r12, r12, r13
                jmp test
            done:
                ret r0, [r6]
            }
            func pad(x: i64) -> (i64) {
                const.i64 r20, 1
                ret r0, [r20]
            }
            func reads(env: agg tuple(i64), y: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r3, r3, r2
                ret r0, [r3]
            }
            func ignores(env: agg, y: i64) -> (i64) {
                const.i64 r3, 2
                i64.mul r3, r3, r2
                ret r0, [r3]
            }
            """;

    @Test
    void closureOverAnEnvironmentOfAnotherShape() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(ENVS));
        // pad's call, and the two closures' leaves at the call.indirect
        assertEquals(3, JitLeafInlinedTest.inlinedSites(p, 0));
        Tiers t = Tiers.of(p, Host.NONE);
        Jit.precompile(t.compiled);
        for (long k = 0; k < 4; k++) {
            List<Value> args = List.of(Value.i64(k));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "k " + k);
            if (k == 0) {
                // i = 0 and 2 through ignores (2 * i), i = 1 through reads (0 + i)
                assertEquals(List.of(Value.i64(0 + 1 + 4)), full.results(), full::toString);
            } else {
                assertNotNull(full.trap(), full::toString);
                assertEquals("reads", full.trap().funcName(), full::toString);
            }
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), "k " + k + " fuel " + fuel);
            }
        }
    }

    /**
     * {@code sites} direct calls of a leaf of the most instructions a leaf may have (32: 31
     * operations on 32 registers and its {@code ret}), each adding the leaf's result.
     */
    static String manySites(int sites) {
        StringBuilder s = new StringBuilder("program many\nfunc main(a: i64) -> (i64) {\n");
        s.append("    call r0, pad, r0, [r1] -> [r2]\n");
        for (int k = 0; k < sites; k++) {
            s.append("    call r0, big, r0, [r1, r2] -> [r3]\n    i64.xor r2, r2, r3\n");
        }
        s.append("    ret r0, [r2]\n}\nfunc pad(a: i64) -> (i64) {\n    const.i64 r40, 1\n    ret r0, [r40]\n}\n");
        s.append("func big(a: i64, b: i64) -> (i64) {\n    i64.add r3, r1, r2\n");
        for (int r = 4; r < 32; r++) {
            s.append("    i64.").append(r % 3 == 0 ? "mul" : r % 3 == 1 ? "xor" : "sub").append(" r").append(r)
                    .append(", r").append(r - 1).append(", r").append(r % 2 + 1).append('\n');
        }
        s.append("    i64.add r31, r31, r3\n    i64.add r31, r31, r1\n    ret r0, [r31]\n}\n");
        return s.toString();
    }

    /**
     * Many call sites of a leaf of the largest size: the method inlines its budget's worth and
     * makes real calls at the others (20 sites), so it stays under the compiled tier's method size
     * and is compiled. Both tiers agree at every fuel limit.
     */
    @Test
    void manyCallSitesOfTheLargestLeaf() {
        String text = manySites(20);
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(text));
        int inlined = JitLeafInlinedTest.inlinedSites(p, 0);
        assertTrue(inlined > 0 && inlined < 20, "sites inlined: " + inlined);
        Tiers t = Tiers.of(p, Host.NONE);
        assertEquals(3, Jit.precompile(t.compiled));
        List<Value> args = List.of(Value.i64(12345));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "20 sites");
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 1; fuel += 1) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "20 sites, fuel " + fuel);
        }
    }

    /**
     * A method that fits the compiled tier's size limit with real calls but not with its inlined
     * leaves on top (40 sites of the largest leaf: the inlined bodies add about 900 bytes to a
     * method of about 7,300) is still compiled, with real calls: inlining must not send a function
     * that compiled before to the interpreter. With 65,535 sites the method is too large either
     * way and is left to the interpreter; generating it stops early. Both tiers agree.
     */
    @Test
    void aMethodTooLargeWithItsLeavesInlineIsCompiledWithRealCalls() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(manySites(40)));
        JitTier scratch = (JitTier) Jit.compile(p, Host.NONE).tier;
        assertNotNull(dev.tape.jit.JitTestAccess.generateFramed(scratch.view, 0), "fits with real calls");
        Tiers t = Tiers.of(p, Host.NONE);
        assertEquals(3, Jit.precompile(t.compiled));
        List<Value> args = List.of(Value.i64(12345));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "40 sites");
        for (long fuel = 0; fuel <= full.used(Limits.DEFAULT) + 1; fuel += 7) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "40 sites, fuel " + fuel);
        }
        VerifiedProgram huge = Tiers.verified(JitCornerCasesTest.asm(manySites(65_535)));
        Tiers h = Tiers.of(huge, Host.NONE);
        // pad and big: main is too large to compile
        assertEquals(2, Jit.precompile(h.compiled));
        h.check(0, args, Limits.DEFAULT, "65,535 sites");
    }

    /**
     * Recursion that calls a leaf at every level, 300 deep: past the 200 nested compiled frames the
     * run is handed to the interpreter and back, and the leaf's calls there are real ones. Both
     * tiers agree at every call-depth limit around the depth and at fuel limits (every 13th), with
     * the leaf also an entry function.
     */
    static final String DEEP = """
            program deep
            func rec(n: i64) -> (i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, bottom, down
            bottom:
                call r0, leaf, r0, [r1, r1] -> [r4]
                ret r0, [r4]
            down:
                const.i64 r2, 1
                i64.sub r5, r1, r2
                call r0, rec, r0, [r5] -> [r6]
                call r0, leaf, r0, [r6, r1] -> [r4]
                ret r0, [r4]
            }
            func leaf(a: i64, b: i64) -> (i64) {
                i64.gt r3, r1, r2
                br r3, big, small
            big:
                i64.sub r4, r1, r2
                ret r0, [r4]
            small:
                i64.mul r4, r1, r2
                i64.add r4, r4, r1
                ret r0, [r4]
            }
            """;

    @Test
    void recursionPastTheNestedFrameLimitWithALeafAtEveryLevel() throws Exception {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(DEEP));
        assertEquals(2, JitLeafInlinedTest.inlinedSites(p, 0));
        Tiers t = Tiers.of(p, Host.NONE);
        Jit.precompile(t.compiled);
        List<Value> args = List.of(Value.i64(300));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "300 deep");
        assertNotNull(full.results(), full::toString);
        for (long d = 295; d <= 303; d++) {
            t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), "depth " + d);
        }
        for (long fuel = 0; fuel <= full.used(Limits.DEFAULT) + 1; fuel += 13) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
        }
        t.check(1, List.of(Value.i64(3), Value.i64(4)), Limits.DEFAULT, "the leaf as an entry");
        t.lockstep(0, List.of(Value.i64(40)), 5, 7, "40 deep, slices of 5", (a, b, pause) -> { });
    }

    @Test
    void projectionOfAnArgumentOfAnotherShape() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(SHAPES), Host.NONE);
        // wide's call, and both calls of the leaf, the direct one and the call.indirect, run inline
        assertEquals(3, JitLeafInlinedTest.inlinedSites(Tiers.verified(JitCornerCasesTest.asm(SHAPES)), 0));
        Jit.precompile(t.compiled);
        for (long k = 0; k < 4; k++) {
            List<Value> args = List.of(Value.i64(k));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "k " + k);
            if (k == 0) {
                assertEquals(List.of(Value.i64(7 + 1 + 1)), full.results(), full::toString);
            } else {
                assertNotNull(full.trap(), full::toString);
                assertEquals(2, full.trap().func(), full::toString);
            }
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), "k " + k + " fuel " + fuel);
            }
        }
    }
}
