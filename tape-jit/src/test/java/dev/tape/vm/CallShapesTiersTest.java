package dev.tape.vm;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Direct and indirect calls that pass and return values of every register class (a word, a string
 * and a decimal) through a recursion deeper than a context's initial frame records, on both tiers:
 * the interpreter runs a direct {@code call} and a {@code call.indirect} in separate cases of its
 * loop, and both must copy each value from its own register file, charge the same fuel and trap
 * where the compiled tier does.
 */
class CallShapesTiersTest {
    /**
     * {@code main(n)} calls {@code down(n, "x", 0.01)} directly, then again through
     * {@code call.indirect} on the first call's string and decimal. {@code down(k, s, d)} returns
     * {@code (0, s, d)} for k = 0 and otherwise {@code (k + a, s2, d2)} where
     * {@code (a, s2, d2) = down(k - 1, s ++ "x", d + 0.01)}.
     * Fuel: main 6; down(k) 12 per level above 0 and 4 at 0, so main(n) uses {@code 24 n + 14}.
     */
    private static final String PROGRAM = """
            program call_shapes

            callsig tri = (i64, str, dec) -> (i64, str, dec)

            func main(n: i64) -> (a: i64, s: str, d: dec) {
                const.pool r2, str:"x"
                const.decimal r3, 1, 2
                call r0, down, r0, [r1, r2, r3] -> [r4, r5, r6]
                const.func r7, down
                call.indirect r0, tri, r7, r0, [r1, r5, r6] -> [r8, r9, r10]
                ret r0, [r8, r9, r10]
            }

            func down(n: i64, s: str, d: dec) -> (a: i64, s: str, d: dec) {
                const.i64 r4, 0
                i64.eq r5, r1, r4
                br r5, leaf, rec
            leaf:
                ret r0, [r4, r2, r3]
            rec:
                const.i64 r6, 1
                i64.sub r7, r1, r6
                const.pool r8, str:"x"
                str.concat r9, r2, r8
                const.decimal r10, 1, 2
                dec.add r11, r3, r10
                call r0, down, r0, [r7, r9, r11] -> [r12, r13, r14]
                i64.add r15, r12, r1
                ret r0, [r15, r13, r14]
            }
            """;

    private static Tiers tiers() {
        try {
            return Tiers.of(Assembler.assemble(PROGRAM, "call_shapes.tasm"), Host.NONE);
        } catch (AsmException e) {
            throw new AssertionError(e);
        }
    }

    /** Depths 0 to 40 (past the 16 frame records a new context holds): the results and the fuel. */
    @Test
    void valuesOfEveryClassGoInAndComeBack() {
        Tiers t = tiers();
        for (int n = 0; n <= 40; n++) {
            Limits limits = Limits.DEFAULT.withFuel(10_000);
            Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), limits, "main(" + n + ")");
            assertNull(o.trap(), o.toString());
            assertEquals(List.of(Value.i64((long) n * (n + 1) / 2), Value.str("x".repeat(2 * n + 1)),
                    Value.decimal(1 + 2L * n, 2)), o.results(), "main(" + n + ")");
            assertEquals(24L * n + 14, o.used(limits), "fuel of main(" + n + ")");
        }
    }

    /**
     * One unit of fuel short, the run traps {@code fuel_exceeded} at main's {@code ret}; with a
     * call depth cap of 20, {@code call_depth_exceeded} at the direct {@code call} of the 19th
     * level of down (the 20th frame); both tiers agree on the pc, frames and fuel.
     */
    @Test
    void trapsInDeepFramesAgree() {
        Tiers t = tiers();
        int n = 30;
        Limits shortOne = Limits.DEFAULT.withFuel(24L * n + 13);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), shortOne, "one unit short");
        assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), o.toString());
        assertEquals("main", o.trap().funcName(), o.toString());
        assertEquals(0, o.fuelRemaining(), o.toString());

        Limits capped = Limits.DEFAULT.withFuel(10_000).withMaxCallDepth(20);
        Tiers.Outcome deep = t.check(0, List.of(Value.i64(n)), capped, "depth cap");
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, deep.kind(), deep.toString());
        assertEquals("down", deep.trap().funcName(), deep.toString());
        assertEquals(20, deep.trap().stack().size() + deep.trap().elidedFrames(), deep.toString());
        // main's 2 and its call, 18 levels of down's 9 and their call, then the 19th level's 9 and
        // the call that traps
        assertEquals(3 + 18 * 10 + 10, capped.fuel() - deep.fuelRemaining(), deep.toString());
    }
}
