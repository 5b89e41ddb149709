package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on decimal registers held unboxed across what leaves a compiled method: a host call
 * that suspends the run (resumed with a decimal, after a snapshot restored on a fresh VM of either
 * tier), a host call that runs another run of the same VM on the same thread, a closure whose
 * environment holds decimals, called through the inline cache, and runs paused by fuel at every
 * point, snapshotted (the same bytes on both tiers), forked and restored on either tier.
 */
class AttackDecimalRunsTest {
    static final String PROGRAM = """
            program decruns
            host w = "s.wait" (dec) -> (dec)
            host nest = "n.run" (i64) -> (dec)
            callsig unary = (dec) -> (dec)
            func main(n: i64) -> (dec, agg, dec) {
                const.decimal r3, 0, 2
                const.decimal r4, 125, 2
                const.i64 r5, 0
                const.i64 r6, 1
                const.decimal r7, 125, 2
                const.func r8, scalec
                tuple.new r9, [r4, r7]
                closure.new r10, r8, r9
                jmp head
            head:
                i64.lt r11, r5, r1
                br r11, body, done
            body:
                host_call r0, w, r0, [r3] -> [r12]
                call.indirect r0, unary, r10, r0, [r12] -> [r13]
                host_call r0, nest, r0, [r5] -> [r14]
                dec.add r3, r13, r14
                i64.add r5, r5, r6
                jmp head
            done:
                tuple.new r15, [r3, r4, r7, r3]
                ret r0, [r3, r15, r7]
            }
            func scalec(env: agg tuple(dec, dec), x: dec) -> (dec) {
                tuple.get r3, r1, 0
                tuple.get r4, r1, 1
                dec.add r5, r2, r3
                dec.sub r6, r5, r4
                dec.add r6, r6, r4
                ret r0, [r6]
            }
            func inner(k: i64) -> (dec) {
                i64.to_dec r2, r1, 2
                const.decimal r3, 1, 2
                dec.add r2, r2, r3
                ret r0, [r2]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));

    /** d + 0.01 */
    static Value.Decimal bump(Value v) {
        Value.Decimal d = (Value.Decimal) v;
        return Value.decimal(d.mantissa() + 1, d.scale());
    }

    /**
     * A VM of one tier whose host suspends s.wait when it can (else returns its argument plus
     * 0.01) and runs {@code inner(k)} on the same VM for n.run(k), charging 3 fuel.
     */
    static Vm vm(boolean compiled) {
        Vm[] self = new Vm[1];
        HostRegistry h = new HostRegistry()
                .register("s.wait", Signature.of(List.of(DECIMAL), List.of(DECIMAL)), (HostFunction) (a, out, ctx) -> {
                    if (ctx.canSuspend()) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = bump(a[0]);
                })
                .register("n.run", Signature.of(List.of(I64), List.of(DECIMAL)), (HostFunction) (a, out, ctx) -> {
                    ctx.chargeFuel(3);
                    try {
                        out[0] = self[0].run(2, List.of(a[0]), Limits.DEFAULT).get(0);
                    } catch (Trap t) {
                        throw new IllegalStateException(t);
                    }
                });
        self[0] = compiled ? Jit.compile(P, h) : new Vm(P, h);
        if (compiled) {
            assertEquals(3, Jit.precompile(self[0]), "all functions compiled");
        }
        return self[0];
    }

    /** The total main(n) returns: total(i+1) = total(i) + 0.01 (s.wait) + 1.25 (the closure) + i.01 (n.run). */
    private static Value total(long n) {
        long m = 0;
        for (long i = 0; i < n; i++) {
            m += 1 + 125 + 100 * i + 1;
        }
        return Value.decimal(m, 2);
    }

    private static void assertResults(long n, Outcome o) {
        Outcome.Done d = assertInstanceOf(Outcome.Done.class, o);
        assertEquals(total(n), d.values().get(0));
        assertEquals(Value.decimal(125, 2), d.values().get(2));
        assertEquals("(" + total(n) + ", dec:1.25, dec:1.25, " + total(n) + ")",
                Tiers.literal(d.values().get(1)).replace("tuple", ""));
    }

    @Test
    void nestedRunsOfTheSameVmFromAHostCall() {
        Vm interp = vm(false);
        Vm jit = vm(true);
        for (long n : new long[] {0, 1, 5}) {
            Tiers.Outcome a = Tiers.run(interp, null, new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            Tiers.Outcome b = Tiers.run(jit, null, new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            Tiers.assertSame(a, b, () -> "n " + n);
            assertEquals(total(n), a.results().get(0), "n " + n);
            long used = a.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                Limits l = Limits.DEFAULT.withFuel(fuel);
                Tiers.Outcome x = Tiers.run(interp, null, new ExecutionContext(), 0, List.of(Value.i64(n)), l, null);
                Tiers.Outcome y = Tiers.run(jit, null, new ExecutionContext(), 0, List.of(Value.i64(n)), l, null);
                long f = fuel;
                Tiers.assertSame(x, y, () -> "n " + n + " fuel " + f);
            }
        }
    }

    /**
     * Suspended at every s.wait: the snapshots of both tiers are the same bytes; the run goes on
     * restored on a fresh VM of the other tier, and the results and fuel are the same.
     */
    @Test
    void suspendedRunsSnapshotAndRestoreAcrossTiers() {
        Vm interp = vm(false);
        Vm jit = vm(true);
        List<Value> args = List.of(Value.i64(4));
        Run a = interp.start(0, args, Limits.DEFAULT);
        Run b = jit.start(0, args, Limits.DEFAULT);
        int suspensions = 0;
        Outcome x = a.resume();
        Outcome y = b.resume();
        while (true) {
            assertEquals(x, y, "suspension " + suspensions);
            if (x instanceof Outcome.Done d) {
                assertResults(4, d);
                assertEquals(a.fuelRemaining(), b.fuelRemaining());
                break;
            }
            Outcome.Paused p = assertInstanceOf(Outcome.Paused.class, x);
            PauseReason.HostSuspended s = assertInstanceOf(PauseReason.HostSuspended.class, p.reason());
            assertEquals(a.fuelRemaining(), b.fuelRemaining());
            assertEquals(a.frames(), b.frames());
            assertEquals(a.registers(0), b.registers(0), "registers at suspension " + suspensions);
            byte[] sa = a.snapshot();
            byte[] sb = b.snapshot();
            assertArrayEquals(sa, sb, "snapshot at suspension " + suspensions);
            Value r = bump(s.args().get(0));
            // swap: the interpreter's run goes on compiled, the compiled one interpreted
            a = vm(true).restore(sa);
            b = vm(false).restore(sb);
            x = a.resumeWith(List.of(r));
            y = b.resumeWith(List.of(r));
            suspensions++;
        }
        assertEquals(4, suspensions);
    }

    /**
     * Paused by fuel at every point (suspensions answered at once): the same frames, registers and
     * snapshot bytes; a fork and a restore on a fresh VM of each tier end as the one-shot run.
     */
    @Test
    void pausedByFuelAtEveryPointSnapshotForkAndRestore() {
        List<Value> args = List.of(Value.i64(3));
        Vm interp = vm(false);
        Vm jit = vm(true);
        long used = -1;
        int paused = 0;
        for (long at = 0; used < 0 || at <= used; at++) {
            Run a = interp.start(0, args, Limits.DEFAULT.withFuel(at));
            Run b = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            Outcome x = answer(a, a.resume());
            Outcome y = answer(b, b.resume());
            assertEquals(x, y, "at " + at);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), "at " + at);
            if (x instanceof Outcome.Done) {
                used = at;
                break;
            }
            assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) x).reason(), "at " + at);
            paused++;
            assertEquals(a.frames(), b.frames(), "at " + at);
            for (int f = 0; f < a.frames().size(); f++) {
                assertEquals(a.registers(f), b.registers(f), "frame " + f + " at " + at);
            }
            byte[] sa = a.snapshot();
            assertArrayEquals(sa, b.snapshot(), "snapshot at " + at);
            assertTrue(sa.length < 400, "snapshot of " + sa.length + " bytes at " + at);
            Run fork = b.fork();
            Run rest = a;
            long fuelLeft = -1;
            for (Run r : new Run[] {rest, fork, b, vm(true).restore(sa), vm(false).restore(sa)}) {
                r.addFuel(10_000);
                Outcome end = answer(r, r.resume());
                assertResults(3, end);
                if (fuelLeft < 0) {
                    fuelLeft = r.fuelRemaining();
                }
                assertEquals(fuelLeft, r.fuelRemaining(), "fuel left at the end, at " + at);
            }
        }
        assertTrue(paused > 30, "paused " + paused);
    }

    /** Answers every s.wait suspension (the argument plus 0.01) until the run pauses otherwise or ends. */
    private static Outcome answer(Run r, Outcome o) {
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended s) {
            o = r.resumeWith(List.of(bump(s.args().get(0))));
        }
        return o;
    }
}
