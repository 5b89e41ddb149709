package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Programs the verifier accepts although an aggregate's shape is not what it statically assumed
 * (the reference's rules: an {@code agg} result keeps its register's earlier shape; no shape after a
 * block boundary, so kind checks move to run time), and a loop whose entry block keeps its
 * argument's shape: both tiers give the same results, traps (kind, function, pc) and fuel.
 */
class AggShapeTiersTest {
    private static final String PROGRAM = """
            program agg_shapes
            struct @0 = { x: i64, flag: bool }

            ; r3 held a struct: the tuple read into it keeps that shape, so struct.get is accepted,
            ; and at run time it meets a tuple (pc 24)
            func stale_kind() -> (i64) {
                const.i64 r1, 7
                const.bool r2, true
                struct.new r3, @0, [r1, r2]
                tuple.new r4, [r2]
                tuple.new r5, [r4]
                tuple.get r3, r5, 0
                struct.get r6, r3, 0
                ret r0, [r6]
            }

            ; r3 held a tuple(i64): the tuple(bool) read into it is read as i64 (pc 22)
            func stale_elem() -> (i64) {
                const.i64 r1, 7
                const.bool r2, true
                tuple.new r3, [r1]
                tuple.new r4, [r2]
                tuple.new r5, [r4]
                tuple.get r3, r5, 0
                tuple.get r6, r3, 0
                ret r0, [r6]
            }

            ; no shape after the jmp: tuple.len of a struct is checked at run time (pc 18)
            func len_kind() -> (u64) {
                const.i64 r1, 7
                const.bool r2, true
                struct.new r3, @0, [r1, r2]
                jmp next
            next:
                tuple.len r4, r3
                ret r0, [r4]
            }

            ; the loop's head is the entry block and its only edge back carries the same shape
            func count(t: agg tuple(i64), n: i64) -> (i64) {
            top:
                tuple.get r3, r1, 0
                const.i64 r4, 1
                i64.sub r2, r2, r4
                const.i64 r5, 0
                i64.lt r6, r5, r2
                br r6, top, done
            done:
                i64.add r7, r3, r2
                ret r0, [r7]
            }

            func main(n: i64) -> (i64) {
                const.i64 r2, 7
                tuple.new r3, [r2]
                call r0, count, r0, [r3, r1] -> [r4]
                ret r0, [r4]
            }
            """;

    private static Tiers tiers() throws Exception {
        return Tiers.of(Assembler.assemble(PROGRAM, "agg_shapes.tasm"), Host.NONE);
    }

    private static void traps(Tiers t, int func, TrapKind kind, int pc) {
        Limits limits = Limits.DEFAULT.withFuel(1_000);
        Tiers.Outcome o = t.check(func, List.of(), limits, "function " + func);
        assertEquals(kind, o.kind(), o.toString());
        assertEquals(func, o.trap().func(), o.toString());
        assertEquals(pc, o.trap().pc(), o.toString());
    }

    @Test
    void aStaleShapeTrapsWhereTheValueDiffers() throws Exception {
        Tiers t = tiers();
        traps(t, 0, TrapKind.AGG_ERROR, 24);
        traps(t, 1, TrapKind.TYPE_MISMATCH, 22);
        traps(t, 2, TrapKind.AGG_ERROR, 18);
    }

    @Test
    void aLoopOnTheEntryBlockReadsItsArgument() throws Exception {
        Tiers t = tiers();
        for (int n = 1; n <= 5; n++) {
            Limits limits = Limits.DEFAULT.withFuel(1_000);
            Tiers.Outcome o = t.check(4, List.of(Value.i64(n)), limits, "main(" + n + ")");
            assertNull(o.trap(), o.toString());
            assertEquals(List.of(Value.i64(7)), o.results());
            // main: 4 instructions; count: 6 per pass and 2 after the last
            assertEquals(4 + 6L * n + 2, o.used(limits), "fuel of main(" + n + ")");
        }
    }
}
