package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Attack: a host call interrupts its own run at turn k of a loop that holds decimal registers
 * unboxed and calls a compiled function; the paused run goes on, resumed, forked or restored on a
 * fresh VM of either tier, to the same end.
 */
class AttackInterruptDecimalsTest {
    static final String PROGRAM = """
            program intr
            host poke = "i.poke" (i64) -> (i64)
            func main(n: i64) -> (dec, i64) {
                const.decimal r2, 0, 3
                const.decimal r3, 1999, 3
                const.i64 r4, 0
                const.i64 r5, 1
                const.i64 r9, 0
                jmp head
            head:
                i64.lt r6, r4, r1
                br r6, body, done
            body:
                host_call r0, poke, r0, [r4] -> [r7]
                i64.add r9, r9, r7
                call r0, twice, r0, [r3] -> [r8]
                dec.add r2, r2, r8
                i64.add r4, r4, r5
                jmp head
            done:
                ret r0, [r2, r9]
            }
            func twice(x: dec) -> (dec) {
                dec.add r2, r1, r1
                ret r0, [r2]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));

    /** A VM whose i.poke(a) returns a + 1 and interrupts the run in {@code holder[0]} when a is {@code at}. */
    static Vm vm(boolean compiled, Run[] holder, long at) {
        HostRegistry h = new HostRegistry().register("i.poke", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    long v = ((Value.I64) a[0]).value();
                    if (v == at && holder[0] != null) {
                        holder[0].interrupt();
                    }
                    out[0] = Value.i64(v + 1);
                });
        Vm vm = compiled ? Jit.compile(P, h) : new Vm(P, h);
        if (compiled) {
            assertEquals(2, Jit.precompile(vm));
        }
        return vm;
    }

    /**
     * Interrupts are polled between slices of the run (of {@link Run#CHUNK} and
     * {@link Run#COMPILED_CHUNK} fuel), so the tiers may pause at different places: each tier's
     * paused run, resumed, forked and restored on a fresh VM of either tier, ends as the one-shot
     * run, with the same fuel left.
     */
    @Test
    void interruptedFromAHostCall() {
        long n = 40_000;
        List<Value> args = List.of(Value.i64(n));
        List<Value> want = List.of(Value.decimal(n * 3998, 3), Value.i64(n * (n + 1) / 2));
        long wantFuel = -1;
        for (long at : new long[] {0, 10_000, 20_000}) {
            for (boolean compiled : new boolean[] {false, true}) {
                Run[] holder = new Run[1];
                Run x = vm(compiled, holder, at).start(0, args, Limits.DEFAULT);
                holder[0] = x;
                Outcome o = x.resume();
                assertInstanceOf(Outcome.Paused.class, o, "at " + at + (compiled ? " compiled" : ""));
                assertInstanceOf(PauseReason.Interrupted.class, ((Outcome.Paused) o).reason(), "at " + at);
                byte[] s = x.snapshot();
                for (Run r : new Run[] {x.fork(), x, vm(true, new Run[1], -1).restore(s),
                    vm(false, new Run[1], -1).restore(s)}) {
                    assertEquals(new Outcome.Done(want), r.resume(), "at " + at + (compiled ? " compiled" : ""));
                    wantFuel = wantFuel < 0 ? r.fuelRemaining() : wantFuel;
                    assertEquals(wantFuel, r.fuelRemaining(), "at " + at);
                }
            }
        }
    }
}
