package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier's inline instructions ({@code InlineOps} and the unsigned and float compares)
 * in shapes {@link JitInlineOpsTest} does not run: inside loops (hot enough for HotSpot's C2),
 * with the result register aliasing one or both operands, under every fuel limit up to the run's
 * use (so a trap or fuel exhaustion lands on each instruction in turn, with its refund), and under
 * every heap limit around a chain of concatenations. Both tiers must agree in every field.
 */
class JitInlineLoopsTest {
    /**
     * f0(n, s, f): an LCG over u64 feeding, per iteration, float bits (NaN payloads come up), the
     * float ops on their own results, u64/i64 casts and div/rem with aliased registers, and the
     * compares as values and as branches. Never traps.
     * f1(n, s): the same LCG, dividing by (s % 5) - 2 as i64 until it is 0 (div_by_zero in the loop).
     * f2(n, d): decimal arithmetic on its own results until it overflows.
     * f4(n, d, s): recurses n deep, doubling s on the way down, then squares d at the bottom and
     * doubles it on the way up: decimal overflow and heap limits trap at every depth, across the
     * compiled tier's nesting limit (200 frames), past which the interpreter runs the calls.
     * f3(n, a): concatenates a with itself (both operands the result) n times; heap limits trap it.
     */
    private static final String PROGRAM = """
            program loops
            func f0(n: i64, s: u64, f: f64) -> (u64, f64, i64, u64) {
                const.i64 r5, 0
                const.i64 r6, 1
                const.u64 r7, 6364136223846793005
                const.u64 r8, 1442695040888963407
                const.u64 r9, 0
                const.i64 r10, 0
                const.u64 r11, 1
                const.u64 r12, 7
                mov r16, r3
                jmp head
            head:
                i64.lt r13, r5, r1
                br r13, body, done
            body:
                u64.mul r2, r2, r7
                u64.add r2, r2, r8
                f64.from_bits r14, r2
                f64.neg r14, r14
                f64.abs r15, r14
                f64.min r16, r14, r3
                f64.max_num r16, r16, r15
                f64.min_num r16, r16, r16
                f64.rem r17, r16, r14
                f64.max r17, r17, r17
                f64.to_bits r18, r17
                u64.xor r9, r9, r18
                f64.to_bits r18, r14
                u64.xor r9, r9, r18
                u64.shr r19, r2, r11
                u64.or r19, r19, r11
                u64.to_i64 r20, r19
                i64.to_u64 r19, r20
                u64.to_f64 r34, r19
                f64.neg r34, r34
                f64.to_i64 r25, r34
                u64.or r21, r2, r11
                u64.div r22, r19, r21
                u64.rem r19, r19, r12
                u64.add r19, r19, r11
                u64.div r22, r22, r19
                u64.rem r22, r22, r21
                i64.div r20, r20, r20
                i64.rem r20, r20, r20
                i64.add r10, r10, r20
                u64.to_f64 r23, r2
                f64.to_u64 r24, r23
                u64.xor r9, r9, r24
                i64.add r10, r10, r25
                f64.eq r26, r14, r14
                f64.ge r27, r14, r3
                f64.le r28, r3, r14
                f64.gt r29, r16, r15
                u64.gt r30, r2, r9
                u64.le r31, r9, r2
                u64.ge r32, r2, r2
                br r26, t1, e1
            t1:
                i64.add r10, r10, r6
                jmp e1
            e1:
                f64.ge r27, r14, r3
                br r27, t2, e2
            t2:
                i64.add r10, r10, r6
                jmp e2
            e2:
                u64.gt r30, r2, r9
                br r30, t3, e3
            t3:
                i64.add r10, r10, r6
                jmp e3
            e3:
                f64.le r28, r3, r14
                br r28, t4, e4
            t4:
                i64.add r10, r10, r6
                jmp e4
            e4:
                u64.ge r32, r9, r2
                br r32, t5, e5
            t5:
                i64.add r10, r10, r6
                jmp e5
            e5:
                f64.gt r29, r16, r15
                br r29, t6, e6
            t6:
                i64.add r10, r10, r6
                jmp e6
            e6:
                u64.le r31, r9, r2
                br r31, t7, e7
            t7:
                i64.add r10, r10, r6
                jmp e7
            e7:
                i64.add r5, r5, r6
                jmp head
            done:
                ret r0, [r9, r16, r10, r2]
            }
            func f1(n: i64, s: u64) -> (i64, u64) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.u64 r5, 6364136223846793005
                const.u64 r6, 1442695040888963407
                const.u64 r7, 5
                const.i64 r8, 2
                const.i64 r9, 1000000007
                const.i64 r10, 0
                jmp head
            head:
                i64.lt r11, r3, r1
                br r11, body, done
            body:
                u64.mul r2, r2, r5
                u64.add r2, r2, r6
                u64.rem r12, r2, r7
                u64.to_i64 r13, r12
                i64.sub r13, r13, r8
                i64.div r14, r9, r13
                i64.rem r15, r9, r13
                i64.add r10, r10, r14
                i64.add r10, r10, r15
                i64.add r3, r3, r4
                jmp head
            done:
                ret r0, [r10, r2]
            }
            func f2(n: i64, d: dec) -> (dec, i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.decimal r5, 3, 0
                const.u64 r12, 9223372036854775807
                jmp head
            head:
                i64.lt r6, r3, r1
                br r6, body, done
            body:
                dec.add r2, r2, r2
                dec.sub r7, r2, r5
                dec.mul r8, r7, r5
                dec.to_i64 r9, r8
                i64.to_dec r10, r9, 0
                u64.to_dec r11, r12, 0
                dec.add r2, r2, r5
                i64.add r3, r3, r4
                jmp head
            done:
                dec.to_i64 r13, r2
                ret r0, [r2, r13]
            }
            func f3(n: i64, a: str) -> (str, u64, bool) {
                const.i64 r3, 0
                const.i64 r4, 1
                mov r5, r2
                jmp head
            head:
                i64.lt r6, r3, r1
                br r6, body, done
            body:
                str.concat r2, r2, r2
                str.len r7, r2
                str.eq r8, r2, r5
                str.concat r5, r5, r2
                str.eq r8, r5, r5
                i64.add r3, r3, r4
                jmp head
            done:
                str.len r7, r2
                str.eq r8, r2, r5
                ret r0, [r2, r7, r8]
            }
            func f4(n: i64, d: dec, s: str) -> (dec, u64) {
                const.i64 r4, 0
                i64.eq r5, r1, r4
                br r5, bottom, deeper
            bottom:
                dec.mul r2, r2, r2
                str.concat r3, r3, r3
                str.len r6, r3
                ret r0, [r2, r6]
            deeper:
                const.i64 r7, 1
                i64.sub r8, r1, r7
                str.concat r3, r3, r3
                call r0, f4, r0, [r8, r2, r3] -> [r2, r6]
                dec.add r2, r2, r2
                ret r0, [r2, r6]
            }
            """;

    private static Tiers tiers() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(PROGRAM), Host.NONE);
        assertEquals(5, Jit.precompile(t.compiled), "every function compiled");
        return t;
    }

    /** Every fuel limit from 0 to the run's use, and a little past it. */
    private static void sweepFuel(Tiers t, int entry, List<Value> args, String what) {
        Tiers.Outcome whole = t.check(entry, args, Limits.DEFAULT, what);
        long used = Limits.DEFAULT.fuel() - whole.fuelRemaining();
        assertTrue(used > 0 && used < 100_000, what + " uses " + used);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            t.check(entry, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
        }
    }

    @Test
    void wordOpsInAHotLoopWithAliasedRegistersMatchTheInterpreter() {
        Tiers t = tiers();
        long[] seeds = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7ff0_0000_0000_0001L};
        double[] fs = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, -1.5};
        for (long s : seeds) {
            for (double f : fs) {
                List<Value> args = List.of(Value.i64(40_000), new Value.U64(s), Value.f64(f));
                Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, "f0 hot " + s + " " + f);
                assertNotNull(o.results(), "f0 does not trap: " + o);
            }
        }
        // repeated, so that C2 has compiled the loop; then short runs under every fuel limit
        for (int k = 0; k < 5; k++) {
            t.check(0, List.of(Value.i64(100_000), new Value.U64(k), Value.f64(-0.0)), Limits.DEFAULT, "f0 long " + k);
        }
        sweepFuel(t, 0, List.of(Value.i64(12), new Value.U64(3), Value.f64(Double.NaN)), "f0 sweep");
    }

    @Test
    void aDivisionByZeroInsideAHotLoopTrapsAlikeUnderEveryFuelLimit() {
        Tiers t = tiers();
        int traps = 0;
        for (long s = 0; s < 200; s++) {
            Tiers.Outcome o = t.check(1, List.of(Value.i64(1_000_000), new Value.U64(s)), Limits.DEFAULT, "f1 " + s);
            if (o.results() == null) {
                traps++;
            }
        }
        assertTrue(traps > 150, "most seeds reach a zero divisor: " + traps);
        Tiers.Outcome o = t.check(1, List.of(Value.i64(1_000_000), new Value.U64(11)), Limits.DEFAULT, "f1 11");
        assertNull(o.results());
        sweepFuel(t, 1, List.of(Value.i64(1_000_000), new Value.U64(11)), "f1 sweep");
    }

    @Test
    void decimalsOnTheirOwnResultsOverflowAlikeUnderEveryFuelLimit() {
        Tiers t = tiers();
        Value[] starts = {Value.decimal(1, 0), Value.decimal(-7, 0), Value.decimal(Long.MAX_VALUE / 4, 0),
            Value.decimal(5, 2)};
        for (Value d : starts) {
            t.check(2, List.of(Value.i64(100), d), Limits.DEFAULT, "f2 " + d);
            sweepFuel(t, 2, List.of(Value.i64(70), d), "f2 sweep " + d);
        }
        for (int k = 0; k < 3000; k++) {
            t.check(2, List.of(Value.i64(40), Value.decimal(k, 0)), Limits.DEFAULT, "f2 hot " + k);
        }
    }

    @Test
    void concatOfARegisterWithItselfHitsTheHeapLimitAtTheSamePoint() {
        Tiers t = tiers();
        List<Value> args = List.of(Value.i64(12), Value.str("ab\u00e9"));
        Tiers.Outcome whole = t.check(3, args, Limits.DEFAULT, "f3");
        assertNotNull(whole.results());
        long heap = whole.heapBytes();
        for (long limit = 0; limit <= heap + 64; limit += limit < 200 ? 1 : 7) {
            t.check(3, args, Limits.DEFAULT.withMaxHeapBytes(limit), "f3 heap " + limit);
        }
        sweepFuel(t, 3, args, "f3 sweep");
        // 16 MiB strings: doubling past the default heap limit
        Tiers.Outcome big = t.check(3, List.of(Value.i64(30), Value.str("x".repeat(1 << 12))), Limits.DEFAULT,
                "f3 big");
        assertNull(big.results(), "doubling 4 KiB 30 times passes any heap limit: " + big);
    }

    @Test
    void trapsOfInlineInstructionsDeepInTheStackMatchAcrossTheNestingLimit() {
        Tiers t = tiers();
        Limits deep = Limits.DEFAULT.withMaxCallDepth(1000).withMaxHeapBytes(1 << 20);
        int traps = 0;
        for (int n = 0; n <= 260; n++) {
            for (Value d : new Value[] {Value.decimal(3, 0), Value.decimal(3037000500L, 0), Value.decimal(-5, 3)}) {
                Tiers.Outcome o = t.check(4, List.of(Value.i64(n), d, Value.str("")), deep, "f4 " + n + " " + d);
                if (o.results() == null) {
                    traps++;
                }
            }
            Tiers.Outcome o = t.check(4, List.of(Value.i64(n % 40), Value.decimal(1, 0), Value.str("ab")), deep,
                    "f4 heap " + n);
            if (o.results() == null) {
                traps++;
            }
        }
        assertTrue(traps > 250, "decimal overflow and the heap limit trap: " + traps);
        sweepFuel(t, 4, List.of(Value.i64(30), Value.decimal(7, 0), Value.str("x")), "f4 sweep");
    }
}
