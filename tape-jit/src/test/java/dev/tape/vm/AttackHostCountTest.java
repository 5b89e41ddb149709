package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.verify.VerifiedProgram;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the compiled host-call count kept in a local ({@code HostCount} in tape-jit: pending
 * one-to-three-word calls written back at call-outs, returns and handlers, the host-call limit
 * folded into the block's fuel test as a threshold). Each run is compared on four ways: the
 * interpreter, the interpreter stepped (an INSTR trace sink), the compiled tier and the framed
 * compiled tier ({@link Jit#compileFramed}), and the interpreter and compiled tier traced for host
 * events only (the same events): result, trap (kind, pc, span, message, stack), fuel
 * left, host calls made, what the host saw.
 *
 * <p>Programs: random loops dense in host calls ({@link JitHostCountTest#program}); a loop with a
 * block of three word calls and a jmp (the verifier wants every block to end in a terminator, so
 * no block is made of host calls only), a word function that starts
 * a nested run of the same VM on another context under a small host-call limit of its own, or
 * tries one on the running context (refused: {@code host_call_failed}), and a two-instruction loop
 * of two word calls (more calls per block than a fuel limit of 1 allows); a recursion with word
 * calls before and after the call in every frame, run under every call-depth limit. Limits: host
 * calls 0, 1, 2, around the run's count, {@link Long#MAX_VALUE}, 2<sup>63</sup> and
 * 2<sup>64</sup>-1 (unlimited), each with fuel 0, 1, around the run's use, 2<sup>63</sup>-1 and
 * 2<sup>64</sup>-1 (a reserve beyond the long fuel). And in lockstep on the three VMs, paused at
 * fuel slices, the ninth pause given 2<sup>62</sup> fuel while the host-call limit is still
 * ahead, with the same frames, fuel, host calls and snapshot bytes at every pause, and each
 * tier's snapshot restored on every other tier, ending alike.
 *
 * <p>No defect found: kept as a regression test.
 */
class AttackHostCountTest {
    static final Signature I_I = JitHostCountTest.I_I;
    static final Signature I_B = Signature.of(List.of(I64), List.of(BOOL));

    /** The VM whose run is going on, and its context (the word and boxed functions re-enter them). */
    static Vm current;
    private static ExecutionContext currentCtx;
    /** w.y's refused looks at the running context (a run of side on it, its host calls made). */
    private static long refused;

    /**
     * w.y(a): for a mod 7 = 3, a run of side(a) on the running context, and for a mod 7 = 6 its
     * host calls made, plus a (both refused while the run executes: then a + a mod 7, so that the
     * run goes on);
     * for a mod 7 = 5, a + side(a) run on a fresh context of the same VM under a host-call limit of
     * a mod 6 (a when that run traps); else 2a - 3.
     */
    static long y(long a) {
        long m = Math.floorMod(a, 7);
        if (m == 3 || m == 6) {
            try {
                long r = m == 3 ? ((Value.I64) current.run(currentCtx, 1, List.of(Value.i64(a)), Limits.DEFAULT, null)
                        .get(0)).value() : currentCtx.hostCallsMade();
                return a + r;
            } catch (IllegalStateException e) {
                refused++;
                return a + m;
            }
        }
        if (m == 5) {
            try {
                return a + ((Value.I64) current.run(new ExecutionContext(), 1, List.of(Value.i64(a)),
                        Limits.DEFAULT.withMaxHostCalls(Math.floorMod(a, 6)), null).get(0)).value();
            } catch (Trap t) {
                return a;
            }
        }
        return 2 * a - 3;
    }

    /**
     * JitHostCountTest's functions (w.x nesting on this class's VM), w.y ({@link #y}), w.d (a - 1),
     * w.z (a &gt; 0) and w.q (a {@code Words} function: a + 1, charging 2<sup>63</sup>-101 fuel for
     * a mod 5 = 3, which a fuel limit of 2<sup>64</sup>-1 pays from the reserve beyond the long
     * fuel, none for a mod 5 = 4, else 1).
     */
    static HostRegistry host() {
        return JitHostCountTest.host(() -> current, r -> r
                .registerWords("w.y", I_I, (WordFunction.Of1) AttackHostCountTest::y)
                .registerWords("w.d", I_I, (WordFunction.Of1) a -> a - 1)
                .registerWords("w.z", I_B, a -> a > 0 ? 1 : 0)
                .registerWordArrays("w.q", I_I, (a, out, ctx) -> {
                    long m = Math.floorMod(a[0], 5);
                    ctx.chargeFuel(m == 3 ? Long.MAX_VALUE - 100 : m == 4 ? 0 : 1);
                    out[0] = a[0] + 1;
                }));
    }

    static final String HOSTS = """
            host hf = "w.f" (i64) -> (i64)
            host hg = "w.g" (i64, i64) -> (i64)
            host hh = "w.h" (i64, i64, i64) -> (i64)
            host hy = "w.y" (i64) -> (i64)
            host hd = "w.d" (i64) -> (i64)
            host hz = "w.z" (i64) -> (bool)
            host hq = "w.q" (i64) -> (i64)
            """;

    /** side(x), function 1 of every hand-made program: two turns of a w.f and a w.g call. */
    static final String SIDE = """
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
            """;

    /**
     * main(n, k): n turns of a loop whose odd turns run a block of three word calls and a jmp to
     * a block that starts with w.y and w.q; then a loop of w.d and w.z over k mod 8 (two calls in a
     * three-instruction block).
     */
    static final String ONLY_CALLS = "program onlycalls\n" + HOSTS + """
            func main(n: i64, k: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 0
                const.i64 r5, 1
                const.i64 r6, 2
                const.i64 r9, 8
                const.i64 r11, 1
                jmp head
            head:
                i64.lt r12, r3, r1
                br r12, body, tail
            body:
                i64.and r7, r3, r11
                i64.eq r13, r7, r11
                br r13, calls, more
            calls:
                host_call r0, hf, r0, [r5] -> [r5]
                host_call r0, hg, r0, [r5, r6] -> [r6]
                host_call r0, hh, r0, [r5, r6, r2] -> [r5]
                jmp more
            more:
                host_call r0, hy, r0, [r5] -> [r6]
                host_call r0, hq, r0, [r3] -> [r10]
                i64.add r4, r4, r6
                i64.add r4, r4, r10
                i64.add r5, r5, r3
                i64.add r3, r3, r11
                jmp head
            tail:
                i64.rem r8, r2, r9
                jmp t
            t:
                host_call r0, hd, r0, [r8] -> [r8]
                host_call r0, hz, r0, [r8] -> [r14]
                br r14, t, done
            done:
                i64.add r4, r4, r8
                ret r0, [r4]
            }
            """ + SIDE;

    /**
     * main(n, k): rec(n), which calls w.f, recurses on n - 1 while n &gt; 0 (a call.indirect for
     * odd n, a call for even n) and then calls w.g;
     * at the bottom, w.y of k plus the value.
     */
    static final String RECURSION = "program recursion\n" + HOSTS + """
            callsig k = (i64, i64) -> (i64)
            func main(n: i64, k: i64) -> (i64) {
                call r0, rec, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            """ + SIDE + """
            func rec(n: i64, k: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                host_call r0, hf, r0, [r1] -> [r5]
                i64.lt r6, r3, r1
                br r6, deeper, bottom
            deeper:
                i64.sub r7, r1, r4
                i64.and r11, r1, r4
                i64.eq r12, r11, r4
                br r12, odd, even
            odd:
                const.func r10, rec
                call.indirect r0, k, r10, r0, [r7, r2] -> [r8]
                jmp after
            even:
                call r0, rec, r0, [r7, r2] -> [r8]
                jmp after
            after:
                host_call r0, hg, r0, [r8, r5] -> [r8]
                ret r0, [r8]
            bottom:
                i64.add r9, r2, r5
                host_call r0, hy, r0, [r9] -> [r9]
                ret r0, [r9]
            }
            """;

    /** The interpreter, the compiled tier and the framed compiled tier of one program. */
    record Ways(Vm interpreted, Tiers.Recorder interpretedHost, Vm compiled, Tiers.Recorder compiledHost, Vm framed,
                Tiers.Recorder framedHost) {
        static Ways of(String text) {
            return of(text, host());
        }

        /** The three ways of {@code text} calling {@code host}, every function compiled up front. */
        static Ways of(String text, HostRegistry host) {
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            Tiers.Recorder ri = new Tiers.Recorder(host, true);
            Tiers.Recorder rc = new Tiers.Recorder(host, true);
            Tiers.Recorder rf = new Tiers.Recorder(host, true);
            Ways w = new Ways(new Vm(vp, ri, Tiers.LAZY), ri, Jit.compile(vp, rc, Tiers.LAZY), rc,
                    Jit.compileFramed(vp, rf, Tiers.LAZY), rf);
            int n = vp.program().functions().size();
            assertEquals(n, Jit.precompile(w.compiled), text);
            assertEquals(n, Jit.precompile(w.framed), text);
            return w;
        }
    }

    static Tiers.Outcome on(Vm vm, Tiers.Recorder rec, List<Value> args, Limits limits, dev.tape.trace.TraceSink sink) {
        current = vm;
        currentCtx = new ExecutionContext();
        return Tiers.run(vm, rec, currentCtx, 0, args, limits, sink);
    }

    /**
     * A sink of host events only. Any sink but one of RUN events keeps a run on the interpreter
     * ({@code Vm.drive}, {@code RunStretches}), so on the compiled VM too the events come from the
     * interpreter: they check the traced run, not compiled code.
     */
    static final class HostEvents implements dev.tape.trace.TraceSink {
        final List<String> events = new ArrayList<>();

        @Override
        public int mask() {
            return dev.tape.trace.TraceMask.HOST;
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            events.add(symbol + "@" + func + ":" + pc);
        }

        @Override
        public void hostExit(int hostSig, String symbol) {
            events.add("/" + symbol);
        }
    }

    /**
     * Runs on the four ways, and on the interpreter and the compiled tier with a sink of host
     * events, and asserts they end alike (the same host events too); no run ends in internal_error.
     */
    static Tiers.Outcome four(Ways w, List<Value> args, Limits limits, String what) {
        Tiers.Outcome i = on(w.interpreted, w.interpretedHost, args, limits, null);
        Tiers.Outcome s = on(w.interpreted, w.interpretedHost, args, limits, new AttackHeapLocalTest.Steps());
        Tiers.Outcome c = on(w.compiled, w.compiledHost, args, limits, null);
        Tiers.Outcome f = on(w.framed, w.framedHost, args, limits, null);
        HostEvents hi = new HostEvents();
        Tiers.Outcome ti = on(w.interpreted, w.interpretedHost, args, limits, hi);
        HostEvents hc = new HostEvents();
        Tiers.Outcome tc = on(w.compiled, w.compiledHost, args, limits, hc);
        Tiers.assertSame("interpreted", i, "interpreted, host events traced", ti, () -> what + " " + limits);
        Tiers.assertSame("interpreted", i, "compiled, host events traced", tc, () -> what + " " + limits);
        assertEquals(hi.events, hc.events, () -> what + " " + limits);
        Tiers.assertSame("interpreted", i, "stepped", s, () -> what + " " + limits);
        Tiers.assertSame("interpreted", i, "compiled", c, () -> what + " " + limits);
        Tiers.assertSame("interpreted", i, "framed", f, () -> what + " " + limits);
        assertNotEquals(TrapKind.INTERNAL_ERROR, i.kind(), () -> what + " " + limits + ": " + i);
        return i;
    }

    /** Host-call limits 0, 1, 2, around {@code calls}, and the largest, as unsigned. */
    static long[] hostLimits(long calls) {
        return new long[] {0, 1, 2, calls / 2, calls - 1, calls, calls + 1, Long.MAX_VALUE, Long.MIN_VALUE,
                Limits.MAX_UNSIGNED};
    }

    /** Fuel limits 0, 1, around {@code used}, and the largest, as unsigned. */
    static long[] fuels(long used) {
        return new long[] {0, 1, used / 2, used - 1, used, used + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE,
                Long.MIN_VALUE, Limits.MAX_UNSIGNED};
    }

    /** The grid of {@link #hostLimits} by {@link #fuels} on the four ways; returns the runs stopped by the host-call limit. */
    static int grid(Ways w, List<Value> args, String what) {
        Tiers.Outcome whole = four(w, args, Limits.DEFAULT, what);
        long used = whole.used(Limits.DEFAULT);
        long calls = whole.hostCalls();
        int limited = 0;
        for (long h : hostLimits(calls)) {
            for (long fuel : fuels(used)) {
                if (h < 0 && h != Long.MIN_VALUE && h != Limits.MAX_UNSIGNED || fuel < 0 && fuel != Long.MIN_VALUE
                        && fuel != Limits.MAX_UNSIGNED) {
                    continue; // calls - 1 or used - 1 of a run that made none
                }
                Tiers.Outcome o = four(w, args, Limits.DEFAULT.withMaxHostCalls(h).withFuel(fuel),
                        what + " calls " + h + " fuel " + fuel);
                limited += o.kind() == TrapKind.HOST_CALL_LIMIT_EXCEEDED ? 1 : 0;
            }
        }
        return limited;
    }

    @Test
    void blocksOfOnlyHostCallsAndNestedRunsEndAlikeAtTheExtremesOfBothLimits() {
        Ways w = Ways.of(ONLY_CALLS);
        int limited = 0;
        for (long n : new long[] {0, 1, 2, 7, 12}) {
            for (long k : new long[] {-3, 0, 1, 5, 7, 15}) {
                limited += grid(w, JitWordHostBlockTest.args(n, k), "onlycalls n " + n + " k " + k);
            }
        }
        assertTrue(limited > 100, limited + " runs stopped by the host-call limit");
        assertTrue(refused > 100, refused + " looks at the running context refused");
        // hot, so that C2's code of the loops is what the runs after use
        for (int k = 0; k < 400; k++) {
            four(w, JitWordHostBlockTest.args(30, k), Limits.DEFAULT, "hot " + k);
        }
        for (long k : new long[] {2, 6, 7}) {
            grid(w, JitWordHostBlockTest.args(9, k), "hot onlycalls k " + k);
        }
    }

    @Test
    void recursionWithHostCallsInEveryFrameEndsAlikeUnderEveryDepthAndHostCallLimit() {
        Ways w = Ways.of(RECURSION);
        int depthTraps = 0;
        int limited = 0;
        for (long n : new long[] {0, 3, 20}) {
            for (long k : new long[] {1, 5, 2}) {
                List<Value> args = JitWordHostBlockTest.args(n, k);
                String what = "recursion n " + n + " k " + k;
                limited += grid(w, args, what);
                long calls = four(w, args, Limits.DEFAULT, what).hostCalls();
                for (long d = 0; d <= n + 3; d++) {
                    for (long h : new long[] {calls - 1, calls / 2, d, Limits.MAX_UNSIGNED}) {
                        if (h < 0 && h != Limits.MAX_UNSIGNED) {
                            continue;
                        }
                        Tiers.Outcome o = four(w, args, Limits.DEFAULT.withMaxCallDepth(d).withMaxHostCalls(h),
                                what + " depth " + d + " calls " + h);
                        depthTraps += o.kind() == TrapKind.CALL_DEPTH_EXCEEDED ? 1 : 0;
                    }
                }
            }
        }
        assertTrue(depthTraps > 20 && limited > 50, depthTraps + " depth traps, " + limited + " host-call traps");
    }

    @Test
    void randomLoopsEndAlikeOnFourWaysAtTheExtremesOfBothLimits() {
        Random rnd = new Random(0xa77ac4);
        int limited = 0;
        for (int p = 0; p < 6; p++) {
            String text = JitHostCountTest.program(rnd, 3 + rnd.nextInt(9));
            Ways w = Ways.of(text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(12), rnd.nextInt(40) - 20);
            limited += grid(w, a, text + a);
        }
        assertTrue(limited > 50, limited + " runs stopped by the host-call limit");
    }

    @Test
    void lockstepOnThreeVmsWithHugeFuelAddedAndSnapshotsRestoredAcrossTiers() {
        Random rnd = new Random(0x10c57e9);
        int pauses = 0;
        int restored = 0;
        List<String> texts = new ArrayList<>(List.of(ONLY_CALLS, RECURSION));
        for (int p = 0; p < 4; p++) {
            texts.add(JitHostCountTest.program(rnd, 3 + rnd.nextInt(9)));
        }
        for (String text : texts) {
            Ways w = Ways.of(text);
            List<Value> a = JitWordHostBlockTest.args(3 + rnd.nextInt(8), rnd.nextInt(40) - 20);
            long calls = four(w, a, Limits.DEFAULT, text).hostCalls();
            for (long slice = 1; slice <= 12; slice++) {
                long limit = slice % 2 == 0 ? Math.max(0, calls - slice) : calls;
                int[] counts = lockstep(w, a, Limits.DEFAULT.withFuel(slice).withMaxHostCalls(limit), slice,
                        text + a + " slice " + slice + " limit " + limit);
                pauses += counts[0];
                restored += counts[1];
            }
        }
        assertTrue(pauses > 300 && restored > 50, pauses + " pauses, " + restored + " restored");
    }

    /**
     * Runs main(args) on the three VMs side by side in slices of {@code slice} fuel (at the ninth
     * pause 2<sup>62</sup> instead): after each stretch the outcomes are equal; at each pause the
     * frames, fuel left, host calls made and snapshot bytes are; every third pause each VM's
     * snapshot is restored on every VM and the runs end alike.
     *
     * @return the pauses and the restores
     */
    static int[] lockstep(Ways w, List<Value> args, Limits limits, long slice, String what) {
        Vm[] vms = {w.interpreted, w.compiled, w.framed};
        Run[] runs = new Run[3];
        ExecutionContext[] ctxs = new ExecutionContext[3];
        for (int j = 0; j < 3; j++) {
            current = vms[j];
            ctxs[j] = new ExecutionContext();
            currentCtx = ctxs[j];
            runs[j] = vms[j].start(ctxs[j], 0, args, limits, null);
        }
        int pauses = 0;
        int restored = 0;
        while (true) {
            Object[] views = new Object[3];
            Outcome first = null;
            for (int j = 0; j < 3; j++) {
                current = vms[j];
                currentCtx = ctxs[j];
                Outcome o = step(runs[j], pauses, slice);
                views[j] = Tiers.view(o);
                first = j == 0 ? o : first;
            }
            assertEquals(views[0], views[1], what + " compiled, pause " + pauses);
            assertEquals(views[0], views[2], what + " framed, pause " + pauses);
            if (!(first instanceof Outcome.Paused)) {
                assertNotEquals(TrapKind.INTERNAL_ERROR, first instanceof Outcome.Trapped t ? t.trap().kind() : null,
                        what);
                return new int[] {pauses, restored};
            }
            pauses++;
            byte[][] snaps = new byte[3][];
            for (int j = 0; j < 3; j++) {
                assertEquals(runs[0].frames(), runs[j].frames(), what + " way " + j + " pause " + pauses);
                assertEquals(runs[0].fuelRemaining(), runs[j].fuelRemaining(), what + " way " + j + " pause " + pauses);
                assertEquals(runs[0].hostCallsMade(), runs[j].hostCallsMade(), what + " way " + j + " pause " + pauses);
                snaps[j] = runs[j].snapshot();
                assertArrayEquals(snaps[0], snaps[j], what + " way " + j + " pause " + pauses);
            }
            if (pauses % 3 == 1) {
                List<Object> expected = null;
                for (int from = 0; from < 3; from++) {
                    for (int on = 0; on < 3; on++) {
                        if (from == on && from != 0) {
                            continue;
                        }
                        current = vms[on];
                        currentCtx = new ExecutionContext(); // not the restored run's: w.y's looks go through
                        List<Object> end = finish(vms[on].restore(snaps[from]));
                        if (expected == null) {
                            expected = end;
                        }
                        assertEquals(expected, end, what + " restored from " + from + " on " + on + " at pause " + pauses);
                        restored++;
                    }
                }
            }
        }
    }

    /**
     * Goes on with a run: a suspended call gets w.w's results; a run paused for fuel (not the
     * first stretch) gets {@code slice} more, or 2<sup>62</sup> at the ninth pause, or from the
     * 40th all the fuel there can be (w.q's charges leave debts that slices would not pay).
     */
    private static Outcome step(Run r, int pauses, long slice) {
        PauseReason.HostSuspended call = r.suspendedCall();
        if (call != null) {
            assertEquals("w.w", call.symbol());
            return r.resumeWith(JitHostCountTest.wResults(call.args()));
        }
        if (pauses > 0) {
            r.addFuel(pauses == 9 ? 1L << 62 : pauses >= 40 ? Limits.MAX_UNSIGNED : slice);
        }
        return r.resume();
    }

    /**
     * Runs a restored run to its end, suspended calls resumed with w.w's results, in slices of
     * 1,000 fuel, from the 21st all the fuel there can be (2<sup>64</sup>-1 in all).
     */
    static List<Object> finish(Run r) {
        int rounds = 0;
        Outcome end;
        do {
            PauseReason.HostSuspended call = r.suspendedCall();
            if (call != null) {
                end = r.resumeWith(JitHostCountTest.wResults(call.args()));
            } else {
                // w.q's charge of 2^63-101 leaves a debt that 1,000 at a time would not pay
                r.addFuel(++rounds > 20 ? Limits.MAX_UNSIGNED : 1_000);
                end = r.resume();
            }
            assertNotNull(end);
        } while (end instanceof Outcome.Paused);
        return List.of(Tiers.view(end), r.fuelRemaining(), r.hostCallsMade());
    }
}
