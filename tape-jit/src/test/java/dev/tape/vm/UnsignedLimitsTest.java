package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.ConformanceHost;
import dev.tape.program.Program;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference's limits are unsigned ({@code u64} fuel and host calls, {@code usize} call depth):
 * every value up to 2^64-1 is legal and means what it says, on both tiers, and host fuel charges
 * are unsigned and saturate. Also: decimal arithmetic costs no heap, as the reference keeps decimals
 * inline in registers.
 */
class UnsignedLimitsTest {
    static final long U64_MAX = -1L;
    static final long TWO_63 = Long.MIN_VALUE;

    static Program asm(String text) {
        try {
            return Assembler.assemble(text, "limits.tasm");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** sum(n): a loop of 5 instructions per turn plus 4, so its fuel use is known exactly. */
    static final String LOOP = """
            program loop
            func sum(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp head
            head:
                i64.lt r4, r2, r1
                br r4, body, done
            body:
                i64.add r2, r2, r3
                jmp head
            done:
                ret r0, [r2]
            }
            """;

    @Test
    void fuelOfTwoTo64MinusOneIsCountedExactly() {
        Tiers t = Tiers.of(asm(LOOP), new ConformanceHost());
        List<Value> args = List.of(Value.i64(1000));
        long used = t.check(0, args, Limits.DEFAULT, "default").used(Limits.DEFAULT);
        assertEquals(3 + 4 * 1000 + 2 + 1, used);
        for (long fuel : new long[] {U64_MAX, TWO_63, TWO_63 + 5, Long.MAX_VALUE, Long.MAX_VALUE - 3}) {
            Limits l = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome o = t.check(0, args, l, "fuel " + Long.toUnsignedString(fuel));
            assertNull(o.trap(), o.toString());
            assertEquals(Long.toUnsignedString(fuel - used), Long.toUnsignedString(o.fuelRemaining()));
            assertEquals(used, o.used(l));
        }
    }

    static final String CHARGE = """
            program charge
            host charge = "test.charge" (u64) -> ()
            func main(x: u64) -> (i64) {
                host_call r0, charge, r0, [r1] -> []
                const.i64 r2, 7
                ret r0, [r2]
            }
            """;

    @Test
    void hostChargesAreUnsignedAndSaturate() {
        Tiers t = Tiers.of(asm(CHARGE), new ConformanceHost());
        Limits l = Limits.DEFAULT.withFuel(U64_MAX);
        // host_call costs 1: 2^64-2 left, and a charge of 2^64-1 leaves 0: const.i64 (pc 4) traps
        Tiers.Outcome all = t.check(0, List.of(Value.u64(U64_MAX)), l, "charge 2^64-1");
        assertEquals(TrapKind.FUEL_EXCEEDED, all.kind(), all.toString());
        assertEquals(0, all.fuelRemaining());
        // a charge of 2^64-3 leaves 1: const.i64 runs, ret traps
        Tiers.Outcome one = t.check(0, List.of(Value.u64(U64_MAX - 2)), l, "charge 2^64-3");
        assertEquals(TrapKind.FUEL_EXCEEDED, one.kind(), one.toString());
        assertTrue(one.trap().pc() > all.trap().pc(), one + " vs " + all);
        // a charge of 2^64-4 leaves exactly the 2 the rest needs
        Tiers.Outcome exact = t.check(0, List.of(Value.u64(U64_MAX - 3)), l, "charge 2^64-4");
        assertNull(exact.trap(), exact.toString());
        assertEquals(List.of(Value.i64(7)), exact.results());
        assertEquals(0, exact.fuelRemaining());
        // a charge of 2^63 from 2^64-1: the fuel beyond 2^63-1 pays part of it
        Tiers.Outcome half = t.check(0, List.of(Value.u64(TWO_63)), l, "charge 2^63");
        assertNull(half.trap(), half.toString());
        assertEquals(Long.toUnsignedString(U64_MAX - 3 - TWO_63), Long.toUnsignedString(half.fuelRemaining()));
        // with an ordinary budget, any charge of 2^63 or more saturates as before
        Tiers.Outcome small = t.check(0, List.of(Value.u64(TWO_63 + 1)), Limits.DEFAULT, "charge 2^63+1");
        assertEquals(TrapKind.FUEL_EXCEEDED, small.kind(), small.toString());
        assertEquals(all.trap().pc(), small.trap().pc());
    }

    static final String DOWN = """
            program down
            func down(n: i64) -> (i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, bottom, more
            bottom:
                ret r0, [r1]
            more:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, down, r0, [r5] -> [r6]
                ret r0, [r6]
            }
            """;

    @Test
    void callDepthIsNeverTruncated() {
        Tiers t = Tiers.of(asm(DOWN), new ConformanceHost());
        List<Value> args = List.of(Value.i64(30)); // 31 frames
        // 2^32 + 5 used to become 5 frames, 2^31 and 2^64-1 used to become 1
        for (long depth : new long[] {31, 4_294_967_301L, 1L << 31, 1L << 32, Long.MAX_VALUE, TWO_63, U64_MAX}) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxCallDepth(depth),
                    "depth " + Long.toUnsignedString(depth));
            assertNull(o.trap(), o.toString());
        }
        Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxCallDepth(30), "depth 30");
        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, o.kind(), o.toString());
    }

    static final String HOSTS = """
            program hosts
            host add = "test.add_i64" (i64, i64) -> (i64)
            func main(a: i64) -> (i64) {
                host_call r0, add, r0, [r1, r1] -> [r2]
                host_call r0, add, r0, [r2, r2] -> [r3]
                ret r0, [r3]
            }
            """;

    @Test
    void hostCallLimitIsUnsigned() {
        Tiers t = Tiers.of(asm(HOSTS), new ConformanceHost());
        List<Value> args = List.of(Value.i64(3));
        for (long max : new long[] {2, 1L << 32, Long.MAX_VALUE, TWO_63, U64_MAX}) {
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHostCalls(max),
                    "host calls " + Long.toUnsignedString(max));
            assertEquals(List.of(Value.i64(12)), o.results(), o.toString());
        }
        Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHostCalls(1), "host calls 1");
        assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, o.kind(), o.toString());
    }

    @Test
    void limitsTakeTheWholeUnsignedRangeAndRefuseTheRest() {
        Limits l = new Limits(U64_MAX, U64_MAX, U64_MAX, Long.MAX_VALUE, Integer.MAX_VALUE);
        assertEquals(U64_MAX, l.maxCallDepth());
        assertEquals(Integer.MAX_VALUE, l.depthCap());
        assertEquals(31, Limits.DEFAULT.withMaxCallDepth(31).depthCap());
        assertEquals(0, Limits.DEFAULT.withMaxCallDepth(0).depthCap());
        assertThrows(IllegalArgumentException.class, () -> Limits.DEFAULT.withMaxHeapBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> Limits.DEFAULT.withMaxRegisters(0));
        assertEquals(U64_MAX, Limits.parseUnsigned("18446744073709551615", "--fuel"));
        assertEquals(TWO_63, Limits.parseUnsigned("9223372036854775808", "--fuel"));
        assertEquals(0, Limits.parseUnsigned("0", "--fuel"));
        for (String bad : new String[] {"18446744073709551616", "-1", "", "1e3", "0x10", "12 "}) {
            if (bad.equals("12 ")) {
                assertEquals(12, Limits.parseUnsigned(bad, "--fuel"));
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Limits.parseUnsigned(bad, "--fuel"), bad);
            assertTrue(e.getMessage().startsWith("--fuel "), e.getMessage());
        }
        Limits off = Limits.DEFAULT.withoutJavaOnlyLimits();
        assertEquals(Long.MAX_VALUE, off.maxHeapBytes());
        assertEquals(Integer.MAX_VALUE, off.maxRegisters());
        assertEquals(Limits.DEFAULT.fuel(), off.fuel());
    }

    /** A decimal add/mul loop of n turns: the reference finishes 300,000 without any heap limit. */
    static final String DECIMALS = """
            program decimals
            func loop(n: i64) -> (i64) {
                const.decimal r2, 0, 2
                const.decimal r3, 125, 2
                const.decimal r4, 1, 0
                const.i64 r5, 0
                const.i64 r6, 1
                jmp head
            head:
                i64.lt r7, r5, r1
                br r7, body, done
            body:
                dec.add r2, r2, r3
                dec.mul r8, r2, r4
                dec.sub r2, r8, r3
                dec.add r2, r2, r3
                i64.add r5, r5, r6
                jmp head
            done:
                const.decimal r9, 100, 2
                dec.mul r10, r2, r9
                i64.to_dec r11, r5, 0
                ret r0, [r5]
            }
            """;

    @Test
    void decimalArithmeticCostsNoHeap() {
        Tiers t = Tiers.of(asm(DECIMALS), new ConformanceHost());
        // 300,000 turns make 1.2 million decimals: 28.8 MB at the old 24 bytes each, over a 16 MB limit
        Limits l = Limits.DEFAULT.withMaxHeapBytes(16L << 20);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(300_000)), l, "300k decimal turns");
        assertFalse(o.trapped(), o.toString());
        assertEquals(List.of(Value.i64(300_000)), o.results());
        assertEquals(0, o.heapBytes(), o.toString());
    }
}
