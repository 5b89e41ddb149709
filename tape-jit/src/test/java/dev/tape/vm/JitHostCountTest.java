package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The count of compiled one-to-three-word host calls kept in a local, with the host-call limit
 * tested at block starts against a threshold folded into the fuel test ({@code HostCount} in
 * tape-jit): random loops dense in host calls of every shape (one, two and three words, a
 * {@code bool} result, a {@code Words} function that charges fuel and suspends, a boxed function
 * that charges fuel and starts a nested run of the same VM), with branches that split the body
 * into blocks of different call counts, and calls of a function that makes such calls itself (so
 * the count goes to the context before every call-out and return, and is read back after), end
 * alike on both tiers under every host-call limit, every fuel limit and a grid of both (results,
 * trap kind, pc, span, stack, fuel left, host calls, heap bytes, what the host saw), and run in
 * lockstep paused at every slice of fuel, suspended calls resumed with the same results (frames,
 * fuel left, host calls made, snapshot bytes), runs restored from the compiled run's snapshots on
 * both tiers ending alike.
 */
class JitHostCountTest {
    static final Signature I_I = Signature.of(List.of(I64), List.of(I64));
    static final Signature II_I = Signature.of(List.of(I64, I64), List.of(I64));
    static final Signature III_I = Signature.of(List.of(I64, I64, I64), List.of(I64));
    static final Signature I_B = Signature.of(List.of(I64), List.of(BOOL));
    static final Signature II_II = Signature.of(List.of(I64, I64), List.of(I64, I64));

    /** The VM whose run is going on (the boxed function's nested runs start on it). */
    private static Vm current;

    /** w.f(a) = 3a + 1, throwing for a mod 61 = 17. */
    static long f(long a) {
        if (Math.floorMod(a, 61) == 17) {
            throw new IllegalStateException("f refuses " + a);
        }
        return 3 * a + 1;
    }

    /** The results of w.w for its arguments: (a + b, a - b), also given to a suspended call. */
    static List<Value> wResults(List<Value> args) {
        long a = ((Value.I64) args.get(0)).value();
        long b = ((Value.I64) args.get(1)).value();
        return List.of(Value.i64(a + b), Value.i64(a - b));
    }

    /**
     * w.f ({@link #f}), w.g (two words), w.h (three words), w.p (a bool result), w.w (a
     * {@code Words} function that charges 0 to 2 fuel and suspends, where it can, for
     * a mod 9 = 4) and w.x (boxed: charges 0 or 1 fuel, and for a mod 13 = 5 adds the result of a
     * nested run of {@code side(a)} on the same VM, or a when that run traps).
     */
    static HostRegistry host() {
        return host(() -> current, r -> r);
    }

    /**
     * {@link #host()}'s functions, with those {@code more} registers between w.p and w.w, and w.x's
     * nested run on the VM {@code vm} gives at each call (shared with {@code AttackHostCountTest}).
     */
    static HostRegistry host(Supplier<Vm> vm, UnaryOperator<HostRegistry> more) {
        return more.apply(new HostRegistry().registerWords("w.f", I_I, (WordFunction.Of1) JitHostCountTest::f)
                .registerWords("w.g", II_I, (a, b) -> a ^ (b - 7))
                .registerWords("w.h", III_I, (a, b, c) -> a + 2 * b - c)
                .registerWords("w.p", I_B, a -> a & 1))
                .registerWordArrays("w.w", II_II, (a, out, ctx) -> {
                    ctx.chargeFuel(Math.floorMod(a[0], 3));
                    if (ctx.canSuspend() && Math.floorMod(a[0], 9) == 4) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = a[0] + a[1];
                    out[1] = a[0] - a[1];
                })
                .register("w.x", I_I, (a, out, ctx) -> {
                    long v = ((Value.I64) a[0]).value();
                    ctx.chargeFuel(Math.floorMod(v, 2));
                    long r = v * 5 - 2;
                    if (Math.floorMod(v, 13) == 5) {
                        try {
                            r += ((Value.I64) vm.get().run(new ExecutionContext(), 1, List.of(Value.i64(v)),
                                    Limits.DEFAULT, null).get(0)).value();
                        } catch (Trap t) {
                            r += v;
                        }
                    }
                    out[0] = Value.i64(r);
                });
    }

    /**
     * main(n, k): n turns of {@code ops} random pieces over i64 registers r5..r10 (word host calls
     * of every shape, a branch between a one-call and a two-call block, Words and boxed calls,
     * calls of side, arithmetic, a division that traps on a zero divisor), the last result added
     * to r4; returns r4. side(x): two turns of a w.f and a w.g call.
     */
    static String program(Random rnd, int ops) {
        StringBuilder s = new StringBuilder("""
                program hostcount
                host hf = "w.f" (i64) -> (i64)
                host hg = "w.g" (i64, i64) -> (i64)
                host hh = "w.h" (i64, i64, i64) -> (i64)
                host hp = "w.p" (i64) -> (bool)
                host hw = "w.w" (i64, i64) -> (i64, i64)
                host hx = "w.x" (i64) -> (i64)
                func main(n: i64, k: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.i64 r6, 3
                    const.i64 r7, 5
                    const.i64 r8, 7
                    const.i64 r9, 11
                    const.i64 r10, 13
                    const.i64 r11, 1
                    const.bool r17, true
                    jmp head
                head:
                    i64.lt r12, r3, r1
                    br r12, body, done
                body:
                    i64.add r5, r5, r3
                    i64.add r6, r6, r2
                """);
        int last = 5;
        for (int j = 0; j < ops; j++) {
            int d = 5 + rnd.nextInt(6);
            int e = 5 + rnd.nextInt(6);
            int a = 5 + rnd.nextInt(6);
            int b = 5 + rnd.nextInt(6);
            switch (rnd.nextInt(11)) {
                case 0, 1 -> s.append("    host_call r0, hf, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                case 2 -> s.append("    host_call r0, hg, r0, [r").append(a).append(", r").append(b).append("] -> [r")
                        .append(d).append("]\n");
                case 3 -> s.append("    host_call r0, hh, r0, [r").append(a).append(", r").append(b).append(", r")
                        .append(e).append("] -> [r").append(d).append("]\n");
                case 4 -> s.append("    host_call r0, hp, r0, [r").append(a).append("] -> [r17]\n    select r")
                        .append(d).append(", r17, r").append(a).append(", r").append(b).append('\n');
                case 5 -> {
                    // a branch on a's low bit: a block of one call or a block of two
                    s.append("    const.i64 r13, 1\n    i64.and r14, r").append(a).append(", r13\n")
                            .append("    i64.eq r17, r14, r13\n    br r17, L").append(j).append("a, L").append(j)
                            .append("b\nL").append(j).append("a:\n")
                            .append("    host_call r0, hf, r0, [r").append(b).append("] -> [r").append(d).append("]\n")
                            .append("    jmp L").append(j).append("c\nL").append(j).append("b:\n")
                            .append("    host_call r0, hg, r0, [r").append(a).append(", r").append(b).append("] -> [r")
                            .append(d).append("]\n    host_call r0, hh, r0, [r").append(d).append(", r").append(b)
                            .append(", r").append(e).append("] -> [r").append(d).append("]\n    jmp L").append(j)
                            .append("c\nL").append(j).append("c:\n");
                }
                case 6 -> s.append("    host_call r0, hw, r0, [r").append(a).append(", r").append(b).append("] -> [r")
                        .append(d).append(", r").append(e).append("]\n");
                case 7 -> s.append("    host_call r0, hx, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                case 8 -> s.append("    call r0, side, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                case 9 -> {
                    // a divisor of (r mod 5): zero in about one turn in five
                    s.append("    const.i64 r13, 5\n    i64.rem r14, r").append(b).append(", r13\n");
                    s.append("    i64.div r").append(d).append(", r").append(a).append(", r14\n");
                }
                default -> s.append("    i64.").append(rnd.nextBoolean() ? "sub" : "mul").append(" r").append(d)
                        .append(", r").append(a).append(", r").append(b).append('\n');
            }
            last = d;
        }
        s.append("    i64.add r4, r4, r").append(last).append('\n');
        s.append("""
                    i64.add r3, r3, r11
                    jmp head
                done:
                    ret r0, [r4]
                }
                func side(x: i64) -> (i64) {
                    const.i64 r2, 0
                    const.i64 r3, 2
                    const.i64 r4, 1
                    jmp h
                h:
                    i64.lt r5, r2, r3
                    br r5, b, d
                b:
                    host_call r0, hf, r0, [r1] -> [r1]
                    host_call r0, hg, r0, [r1, r2] -> [r1]
                    i64.add r2, r2, r4
                    jmp h
                d:
                    ret r0, [r1]
                }
                """);
        return s.toString();
    }

    /** Runs on both tiers (each the current VM during its run) and asserts the outcomes alike. */
    static Tiers.Outcome check(Tiers t, List<Value> args, Limits limits, String what) {
        current = t.interpreted;
        Tiers.Outcome i = t.interpret(0, args, limits);
        current = t.compiled;
        Tiers.Outcome c = t.compile(0, args, limits);
        Tiers.assertSame(i, c, () -> what + " (" + limits + ")");
        return i;
    }

    @Test
    void loopsDenseInHostCallsEndAlikeUnderEveryHostCallAndFuelLimit() {
        Random rnd = new Random(0x4057c0);
        int trapped = 0;
        int finished = 0;
        int limited = 0;
        for (int p = 0; p < 24; p++) {
            String text = program(rnd, 3 + rnd.nextInt(9));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(2, Jit.precompile(t.compiled), text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(12), rnd.nextInt(40) - 20);
            if (p < 3) {
                // hot, so that C2's code is what the short runs use
                for (int k = 0; k < 300; k++) {
                    check(t, JitWordHostBlockTest.args(20, k), Limits.DEFAULT, "hot " + k);
                }
            }
            Tiers.Outcome whole = check(t, a, Limits.DEFAULT, text + a);
            if (whole.trapped()) {
                trapped++;
            } else {
                finished++;
            }
            long used = whole.used(Limits.DEFAULT);
            long calls = whole.hostCalls();
            assertTrue(used > 0 && used < 10_000, "uses " + used);
            for (long c = 0; c <= calls + 1; c++) {
                Tiers.Outcome o = check(t, a, Limits.DEFAULT.withMaxHostCalls(c), text + a + " calls " + c);
                if (c < calls) {
                    assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, o.kind(), text + a + " calls " + c);
                    assertEquals(c, o.hostCalls(), text + a + " calls " + c);
                    limited++;
                }
            }
            for (long fuel = 0; fuel <= used + 2; fuel++) {
                check(t, a, Limits.DEFAULT.withFuel(fuel), text + a + " fuel " + fuel);
            }
            // both short: whichever limit the run reaches first traps, at its pc
            for (long c = 0; c <= calls; c += 1 + calls / 6) {
                for (long fuel = 0; fuel <= used; fuel += 1 + used / 10) {
                    check(t, a, Limits.DEFAULT.withMaxHostCalls(c).withFuel(fuel), text + a + " calls " + c
                            + " fuel " + fuel);
                }
            }
        }
        assertTrue(trapped >= 3 && finished >= 3, trapped + " trapped, " + finished + " finished");
        assertTrue(limited > 300, limited + " runs stopped by the host-call limit");
    }

    @Test
    void loopsDenseInHostCallsRunInLockstepPausedAtEverySliceAndSuspended() {
        Random rnd = new Random(0x5105e);
        int pauses = 0;
        int suspended = 0;
        for (int p = 0; p < 10; p++) {
            String text = program(rnd, 3 + rnd.nextInt(9));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(2, Jit.precompile(t.compiled), text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(8), rnd.nextInt(40) - 20);
            long calls = check(t, a, Limits.DEFAULT, text).hostCalls();
            for (long slice = 1; slice <= 36; slice++) {
                // a host-call limit that some slices reach and some runs never
                long limit = slice % 3 == 0 ? Math.max(0, calls - slice / 3) : Limits.DEFAULT.maxHostCalls();
                int[] counts = lockstep(t, a, Limits.DEFAULT.withFuel(slice).withMaxHostCalls(limit), slice,
                        text + a + " slice " + slice + " limit " + limit);
                pauses += counts[0];
                suspended += counts[1];
            }
        }
        assertTrue(pauses > 1_000, pauses + " pauses");
        assertTrue(suspended > 50, suspended + " suspended calls");
    }

    /**
     * Runs main(args) on both tiers side by side in slices of {@code slice} fuel: after each
     * stretch the outcomes are equal; at each pause the frames, fuel left, host calls made and
     * snapshot bytes are; a suspended call is resumed on both with w.w's results for its
     * arguments; every fifth pause, runs restored from the compiled run's snapshot on both tiers
     * end alike.
     *
     * @return the pauses and, of them, the suspended calls
     */
    static int[] lockstep(Tiers t, List<Value> args, Limits limits, long slice, String what) {
        Run x = t.interpreted.start(0, args, limits);
        Run y = t.compiled.start(0, args, limits);
        int pauses = 0;
        int suspended = 0;
        while (true) {
            current = t.interpreted;
            Outcome ox = step(x, pauses == 0, slice);
            current = t.compiled;
            Outcome oy = step(y, pauses == 0, slice);
            assertEquals(Tiers.view(ox), Tiers.view(oy), what + " pause " + pauses);
            if (!(ox instanceof Outcome.Paused px)) {
                return new int[] {pauses, suspended};
            }
            pauses++;
            suspended += px.reason() instanceof PauseReason.HostSuspended ? 1 : 0;
            assertEquals(x.frames(), y.frames(), what + " pause " + pauses);
            assertEquals(x.fuelRemaining(), y.fuelRemaining(), what + " pause " + pauses);
            assertEquals(x.hostCallsMade(), y.hostCallsMade(), what + " pause " + pauses);
            byte[] snap = y.snapshot();
            assertArrayEquals(x.snapshot(), snap, what + " pause " + pauses);
            if (pauses % 5 == 1) {
                current = t.interpreted;
                List<Object> fromX = finish(t.interpreted.restore(snap));
                current = t.compiled;
                List<Object> fromY = finish(t.compiled.restore(snap));
                assertEquals(fromX, fromY, what + " restored at pause " + pauses);
            }
        }
    }

    /**
     * Goes on with a run: a suspended call gets w.w's results; a run paused for fuel
     * ({@code first} false) gets {@code slice} more first.
     */
    private static Outcome step(Run r, boolean first, long slice) {
        PauseReason.HostSuspended call = r.suspendedCall();
        if (call != null) {
            assertEquals("w.w", call.symbol());
            return r.resumeWith(wResults(call.args()));
        }
        if (!first) {
            r.addFuel(slice);
        }
        return r.resume();
    }

    /** Runs a restored run to its end, suspended calls resumed with w.w's results, in slices of 1,000 fuel. */
    static List<Object> finish(Run r) {
        Outcome end;
        do {
            PauseReason.HostSuspended call = r.suspendedCall();
            if (call != null) {
                end = r.resumeWith(wResults(call.args()));
            } else {
                r.addFuel(1_000);
                end = r.resume();
            }
            assertNotNull(end);
        } while (end instanceof Outcome.Paused);
        return List.of(Tiers.view(end), r.fuelRemaining(), r.hostCallsMade());
    }
}
