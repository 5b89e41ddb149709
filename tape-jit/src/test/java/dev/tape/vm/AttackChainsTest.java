package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.STR;
import static dev.tape.vm.DecimalPrograms.D_FIRST;
import static dev.tape.vm.DecimalPrograms.Q;
import static dev.tape.vm.DecimalPrograms.dreg;
import static dev.tape.vm.DecimalPrograms.idst;
import static dev.tape.vm.DecimalPrograms.ireg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's sixth-round dispatch: runs of outer-switch instructions dispatched
 * one after another ({@code Interpreter.CHAINS}) and direct {@code call}/{@code ret} in the inner
 * word loop. Random programs put into chains what {@link OuterChainTiersTest} leaves out: host
 * calls (that charge fuel, throw, or suspend the run), {@code call.indirect} to a callee whose
 * first instruction continues the chain or traps there, string concatenation, superinstructions
 * right before a chain, a direct recursion that grows the frame records past their initial 16, and
 * a direct call of a 300-register function. Each program runs on the interpreter untraced
 * (chained), stepped with INSTR tracing (never chained) and on the compiled tier:
 * <ul>
 *   <li>under every fuel budget, and under every call depth limit and register limit around the
 *       ones the run needs, the three end alike (results, every field of the trap, fuel, host
 *       calls as the host saw them);</li>
 *   <li>call events (CALL tracing) are the same chained and stepped, and sinks attached to and
 *       detached from one context between runs change no outcome;</li>
 *   <li>paused at every slice, and suspended in host calls, both tiers show the same frames,
 *       fuel and snapshot bytes, and the suspended run restored on either tier goes on alike;</li>
 *   <li>a host call that interrupts its own run pauses it right after the call, chained as
 *       stepped (same frames, fuel and snapshot bytes);</li>
 *   <li>a deep recursion interrupted again and again from another thread pauses with a
 *       consistent stack and ends, resumed or restored on either tier, as the one-shot run.</li>
 * </ul>
 */
class AttackChainsTest {
    // main's registers: r1 = n; r2..r8 i64 (r3 = i, r4 = 1); r13, r14 bool; r15..r18 decimals; r19 a
    // scale-0 decimal; r20 a tuple; r21 and r22 function references (A, B); r23 a string, r24 "x";
    // r25 B's argument; r26 the trip at which B is called with 0 (else it traps); r27 = 0, r28 = 1;
    // r29 the recursion's depth
    private static final int T = 20;
    private static final int FA = 21;
    private static final int FB = 22;
    private static final int S = 23;
    private static final int X = 24;
    private static final int BARG = 25;
    private static final int K = 26;
    private static final int ZERO = 27;
    private static final int ONE = 28;
    private static final int DEPTH = 29;
    /** the registers of the wide function W */
    static final int WIDE = 300;

    /**
     * main(n: i64) -> (i64, dec, str), and A, B (both (i64) -> (i64), called indirectly), the
     * recursion R and the wide W, both called directly.
     */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, DECIMAL, STR));
        int a = pb.declareFunction(List.of(I64), List.of(I64));
        int b = pb.declareFunction(List.of(I64), List.of(I64));
        int rec = pb.declareFunction(List.of(I64), List.of(I64));
        int wide = pb.declareFunction(List.of(I64), List.of(I64));
        int host = pb.hostSig("h.f", List.of(I64), List.of(I64));
        int sig = pb.callSig(List.of(I64), List.of(I64));
        int x = pb.constant(new Constant.Str("x"));
        DecimalPrograms.start(f, rnd);
        f.tupleNew(T, 5, 6).constFunc(FA, a).constFunc(FB, b);
        f.constPool(S, x).constPool(X, x);
        f.constI64(K, rnd.nextInt(4)).constI64(ZERO, 0).constI64(ONE, 1).constI64(BARG, 0);
        f.constI64(DEPTH, 1 + rnd.nextInt(22));
        f.constI64(3, 0).constI64(4, 1);
        f.i64Lt(14, 5, 6);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            switch (rnd.nextInt(13)) {
                // a host call inside a run of decimals and a tuple
                case 0, 1 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .hostCall(0, host, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)})
                        .binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd)).tupleNew(T, ireg(rnd), ireg(rnd));
                // two host calls in a row, then a decimal
                case 2 -> f.hostCall(0, host, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)})
                        .hostCall(0, host, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)})
                        .emit(Opcode.I64_TO_DEC, Q, ireg(rnd), 0);
                // call.indirect to A, whose first instructions continue the run
                case 3, 4 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), 0)
                        .callIndirect(0, sig, FA, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)})
                        .mov(dreg(rnd), dreg(rnd));
                // call.indirect to B, whose first instruction traps unless its argument is 0 (trip K)
                case 5 -> f.binary(Opcode.I64_EQ, 13, 3, K).select(BARG, 13, ZERO, ONE)
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .callIndirect(0, sig, FB, 0, new int[] {BARG}, new int[] {idst(rnd)});
                // superinstructions (const + add) right before a run
                case 6 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd))
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .hostCall(0, host, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                // the recursion right after a decimal, a tuple right after it returns
                case 7 -> f.binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd))
                        .call(0, rec, 0, new int[] {DEPTH}, new int[] {idst(rnd)}).tupleNew(T, ireg(rnd), 2);
                // the wide function right after a reference move
                case 8 -> f.mov(dreg(rnd), dreg(rnd))
                        .call(0, wide, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)})
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd));
                // a string concatenation in a run
                case 9 -> f.binary(Opcode.STR_CONCAT, S, S, X).binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .tupleGet(idst(rnd), T, rnd.nextInt(2));
                case 10 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), 0).binary(Opcode.DEC_MUL, dreg(rnd), dreg(rnd), Q)
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd));
                case 11 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd)).unary(Opcode.DEC_TO_I64, idst(rnd), Q);
                default -> f.select(dreg(rnd), 14, dreg(rnd), dreg(rnd)).mov(dreg(rnd), dreg(rnd))
                        .tupleGet(idst(rnd), T, rnd.nextInt(2));
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, D_FIRST, S);
        // A: its first three instructions are outer ones (a chain from the call.indirect), then ret
        pb.function(a).emit(Opcode.I64_TO_DEC, 2, 1, 0).binary(Opcode.DEC_ADD, 3, 2, 2).unary(Opcode.DEC_TO_I64, 4, 3)
                .ret(0, 4);
        // B: its first instruction traps decimal_overflow unless x is 0
        pb.function(b).emit(Opcode.I64_TO_DEC, 2, 1, 19).ret(0, 1);
        // R(d): d + R(d - 1), 0 at 0; a decimal right before each call and each ret
        FunctionBuilder r = pb.function(rec);
        Label deeper = r.newLabel();
        Label bottom = r.newLabel();
        r.constI64(2, 0).i64Lt(3, 2, 1).br(3, deeper, bottom);
        r.place(deeper).constI64(4, 1).i64Sub(5, 1, 4).emit(Opcode.I64_TO_DEC, 7, 1, 0)
                .call(0, rec, 0, new int[] {5}, new int[] {6}).i64Add(6, 6, 1).binary(Opcode.DEC_ADD, 7, 7, 7)
                .ret(0, 6);
        r.place(bottom).emit(Opcode.I64_TO_DEC, 7, 1, 0).ret(0, 2);
        pb.function(wide).i64Add(2, 1, 1).tupleNew(3, 2).ret(0, 2).regCount(WIDE);
        return pb.build();
    }

    /** Whether h.f suspends its run (when it can) on odd arguments; set by the suspending test. */
    private static volatile boolean suspendOdd;

    /** The run h.f interrupts on odd arguments (when not null); set by the interrupting test. */
    private static volatile Run interrupting;

    /** h.f(a) = a + 1; charges a mod 3 (of |a|) units; throws on 3. */
    static HostRegistry host() {
        return new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, out, ctx) -> {
                    long v = ((Value.I64) args[0]).value();
                    if (v == 3) {
                        throw new IllegalStateException("three");
                    }
                    ctx.chargeFuel(Math.abs(v) % 3);
                    Run run = interrupting;
                    if (run != null && (v & 1) != 0) {
                        run.interrupt();
                    }
                    if (suspendOdd && ctx.canSuspend() && (v & 1) != 0) {
                        ctx.suspend();
                    }
                    out[0] = Value.i64(v + 1);
                });
    }

    /** Every instruction run (func << 16 | pc), and every call event. */
    private static final class Steps implements TraceSink {
        final int mask;
        final List<Integer> at = new ArrayList<>();
        final List<String> calls = new ArrayList<>();

        Steps(int mask) {
            this.mask = mask;
        }

        @Override
        public int mask() {
            return mask;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            at.add(func << 16 | pc);
        }

        @Override
        public void callEnter(int func, int depth) {
            calls.add("enter " + func + " at depth " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            calls.add("exit " + func + " at depth " + depth);
        }
    }

    private static final List<Value> ARGS = List.of(Value.i64(3));
    private static final int SEEDS = 32;

    @Test
    void everyFuelBudgetEndsAlikeChainedSteppedAndCompiled() throws Exception {
        suspendOdd = false;
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Tiers t = Tiers.of(program(seed), host());
            String what = "seed " + seed;
            Steps steps = new Steps(TraceMask.INSTR | TraceMask.CALL);
            Limits all = Limits.DEFAULT.withFuel(1_000_000);
            Tiers.Outcome full = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS, all,
                    steps);
            long used = full.used(all);
            total += used;
            endings.add(full.trapped() ? full.trap().kind().toString() : "done");
            if (full.trapped()) {
                endings.add(full.trap().kind() + " at " + full.trap().func() + ":" + full.trap().pc() + " depth "
                        + full.trap().stack().size());
            }
            // the chained run's call events are the stepped run's
            Steps calls = new Steps(TraceMask.CALL);
            Tiers.Outcome traced = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS, all,
                    calls);
            Tiers.assertSame("stepped", full, "call-traced", traced, () -> what);
            assertEquals(steps.calls, calls.calls, what + ": call events");
            for (long fuel = 0; fuel <= used + 2; fuel++) {
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                String at = what + " fuel " + fuel;
                Tiers.Outcome stepped = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS,
                        limits, new Steps(TraceMask.INSTR));
                Tiers.Outcome fast = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS,
                        limits, null);
                Tiers.Outcome compiled = Tiers.run(t.compiled, t.compiledHost, new ExecutionContext(), 0, ARGS,
                        limits, null);
                Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
                Tiers.assertSame(fast, compiled, () -> at);
                if (fuel >= used) {
                    // the whole run's end, with what is left of this budget
                    assertEquals(full.literals(), fast.literals(), at);
                    assertEquals(full.kind(), fast.kind(), at);
                    assertEquals(fuel - used, fast.fuelRemaining(), at);
                    assertEquals(full.hostLog().size(), fast.hostLog().size(), at);
                } else {
                    assertEquals(TrapKind.FUEL_EXCEEDED, fast.kind(), at);
                }
            }
        }
        assertTrue(endings.contains("done"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_OVERFLOW"), "endings " + endings);
        assertTrue(endings.contains("HOST_CALL_FAILED"), "endings " + endings);
        // B trapped at its first instruction, called indirectly from main
        assertTrue(endings.contains("DECIMAL_OVERFLOW at 2:0 depth 2"), "endings " + endings);
        assertTrue(total > SEEDS * 50, "ran " + total);
    }

    @Test
    void callDepthAndRegisterLimitsAroundWhatTheRunNeeds() throws Exception {
        suspendOdd = false;
        int depthTraps = 0;
        int registerTraps = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Tiers t = Tiers.of(program(seed), host());
            // the least limits the run passes (its trap, if any, is then another one)
            long depth = least(t, 1, 64, n -> Limits.DEFAULT.withMaxCallDepth(n), TrapKind.CALL_DEPTH_EXCEEDED);
            long regs = least(t, 1, 4096, n -> Limits.DEFAULT.withMaxRegisters((int) n),
                    TrapKind.HEAP_LIMIT_EXCEEDED);
            for (long d : new long[] {0, 1, 2, depth - 1, depth, depth + 1}) {
                if (d >= 0) {
                    TrapKind k = compare(t, Limits.DEFAULT.withMaxCallDepth(d), "seed " + seed + " depth " + d);
                    depthTraps += k == TrapKind.CALL_DEPTH_EXCEEDED ? 1 : 0;
                    // a limit of 0 lets the entry frame run, and traps at a call as 1 does
                    assertEquals(Math.max(d, 1) < depth, k == TrapKind.CALL_DEPTH_EXCEEDED, "seed " + seed + " depth " + d);
                }
            }
            for (long n = regs - 3; n <= regs + 2; n++) {
                TrapKind k = compare(t, Limits.DEFAULT.withMaxRegisters((int) n), "seed " + seed + " registers " + n);
                registerTraps += k == TrapKind.HEAP_LIMIT_EXCEEDED ? 1 : 0;
                assertEquals(n < regs, k == TrapKind.HEAP_LIMIT_EXCEEDED, "seed " + seed + " registers " + n);
            }
        }
        assertTrue(depthTraps > 2 * SEEDS, "depth traps " + depthTraps);
        assertTrue(registerTraps >= 3 * SEEDS, "register limit traps " + registerTraps);
    }

    /** The least limit from lo to hi under which the chained run does not trap {@code kind}. */
    private static long least(Tiers t, long lo, long hi, java.util.function.LongFunction<Limits> limits,
                              TrapKind kind) {
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            Tiers.Outcome o = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS,
                    limits.apply(mid), null);
            if (o.kind() == kind) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Runs under {@code limits} stepped, chained, chained with call events, and compiled: all alike. */
    private static TrapKind compare(Tiers t, Limits limits, String at) {
        Tiers.Outcome stepped = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS, limits,
                new Steps(TraceMask.INSTR | TraceMask.CALL));
        Tiers.Outcome fast = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS, limits, null);
        Tiers.Outcome compiled = Tiers.run(t.compiled, t.compiledHost, new ExecutionContext(), 0, ARGS, limits, null);
        Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
        Tiers.assertSame(fast, compiled, () -> at);
        return fast.kind();
    }

    @Test
    void sinksAttachedAndDetachedBetweenRunsOnOneContext() throws Exception {
        suspendOdd = false;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Tiers t = Tiers.of(program(seed), host());
            Limits limits = Limits.DEFAULT.withFuel(100_000);
            Tiers.Outcome want = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, ARGS, limits,
                    null);
            ExecutionContext shared = new ExecutionContext();
            List<String> first = null;
            for (int round = 0; round < 6; round++) {
                Steps sink = switch (round % 3) {
                    case 0 -> null;
                    case 1 -> new Steps(TraceMask.CALL);
                    default -> new Steps(TraceMask.INSTR | TraceMask.CALL);
                };
                String at = "seed " + seed + " round " + round;
                Tiers.Outcome o = Tiers.run(t.interpreted, t.interpretedHost, shared, 0, ARGS, limits, sink);
                Tiers.assertSame("fresh", want, "shared", o, () -> at);
                if (sink != null) {
                    if (first == null) {
                        first = sink.calls;
                    }
                    assertEquals(first, sink.calls, at + ": call events");
                }
            }
        }
    }

    @Test
    void pausedAtEverySliceAndSuspendedInHostCalls() throws Exception {
        int suspensions = 0;
        try {
            for (long seed = 1; seed <= SEEDS; seed++) {
                suspendOdd = false;
                Tiers t = Tiers.of(program(seed), host());
                String what = "seed " + seed;
                Random rnd = new Random(seed * 17);
                for (int round = 0; round < 3; round++) {
                    long slice = 1 + rnd.nextInt(round == 0 ? 2 : 13);
                    t.lockstep(0, ARGS, slice, 3, what + " slice " + slice, (x, y, pause) -> { });
                }
                suspendOdd = true;
                suspensions += suspended(t, what);
            }
        } finally {
            suspendOdd = false;
        }
        assertTrue(suspensions > SEEDS, "suspensions " + suspensions);
    }

    /**
     * h.f interrupts its own run on odd arguments, inside runs of outer instructions: the chained
     * run pauses right after each such host call, as the stepped run does (same frames, fuel and
     * snapshot bytes), and the first pause's snapshot restored on either tier ends alike.
     */
    @Test
    void hostCallsThatInterruptPauseRightAfterThemChainedAsStepped() throws Exception {
        suspendOdd = false;
        int pauses = 0;
        try {
            for (long seed = 1; seed <= SEEDS; seed++) {
                Tiers t = Tiers.of(program(seed), host());
                Limits limits = Limits.DEFAULT.withFuel(100_000);
                Run a = t.interpreted.start(new ExecutionContext(), 0, ARGS, limits, null);
                Run b = t.interpreted.start(new ExecutionContext(), 0, ARGS, limits, new Steps(TraceMask.INSTR));
                for (int k = 0; ; k++) {
                    String at = "seed " + seed + " pause " + k;
                    interrupting = a;
                    Outcome oa = a.resume();
                    interrupting = b;
                    Outcome ob = b.resume();
                    interrupting = null;
                    assertEquals(Tiers.view(oa), Tiers.view(ob), at);
                    if (!(oa instanceof Outcome.Paused p)) {
                        break;
                    }
                    assertInstanceOf(PauseReason.Interrupted.class, p.reason(), at);
                    pauses++;
                    assertEquals(a.frames(), b.frames(), at);
                    assertEquals(a.fuelRemaining(), b.fuelRemaining(), at);
                    byte[] snap = a.snapshot();
                    assertArrayEquals(snap, b.snapshot(), at);
                    if (k == 0) {
                        assertEquals(Tiers.finish(t.interpreted.restore(snap)), Tiers.finish(t.compiled.restore(snap)),
                                at + " restored");
                    }
                }
            }
        } finally {
            interrupting = null;
        }
        assertTrue(pauses > SEEDS, "pauses " + pauses);
    }

    /** Both tiers, suspended in each host call on an odd argument, resumed with its result: alike throughout. */
    private static int suspended(Tiers t, String what) {
        Run a = t.interpreted.start(0, ARGS, Limits.DEFAULT.withFuel(100_000));
        Run b = t.compiled.start(0, ARGS, Limits.DEFAULT.withFuel(100_000));
        Outcome oa = a.resume();
        Outcome ob = b.resume();
        for (int k = 0; ; k++) {
            String at = what + " suspension " + k;
            assertEquals(Tiers.view(oa), Tiers.view(ob), at);
            if (!(oa instanceof Outcome.Paused p)) {
                return k;
            }
            PauseReason.HostSuspended s = assertInstanceOf(PauseReason.HostSuspended.class, p.reason(), at);
            assertEquals(a.frames(), b.frames(), at);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), at);
            byte[] snap = a.snapshot();
            assertArrayEquals(snap, b.snapshot(), at);
            List<Value> result = List.of(Value.i64(((Value.I64) s.args().get(0)).value() + 1));
            // the interpreter's snapshot, restored on either tier, goes on as the paused run
            Outcome ea = t.interpreted.restore(snap).resumeWith(result);
            Outcome eb = t.compiled.restore(snap).resumeWith(result);
            oa = a.resumeWith(result);
            ob = b.resumeWith(result);
            assertEquals(Tiers.view(oa), Tiers.view(ea), at + " restored on the interpreter");
            assertEquals(Tiers.view(oa), Tiers.view(eb), at + " restored on the compiled tier");
        }
    }
    /**
     * main(n, k): k calls of R(n), added up; R(d) = d + R(d - 1) with a decimal right before its
     * call and right after it returns, so the calls and returns run in the inner loop next to
     * chained outer instructions.
     */
    static Program recursion() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64, I64), List.of(I64));
        int rec = pb.declareFunction(List.of(I64), List.of(I64));
        Label head = f.newLabel();
        Label body = f.newLabel();
        Label done = f.newLabel();
        f.constI64(3, 0).constI64(4, 0).constI64(5, 1).jmp(head);
        f.place(head).i64Lt(6, 3, 2).br(6, body, done);
        f.place(body).call(0, rec, 0, new int[] {1}, new int[] {7}).i64Add(4, 4, 7).i64Add(3, 3, 5).jmp(head);
        f.place(done).ret(0, 4);
        FunctionBuilder r = pb.function(rec);
        Label deeper = r.newLabel();
        Label bottom = r.newLabel();
        r.constI64(2, 0).i64Lt(3, 2, 1).br(3, deeper, bottom);
        r.place(deeper).constI64(4, 1).i64Sub(5, 1, 4).emit(Opcode.I64_TO_DEC, 7, 1, 0)
                .call(0, rec, 0, new int[] {5}, new int[] {6}).binary(Opcode.DEC_ADD, 7, 7, 7).i64Add(6, 6, 1)
                .ret(0, 6);
        r.place(bottom).ret(0, 2);
        return pb.build();
    }

    /**
     * Another thread interrupts a deep recursion again and again: each pause shows a consistent
     * stack, and the paused run, restored on either tier (at the first pauses), and resumed to
     * its end, ends with the one-shot run's result and fuel.
     */
    @Test
    void interruptedFromAnotherThreadDuringDeepRecursion() throws Exception {
        Tiers t = Tiers.of(recursion(), new HostRegistry());
        long n = 3_000;
        long k = 60;
        List<Value> args = List.of(Value.i64(n), Value.i64(k));
        Limits limits = Limits.DEFAULT.withFuel(100_000_000).withMaxCallDepth(n + 2);
        ExecutionContext one = new ExecutionContext();
        List<Value> want = t.interpreted.run(one, 0, args, limits, null);
        assertEquals(List.of(Value.i64(k * n * (n + 1) / 2)), want);
        long wantFuel = one.fuelRemaining();
        for (Vm vm : new Vm[] {t.interpreted, t.compiled}) {
            Run run = vm.start(0, args, limits);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread poker = new Thread(() -> {
                while (!stop.get()) {
                    run.interrupt();
                    java.util.concurrent.locks.LockSupport.parkNanos(300_000);
                }
            });
            poker.start();
            int pauses = 0;
            Outcome o;
            try {
                while ((o = run.resume()) instanceof Outcome.Paused p) {
                    assertInstanceOf(PauseReason.Interrupted.class, p.reason());
                    pauses++;
                    List<Trap.Frame> frames = run.frames();
                    assertEquals(run.depth(), frames.size(), "pause " + pauses);
                    for (int i = 1; i < frames.size() - 1; i++) {
                        assertEquals(1, frames.get(i).func(), "pause " + pauses + " frame " + i);
                    }
                    if (pauses <= 3) {
                        byte[] snap = run.snapshot();
                        for (Vm other : new Vm[] {t.interpreted, t.compiled}) {
                            Run restored = other.restore(snap);
                            assertEquals(new Outcome.Done(want), restored.resume(), "pause " + pauses);
                            assertEquals(wantFuel, restored.fuelRemaining(), "pause " + pauses);
                        }
                    }
                }
            } finally {
                stop.set(true);
                poker.join();
            }
            assertEquals(new Outcome.Done(want), o);
            assertEquals(wantFuel, run.fuelRemaining());
            assertTrue(pauses > 0, "pauses " + pauses);
        }
    }
}
