package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the fuel local of compiled methods: a loop making a host call (which charges fuel,
 * up to 2<sup>64</sup>-1, or fails), a {@code call.indirect} of a closure whose environment holds a
 * decimal (through the inline cache) and a recursive call, under every fuel limit, under fuel
 * limits of 2<sup>63</sup> and more (fuel is an unsigned 64-bit number: the local reads negative),
 * at the call-depth limit, and paused and resumed at every point: both tiers end the same way
 * (results, trap with pc and stack, fuel left, what the host saw).
 */
class AttackFuelLocalTest {
    static final String PROGRAM = """
            program fuelatk
            host h = "h.c" (i64, i64) -> (i64)
            callsig unary = (dec) -> (dec)
            func main(n: i64, k: i64) -> (i64, dec) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.decimal r5, 0, 2
                const.func r6, addc
                const.decimal r7, 125, 2
                tuple.new r8, [r7]
                closure.new r9, r6, r8
                const.i64 r13, 0
                jmp head
            head:
                i64.lt r10, r3, r1
                br r10, body, done
            body:
                host_call r0, h, r0, [r3, r2] -> [r11]
                call.indirect r0, unary, r9, r0, [r5] -> [r5]
                call r0, rec, r0, [r2] -> [r12]
                i64.add r13, r13, r12
                i64.add r13, r13, r11
                i64.add r3, r3, r4
                jmp head
            done:
                ret r0, [r13, r5]
            }
            func addc(env: agg tuple(dec), x: dec) -> (dec) {
                tuple.get r3, r1, 0
                dec.add r4, r2, r3
                ret r0, [r4]
            }
            func rec(k: i64) -> (i64) {
                const.i64 r2, 0
                i64.eq r3, r1, r2
                br r3, base, step
            base:
                ret r0, [r2]
            step:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, rec, r0, [r5] -> [r6]
                i64.add r7, r6, r4
                ret r0, [r7]
            }
            """;

    /**
     * h.c(a, k) = 3a: charges a mod 3 extra fuel, all of it (2^64-1, saturating) when a is 4 and k
     * is 1, and fails when a is 4 and k is 2.
     */
    static HostRegistry host() {
        return new HostRegistry().register("h.c", Signature.of(List.of(I64, I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    long k = ((Value.I64) args[1]).value();
                    ctx.chargeFuel(a == 4 && k == 1 ? -1L : Math.floorMod(a, 3));
                    if (a == 4 && k == 2) {
                        throw new IllegalStateException("h.c fails at 4");
                    }
                    out[0] = Value.i64(3 * a);
                });
    }

    static Tiers tiers() {
        Tiers t = Tiers.of(JitResumeTest.asm(PROGRAM), host());
        assertEquals(3, Jit.precompile(t.compiled), "all functions compiled");
        return t;
    }

    static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    @Test
    void everyFuelLimitOfALoopWithHostCallsIndirectCallsAndRecursion() {
        Tiers t = tiers();
        Tiers.Outcome whole = t.check(0, args(5, 3), Limits.DEFAULT, "whole");
        assertEquals(List.of(Value.i64(45), Value.decimal(625, 2)), whole.results());
        long used = whole.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            Tiers.Outcome o = t.check(0, args(5, 3), Limits.DEFAULT.withFuel(fuel), "fuel " + fuel);
            assertEquals(fuel >= used, !o.trapped(), "fuel " + fuel);
        }
        assertTrue(t.compiledHost.fromCompiledCode > 0, "compiled code made the host calls");
    }

    @Test
    void fuelOf2To63AndMoreIsUnsigned() {
        Tiers t = tiers();
        long used = t.check(0, args(5, 3), Limits.DEFAULT, "whole").used(Limits.DEFAULT);
        long[] limits = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, -1L, -2L, Long.MIN_VALUE + used / 2,
            Long.MIN_VALUE + used - 1, Long.MIN_VALUE + used, Long.MIN_VALUE + used + 1};
        for (long fuel : limits) {
            Tiers.Outcome o = t.check(0, args(5, 3), Limits.DEFAULT.withFuel(fuel), "fuel " + Long.toUnsignedString(fuel));
            assertEquals(used, fuel - o.fuelRemaining(), "fuel " + Long.toUnsignedString(fuel));
        }
        // a long loop: most of it runs with the fuel local negative (2^63 and more left)
        for (long fuel : new long[] {-1L, Long.MIN_VALUE + 3_000}) {
            Tiers.Outcome o = t.check(0, args(200, 3), Limits.DEFAULT.withFuel(fuel), "long loop");
            assertTrue(!o.trapped(), o.toString());
        }
    }

    @Test
    void aHostChargingAllTheFuelOrFailingTrapsAlike() {
        Tiers t = tiers();
        for (long fuel : new long[] {-1L, Long.MIN_VALUE, Long.MAX_VALUE, Limits.DEFAULT.fuel()}) {
            Limits l = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome all = t.check(0, args(6, 1), l, "charge 2^64-1, fuel " + Long.toUnsignedString(fuel));
            assertEquals(TrapKind.FUEL_EXCEEDED, all.kind());
            assertEquals(0, all.fuelRemaining());
            Tiers.Outcome fail = t.check(0, args(6, 2), l, "failing host, fuel " + Long.toUnsignedString(fuel));
            assertEquals(TrapKind.HOST_CALL_FAILED, fail.kind());
            assertTrue(fail.fuelRemaining() != 0, fail.toString());
        }
        Tiers.Outcome used = t.check(0, args(6, 2), Limits.DEFAULT, "failing host");
        for (long fuel = 0; fuel <= used.used(Limits.DEFAULT) + 1; fuel++) {
            t.check(0, args(6, 2), Limits.DEFAULT.withFuel(fuel), "failing host, fuel " + fuel);
            t.check(0, args(6, 1), Limits.DEFAULT.withFuel(fuel), "charging host, fuel " + fuel);
        }
    }

    @Test
    void recursionAtTheCallDepthLimit() {
        Tiers t = tiers();
        for (long depth : new long[] {2, 3, 4, 40, 300}) {
            Limits l = Limits.DEFAULT.withMaxCallDepth(depth);
            for (long k = depth - 3; k <= depth + 1; k++) {
                if (k < 0) {
                    continue;
                }
                Tiers.Outcome o = t.check(0, args(2, k), l, "depth " + depth + " k " + k);
                for (long fuel = Math.max(0, o.used(l) - 40); fuel <= o.used(l) + 1; fuel += 3) {
                    t.check(0, args(2, k), l.withFuel(fuel), "depth " + depth + " k " + k + " fuel " + fuel);
                }
            }
        }
        // past the compiled nesting limit (hand-overs inside the recursion)
        Limits deep = Limits.DEFAULT.withMaxCallDepth(5_000);
        for (long k : new long[] {1_000, 4_997, 4_998, 4_999}) {
            t.check(0, args(2, k), deep, "deep k " + k);
            t.check(0, args(2, k), deep.withFuel(8 * k + 3), "deep k " + k + " short fuel");
        }
    }

    @Test
    void pausedAndResumedAtEveryPoint() {
        Tiers t = tiers();
        assertTrue(JitResumeTest.sweep(t, 0, args(3, 2), Limits.DEFAULT, "fuelatk") > 0);
        JitResumeTest.sweep(t, 0, args(3, 2), Limits.DEFAULT.withFuel(-1L), "fuelatk, fuel 2^64-1");
        JitResumeTest.sweep(t, 0, args(6, 2), Limits.DEFAULT, "fuelatk, failing host");
        JitResumeTest.sweep(t, 0, args(6, 1), Limits.DEFAULT.withFuel(Long.MIN_VALUE), "fuelatk, host charging 2^64-1");
    }
}
