package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled method keeps the fuel left in a JVM local, and writes it to the context only at
 * calls, host calls, returns, traps and hand-overs: loops that make every one of those (a call
 * of a function with its own loop and a division that may trap, a host call that charges extra
 * fuel and sees the fuel left, a slow op, a {@code trap} instruction) end on both tiers with the
 * same results, traps (pc, stack, fuel left), context fuel and what the host saw, under every
 * fuel limit up to the run's use; and a {@link Run} paused by fuel at every slice size stops at
 * the same positions with the same fuel and registers on both tiers.
 */
class JitFuelLocalTest {
    /**
     * main(n, t, d): n turns of: host h (charges a mod 4 extra fuel), inner(i, d), str.slice (left
     * to {@code Ops.slow}), and {@code trap 7} at turn t. inner(k, d): k mod 3 turns dividing k by
     * d - k: div_by_zero when k is d (and k mod 3 is not 0).
     */
    private static final String PROGRAM = """
            program fuelmix
            host h = "h.g" (i64) -> (i64)
            func main(n: i64, t: i64, d: i64) -> (i64, i64) {
                const.i64 r4, 0
                const.i64 r5, 1
                const.i64 r6, 0
                const.pool r7, str:"abcdefgh"
                const.u64 r8, 1
                const.u64 r9, 3
                jmp head
            head:
                i64.lt r10, r4, r1
                br r10, body, done
            body:
                host_call r0, h, r0, [r4] -> [r11]
                i64.add r6, r6, r11
                call r0, inner, r0, [r4, r3] -> [r12]
                i64.add r6, r6, r12
                str.slice r13, r7, r8, r9
                str.len r14, r13
                u64.to_i64 r15, r14
                i64.add r6, r6, r15
                i64.eq r16, r4, r2
                br r16, boom, next
            boom:
                trap 7
            next:
                i64.add r4, r4, r5
                jmp head
            done:
                ret r0, [r6, r4]
            }
            func inner(k: i64, d: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 3
                i64.rem r6, r1, r5
                const.i64 r7, 0
                jmp ih
            ih:
                i64.lt r8, r3, r6
                br r8, ib, idone
            ib:
                i64.sub r9, r2, r1
                i64.div r10, r1, r9
                i64.add r7, r7, r10
                i64.add r3, r3, r4
                jmp ih
            idone:
                ret r0, [r7]
            }
            """;

    private static final VerifiedProgram VERIFIED = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(PROGRAM, "fuelmix.tasm"));

    /** h.g(a) = 2a + 1, charging a mod 4 extra fuel. */
    private static HostRegistry host() {
        return new HostRegistry().register("h.g", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    ctx.chargeFuel(Math.floorMod(a, 4));
                    out[0] = Value.i64(2 * a + 1);
                });
    }

    private static Tiers tiers() {
        Tiers t = Tiers.of(VERIFIED, host());
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        return t;
    }

    private static List<Value> args(long n, long t, long d) {
        return List.of(Value.i64(n), Value.i64(t), Value.i64(d));
    }

    /** Every fuel limit from 0 to the run's use, and a little past it, on both tiers. */
    private static Tiers.Outcome sweep(Tiers t, List<Value> args, String what) {
        Tiers.Outcome whole = t.check(0, args, Limits.DEFAULT, what);
        long used = whole.used(Limits.DEFAULT);
        assertTrue(used > 0 && used < 20_000, what + " uses " + used);
        t.everyFuelTrapsBelow(0, args, whole, what);
        return whole;
    }

    @Test
    void loopsWithCallsHostCallsSlowOpsAndTrapsUseTheSameFuelUnderEveryLimit() {
        Tiers t = tiers();
        // hot first, so that C2 compiles the methods the short runs then use
        for (int k = 0; k < 200; k++) {
            assertNotNull(t.check(0, args(300, -1, -1), Limits.DEFAULT, "hot " + k).results());
        }
        Tiers.Outcome ok = sweep(t, args(25, -1, -1), "no trap");
        assertNotNull(ok.results());
        Tiers.Outcome trapped = sweep(t, args(25, 17, -1), "trap 7 at turn 17");
        assertEquals(TrapKind.TRAP_CODE, trapped.kind());
        Tiers.Outcome divided = sweep(t, args(25, -1, 14), "div_by_zero in inner(14)");
        assertNull(divided.results());
        assertEquals("inner", divided.trap().funcName());
    }

    /**
     * The run's state at a pause or its end, as the embedder sees it: the registers of the entry
     * frame only, as a frame just entered holds, in the registers it has not written yet, what an
     * earlier frame left there, which the tiers do not keep alike.
     */
    private static String state(Run run, Outcome o) {
        String s = o + " left " + run.fuelRemaining() + " hostCalls " + run.hostCallsMade();
        if (o instanceof Outcome.Paused) {
            s += " at " + run.position() + " frames " + run.frames() + " main's regs "
                    + run.registers(run.depth() - 1);
        }
        return s;
    }

    /** Runs main(args) with {@code slice} fuel at a time, recording every pause. */
    private static List<String> sliced(Vm vm, List<Value> args, long slice) {
        List<String> log = new ArrayList<>();
        Run run = vm.start(0, args, Limits.DEFAULT.withFuel(slice));
        Outcome o = run.resume();
        log.add(state(run, o));
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.FuelExhausted) {
            run.addFuel(slice);
            o = run.resume();
            log.add(state(run, o));
        }
        return log;
    }

    @Test
    void aRunPausedByFuelStopsAtTheSamePlacesOnBothTiers() {
        Tiers t = tiers();
        for (int k = 0; k < 100; k++) {
            t.check(0, args(300, -1, -1), Limits.DEFAULT, "hot " + k);
        }
        Random rnd = new Random(14);
        List<List<Value>> cases = List.of(args(20, -1, -1), args(20, 12, -1), args(20, -1, 11));
        for (List<Value> a : cases) {
            for (long slice = 1; slice <= 60; slice++) {
                same(sliced(t.interpreted, a, slice), sliced(t.compiled, a, slice), a + " slice " + slice);
            }
            long slice = 61 + rnd.nextInt(400);
            same(sliced(t.interpreted, a, slice), sliced(t.compiled, a, slice), a + " slice " + slice);
        }
    }

    /** Asserts two logs of pauses are the same, naming the first stop where they differ. */
    private static void same(List<String> want, List<String> got, String what) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertEquals(want.get(i), got.get(i), what + ", stop " + i);
        }
        assertEquals(want.size(), got.size(), what + ": stops");
    }
}
