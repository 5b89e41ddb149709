package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier clears an aggregate register's local at a block start where the register is not
 * written on every path (so that C2 can scalar-replace an aggregate that lives within one loop
 * iteration, {@code DeadAggregates}): nothing may tell. Loops building tuples (of words, the pair
 * path, and with a reference element), structs and arrays, and a loop whose aggregate register is
 * written before the loop too (it must be kept): the same outcome on both tiers at every fuel and
 * heap limit around them (result, trap kind, pc, span, fuel, heap bytes), and, paused at every
 * fuel limit, the same frames, registers and snapshot bytes, each going on to the same result,
 * restored on either tier.
 */
class JitDeadAggregatesTest {
    /** Pairs built and read in a loop; the pair register is dead at the loop's head and after it. */
    static final String PAIRS = """
            program pairs
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                tuple.new r6, [r3, r2]
                tuple.get r7, r6, 0
                tuple.get r8, r6, 1
                i64.add r2, r7, r8
                i64.add r3, r3, r4
                i64.lt r5, r3, r1
                br r5, body, done
            done:
                ret r0, [r2]
            }
            """;

    /** A struct, an array and a tuple with a str element per iteration, each read back. */
    static final String MIXED = """
            program mixed
            struct point = { x: i64, y: i64 }
            array ints = i64
            func main(n: i64) -> (i64, u64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                const.pool r9, str:"ab"
                const.u64 r12, 0
                const.u64 r16, 2
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                struct.new r6, point, [r3, r4]
                struct.get r7, r6, 0
                array.new r8, ints, [r7, r3, r4]
                array.len r10, r8
                array.get r11, r8, r16
                i64.add r2, r2, r11
                i64.sub r2, r2, r4
                tuple.new r13, [r9, r3]
                tuple.get r14, r13, 0
                str.len r15, r14
                u64.add r12, r12, r15
                i64.add r2, r2, r7
                i64.add r3, r3, r4
                i64.lt r5, r3, r1
                br r5, body, done
            done:
                ret r0, [r2, r12]
            }
            """;

    /** The pair register is written before the loop and read at its head: it must not be cleared. */
    static final String KEPT = """
            program kept
            func main(n: i64) -> (i64, i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                tuple.new r6, [r3, r2]
                i64.lt r5, r3, r1
                br r5, body, done
            body:
                tuple.get r7, r6, 1
                i64.add r2, r2, r7
                i64.add r2, r2, r3
                tuple.new r6, [r3, r2]
                i64.add r3, r3, r4
                i64.lt r5, r3, r1
                br r5, body, done
            done:
                tuple.get r7, r6, 0
                tuple.get r8, r6, 1
                ret r0, [r7, r8]
            }
            """;

    private static Tiers tiers(String text) {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(text), Host.NONE);
        assertEquals(1, Jit.precompile(t.compiled), "the function is compiled");
        return t;
    }

    private static void everyLimit(String text, long n, List<Value> want) {
        Tiers t = tiers(text);
        List<Value> args = List.of(Value.i64(n));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "unlimited");
        assertEquals(want, full.results(), full::toString);
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
            assertEquals(fuel < used, o.trapped(), o::toString);
        }
        long heap = full.heapBytes();
        assertTrue(heap > 0, "the loop allocates");
        int traps = 0;
        for (long limit = 0; limit <= heap + 1; limit++) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(limit), "heap " + limit);
            assertEquals(limit < heap, o.trapped(), o::toString);
            if (o.trapped()) {
                assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o::toString);
                traps++;
            }
        }
        assertEquals(heap, traps, "every limit under the total traps");
    }

    private static void everyPause(String text, long n, int minPauses) {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(text));
        Vm interp = new Vm(p, new HostRegistry());
        Vm jit = Jit.compile(p, new HostRegistry());
        assertEquals(1, Jit.precompile(jit));
        List<Value> args = List.of(Value.i64(n));
        List<Value> want = interp.run(0, args, Limits.DEFAULT);
        int paused = 0;
        for (long at = 1; at < 400; at++) {
            Run x = interp.start(0, args, Limits.DEFAULT.withFuel(at));
            Run y = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            Outcome ox = x.resume();
            Outcome oy = y.resume();
            assertEquals(ox, oy, "at " + at);
            if (!(ox instanceof Outcome.Paused)) {
                continue;
            }
            paused++;
            assertEquals(x.frames(), y.frames(), "at " + at);
            assertEquals(x.registers(0), y.registers(0), "registers at " + at);
            byte[] sx = x.snapshot();
            assertArrayEquals(sx, y.snapshot(), "snapshot at " + at);
            for (Run r : new Run[] {x, y, jit.restore(sx), new Vm(p, new HostRegistry()).restore(sx)}) {
                r.addFuel(100_000);
                assertEquals(new Outcome.Done(want), r.resume(), "at " + at);
            }
        }
        assertTrue(paused >= minPauses, "paused " + paused);
    }

    @Test
    void pairsAtEveryLimit() {
        everyLimit(PAIRS, 6, List.of(Value.i64(15)));
    }

    @Test
    void mixedAggregatesAtEveryLimit() {
        // sum of i for i < 5 is 10; five str.len of "ab"
        everyLimit(MIXED, 5, List.of(Value.i64(10), new Value.U64(10)));
    }

    @Test
    void aRegisterWrittenBeforeTheLoopIsKept() {
        // r2 = sum over i < 5 of (previous pair's r2) + i, doubling: 0, 1, 4, 11, 26; then (4, 26)
        everyLimit(KEPT, 5, List.of(Value.i64(4), Value.i64(26)));
    }

    @Test
    void pausedAtEveryFuelLimit() {
        everyPause(PAIRS, 6, 30);
        everyPause(MIXED, 4, 40);
        everyPause(KEPT, 5, 30);
    }
}
