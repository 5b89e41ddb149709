package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on aggregates built inline by the compiled tier ({@code InlineOps.newAggregate},
 * {@code JitRuntime.aggregate}): {@code array.new} of up to 200,000 elements (far past what one
 * compiled method holds, so the function falls back to the interpreter, and just under it, so it is
 * compiled), with the heap limit exactly at, one under and one over each allocation's charge;
 * aggregates nested in aggregates, and unit, closure and func elements. Both tiers must give the
 * same outcome in every field ({@link Tiers#check}).
 */
class AttackAggregateTest {
    /** {@code main(x)}: an array of {@code n} i64 elements, all x (register r1), and its length. */
    private static String wide(int n, String elem, String type) {
        StringBuilder b = new StringBuilder("program wide\narray a = " + type + "\n"
                + "func main(x: i64) -> (u64) {\n" + elem + "    array.new r3, a, [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "r2" : ", r2");
        }
        return b.append("]\n    array.len r4, r3\n    ret r0, [r4]\n}\n").toString();
    }

    /**
     * Wide {@code array.new}s of words and of references: the length comes back, and heap limits
     * at the charge (32 + 9 per element, + 8 per element for references) and one byte under it
     * trap alike, on both tiers, whether the function was compiled or not.
     */
    @Test
    void wideArraysAtEveryHeapEdge() {
        String words = "    mov r2, r1\n";
        String strs = "    const.pool r2, str:\"s\"\n";
        for (int n : new int[] {1, 100, 600, 900, 1_200, 5_000, 200_000}) {
            for (boolean refs : new boolean[] {false, true}) {
                Tiers t = Tiers.of(JitCornerCasesTest.asm(wide(n, refs ? strs : words, refs ? "str" : "i64")),
                        Host.NONE);
                boolean compiled = Jit.precompile(t.compiled) > 0;
                List<Value> args = List.of(Value.i64(7));
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "n " + n);
                assertEquals(List.of(new Value.U64(n)), full.results(), full::toString);
                long charge = 32 + 9L * n + (refs ? 8L * n : 0);
                assertEquals(charge, full.heapBytes(), "n " + n + " refs " + refs);
                for (long heap : new long[] {0, 32 + 9L * n - 1, 32 + 9L * n, charge - 1, charge, charge + 1}) {
                    Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap),
                            "n " + n + " refs " + refs + " heap " + heap + " compiled " + compiled);
                    assertEquals(heap < charge, o.trapped(), o::toString);
                    if (o.trapped()) {
                        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o::toString);
                    }
                }
                if (n <= 100) {
                    assertTrue(compiled, "a small array.new compiles: n " + n);
                }
            }
        }
    }

    /**
     * Aggregates nested five deep (a tuple holding a struct holding an array of tuples, a closure
     * over a struct, funcs and units as elements), built in a loop, at every heap limit from 0 to
     * the run's total and at every fuel limit: both tiers alike.
     */
    @Test
    void nestedAggregatesAtEveryLimit() {
        String text = """
                program nest
                struct S = { u: unit, t: agg, f: func }
                array ts = agg
                callsig k = (i64) -> (i64)

                func main(n: i64) -> (u64, i64) {
                    const.unit r2
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.func r5, inc
                    tuple.new r6, [r2, r3]
                    array.new r11, ts, [r6]
                    jmp loop
                loop:
                    i64.lt r7, r3, r1
                    br r7, body, done
                body:
                    tuple.new r8, [r6, r3, r2]
                    struct.new r9, S, [r2, r8, r5]
                    tuple.new r10, [r9, r8]
                    array.new r11, ts, [r10, r8, r6]
                    tuple.new r12, [r11, r9, r2, r5]
                    closure.new r13, r5, r12
                    call.indirect r0, k, r13, r0, [r3] -> [r3]
                    mov r6, r12
                    jmp loop
                done:
                    array.len r14, r11
                    ret r0, [r14, r3]
                }

                func inc(env: agg, x: i64) -> (i64) {
                    const.i64 r3, 1
                    i64.add r4, r2, r3
                    ret r0, [r4]
                }
                """;
        Tiers t = Tiers.of(JitCornerCasesTest.asm(text), Host.NONE);
        Jit.precompile(t.compiled);
        List<Value> args = List.of(Value.i64(4));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "unlimited");
        assertEquals(List.of(new Value.U64(3), Value.i64(4)), full.results(), full::toString);
        int traps = 0;
        for (long heap = 0; heap <= full.heapBytes() + 2; heap++) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), "heap " + heap);
            assertEquals(heap < full.heapBytes(), o.trapped(), o::toString);
            traps += o.trapped() ? 1 : 0;
        }
        assertEquals(full.heapBytes(), traps, "every limit under the total traps");
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
            assertEquals(fuel < used, o.trapped(), o::toString);
        }
    }
}
