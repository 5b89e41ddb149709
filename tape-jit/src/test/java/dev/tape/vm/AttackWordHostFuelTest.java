package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled host calls of one-to-three-word functions keep the fuel in the method's local
 * (df8587c: no write to the context before the call and no read after; the trap handler writes
 * the local): functions of one, two and three words that throw at a chosen turn of a loop,
 * interleaved with a {@code Words} function that charges fuel (whose call writes the fuel out and
 * reads it back), on both tiers at every fuel limit up to the run's use plus 2, so that the failing
 * call, the call before it and the fuel_exceeded right after a call each fall on the last fuel unit;
 * at every host-call limit up to the run's count plus 1; and paused at every fuel slice of 1 to 7
 * units and resumed to the end (outcomes, trap fuel, host calls). Found nothing: kept as the
 * regression differential of those calls.
 */
class AttackWordHostFuelTest {
    static final String TEXT = """
            program few
            host f1 = "w.f1" (i64) -> (i64)
            host f2 = "w.f2" (i64, i64) -> (i64)
            host f3 = "w.f3" (i64, i64, i64) -> (i64)
            host ch = "w.charge" (i64) -> (i64)
            func main(n: i64, k1: i64, k2: i64, k3: i64) -> (i64, i64) {
                const.i64 r5, 0
                const.i64 r6, 1
                const.i64 r7, 0
                jmp loop
            loop:
                i64.eq r8, r1, r5
                br r8, done, body
            body:
                i64.sub r9, r1, r2
                host_call r0, f1, r0, [r9] -> [r10]
                i64.sub r11, r1, r3
                host_call r0, f2, r0, [r11, r10] -> [r12]
                host_call r0, ch, r0, [r1] -> [r13]
                i64.sub r14, r1, r4
                host_call r0, f3, r0, [r14, r12, r13] -> [r15]
                i64.add r7, r7, r15
                i64.sub r1, r1, r6
                jmp loop
            done:
                ret r0, [r7, r1]
            }
            """;

    static final Signature S1 = Signature.of(List.of(I64), List.of(I64));
    static final Signature S2 = Signature.of(List.of(I64, I64), List.of(I64));
    static final Signature S3 = Signature.of(List.of(I64, I64, I64), List.of(I64));

    /** Throws on a negative first argument (the loop counter minus the function's k). */
    static long check(long a) {
        if (a < 0) {
            throw new IllegalArgumentException("negative " + a);
        }
        return a;
    }

    static HostRegistry host() {
        return new HostRegistry()
                .registerWords("w.f1", S1, a -> check(a) * 3 + 1)
                .registerWords("w.f2", S2, (a, b) -> check(a) + b)
                .registerWords("w.f3", S3, (a, b, c) -> check(a) ^ (b * 31 + c))
                .registerWordArrays("w.charge", S1, (args, results, ctx) -> {
                    // charges 0 to 2 units by the turn, and tells the fuel it saw
                    ctx.chargeFuel(args[0] % 3);
                    results[0] = ctx.fuelRemaining() & 0xFFFF;
                });
    }

    private final Map<TrapKind, Integer> traps = new EnumMap<>(TrapKind.class);

    private static String describe(Outcome o) {
        return o instanceof Outcome.Trapped x ? Tiers.TrapView.of(x.trap()).toString() : o.toString();
    }

    /** Paused every {@code slice} units and given {@code slice} more each time, to the end. */
    private static String sliced(Vm vm, List<Value> args, long slice) {
        Run r = vm.start(0, args, Limits.DEFAULT.withFuel(slice));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            Outcome o = r.resume();
            b.append(describe(o)).append(" fuel ").append(r.fuelRemaining()).append(" calls ")
                    .append(r.hostCallsMade()).append('\n');
            if (!(o instanceof Outcome.Paused)) {
                return b.toString();
            }
            r.addFuel(slice);
        }
        throw new AssertionError("did not end: " + b.substring(0, 200));
    }

    @Test
    void throwingFewWordFunctionsAtEveryFuelAndHostCallLimitAndPaused() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(TEXT));
        Tiers t = Tiers.ofWords(p, host());
        assertEquals(1, Jit.precompile(t.compiled));
        Vm interp = new Vm(p, host());
        Vm jit = Jit.compile(p, host());
        assertEquals(1, Jit.precompile(jit));
        long[] ks = {0, 1, 2, 4};
        int cases = 0;
        for (long k1 : ks) {
            for (long k2 : ks) {
                for (long k3 : ks) {
                    List<Value> args = List.of(Value.i64(3), Value.i64(k1), Value.i64(k2), Value.i64(k3));
                    String what = "k " + k1 + " " + k2 + " " + k3;
                    Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                    traps.merge(full.trapped() ? full.kind() : TrapKind.INTERNAL_ERROR, 1, Integer::sum);
                    long used = full.used(Limits.DEFAULT);
                    for (long fuel = 0; fuel <= used + 2; fuel++) {
                        t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + ", fuel " + fuel);
                    }
                    for (long calls = 0; calls <= full.hostCalls() + 1; calls++) {
                        t.check(0, args, Limits.DEFAULT.withMaxHostCalls(calls), what + ", host calls " + calls);
                    }
                    for (long slice = 1; slice <= 7; slice++) {
                        assertEquals(sliced(interp, args, slice), sliced(jit, args, slice), what + ", slice " + slice);
                    }
                    cases++;
                }
            }
        }
        // INTERNAL_ERROR stands for "ran through" in the tally
        assertTrue(cases == 64 && traps.get(TrapKind.HOST_CALL_FAILED) >= 40 && traps.get(TrapKind.INTERNAL_ERROR) >= 8,
                cases + " cases, " + traps);
    }
}
