package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import java.util.List;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code tuple.new} of two word registers makes the interpreter's word pair on the compiled
 * tier too (one allocation, {@code JitRuntime.pair}): the same aggregate class, elements, heap
 * charge (50 bytes a pair) and traps at every heap limit, beside tuples of one and three words
 * and of mixed classes.
 */
class JitWordPairTest {
    static final String PAIRS = """
            program pairs

            func main(n: i64) -> (agg, agg, agg, i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r7, 1
                const.pool r8, str:"s"
                jmp loop
              loop:
                i64.lt r4, r2, r1
                br r4, body, done
              body:
                tuple.new r5, [r2, r1]
                tuple.get r6, r5, 1
                i64.add r3, r3, r6
                tuple.get r6, r5, 0
                i64.add r3, r3, r6
                i64.add r2, r2, r7
                jmp loop
              done:
                tuple.new r9, [r3, r1]
                tuple.new r10, [r3, r1, r2]
                tuple.new r11, [r3, r8]
                ret r0, [r9, r10, r11, r3]
            }
            """;

    @Test
    void pairsAreTheInterpretersInClassElementsAndHeap() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(PAIRS), Host.NONE);
        assertEquals(1, Jit.precompile(t.compiled));
        List<Value> args = List.of(Value.i64(5));
        Tiers.Outcome i = t.interpret(0, args, Limits.DEFAULT);
        Tiers.Outcome c = t.compile(0, args, Limits.DEFAULT);
        Tiers.assertSame(i, c, () -> "n = 5");
        // 0+5 + 1+5 + ... + 4+5 = 35; the aggregates' classes are the interpreter's (a word pair
        // for the first result, a general aggregate for the three-word and mixed tuples)
        assertEquals(35, ((Value.I64) c.results().get(3)).value());
        for (int k = 0; k < 3; k++) {
            assertEquals(i.results().get(k).getClass(), c.results().get(k).getClass(), "result " + k);
        }
        assertTrue(i.results().get(0).getClass() != i.results().get(1).getClass(),
                "a two-word tuple is a pair, a three-word one is not");
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "unlimited heap");
        int traps = 0;
        for (long heap = 0; heap <= full.heapBytes() + 8; heap++) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), "heap " + heap);
            if (o.trapped()) {
                assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o::toString);
                traps++;
            }
        }
        // five pairs in the loop and one after (50 bytes each), a three-word tuple (59), a mixed one
        assertTrue(traps > 6 * 50 + 59, "traps: " + traps);
        for (long n : new long[] {0, 1, 2, 17}) {
            t.check(0, List.of(Value.i64(n)), Limits.DEFAULT, "n = " + n);
            JitCornerCasesTest.sweep(t, 0, List.of(Value.i64(n)), "n = " + n);
        }
    }
}
