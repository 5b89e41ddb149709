package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@link ExecutionContext#jitDepth}, the one bound a compiled direct call
 * ({@link JitRuntime#enterDirect}), a compiled {@code call.indirect} ({@code enterIndirect}, which
 * writes the caller's frame record at once) and an inlined leaf's guard ({@link JitRuntime#leafRoom})
 * test for both the call-depth limit and the frame records' room. It is derived from the limit and
 * the records' length, so it goes stale if either changes without {@link ExecutionContext#jitRoom}:
 * a compiled call would then pass the depth limit, write a record past the records' end, or skip a
 * trap. Here the limit and the records change in every way the API allows while contexts are
 * reused: each step of a random sequence, applied alike to an interpreted VM, a compiled VM and a
 * compiled VM stepped by an {@code INSTR} trace sink (which runs interpreted), each with one
 * context it keeps, is a one-shot run, a run paused at fuel slices (frames, fuel and snapshot bytes
 * at each pause) and held or abandoned, a restore of the last snapshot into the kept context (over
 * a held run, which is abandoned) or a fresh one, a fork of the held run, or a resume of the held
 * run (refused once abandoned); with call-depth limits of 0, 1, 2, around the recursion's need,
 * {@code Integer.MAX_VALUE} and 2<sup>64</sup>-1, register limits around the mark, small fuel, and
 * recursions deep enough to grow the records past what a context keeps between runs. The program
 * recurses by direct calls and {@code call.indirect} alternately, calls an inlined leaf directly and
 * through a func value at every depth (so the leaf's guard meets the limit exactly), and at the
 * bottom calls a host function that runs the program again, nested, on a context of its own that
 * it reuses with other limits (after trying, and failing, to start a run in its caller's
 * context), then a function of many registers ({@code big}) and one ({@code mid}) whose
 * {@code call.indirect} of a function that calls writes its frame record at once. The three
 * subjects must write the same transcript. A second test runs the compiled VM from two threads at
 * once, each with its own contexts, against the interpreter; a third restores runs paused in
 * {@code big} at every depth up to 73 into fresh and used contexts.
 *
 * <p>Found nothing: every way the limit or the records change keeps {@code jitDepth} in step (or
 * low, which only sends a call to the checked path). The tests do fail, run by run, when
 * {@code release} leaves {@code jitRoom} out, when {@code pausedCopy} copies the original's
 * {@code jitDepth}, when {@code growFrames} or the snapshot reader sets it to the depth limit
 * alone, or when either of its bounds is one too high.
 */
class AttackJitDepthTest {
    /** Registers of {@code wide}: the mark it leaves covers the first levels of the recursion. */
    private static final int WIDE = 1200;
    /**
     * Registers of {@code big}, which the recursion's bottom calls before {@code mid}: a run paused
     * in it and restored holds a register mark that covers {@code mid}'s calls, so only the frame
     * records' room (restored for the paused frames alone) stands between them and a record past
     * the records' end.
     */
    private static final int BIG = 400;
    /** Deep enough that the frame records grow past {@link ExecutionContext#RETAIN_FRAMES}. */
    private static final int DEEP = ExecutionContext.RETAIN_FRAMES + 900;

    static String text() {
        StringBuilder s = new StringBuilder("""
                program jitdepth
                callsig bin = (i64, i64) -> (i64)
                host nest = "t.nest" (i64) -> (i64)
                func main(n: i64, k: i64) -> (i64) {
                    call r0, wide, r0, [r1] -> [r3]
                    call r0, down, r0, [r1, r2] -> [r4]
                    i64.add r4, r4, r3
                    ret r0, [r4]
                }
                func down(n: i64, k: i64) -> (i64) {
                    const.i64 r3, 0
                    i64.le r4, r1, r3
                    br r4, bottom, rec
                rec:
                    call r0, leaf, r0, [r1, r2] -> [r5]
                    const.func r11, leaf
                    call.indirect r0, bin, r11, r0, [r5, r1] -> [r12]
                    i64.add r5, r5, r12
                    const.i64 r3, 1
                    i64.sub r6, r1, r3
                    i64.and r7, r1, r3
                    i64.eq r10, r7, r3
                    br r10, ind, dir
                ind:
                    const.func r8, down
                    call.indirect r0, bin, r8, r0, [r6, r2] -> [r9]
                    i64.add r9, r9, r5
                    ret r0, [r9]
                dir:
                    call r0, down, r0, [r6, r2] -> [r9]
                    i64.add r9, r9, r5
                    ret r0, [r9]
                bottom:
                    host_call r0, nest, r0, [r2] -> [r5]
                    call r0, big, r0, [r5] -> [r5]
                    call r0, mid, r0, [r5, r1] -> [r6]
                    ret r0, [r6]
                }
                func mid(a: i64, b: i64) -> (i64) {
                    const.func r3, tail
                    call.indirect r0, bin, r3, r0, [r1, r2] -> [r4]
                    call r0, leaf, r0, [r4, r1] -> [r4]
                    ret r0, [r4]
                }
                func tail(a: i64, b: i64) -> (i64) {
                    call r0, leaf, r0, [r1, r2] -> [r3]
                    i64.add r3, r3, r1
                    ret r0, [r3]
                }
                func leaf(a: i64, b: i64) -> (i64) {
                    i64.mul r3, r1, r1
                    i64.xor r3, r3, r2
                    ret r0, [r3]
                }
                func wide(x: i64) -> (i64) {
                """);
        s.append("    const.i64 r").append(WIDE - 1).append(", 3\n");
        s.append("    i64.add r1, r1, r").append(WIDE - 1).append("\n    ret r0, [r1]\n}\n");
        s.append("func big(x: i64) -> (i64) {\n    const.i64 r").append(BIG - 1).append(", 5\n");
        for (int i = 0; i < 40; i++) {
            s.append("    i64.add r1, r1, r").append(BIG - 1).append('\n');
        }
        s.append("    ret r0, [r1]\n}\n");
        return s.toString();
    }

    /**
     * The host function {@code t.nest(k)}: 7 at {@code k <= 0}; else it first tries to run and to
     * start a run in its caller's context (both must be refused), then runs {@code main(n, k - 1)}
     * nested on a context of its own for level {@code k} (per thread, reused by every call), with an
     * {@code n} and a call-depth limit (one short of the need, the need, 2<sup>64</sup>-1, 0) that
     * change from call to call, and returns the result, or a number made of the trap's kind, stack
     * size and pc. All its state is per thread, so one VM may run on several threads.
     */
    static final class Nest implements HostFunction {
        Vm vm;
        /** the contexts of the runs executing on this thread, innermost first */
        final ThreadLocal<ArrayDeque<ExecutionContext>> running = ThreadLocal.withInitial(ArrayDeque::new);
        final ThreadLocal<ExecutionContext[]> own = ThreadLocal.withInitial(() -> new ExecutionContext[4]);
        final ThreadLocal<long[]> calls = ThreadLocal.withInitial(() -> new long[1]);
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger wrong = new AtomicInteger();

        @Override
        public void call(Value[] args, Value[] results, dev.tape.host.HostContext hc) {
            long k = ((Value.I64) args[0]).value();
            if (k <= 0) {
                results[0] = Value.i64(7);
                return;
            }
            ExecutionContext caller = running.get().peek();
            try {
                vm.run(caller, 0, List.of(Value.i64(1), Value.i64(0)), Limits.DEFAULT, null);
                wrong.incrementAndGet();
            } catch (IllegalStateException e) {
                refused.incrementAndGet();
            }
            try {
                vm.start(caller, 0, List.of(Value.i64(1), Value.i64(0)), Limits.DEFAULT, null);
                wrong.incrementAndGet();
            } catch (IllegalStateException e) {
                refused.incrementAndGet();
            }
            long c = calls.get()[0]++;
            long n = (c * 7 + k) % 23;
            long need = n + 5;
            long[] depths = {need - 1, need, Limits.MAX_UNSIGNED, 0};
            Limits limits = Limits.DEFAULT.withMaxCallDepth(depths[(int) (c % depths.length)]);
            ExecutionContext[] mine = own.get();
            if (mine[(int) k] == null) {
                mine[(int) k] = new ExecutionContext();
            }
            running.get().push(mine[(int) k]);
            try {
                results[0] = vm.run(mine[(int) k], 0, List.of(Value.i64(n), Value.i64(k - 1)), limits, null).get(0);
            } catch (Trap t) {
                results[0] = Value.i64(-(t.kind().ordinal() * 1_000_000L + t.stack().size() * 1_000L + t.pc()));
            } finally {
                running.get().pop();
            }
        }
    }

    /** A sink that asks for every instruction, so the run is interpreted one step at a time. */
    static final TraceSink STEPPED = new TraceSink() {
        @Override
        public int mask() {
            return TraceMask.INSTR;
        }
    };

    /** One VM and the context it keeps, the sink of its runs, its held run and last snapshot. */
    static final class Subject {
        final Vm vm;
        final Nest nest;
        final TraceSink sink;
        final ExecutionContext ctx = new ExecutionContext();
        Run held;
        byte[] snap;

        Subject(boolean compiled, TraceSink sink) {
            VerifiedProgram v = Tiers.verified(JitCornerCasesTest.asm(text()));
            nest = new Nest();
            HostRegistry host = new HostRegistry().register("t.nest", Signature.of(List.of(I64), List.of(I64)), nest);
            vm = compiled ? Jit.compile(v, host) : new Vm(v, host);
            if (compiled) {
                assertEquals(7, Jit.precompile(vm));
            }
            nest.vm = vm;
            this.sink = sink;
        }

        /** A subject on a VM (and its host function) that other subjects share, untraced. */
        Subject(Vm vm, Nest nest) {
            this.vm = vm;
            this.nest = nest;
            this.sink = null;
        }
    }

    /** One step's choices, the same for every subject. */
    record Step(int op, long n, long k, Limits limits, long slice, int maxPauses, boolean fresh, Limits ceiling) {
        List<Value> args() {
            return List.of(Value.i64(n), Value.i64(k));
        }
    }

    static Step step(SplittableRandom rnd) {
        long n = rnd.nextInt(8) == 0 ? DEEP : rnd.nextInt(41);
        long need = n + 5;
        long[] depths = {0, 1, 2, need - 2, need - 1, need, need + 1, need + 40, Integer.MAX_VALUE,
            Limits.MAX_UNSIGNED, n == DEEP ? Limits.DEFAULT_CALL_DEPTH : need};
        Limits limits = Limits.DEFAULT.withMaxCallDepth(depths[rnd.nextInt(depths.length)]);
        switch (rnd.nextInt(5)) {
            case 0 -> limits = limits.withMaxRegisters(WIDE + rnd.nextInt(400));
            case 1 -> limits = limits.withFuel(rnd.nextInt(400));
            default -> { }
        }
        long slice = n == DEEP ? 3_000 + rnd.nextInt(3_000) : 1 + rnd.nextInt(60);
        Limits ceiling = rnd.nextInt(4) == 0 ? Limits.DEFAULT.withMaxCallDepth(rnd.nextInt(50)) : null;
        return new Step(rnd.nextInt(6), n, rnd.nextInt(3), limits, slice, 1 + rnd.nextInt(30), rnd.nextBoolean(),
                ceiling);
    }

    /** Applies a step to a subject and describes everything it can observe. */
    static List<Object> apply(Subject s, Step st) {
        List<Object> out = new ArrayList<>();
        out.add(st.op());
        switch (st.op()) {
            case 0 -> {
                Tiers.Outcome o = within(s, s.ctx,
                        () -> Tiers.run(s.vm, null, s.ctx, 0, st.args(), st.limits(), s.sink));
                out.add(o.trap() == null ? o.literals() : o.trap());
                out.add(List.of(o.fuelRemaining(), o.hostCalls(), o.heapBytes()));
            }
            case 1 -> {
                Run r = s.vm.start(s.ctx, 0, st.args(), st.limits().withFuel(st.slice()), s.sink);
                s.held = drive(s, s.ctx, r, st, out);
            }
            case 2 -> {
                if (s.snap == null) {
                    out.add("no snapshot");
                    break;
                }
                ExecutionContext into = st.fresh() ? new ExecutionContext() : s.ctx;
                Run r;
                try {
                    r = s.vm.restore(into, s.snap, st.ceiling(), s.sink);
                } catch (SnapshotException e) {
                    out.add(e.getMessage());
                    break;
                }
                Run before = s.held;
                if (st.maxPauses() % 4 != 0) {
                    // else the restored run, paused for fuel, ends at once with fuel_exceeded
                    r.addFuel(st.slice());
                }
                Run left = drive(s, into, r, st, out);
                if (before != null && !st.fresh()) {
                    out.add(resumeHeld(s, before));
                }
                s.held = left != null ? left : before;
            }
            case 3 -> {
                if (s.held == null || s.held.ended()) {
                    out.add("nothing held");
                    break;
                }
                Run f;
                try {
                    f = s.held.fork();
                } catch (IllegalStateException e) {
                    out.add("fork refused");
                    break;
                }
                f.addFuel(st.slice());
                drive(s, f.context(), f, st, out);
                s.held.addFuel(st.slice());
                drive(s, s.held.context(), s.held, st, out);
            }
            case 4 -> out.add(s.held == null ? "nothing held" : resumeHeld(s, s.held));
            default -> {
                // a one-shot run over a held run: the held run is abandoned
                Tiers.Outcome o = within(s, s.ctx,
                        () -> Tiers.run(s.vm, null, s.ctx, 0, st.args(), st.limits(), null));
                out.add(o.trap() == null ? o.literals() : o.trap());
                if (s.held != null) {
                    out.add(resumeHeld(s, s.held));
                }
            }
        }
        return out;
    }

    /** Resumes a held run once with more fuel: its outcome, or the refusal of an abandoned run. */
    static Object resumeHeld(Subject s, Run r) {
        try {
            if (!r.ended()) {
                r.addFuel(1_000);
            }
            return view(within(s, r.context(), r::resume));
        } catch (IllegalStateException e) {
            return "refused";
        }
    }

    /**
     * Resumes {@code r} in slices until it ends or has paused {@code st.maxPauses()} times (then it
     * is returned, held); describes each pause (frames, depth, fuel, snapshot bytes).
     */
    static Run drive(Subject s, ExecutionContext ctx, Run r, Step st, List<Object> out) {
        for (int pauses = 0; ; pauses++) {
            Outcome o = within(s, ctx, r::resume);
            out.add(view(o));
            if (!(o instanceof Outcome.Paused)) {
                return null;
            }
            out.add(r.frames());
            out.add(List.of(r.depth(), r.fuelRemaining(), r.hostCallsMade()));
            s.snap = r.snapshot();
            out.add(Base64.getEncoder().encodeToString(s.snap));
            if (pauses == st.maxPauses()) {
                return r;
            }
            r.addFuel(st.slice());
        }
    }

    /** Fails naming the first item of a step's transcript that differs (the items, not the whole transcript). */
    static void same(List<?> want, List<?> got, java.util.function.Supplier<String> what) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            int at = i;
            assertEquals(String.valueOf(want.get(i)), String.valueOf(got.get(i)), () -> what.get() + ", item " + at);
            assertEquals(want.get(i), got.get(i), () -> what.get() + ", item " + at);
        }
        assertEquals(want.size(), got.size(), () -> what.get() + ": items " + want + " and " + got);
    }

    static Object view(Outcome o) {
        return o instanceof Outcome.Trapped t ? Tiers.TrapView.of(t.trap())
                : o instanceof Outcome.Done d ? d.values().stream().map(Tiers::literal).toList() : o;
    }

    /** Runs {@code body} with {@code ctx} as the executing context the host function sees. */
    static <T> T within(Subject s, ExecutionContext ctx, java.util.function.Supplier<T> body) {
        s.nest.running.get().push(ctx);
        try {
            return body.get();
        } finally {
            s.nest.running.get().pop();
        }
    }

    @Test
    void reusedContextsEndAlikeOnBothTiersAndStepped() {
        Subject[] subjects = {new Subject(false, null), new Subject(true, null), new Subject(true, STEPPED)};
        int[] ops = new int[6];
        int depthTraps = 0;
        SplittableRandom rnd = new SplittableRandom(20261205);
        for (int k = 0; k < 800; k++) {
            Step st = step(rnd);
            List<Object> want = apply(subjects[0], st);
            for (int i = 1; i < subjects.length; i++) {
                List<Object> got = apply(subjects[i], st);
                int step = k;
                int subject = i;
                same(want, got, () -> "step " + step + " " + st + " on subject " + subject);
            }
            ops[st.op()]++;
            if (want.toString().contains("call_depth_exceeded")) {
                depthTraps++;
            }
        }
        for (Subject s : subjects) {
            assertEquals(0, s.nest.wrong.get(), "a host function started a run in its caller's context");
        }
        assertTrue(subjects[0].nest.refused.get() > 200, "refused: " + subjects[0].nest.refused.get());
        assertTrue(depthTraps > 100, "steps with call_depth_exceeded: " + depthTraps);
        for (int op : ops) {
            assertTrue(op > 80, java.util.Arrays.toString(ops));
        }
    }

    /**
     * A run paused inside {@code big} at the recursion's bottom, {@code n} from 0 to 70 (big at
     * depth 3 to 73: the frame records' sizes 16, 32 and 64 among them), restored into a fresh context (whose records
     * are then made for the paused frames alone) and into the kept context (whose records are
     * larger), and run on: {@code mid}'s calls then pass the register test (big's registers cover
     * them), so only the records' room decides whether they grow the records first.
     */
    @Test
    void restoredInsideAWideFrameAtEveryDepth() {
        Subject[] subjects = {new Subject(false, null), new Subject(true, null), new Subject(true, STEPPED)};
        int restored = 0;
        for (long n = 0; n <= 70; n++) {
            List<Value> args = List.of(Value.i64(n), Value.i64(0));
            byte[] snap = null;
            Run r = subjects[0].vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(1), null);
            for (int i = 0; i < 100_000 && snap == null; i++) {
                Outcome o = within(subjects[0], r.context(), r::resume);
                assertTrue(o instanceof Outcome.Paused, o::toString);
                if (r.frames().get(0).name().equals("big") && r.frames().get(0).pc() > 0) {
                    snap = r.snapshot();
                }
                r.addFuel(1);
            }
            for (boolean fresh : new boolean[] {true, false}) {
                Step st = new Step(2, n, 0, Limits.DEFAULT, 1_000, 5, fresh, null);
                List<Object> want = null;
                for (int i = 0; i < subjects.length; i++) {
                    subjects[i].snap = snap;
                    List<Object> got = apply(subjects[i], st);
                    if (want == null) {
                        want = got;
                    } else {
                        long depth = n;
                        int subject = i;
                        same(want, got, () -> "n " + depth + (fresh ? ", fresh" : ", kept") + " on subject " + subject);
                    }
                }
                assertTrue(want.get(1) instanceof List<?>, want::toString);
                restored++;
            }
        }
        assertEquals(142, restored);
    }

    @Test
    void twoThreadsOnOneCompiledVmEachWithItsOwnContexts() throws Exception {
        Subject compiled = new Subject(true, null);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Object>>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long seed = 77 + t;
                runs.add(pool.submit(() -> transcript(compiled.vm, compiled.nest, seed)));
            }
            for (int t = 0; t < 2; t++) {
                Subject ref = new Subject(false, null);
                List<Object> want = transcript(ref.vm, ref.nest, 77 + t);
                List<Object> got = runs.get(t).get();
                for (int k = 0; k < want.size(); k++) {
                    int thread = t;
                    int step = k;
                    same((List<?>) want.get(k), (List<?>) got.get(k), () -> "thread " + thread + " step " + step);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, compiled.nest.wrong.get());
    }

    /** One-shot and sliced runs of random steps on one context of {@code vm}, on this thread. */
    static List<Object> transcript(Vm vm, Nest nest, long seed) {
        Subject s = new Subject(vm, nest);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
            Step st = step(rnd);
            out.add(apply(s, new Step(st.op() % 2, st.n(), st.k(), st.limits(), st.slice(), st.maxPauses(), false,
                    null)));
        }
        return out;
    }
}
