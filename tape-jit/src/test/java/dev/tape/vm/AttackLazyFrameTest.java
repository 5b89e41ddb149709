package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the compiled tier's lazy frame records ({@code JitRuntime.enterDirect} and
 * {@code JitRuntime.pending}) and the interpreter's own direct-call case, beyond
 * {@link JitLazyFrameTest}: random mutually recursive programs that mix direct calls,
 * {@code call.indirect}, host calls (that charge fuel, fail, or suspend the run), loops inside the
 * recursion (resume points between calls), and a callee too big to compile in the middle of the
 * stack. Both tiers must agree at every fuel, call-depth and register limit (heap_limit_exceeded
 * while a call grows the register files at depth), when paused at every fuel slice and in every
 * host suspension (frames, written registers, snapshot bytes, the suspended call, restored runs),
 * on several threads sharing one compiled VM, and when interrupted from another thread deep in
 * compiled recursion.
 */
class AttackLazyFrameTest {
    /** One generated program: its text, its function count, whether one is too big to compile, the entry's arguments. */
    record Generated(String source, int functions, boolean big, long n, long x) {}

    /**
     * Functions {@code f0..f(k-1)}, each {@code (n: i64, x: i64) -> (i64)}: at {@code n <= 0} it returns
     * {@code x} (some through {@code h.f(x)}); else it may divide by {@code n - t} (div_by_zero at
     * {@code n == t}), may run a small loop (some with a host call in it), calls one function
     * ({@code deep}) or one or two with {@code n - 1}, directly or through {@code call.indirect},
     * may call {@code h.f} after that, and returns a mix. With {@code big}, one function carries
     * 1,500 more instructions, too many to compile.
     */
    static Generated program(long seed, boolean deep) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 2 + rnd.nextInt(4);
        int bigOne = rnd.nextInt(3) == 0 ? rnd.nextInt(k) : -1;
        StringBuilder s = new StringBuilder("program lazy_attack\n");
        s.append("host h = \"h.f\" (i64) -> (i64)\n");
        s.append("callsig two = (i64, i64) -> (i64)\n");
        for (int i = 0; i < k; i++) {
            s.append("func f").append(i).append("(n: i64, x: i64) -> (i64) {\n");
            s.append("    const.i64 r3, 0\n    i64.le r4, r1, r3\n    br r4, leaf, rec\nleaf:\n");
            if (rnd.nextBoolean()) {
                s.append("    host_call r0, h, r0, [r2] -> [r5]\n");
            } else {
                s.append("    i64.add r5, r2, r3\n");
            }
            s.append("    ret r0, [r5]\nrec:\n");
            s.append("    const.i64 r5, 1\n    i64.sub r6, r1, r5\n");
            s.append("    const.i64 r7, ").append(1 + rnd.nextInt(7)).append("\n    i64.mul r8, r2, r7\n");
            if (rnd.nextInt(3) == 0) {
                s.append("    const.i64 r9, ").append(rnd.nextInt(deep ? 300 : 6)).append("\n");
                s.append("    i64.sub r9, r1, r9\n    i64.div r9, r8, r9\n    i64.add r8, r8, r9\n");
            }
            if (rnd.nextInt(3) == 0) {
                s.append("    const.i64 r20, 0\n    const.i64 r21, ").append(1 + rnd.nextInt(4)).append("\n");
                s.append("    jmp head\nhead:\n    i64.lt r22, r20, r21\n    br r22, body, out\nbody:\n");
                s.append("    i64.add r8, r8, r20\n");
                if (rnd.nextBoolean()) {
                    s.append("    host_call r0, h, r0, [r20] -> [r23]\n    i64.add r8, r8, r23\n");
                }
                s.append("    i64.add r20, r20, r5\n    jmp head\nout:\n");
            }
            int calls = deep ? 1 : 1 + rnd.nextInt(2);
            for (int c = 0; c < calls; c++) {
                int callee = rnd.nextInt(k);
                int res = 10 + c;
                if (rnd.nextInt(3) == 0) {
                    s.append("    const.func r").append(30 + c).append(", f").append(callee).append('\n');
                    s.append("    call.indirect r0, two, r").append(30 + c).append(", r0, [r6, r8] -> [r")
                            .append(res).append("]\n");
                } else {
                    s.append("    call r0, f").append(callee).append(", r0, [r6, r8] -> [r").append(res).append("]\n");
                }
                s.append("    i64.add r8, r8, r").append(res).append('\n');
            }
            if (rnd.nextInt(4) == 0) {
                s.append("    host_call r0, h, r0, [r8] -> [r24]\n    i64.xor r8, r8, r24\n");
            }
            if (i == bigOne) {
                for (int p = 0; p < 1_500; p++) {
                    s.append("    i64.add r8, r8, r7\n");
                }
            }
            s.append("    ret r0, [r8]\n}\n");
        }
        long n = deep ? 150 + rnd.nextInt(300) : 2 + rnd.nextInt(5);
        return new Generated(s.toString(), k, bigOne >= 0, n, rnd.nextLong(1000));
    }

    /** {@code h.f(a)}'s result when it gives one: {@code 3a + 1}. */
    static long f(long a) {
        return 3 * a + 1;
    }

    /** {@code h.f(a)} fails for these. */
    static boolean fails(long a) {
        return Math.floorMod(a, 101) == 37;
    }

    /** {@code h.f(a)} suspends a run that can be suspended for these. */
    static boolean suspends(long a) {
        return Math.floorMod(a, 3) == 1;
    }

    /** The host: charges {@code a mod 5}, then fails, suspends or answers as above. */
    static HostRegistry host() {
        return new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    ctx.chargeFuel(Math.floorMod(a, 5));
                    if (fails(a)) {
                        throw new HostFailedException("a is " + a);
                    }
                    if (ctx.canSuspend() && suspends(a)) {
                        ctx.suspend();
                        return;
                    }
                    out[0] = Value.i64(f(a));
                });
    }

    /** Both tiers, every function that fits compiled before the runs. */
    static Tiers tiers(Generated g) throws Exception {
        Tiers t = Tiers.of(Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(g.source(), "lazy_attack.tasm")), host());
        Jit.precompile(t.compiled);
        assertEquals(g.functions() - (g.big() ? 1 : 0), Jit.compiledFunctions(t.compiled), g.source());
        return t;
    }

    static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()));
    }

    /**
     * Every fuel limit (up to what the run uses), every call-depth limit and every register limit
     * (the register files grow in calls at every depth, and heap_limit_exceeded is raised there):
     * one-shot runs agree on both tiers in every detail.
     */
    @Test
    void everyFuelDepthAndRegisterLimit() throws Exception {
        int trapped = 0;
        int bigs = 0;
        for (long seed = 0; seed < 24; seed++) {
            boolean deep = seed % 4 == 3;
            Generated g = program(seed, deep);
            Tiers t = tiers(g);
            bigs += g.big() ? 1 : 0;
            List<Value> args = args(g);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            if (full.trap() != null) {
                trapped++;
            }
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            long step = deep ? 97 : 2;
            for (long fuel = 0; fuel <= Math.min(used + 1, deep ? 20_000 : 2_000); fuel += step) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long d = 0; d <= g.n() + 2; d += 1 + (deep ? d / 16 : 0)) {
                t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            // registers: the frames plus two per pending call, up to past what the deepest run needs
            int most = (int) Math.min(40 * (g.n() + 2) + 2 * (g.n() + 2), 40_000);
            for (int r = 1; r <= most; r += 1 + (deep ? r / 24 : 0)) {
                t.check(0, args, Limits.DEFAULT.withMaxRegisters(r), what + " registers " + r);
            }
        }
        assertTrue(trapped >= 4, "runs that trapped: " + trapped);
        assertTrue(bigs >= 4, "programs with a function too big to compile: " + bigs);
    }

    /**
     * Paused at every fuel slice and at every host suspension: both tiers pause at the same
     * instruction with the same frames, the registers each frame has written, fuel, suspended call
     * and snapshot bytes; runs restored from the compiled tier's snapshot (and forks) end alike.
     */
    @Test
    void pausedAtEverySliceAndSuspension() throws Exception {
        int pauses = 0;
        int suspensions = 0;
        int nested = 0;
        for (long seed = 300; seed < 320; seed++) {
            boolean deep = seed % 3 == 0;
            Generated g = program(seed, deep);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            SplittableRandom rnd = new SplittableRandom(seed);
            long slice = deep ? 200 + rnd.nextInt(400) : 1 + rnd.nextInt(40);
            Limits limits = Limits.DEFAULT.withFuel(slice);
            Run a = t.interpreted.start(0, args(g), limits);
            Run b = t.compiled.start(0, args(g), limits);
            Outcome oa = a.resume();
            Outcome ob = b.resume();
            int k = 0;
            while (true) {
                String at = what + "\npause " + k;
                assertEquals(view(oa), view(ob), at);
                if (!(oa instanceof Outcome.Paused p)) {
                    break;
                }
                k++;
                if (b.depth() > 1) {
                    nested++;
                }
                assertEquals(a.frames(), b.frames(), at);
                assertEquals(a.fuelRemaining(), b.fuelRemaining(), at);
                assertEquals(a.hostCallsMade(), b.hostCallsMade(), at);
                assertEquals(a.suspendedCall(), b.suspendedCall(), at);
                for (int fr = 0; fr < a.depth(); fr++) {
                    assertEquals(written(t.interpreted, a, fr), written(t.compiled, b, fr), at + " frame " + fr);
                }
                byte[] snap = b.snapshot();
                assertArrayEquals(a.snapshot(), snap, at);
                if (k % 13 == 1) {
                    List<Object> restoredI = finish(t.interpreted.restore(snap));
                    assertEquals(restoredI, finish(t.compiled.restore(snap)), at + " restored");
                    assertEquals(restoredI, finish(b.fork()), at + " forked");
                }
                if (p.reason() instanceof PauseReason.HostSuspended s) {
                    suspensions++;
                    List<Value> answer = List.of(Value.i64(f(((Value.I64) s.args().get(0)).value())));
                    oa = a.resumeWith(answer);
                    ob = b.resumeWith(answer);
                } else {
                    a.addFuel(slice);
                    b.addFuel(slice);
                    oa = a.resume();
                    ob = b.resume();
                }
            }
            pauses += k;
        }
        assertTrue(nested >= 150, "pauses in calls: " + nested + " of " + pauses);
        assertTrue(suspensions >= 30, "suspensions: " + suspensions + " of " + pauses);
    }

    /**
     * Several threads, each with its own contexts, run the same compiled VM at once (deep
     * recursion, traps at depth, every tenth fuel limit): each run ends as the interpreter's. The
     * shared VM is bound to the stateless {@link #host()} itself, not through a {@link Tiers}
     * recorder, whose log (a plain list) is not for threads: four threads adding to it at once made
     * its host function throw now and then ({@code ArrayIndexOutOfBoundsException} as the list
     * grew), which the run rightly reported as {@code host_call_failed}.
     */
    @Test
    void threadsShareOneCompiledVm() throws Exception {
        for (long seed = 500; seed < 506; seed++) {
            Generated g = program(seed, true);
            Tiers t = tiers(g);
            Vm shared = Jit.compile(Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(g.source(), "lazy_attack.tasm")), host(),
                    Tiers.LAZY);
            Jit.precompile(shared);
            assertEquals(Jit.compiledFunctions(t.compiled), Jit.compiledFunctions(shared), g.source());
            List<Value> args = args(g);
            String what = "seed " + seed + "\n" + g.source();
            List<Long> fuels = new ArrayList<>();
            for (long fuel = 0; fuel < 12_000; fuel += 101) {
                fuels.add(fuel);
            }
            List<String> expected = new ArrayList<>();
            for (long fuel : fuels) {
                expected.add(oneShot(t.interpreted, args, fuel));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<String>>> got = new ArrayList<>();
                for (int th = 0; th < 4; th++) {
                    int shift = th;
                    got.add(pool.submit(() -> {
                        List<String> out = new ArrayList<>();
                        for (int j = 0; j < fuels.size(); j++) {
                            // each thread walks the limits from another start
                            int i = (j + shift * fuels.size() / 4) % fuels.size();
                            out.add(i + " " + oneShot(shared, args, fuels.get(i)));
                        }
                        return out;
                    }));
                }
                for (Future<List<String>> f : got) {
                    for (String line : f.get(5, TimeUnit.MINUTES)) {
                        int sp = line.indexOf(' ');
                        int i = Integer.parseInt(line.substring(0, sp));
                        assertEquals(expected.get(i), line.substring(sp + 1), what + " fuel " + fuels.get(i));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Interrupted from another thread while deep in compiled recursion: wherever it paused, the
     * compiled run's frames and registers are those of the interpreter restored from its snapshot,
     * and the run, its restored copies and its fork end as one uninterrupted run.
     */
    @Test
    void interruptedDeepInCompiledRecursion() throws Exception {
        String source = """
                program spin
                func main(n: i64, m: i64) -> (i64) {
                    call r0, down, r0, [r1, r2] -> [r3]
                    ret r0, [r3]
                }
                func down(n: i64, m: i64) -> (i64) {
                    const.i64 r3, 0
                    i64.le r4, r1, r3
                    br r4, leaf, rec
                leaf:
                    const.i64 r5, 0
                    const.i64 r6, 1
                    jmp head
                head:
                    i64.lt r9, r5, r2
                    br r9, body, out
                body:
                    i64.add r5, r5, r6
                    jmp head
                out:
                    ret r0, [r5]
                rec:
                    const.i64 r5, 1
                    i64.sub r6, r1, r5
                    call r0, down, r0, [r6, r2] -> [r7]
                    i64.add r8, r7, r1
                    ret r0, [r8]
                }
                """;
        Tiers t = Tiers.of(Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "spin.tasm")), dev.tape.host.Host.NONE);
        Jit.precompile(t.compiled);
        long n = 150;
        long m = 3_000_000;
        List<Value> args = List.of(Value.i64(n), Value.i64(m));
        Limits limits = Limits.DEFAULT.withFuel(50_000_000);
        Tiers.Outcome whole = t.check(0, args, limits, "spin");
        int inside = 0;
        for (int round = 0; round < 6; round++) {
            Run b = t.compiled.start(0, args, limits);
            long wait = 5 + 7L * round;
            Thread poker = new Thread(() -> {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
                b.interrupt();
            });
            poker.start();
            Outcome o = b.resume();
            poker.join();
            if (!(o instanceof Outcome.Paused)) {
                continue;
            }
            if (b.depth() > 1) {
                inside++;
            }
            byte[] snap = b.snapshot();
            Run a = t.interpreted.restore(snap);
            assertEquals(a.frames(), b.frames(), "round " + round);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), "round " + round);
            for (int fr = 0; fr < a.depth(); fr++) {
                assertEquals(written(t.interpreted, a, fr), written(t.compiled, b, fr), "round " + round + " frame " + fr);
            }
            assertArrayEquals(snap, a.snapshot(), "round " + round);
            Outcome end = b.resume();
            assertEquals(List.of(whole.results(), whole.fuelRemaining()), List.of(((Outcome.Done) end).values(),
                    b.fuelRemaining()), "round " + round);
            Outcome restored = a.resume();
            assertEquals(end, restored, "round " + round);
        }
        assertTrue(inside >= 1, "interrupted inside calls: " + inside);
    }

    /** A sink of call events only (so the interpreter runs whole stretches, not single steps). */
    static final class CallLog implements dev.tape.trace.TraceSink {
        final List<String> log = new ArrayList<>();

        @Override
        public void callEnter(int func, int depth) {
            log.add("enter " + func + " " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            log.add("exit " + func + " " + depth);
        }
    }

    /**
     * Call tracing (the interpreter reads the flag once per entry to its loop): a run traced for
     * call events, given its fuel in random slices and answered in host suspensions, on either
     * VM, sees the events of the one-shot traced run, and ends the same way.
     */
    @Test
    void callEventsOfSlicedRunsAreThoseOfTheOneShotRun() throws Exception {
        int events = 0;
        for (long seed = 600; seed < 630; seed++) {
            Generated g = program(seed, seed % 3 == 0);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            CallLog whole = new CallLog();
            Object want;
            try {
                want = t.interpreted.run(new ExecutionContext(), 0, args(g), Limits.DEFAULT, whole);
            } catch (Trap tr) {
                want = Tiers.TrapView.of(tr).kind();
            }
            events += whole.log.size();
            for (Vm vm : List.of(t.interpreted, t.compiled)) {
                SplittableRandom rnd = new SplittableRandom(seed);
                CallLog sliced = new CallLog();
                Run run = vm.start(new ExecutionContext(), 0, args(g), Limits.DEFAULT.withFuel(1 + rnd.nextInt(50)),
                        sliced);
                Outcome o = run.resume();
                while (o instanceof Outcome.Paused p) {
                    if (p.reason() instanceof PauseReason.HostSuspended h) {
                        o = run.resumeWith(List.of(Value.i64(f(((Value.I64) h.args().get(0)).value()))));
                    } else {
                        run.addFuel(1 + rnd.nextInt(50));
                        o = run.resume();
                    }
                }
                Object got = o instanceof Outcome.Done d ? d.values() : ((Outcome.Trapped) o).trap().kind();
                assertEquals(want, got, what);
                assertEquals(whole.log, sliced.log, what);
            }
        }
        assertTrue(events >= 1_000, "call events: " + events);
    }

    /** A one-shot run as text: results or the whole trap, then the context's counters. */
    static String oneShot(Vm vm, List<Value> args, long fuel) {
        ExecutionContext c = new ExecutionContext();
        String out;
        try {
            out = "ok " + vm.run(c, 0, args, Limits.DEFAULT.withFuel(fuel), null);
        } catch (Trap tr) {
            out = Tiers.TrapView.of(tr).toString() + " stack " + tr.stack();
        }
        return out + " fuel " + c.fuelRemaining() + " hostCalls " + c.hostCallsMade();
    }

    /**
     * The registers of frame {@code f} of a paused run that the frame has written on every path to
     * its point; null for the others (see {@link JitLazyFrameTest}).
     */
    private static List<Value> written(Vm vm, Run run, int f) {
        int[] at = vm.frameAt(run.context(), f);
        long[] mask = vm.verified.initFacts(at[0]).writtenBefore(new int[] {at[1]})[0];
        List<Value> regs = new ArrayList<>(run.registers(f));
        for (int i = 0; i < regs.size(); i++) {
            if ((mask[i >>> 6] & (1L << i)) == 0) {
                regs.set(i, null);
            }
        }
        return regs;
    }

    /** Runs a run to its end in slices of 1,000 fuel, answering suspended host calls. */
    private static List<Object> finish(Run r) {
        Outcome end = null;
        do {
            PauseReason.HostSuspended s = r.suspendedCall();
            if (s != null) {
                end = r.resumeWith(List.of(Value.i64(f(((Value.I64) s.args().get(0)).value()))));
            } else {
                r.addFuel(1_000);
                end = r.resume();
            }
        } while (end instanceof Outcome.Paused);
        return Arrays.asList(view(end), r.fuelRemaining(), r.hostCallsMade());
    }

    /** An outcome, comparable: a trap as its {@link Tiers.TrapView}. */
    private static Object view(Outcome o) {
        return o instanceof Outcome.Trapped tr ? Tiers.TrapView.of(tr.trap()) : o;
    }
}
