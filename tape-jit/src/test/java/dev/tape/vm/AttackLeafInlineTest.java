package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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

    @Test
    void projectionOfAnArgumentOfAnotherShape() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(SHAPES), Host.NONE);
        // both calls of the leaf, the direct one and the call.indirect, run inline when their reads fit
        assertEquals(2, JitLeafInlinedTest.inlinedSites(Tiers.verified(JitCornerCasesTest.asm(SHAPES)), 0));
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
