package dev.tape.vm;

import dev.tape.host.HostFailedException;
import dev.tape.host.HostRegistry;
import dev.tape.host.HostReturnArityException;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.jfr.HostCallEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongFunction;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on compiled host calls of one-to-three-word functions inside their blocks
 * ({@link JitWordHostBlockTest} has the plain cases): blocks that mix such calls of every word
 * type (three arguments, {@code u64}, {@code f64} bits, a {@code bool} result given as any word)
 * with calls of {@code Words} functions and boxed functions that charge fuel, under every fuel and
 * host-call limit and paused at every slice; functions that throw every kind of {@link Throwable}
 * at every call of a block; and deep compiled recursions whose word host calls start nested runs
 * up to {@link Vm#MAX_RUN_NESTING} (from a callee without calls, which publishes its Java stack
 * share once), which end alike on the default stack and trap (never throw) on small ones; runs
 * suspended by a {@code Words} call or interrupted by a word function inside such blocks; JFR
 * recordings on during a run or stopped by a word function; and a run paused right before a word
 * host call, which goes back into compiled code once stepped past it. Both tiers end alike and
 * nothing but a {@link Trap} leaves {@link Vm#run}.
 */
class JitWordHostAttackTest {
    static final Signature I_I = Signature.of(List.of(I64), List.of(I64));
    static final Signature UU_U = Signature.of(List.of(U64, U64), List.of(U64));
    static final Signature IUF_B = Signature.of(List.of(I64, U64, F64), List.of(BOOL));
    static final Signature F_F = Signature.of(List.of(F64), List.of(F64));
    static final Signature II_II = Signature.of(List.of(I64, I64), List.of(I64, I64));

    /** w.f(a) = 3a + 1, throwing for a mod 61 = 17. */
    static long f(long a) {
        if (Math.floorMod(a, 61) == 17) {
            throw new IllegalStateException("f refuses " + a);
        }
        return 3 * a + 1;
    }

    /**
     * w.f, w.u (u64 words, unsigned wrap), w.b (a bool given as 0, 2, 4 or 6), w.d (f64 bits),
     * w.w (a Words function of two results that charges 0 to 3 fuel) and w.x (a boxed function
     * that charges 0 to 2 fuel).
     */
    static HostRegistry host() {
        return host(JitWordHostAttackTest::f, (a, out, ctx) -> {
            ctx.chargeFuel(Math.floorMod(a[0], 4));
            out[0] = a[0] + a[1];
            out[1] = a[0] - a[1];
        });
    }

    /** {@link #host()} with other functions as w.f and w.w. */
    static HostRegistry host(WordFunction.Of1 wf, WordFunction.Words ww) {
        return new HostRegistry().registerWords("w.f", I_I, wf)
                .registerWords("w.u", UU_U, (a, b) -> a * b + (a >>> 3) + 1)
                .registerWords("w.b", IUF_B, (a, b, d) -> (a ^ b ^ d) & 6)
                .registerWords("w.d", F_F, x -> Double.doubleToRawLongBits(Double.longBitsToDouble(x) * 1.5 - 1))
                .registerWordArrays("w.w", II_II, ww)
                .register("w.x", I_I, (a, out, ctx) -> {
                    long v = ((Value.I64) a[0]).value();
                    ctx.chargeFuel(Math.floorMod(v, 3));
                    out[0] = Value.i64(v * 5 - 2);
                });
    }

    /**
     * main(n, k): n turns of one block of {@code ops} random instructions: i64 registers r5..r10,
     * u64 r15 and r18 (r19 = 65535), f64 r16, bool r17; word host calls of every shape and type,
     * Words and boxed calls, arithmetic, divisions that trap on a zero divisor; the last i64
     * result added to r4; returns r4.
     */
    static String program(Random rnd, int ops) {
        StringBuilder s = new StringBuilder("""
                program attack
                host hf = "w.f" (i64) -> (i64)
                host hu = "w.u" (u64, u64) -> (u64)
                host hb = "w.b" (i64, u64, f64) -> (bool)
                host hd = "w.d" (f64) -> (f64)
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
                    const.u64 r15, 7
                    i64.to_f64 r16, r2
                    const.bool r17, true
                    const.u64 r18, 0
                    const.u64 r19, 65535
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
            switch (rnd.nextInt(10)) {
                case 0, 1 -> s.append("    host_call r0, hf, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                case 2 -> s.append("    host_call r0, hu, r0, [r15, r18] -> [r15]\n    u64.and r18, r15, r19\n")
                        .append("    u64.to_i64 r").append(d).append(", r18\n");
                case 3 -> s.append("    host_call r0, hb, r0, [r").append(a).append(", r15, r16] -> [r17]\n")
                        .append("    select r").append(d).append(", r17, r").append(a).append(", r").append(b)
                        .append('\n');
                case 4 -> s.append("    host_call r0, hd, r0, [r16] -> [r16]\n    f64.to_bits r18, r16\n")
                        .append("    u64.and r18, r18, r19\n    u64.to_i64 r").append(d).append(", r18\n");
                case 5 -> s.append("    i64.").append(rnd.nextBoolean() ? "sub" : "mul").append(" r").append(d)
                        .append(", r").append(a).append(", r").append(b).append('\n');
                case 6 -> {
                    // a divisor of (r mod 5): zero in about one turn in five
                    s.append("    const.i64 r13, 5\n    i64.rem r14, r").append(b).append(", r13\n");
                    s.append("    i64.div r").append(d).append(", r").append(a).append(", r14\n");
                }
                case 7 -> s.append("    host_call r0, hw, r0, [r").append(a).append(", r").append(b).append("] -> [r")
                        .append(d).append(", r").append(e).append("]\n");
                case 8 -> s.append("    host_call r0, hx, r0, [r").append(a).append("] -> [r").append(d).append("]\n");
                default -> s.append("    i64.to_f64 r16, r").append(a).append('\n');
            }
            last = d;
        }
        s.append("    i64.add r4, r4, r").append(last).append('\n');
        s.append(JitWordHostBlockTest.LOOP_END);
        return s.toString();
    }

    @Test
    void blocksMixingEveryKindOfHostCallEndAlikeUnderEveryLimit() {
        Random rnd = new Random(0xa77ac9);
        int trapped = 0;
        int finished = 0;
        for (int p = 0; p < 16; p++) {
            String text = program(rnd, 3 + rnd.nextInt(8));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(1, Jit.precompile(t.compiled), text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(10), rnd.nextInt(40) - 20);
            if (p < 2) {
                for (int k = 0; k < 200; k++) {
                    t.check(0, JitWordHostBlockTest.args(20, k), Limits.DEFAULT, "hot " + k);
                }
            }
            Tiers.Outcome whole = t.check(0, a, Limits.DEFAULT, text + a);
            if (whole.trapped()) {
                trapped++;
            } else {
                finished++;
            }
            long used = whole.used(Limits.DEFAULT);
            assertTrue(used > 0 && used < 5_000, "uses " + used);
            for (long fuel = 0; fuel <= used + 2; fuel++) {
                t.check(0, a, Limits.DEFAULT.withFuel(fuel), text + a + " fuel " + fuel);
            }
            for (long calls = 0; calls <= whole.hostCalls() + 1; calls++) {
                t.check(0, a, Limits.DEFAULT.withMaxHostCalls(calls), text + a + " calls " + calls);
            }
        }
        assertTrue(trapped >= 2 && finished >= 2, trapped + " trapped, " + finished + " finished");
    }

    @Test
    void blocksMixingEveryKindOfHostCallPauseAlikeAtEverySlice() throws Exception {
        Random rnd = new Random(0x511ce);
        int pauses = 0;
        for (int p = 0; p < 6; p++) {
            String text = program(rnd, 3 + rnd.nextInt(8));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(1, Jit.precompile(t.compiled), text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(6), rnd.nextInt(40) - 20);
            Vm vm = t.interpreted;
            boolean[] read = JitResume.mayRead(vm.image.code(), vm.image.entry(0), vm.funcs[0].codeLength(),
                    vm.funcs[0]);
            for (long slice = 1; slice <= 30; slice++) {
                pauses += t.lockstep(0, a, slice, 5, text + a + " slice " + slice, (x, y, n) -> {
                    assertEquals(x.hostCallsMade(), y.hostCallsMade());
                    assertEquals(x.position(), y.position());
                    assertEquals(x.depth(), y.depth());
                    assertEquals(readOnly(x.registers(0), read), readOnly(y.registers(0), read));
                });
            }
        }
        assertTrue(pauses > 500, pauses + " pauses");
    }

    /** main(n): n turns of r5 = w.f(r5 + 1) inside one block with arithmetic before and after. */
    static final String THROWS = """
            program throws
            host hf = "w.f" (i64) -> (i64)
            host hg = "w.g" (i64, i64, i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r5, 0
                jmp head
            head:
                i64.lt r6, r2, r1
                br r6, body, done
            body:
                i64.add r5, r5, r3
                host_call r0, hf, r0, [r5] -> [r5]
                i64.mul r7, r5, r3
                host_call r0, hg, r0, [r5, r7, r2] -> [r5]
                i64.add r2, r2, r3
                jmp head
            done:
                ret r0, [r5]
            }
            """;

    /** What the throwing host functions throw: by name, a maker of the throwable for a call's argument. */
    static List<LongFunction<Throwable>> throwables(Trap other) {
        List<LongFunction<Throwable>> out = new ArrayList<>();
        out.add(a -> new IllegalArgumentException("bad " + a));
        out.add(a -> new AssertionError("assert " + a));
        out.add(a -> new StackOverflowError());
        out.add(a -> new OutOfMemoryError("Java heap space"));
        out.add(a -> other);
        out.add(a -> new HostFailedException("failed " + a));
        out.add(a -> new HostReturnArityException(1, 2));
        out.add(a -> new Exception("checked " + a));
        out.add(a -> new InternalError("internal"));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /** A real {@link StackOverflowError}: endless recursion. */
    static long deep(long a) {
        return deep(a + 1) + 1;
    }

    @Test
    void aWordFunctionThrowingAnyThrowableAtAnyCallTrapsAlike() throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(THROWS));
        // a trap of another run
        Trap other;
        try {
            new Vm(vp, new HostRegistry(), Tiers.LAZY).run(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(5));
            throw new AssertionError("ran");
        } catch (Trap t) {
            other = t;
        }
        List<LongFunction<Throwable>> kinds = throwables(other);
        kinds.add(a -> {
            deep(a);
            return null;
        });
        kinds.add(a -> {
            long[] huge = new long[Integer.MAX_VALUE - 2];
            return new IllegalStateException("allocated " + huge.length);
        });
        int[] which = {0};
        long[] at = {-1};
        boolean[] inG = {false};
        // throws made from compiled code (its frames on the stack): the compiled tier's traps are its own
        long[] fromCompiled = {0};
        HostRegistry h = new HostRegistry().registerWords("w.f", I_I, a -> {
            if (!inG[0] && a == at[0]) {
                fromCompiled[0] += Tiers.compiledFramesOnStack() > 0 ? 1 : 0;
                throw sneaky(kinds.get(which[0]).apply(a));
            }
            return a * 3 + 1;
        }).registerWords("w.g", Signature.of(List.of(I64, I64, I64), List.of(I64)), (a, b, c) -> {
            if (inG[0] && c == at[0]) {
                fromCompiled[0] += Tiers.compiledFramesOnStack() > 0 ? 1 : 0;
                throw sneaky(kinds.get(which[0]).apply(a));
            }
            return (a ^ b) + c;
        });
        Tiers t = Tiers.ofWords(vp, h);
        assertEquals(1, Jit.precompile(t.compiled));
        for (int k = 0; k < 300; k++) {
            t.check(0, List.of(Value.i64(30)), Limits.DEFAULT, "hot " + k);
        }
        int traps = 0;
        for (int kind = 0; kind < kinds.size(); kind++) {
            which[0] = kind;
            for (boolean g : new boolean[] {false, true}) {
                inG[0] = g;
                // w.f sees 1 to 6 in a 6-turn run (20 never), w.g the turn, 0 to 5
                for (long arg : g ? new long[] {0, 1, 5} : new long[] {1, 5, 20}) {
                    at[0] = arg;
                    String what = "kind " + kind + (g ? " in w.g at turn " : " in w.f at ") + arg;
                    Tiers.Outcome o = t.check(0, List.of(Value.i64(6)), Limits.DEFAULT, what);
                    traps += o.trapped() ? 1 : 0;
                    for (long fuel = 0; fuel <= o.used(Limits.DEFAULT) + 1; fuel += 3) {
                        t.check(0, List.of(Value.i64(6)), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                    // a Run, paused on fuel before the call and resumed
                    Run ri = t.interpreted.start(0, List.of(Value.i64(6)), Limits.DEFAULT.withFuel(7));
                    Run rc = t.compiled.start(0, List.of(Value.i64(6)), Limits.DEFAULT.withFuel(7));
                    assertEquals(Tiers.finish(ri), Tiers.finish(rc), what + " run");
                }
            }
        }
        assertTrue(traps >= 40, traps + " traps");
        assertTrue(fromCompiled[0] >= 40, fromCompiled[0] + " throws from compiled code");
    }

    /**
     * main(d, m): d nested compiled calls of rec, each making a word host call of w.n before its
     * call; the innermost calls leaf(m), a callee without calls (it publishes its Java stack share
     * once) that makes two word host calls of w.n, of m and -m. w.n(m) for m > 0 starts a nested
     * run of main(d, m - 1) on a context of its own and adds m to its result; w.n(a) for a <= 0
     * returns a.
     */
    static final String NESTS = """
            program nests
            host hn = "w.n" (i64) -> (i64)
            func main(d: i64, m: i64) -> (i64) {
                call r0, rec, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            func rec(d: i64, m: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                i64.lt r5, r3, r1
                br r5, deeper, bottom
            deeper:
                i64.sub r6, r3, r1
                host_call r0, hn, r0, [r6] -> [r7]
                i64.sub r8, r1, r4
                call r0, rec, r0, [r8, r2] -> [r9]
                i64.add r9, r9, r4
                ret r0, [r9]
            bottom:
                call r0, leaf, r0, [r2] -> [r9]
                ret r0, [r9]
            }
            func leaf(m: i64) -> (i64) {
                const.i64 r2, 0
                host_call r0, hn, r0, [r1] -> [r3]
                i64.sub r5, r2, r1
                host_call r0, hn, r0, [r5] -> [r4]
                i64.add r4, r4, r3
                ret r0, [r4]
            }
            """;

    /**
     * What a nested run of {@link #NESTS} returned, or the trap's kind, message and pc as a
     * string: both tiers nest the same runs, which end alike.
     */
    private static Object nestedRuns(Vm vm, long depth, long nest) {
        try {
            return vm.run(new ExecutionContext(), 0, List.of(Value.i64(depth), Value.i64(nest)), Limits.DEFAULT, null);
        } catch (Trap t) {
            String m = t.getMessage();
            // nested traps' messages nest: the length and the innermost one
            return t.kind() + " at " + t.func() + ":" + t.pc() + " (" + m.length() + " chars) ..."
                    + m.substring(Math.max(0, m.length() - 160));
        }
    }

    @Test
    void deepCompiledRecursionsWhoseWordHostCallsNestRunsEndAlike() throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(NESTS));
        List<Object> seen = new ArrayList<>();
        for (int tier = 0; tier < 2; tier++) {
            Vm[] self = new Vm[1];
            long[] depth = {0};
            HostRegistry h = new HostRegistry().registerWords("w.n", I_I, a -> {
                if (a > 0) {
                    List<Value> r = self[0].run(new ExecutionContext(), 0, List.of(Value.i64(depth[0]),
                            Value.i64(a - 1)), Limits.DEFAULT, null);
                    return ((Value.I64) r.get(0)).value() + a;
                }
                return a;
            });
            Vm vm = tier == 0 ? new Vm(vp, h) : Jit.compile(vp, h);
            self[0] = vm;
            if (tier == 1) {
                assertEquals(3, Jit.precompile(vm));
            }
            List<Object> out = new ArrayList<>();
            for (long d : new long[] {0, 1, 40, 300, 2_000}) {
                depth[0] = d;
                for (long m : new long[] {0, 1, 3, Vm.MAX_RUN_NESTING - 2, Vm.MAX_RUN_NESTING,
                        Vm.MAX_RUN_NESTING + 3}) {
                    long dd = d;
                    long mm = m;
                    out.add(d + "/" + m + " " + nestedRuns(vm, d, m));
                    // again on threads with small Java stacks: a result or a trap (where the
                    // interpreter's nested runs overflow the stack, earlier than compiled ones,
                    // host_call_failed: StackOverflowError), never anything else
                    for (int kib : new int[] {128, 256}) {
                        Object small = Tiers.onThread(kib * 1024, () -> nestedRuns(vm, dd, mm));
                        assertTrue(small instanceof List<?> || small instanceof String,
                                d + "/" + m + " on " + kib + " KiB: " + small);
                    }
                }
            }
            seen.add(out);
        }
        List<?> a = (List<?>) seen.get(0);
        List<?> b = (List<?>) seen.get(1);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), "interpreted, then compiled");
        }
    }

    /** @return the recording's {@code dev.tape.HostCall} events as "symbol failed", by start time */
    private static List<String> hostCallEvents(Recording r, Path file) throws Exception {
        r.stop();
        r.dump(file);
        List<RecordedEvent> calls = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("dev.tape.HostCall")) {
                calls.add(e);
            }
        }
        // the file keeps no order: the calls' order is their start times'
        calls.sort(java.util.Comparator.comparing(RecordedEvent::getStartTime));
        List<String> out = new ArrayList<>();
        for (RecordedEvent e : calls) {
            out.add(e.getString("symbol") + " " + e.getBoolean("failed"));
        }
        return out;
    }

    /**
     * While a recording wants {@code dev.tape.HostCall} events, word host calls go through their
     * boxed view inside the event ({@code WordCalls.slow}): the random blocks end alike under
     * fuel and host-call limits, and record the same events (symbol, failed) on both tiers.
     */
    @Test
    void recordedBlocksEndAndRecordAlike(@TempDir Path dir) throws Exception {
        Random rnd = new Random(0x4ec0);
        int files = 0;
        int events = 0;
        for (int p = 0; p < 5; p++) {
            String text = program(rnd, 3 + rnd.nextInt(8));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(1, Jit.precompile(t.compiled), text);
            List<Value> a = JitWordHostBlockTest.args(1 + rnd.nextInt(10), rnd.nextInt(40) - 20);
            long used = t.check(0, a, Limits.DEFAULT, text + a).used(Limits.DEFAULT);
            long calls = t.check(0, a, Limits.DEFAULT, text + a).hostCalls();
            for (Limits limits : List.of(Limits.DEFAULT, Limits.DEFAULT.withFuel(used / 2),
                    Limits.DEFAULT.withFuel(used - 1), Limits.DEFAULT.withMaxHostCalls(calls / 2))) {
                List<List<String>> seen = new ArrayList<>();
                List<Tiers.Outcome> ends = new ArrayList<>();
                for (Vm vm : new Vm[] {t.interpreted, t.compiled}) {
                    try (Recording r = new Recording()) {
                        r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
                        r.start();
                        ends.add(Tiers.run(vm, null, new ExecutionContext(), 0, a, limits, null));
                        seen.add(hostCallEvents(r, dir.resolve("r" + files++ + ".jfr")));
                    }
                }
                Tiers.assertSame(ends.get(0), ends.get(1), () -> text + a + " " + limits);
                assertEquals(seen.get(0), seen.get(1), text + a + " " + limits);
                events += seen.get(0).size();
            }
        }
        assertTrue(events > 50, events + " events");
    }

    /**
     * {@link #host()} with a w.w that suspends its run at every third call (when it can) and a w.f
     * that interrupts the run at arguments divisible by 7: the embedder then gives w.w's results.
     */
    static HostRegistry suspending(Run[] self, int[] calls) {
        return host(a -> {
            if (Math.floorMod(a, 7) == 0 && self[0] != null) {
                self[0].interrupt();
            }
            return f(a);
        }, (a, out, ctx) -> {
            ctx.chargeFuel(Math.floorMod(a[0], 4));
            if (++calls[0] % 3 == 0 && ctx.canSuspend()) {
                ctx.suspend();
                return;
            }
            out[0] = a[0] + a[1];
            out[1] = a[0] - a[1];
        });
    }

    /** @return w.w's results for a suspended call's arguments, as its function would give them */
    private static List<Value> wwResults(PauseReason.HostSuspended s) {
        long a = ((Value.I64) s.args().get(0)).value();
        long b = ((Value.I64) s.args().get(1)).value();
        return List.of(Value.i64(a + b), Value.i64(a - b));
    }

    /**
     * Runs suspended in a Words call and interrupted by a word function, in blocks of word calls,
     * given fuel in slices: each tier's run, driven to its end (results given at each suspension,
     * fuel at each fuel pause, interrupts resumed), ends as the other's, and at each suspension the
     * two are at the same point with the same fuel and snapshot; a snapshot of the interpreted
     * run at any pause (right after an interrupting word call, inside its block) ends alike
     * restored on either tier.
     */
    @Test
    void suspendedAndInterruptedRunsEndAlike() throws Exception {
        Random rnd = new Random(0x5a5d);
        int suspensions = 0;
        int interrupts = 0;
        for (int p = 0; p < 8; p++) {
            String text;
            do {
                text = program(rnd, 3 + rnd.nextInt(8));
            } while (!text.contains("hw,"));
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            Run[][] selves = {new Run[1], new Run[1]};
            int[][] counts = {new int[1], new int[1]};
            Vm[] vms = {new Vm(vp, suspending(selves[0], counts[0])), Jit.compile(vp, suspending(selves[1], counts[1]))};
            assertEquals(1, Jit.precompile(vms[1]), text);
            // registers that no instruction reads are not kept alike (see JitWordHostBlockTest.readOnly)
            boolean[] read = JitResume.mayRead(vms[0].image.code(), vms[0].image.entry(0), vms[0].funcs[0].codeLength(),
                    vms[0].funcs[0]);
            List<Value> a = JitWordHostBlockTest.args(2 + rnd.nextInt(8), rnd.nextInt(40) - 20);
            for (long slice : new long[] {1, 3, 7, 20, 1_000_000}) {
                Run[] runs = new Run[2];
                List<List<Object>> ends = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    counts[t][0] = 0;
                    runs[t] = vms[t].start(0, a, Limits.DEFAULT.withFuel(slice));
                    selves[t][0] = runs[t];
                }
                List<List<String>> suspendedAt = List.of(new ArrayList<>(), new ArrayList<>());
                for (int t = 0; t < 2; t++) {
                    Run r = runs[t];
                    counts[t][0] = 0;
                    Outcome o = r.resume();
                    int guard = 0;
                    while (o instanceof Outcome.Paused pz && guard++ < 100_000) {
                        if (pz.reason() instanceof PauseReason.HostSuspended s) {
                            suspensions++;
                            suspendedAt.get(t).add(r.position() + " fuel " + r.fuelRemaining() + " calls "
                                    + r.hostCallsMade() + " " + s.args() + " " + readOnly(r.registers(0), read) + " "
                                    + java.util.HexFormat.of().formatHex(r.snapshot()));
                            o = r.resumeWith(wwResults(s));
                        } else if (pz.reason() instanceof PauseReason.Interrupted) {
                            interrupts++;
                            if (t == 0) {
                                // the restored runs interrupt nothing and count w.w's calls on from here
                                byte[] snap = r.snapshot();
                                int made = counts[0][0];
                                selves[0][0] = null;
                                counts[1][0] = made;
                                List<Object> i = finishAll(vms[0].restore(snap));
                                counts[0][0] = made;
                                assertEquals(i, finishAll(vms[1].restore(snap)),
                                        text + a + " slice " + slice + " restored at an interrupt");
                                selves[0][0] = r;
                            }
                            o = r.resume();
                        } else {
                            r.addFuel(slice);
                            o = r.resume();
                        }
                    }
                    ends.add(List.of(Tiers.view(o), r.hostCallsMade(), r.fuelRemaining()));
                }
                assertEquals(ends.get(0), ends.get(1), text + a + " slice " + slice);
                assertEquals(suspendedAt.get(0), suspendedAt.get(1), text + a + " slice " + slice);
            }
        }
        assertTrue(suspensions > 50 && interrupts > 20, suspensions + " suspensions, " + interrupts + " interrupts");
    }

    /** Drives a restored run to its end: fuel in slices of 1,000, results at suspensions, on after interrupts. */
    private static List<Object> finishAll(Run r) {
        Outcome o = r.resume();
        while (o instanceof Outcome.Paused pz) {
            if (pz.reason() instanceof PauseReason.HostSuspended s) {
                o = r.resumeWith(wwResults(s));
            } else {
                r.addFuel(1_000);
                o = r.resume();
            }
        }
        return List.of(Tiers.view(o), r.fuelRemaining(), r.hostCallsMade());
    }

    /** The registers some instruction may read, the others null. */
    private static List<Value> readOnly(List<Value> regs, boolean[] read) {
        List<Value> out = new ArrayList<>();
        for (int r = 0; r < regs.size(); r++) {
            out.add(read[r] ? regs.get(r) : null);
        }
        return out;
    }

    /**
     * main(n): a word host call of w.a in straight-line code, then n turns of a loop whose body
     * calls w.a, then w.c (counted); a run paused right before either w.a call goes back into
     * compiled code once the interpreter has stepped past it.
     */
    static final String AFTER = """
            program after
            host ha = "w.a" (i64) -> (i64)
            host hc = "w.c" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                host_call r0, ha, r0, [r2] -> [r5]
                const.i64 r5, 0
                jmp head
            head:
                i64.lt r6, r2, r1
                br r6, body, done
            body:
                host_call r0, ha, r0, [r2] -> [r7]
                host_call r0, hc, r0, [r7] -> [r7]
                i64.add r5, r5, r7
                i64.add r2, r2, r3
                jmp head
            done:
                ret r0, [r5]
            }
            """;

    /**
     * A word host call no longer ends its compiled block, so the interpreter, stepping a resumed
     * run to the compiled tier's next resume point, must step past it too: a run paused right
     * before one (in straight-line code at fuel 2, in the loop's body at fuel 7 + 7k) runs
     * its later turns compiled, as it did when the call ended its block, not interpreted (it
     * stopped right after the call, at no resume point, and interpreted the run on).
     */
    @Test
    void aRunPausedAtAWordHostCallGoesBackIntoCompiledCode() throws Exception {
        long[] from = {0, 0};
        HostRegistry h = new HostRegistry().registerWords("w.a", I_I, a -> a & 7)
                .registerWords("w.c", I_I, a -> {
                    from[Tiers.compiledFramesOnStack() > 0 ? 0 : 1]++;
                    return a + 1;
                });
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(AFTER));
        Vm vm = Jit.compile(vp, h);
        assertEquals(1, Jit.precompile(vm));
        // fewer turns than one interpreted stretch: all interpreted when the steps stop short
        List<Value> n = List.of(Value.i64(6_000));
        List<Value> expected = new Vm(vp, h).run(0, n, Limits.DEFAULT);
        for (long fuel : new long[] {2, 7 + 7 * 3, 7 + 7 * 1000}) {
            from[0] = 0;
            from[1] = 0;
            Run r = vm.start(0, n, Limits.DEFAULT.withFuel(fuel));
            assertTrue(r.resume() instanceof Outcome.Paused, "fuel " + fuel);
            // right before a host_call of w.a
            int[] code = vm.funcs[0].code();
            assertEquals(dev.tape.format.Op.HOST_CALL, code[ip(vm, r)], "fuel " + fuel);
            r.addFuel(Limits.DEFAULT.fuel());
            assertEquals(new Outcome.Done(expected), r.resume(), "fuel " + fuel);
            assertTrue(from[0] >= 5_900 - fuel / 7, "fuel " + fuel + ": " + from[0] + " calls of w.c compiled, "
                    + from[1] + " interpreted");
        }
    }

    /** @return the code index of the paused run's next instruction */
    private static int ip(Vm vm, Run r) {
        int pc = (int) r.position();
        int[] pcOf = vm.funcs[0].pcOf();
        for (int i = 0; i < pcOf.length; i++) {
            if (pcOf[i] == pc) {
                return i;
            }
        }
        throw new AssertionError("no instruction at pc " + pc);
    }

    /**
     * A recording that a word host function stops in the middle of a run (hot compiled code, a
     * one-shot run and a Run) has recorded the word calls before the stop and none after it, on
     * both tiers: each word call asks JFR whether it is recorded while a recording wanted the
     * events at the run's last look (its start, a resume).
     */
    @Test
    void aRecordingStoppedByAWordHostFunctionRecordsTheSameCallsOnBothTiers(@TempDir Path dir) throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(JitWordHostBlockTest.LATE));
        Recording[] rec = new Recording[1];
        long[] trigger = {-1};
        HostRegistry h = new HostRegistry().registerWords("w.f", I_I, a -> a + 1).registerWords("w.t", I_I, a -> {
            if (a == trigger[0]) {
                rec[0].stop();
            }
            return 0;
        });
        Vm[] tiers = {new Vm(vp, h), Jit.compile(vp, h)};
        assertEquals(1, Jit.precompile(tiers[1]));
        int files = 0;
        for (Vm vm : tiers) {
            trigger[0] = -1;
            for (int k = 0; k < 300; k++) {
                vm.run(new ExecutionContext(), 0, JitWordHostBlockTest.args(200, -1), Limits.DEFAULT, null);
            }
            for (boolean oneShot : new boolean[] {true, false}) {
                for (long stopAt : new long[] {0, 1, 57, 199}) {
                    trigger[0] = stopAt;
                    try (Recording r = new Recording()) {
                        rec[0] = r;
                        r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
                        r.start();
                        if (oneShot) {
                            vm.run(new ExecutionContext(), 0, JitWordHostBlockTest.args(200, -1), Limits.DEFAULT,
                                    null);
                        } else {
                            Run run = vm.start(0, JitWordHostBlockTest.args(200, -1), Limits.DEFAULT.withFuel(50));
                            Tiers.finish(run);
                        }
                        Path file = dir.resolve("s" + files++ + ".jfr");
                        r.dump(file);
                        long wf = RecordingFile.readAllEvents(file).stream()
                                .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                                .filter(e -> e.getString("symbol").equals("w.f")).count();
                        // w.t(stopAt) stops it: the w.f calls of the turns before
                        assertEquals(stopAt, wf, vm + (oneShot ? " one-shot" : " run") + ", stopped at " + stopAt);
                    }
                }
            }
        }
    }

    /** main(n): n turns of a loop whose body calls w.c (counted), a boxed or a Words function, between additions. */
    static final String BOXED = """
            program boxed
            host hc = "w.c" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r5, 0
                jmp head
            head:
                i64.lt r6, r2, r1
                br r6, body, done
            body:
                i64.add r7, r2, r3
                host_call r0, hc, r0, [r7] -> [r7]
                i64.add r5, r5, r7
                i64.add r2, r2, r3
                jmp head
            done:
                ret r0, [r5]
            }
            """;

    /**
     * A run paused inside a loop's body before a host call that ends its block (a boxed or a
     * {@code Words} function) goes back into compiled code at the loop's header: the interpreter
     * steps from resume-point candidate to candidate until one is a resume point, within the
     * stretch it would interpret otherwise. (It stopped right after the call, inside the loop,
     * where no resume point is, and interpreted a stretch of 65,536 instructions, after which it
     * could land on such a point again: 9,363 to 19,997 turns of a 20,000-turn loop interpreted.)
     */
    @Test
    void aRunPausedInALoopBodyBeforeAHostCallGoesBackIntoCompiledCode() throws Exception {
        long[] from = {0, 0};
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(BOXED));
        HostRegistry boxed = new HostRegistry().register("w.c", I_I, (a, out, ctx) -> {
            from[Tiers.compiledFramesOnStack() > 0 ? 0 : 1]++;
            out[0] = Value.i64(((Value.I64) a[0]).value() & 7);
        });
        HostRegistry words = new HostRegistry().registerWordArrays("w.c", I_I, (a, out, ctx) -> {
            from[Tiers.compiledFramesOnStack() > 0 ? 0 : 1]++;
            out[0] = a[0] & 7;
        });
        for (HostRegistry h : List.of(boxed, words)) {
            Vm vm = Jit.compile(vp, h);
            assertEquals(1, Jit.precompile(vm));
            // fewer turns than one interpreted stretch: all interpreted when the steps stop short
            List<Value> n = List.of(Value.i64(6_000));
            List<Value> expected = new Vm(vp, h).run(0, n, Limits.DEFAULT);
            // prologue 4, head 2, body 5: paused before the add, before the call, after it
            for (long fuel : new long[] {4 + 2 + 5 * 3, 4 + 2 + 5 * 3 + 1, 4 + 2 + 5 * 3 + 2}) {
                from[0] = 0;
                from[1] = 0;
                Run r = vm.start(0, n, Limits.DEFAULT.withFuel(fuel));
                assertTrue(r.resume() instanceof Outcome.Paused, "fuel " + fuel);
                r.addFuel(Limits.DEFAULT.fuel());
                assertEquals(new Outcome.Done(expected), r.resume(), "fuel " + fuel);
                assertTrue(from[0] >= 5_990 - fuel / 5, "fuel " + fuel + ": " + from[0] + " calls of w.c compiled, "
                        + from[1] + " interpreted");
            }
        }
    }
}
