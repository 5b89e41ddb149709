package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Inlining of leaf calls ({@code LeafInliner}) actually happens: the generated method of the caller
 * in the three benchmark shapes it was made for (tape-bench's call_loop, closure_loop and rules,
 * written out here) runs its leaf callee inline. The observable is the generated class itself: an
 * inlined call site guards its body with one call of {@code JitRuntime.leafRoom}, which nothing
 * else emits. A change that silently stops a known leaf from being inlined (as superinstructions
 * once did, with every other test still passing) fails here; so does one that inlines a callee
 * that is no leaf. No timing.
 */
class JitLeafInlinedTest {
    /** call_loop: n direct calls of a 3-instruction add-one ({@code const.i64} and {@code i64.add} fuse). */
    static final String CALL_LOOP = """
            program call_loop
            func call_loop(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                call r0, add_one, r0, [r2] -> [r2]
                i64.add r3, r3, r4
                i64.lt r5, r3, r1
                br r5, body, done
            done:
                ret r0, [r2]
            }
            func add_one(x: i64) -> (i64) {
                const.i64 r2, 1
                i64.add r3, r1, r2
                ret r0, [r3]
            }
            """;

    /** closure_loop: n {@code call.indirect} calls of a closure over (3) adding its captured value. */
    static final String CLOSURE_LOOP = """
            program closure_loop
            callsig unary = (i64) -> (i64)
            func closure_loop(n: i64) -> (i64) {
                const.func r2, add_env
                const.i64 r3, 3
                tuple.new r4, [r3]
                closure.new r5, r2, r4
                const.i64 r6, 0
                const.i64 r7, 0
                const.i64 r8, 1
                i64.lt r9, r7, r1
                br r9, body, done
            body:
                call.indirect r0, unary, r5, r0, [r7] -> [r10]
                i64.add r6, r6, r10
                i64.add r7, r7, r8
                i64.lt r9, r7, r1
                br r9, body, done
            done:
                ret r0, [r6]
            }
            func add_env(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                ret r0, [r4]
            }
            """;

    /** rules: n orders built as structs and scored by a call that reads the fields and branches. */
    static final String RULES = """
            program rules
            struct Order = { qty: i64, price: i64, tier: i64 }
            func rules(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 15
                const.i64 r6, 127
                const.i64 r7, 3
                i64.lt r8, r3, r1
                br r8, body, done
            body:
                i64.and r9, r3, r5
                i64.and r10, r3, r6
                i64.and r11, r3, r7
                struct.new r12, Order, [r9, r10, r11]
                call r0, score, r0, [r12] -> [r13]
                i64.add r2, r2, r13
                i64.add r3, r3, r4
                i64.lt r8, r3, r1
                br r8, body, done
            done:
                ret r0, [r2]
            }
            func score(order: agg struct Order) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                struct.get r4, r1, 2
                i64.mul r5, r2, r3
                const.i64 r6, 10
                i64.gt r7, r2, r6
                br r7, bulk, tiers
            bulk:
                i64.sub r5, r5, r2
                jmp tiers
            tiers:
                const.i64 r8, 3
                i64.eq r9, r4, r8
                br r9, premium, out
            premium:
                const.i64 r10, 100
                i64.add r5, r5, r10
                jmp out
            out:
                ret r0, [r5]
            }
            """;

    /**
     * @return how many call sites function {@code f}'s generated method runs inline (its guards'
     *     room tests that make the room, {@code leafMakeRoom}: one per site, in the first copy of a
     *     peeled method, {@code LoopPeel})
     */
    static int inlinedSites(VerifiedProgram p, int f) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, f).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "leafMakeRoom");
    }

    /**
     * @return how many call sites function {@code f}'s generated method runs inline in the steady
     *     copy of its peeled loops ({@code LoopPeel}): room tests that make no room
     */
    static int steadySites(VerifiedProgram p, int f) {
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, f).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "leafFits")
                - JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "leafMakeRoom");
    }

    private static VerifiedProgram verified(String text) {
        return Tiers.verified(JitCornerCasesTest.asm(text));
    }

    /** The loop's call of its leaf is inlined, and both tiers agree on the run (and on a short one). */
    private static void inlined(String text, long n, long want) {
        VerifiedProgram p = verified(text);
        assertEquals(1, inlinedSites(p, 0), text);
        // the loop is peeled: its steady copy runs the leaf inline too
        assertEquals(1, steadySites(p, 0), text);
        // the leaf makes no calls: nothing to inline in it
        assertEquals(0, inlinedSites(p, 1), text);
        Tiers t = Tiers.of(p, Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), Limits.DEFAULT, text);
        assertEquals(List.of(Value.i64(want)), o.results(), o::toString);
        for (long fuel = 0; fuel < 60; fuel++) {
            t.check(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
        }
    }

    @Test
    void callLoopsAddOneIsInlined() {
        inlined(CALL_LOOP, 1000, 1000);
    }

    @Test
    void closureLoopsAddEnvIsInlined() {
        // sum of i + 3 for i < 1000
        inlined(CLOSURE_LOOP, 1000, 999 * 1000 / 2 + 3000);
    }

    @Test
    void rulesScoreIsInlined() {
        long want = 0;
        for (long i = 0; i < 1000; i++) {
            long qty = i & 15;
            long s = qty * (i & 127);
            s -= qty > 10 ? qty : 0;
            s += (i & 3) == 3 ? 100 : 0;
            want += s;
        }
        inlined(RULES, 1000, want);
    }

    /** The control: a callee that divides is no leaf, so the same loop makes the real call. */
    @Test
    void aCalleeThatCanTrapIsNotInlined() {
        String text = CALL_LOOP.replace("i64.add r3, r1, r2", "i64.div r3, r1, r2");
        VerifiedProgram p = verified(text);
        assertEquals(0, inlinedSites(p, 0), text);
        Tiers.of(p, Host.NONE).check(0, List.of(Value.i64(100)), Limits.DEFAULT, text);
    }
}
