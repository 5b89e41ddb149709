package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.WordFunction;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One program bound twice, to the interpreter ({@code new Vm}) and to the compiled tier
 * ({@link Jit#compile}), each through its own {@link Recorder} host, plus the means to describe a
 * run completely and to compare two descriptions field by field.
 *
 * <p>What "indistinguishable" means here: the same results (value equality, which is bit-exact for
 * f64 since {@link Value.F64} holds bits, and the same literal text), or the same trap in every
 * field it has (kind, code, function and name, pc, span, host symbol and signature hash, detail,
 * message, the whole call stack and the fuel left); the same {@code fuelRemaining},
 * {@code hostCallsMade} and {@code heapBytesAllocated} of the context; and the same host calls
 * seen from inside (symbol, arguments, the fuel the host was told it had, caller function and pc).
 */
final class Tiers {
    /** the interpreter */
    final Vm interpreted;
    /** the compiled tier */
    final Vm compiled;
    /** host calls of the interpreter's runs */
    final Recorder interpretedHost;
    /** host calls of the compiled tier's runs */
    final Recorder compiledHost;

    /** Lazy linking, as the tiers are compared on calls of host functions the host lacks. */
    static final VmOptions LAZY = VmOptions.DEFAULT.withLazyLinking(true);

    private Tiers(VerifiedProgram p, Host host) {
        this(p, host, false, false);
    }

    private Tiers(VerifiedProgram p, Host host, boolean words) {
        this(p, host, words, false);
    }

    private Tiers(VerifiedProgram p, Host host, boolean words, boolean framed) {
        this.interpretedHost = new Recorder(host, words);
        this.compiledHost = new Recorder(host, words);
        // lazy linking: the differential tests compare the traps of calls to missing host functions
        this.interpreted = new Vm(p, interpretedHost, LAZY);
        this.compiled = framed ? Jit.compileFramed(p, compiledHost, LAZY) : Jit.compile(p, compiledHost, LAZY);
    }

    /**
     * @param p a program that must verify
     * @param host the host both tiers call
     * @param framed whether the compiled tier is {@link Jit#compileFramed} (every call a real call,
     *     through its call site or inline cache) rather than {@link Jit#compile}
     * @return the program on both tiers
     */
    static Tiers of(Program p, Host host, boolean framed) {
        return new Tiers(verified(p), host, false, framed);
    }

    /**
     * {@link Jit#compile(VerifiedProgram, Host)} with other budgets or another way to define classes.
     *
     * @param p the program
     * @param host its host
     * @param budget the tier's budgets
     * @param definer how the tier defines its classes
     * @return a compiled-tier VM
     */
    static Vm compile(VerifiedProgram p, Host host, JitTier.Budget budget, JitTier.Definer definer) {
        return JitTier.compile(p, host, VmOptions.DEFAULT, budget, definer, JitTestAccess.codegen());
    }

    /**
     * @param p a program that must verify
     * @param host the host both tiers call (each through its own {@link Recorder})
     * @return the program on both tiers
     */
    static Tiers of(Program p, Host host) {
        return new Tiers(verified(p), host);
    }

    /**
     * Verifies with the extension that keeps aggregate shapes across blocks (the tier tests'
     * generated programs read aggregates in loop bodies; both tiers run them alike), as every
     * verification in tape-jit's tests does.
     *
     * @param p a program that must verify
     * @return it verified
     * @throws AssertionError when it does not verify
     */
    static VerifiedProgram verified(Program p) {
        try {
            return Verifier.verifyWithShapesAcrossBlocks(p);
        } catch (VerifyException e) {
            throw new AssertionError("the test program does not verify: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code body} on a new thread with a Java stack of {@code stackBytes} and waits for it.
     *
     * @return what {@code body} returned, or the {@link Throwable} it threw
     */
    static Object onThread(int stackBytes, Callable<?> body) throws InterruptedException {
        Object[] got = new Object[1];
        Thread th = new Thread(null, () -> {
            try {
                got[0] = body.call();
            } catch (Throwable e) {
                got[0] = e;
            }
        }, "small-stack", stackBytes);
        th.start();
        th.join();
        return got[0];
    }

    /**
     * @param vp a verified program
     * @param host the host both tiers call (each through its own {@link Recorder})
     * @return the program on both tiers
     */
    static Tiers of(VerifiedProgram vp, Host host) {
        return new Tiers(vp, host);
    }

    /**
     * @param vp a verified program
     * @param host the host both tiers call; its {@link WordFunction}s stay word functions (so that
     *     the tiers call them with words): those of one to three words are not logged, those over
     *     arrays are, with the words they get
     * @return the program on both tiers
     */
    static Tiers ofWords(VerifiedProgram vp, Host host) {
        return new Tiers(vp, host, true);
    }

    /**
     * Everything a trap tells.
     *
     * @param label the manifest label (kind, and code for trap_code)
     * @param kind the kind
     * @param func the trapping function
     * @param funcName its name
     * @param pc the trapping byte pc
     * @param span the span id, or {@link Trap#NO_SPAN}
     * @param hostSymbol the host symbol, or null
     * @param sigHash the host signature hash, or 0
     * @param detail the detail
     * @param message the whole message
     * @param stack the call stack, innermost first (its ends when frames are elided)
     * @param elidedFrames the frames left out of {@code stack}
     * @param fuelRemaining the fuel left that the trap reports
     */
    record TrapView(String label, TrapKind kind, int func, String funcName, int pc, long span, String hostSymbol,
                    long sigHash, String detail, String message, List<Trap.Frame> stack, int elidedFrames,
                    long fuelRemaining) {
        static TrapView of(Trap t) {
            return new TrapView(t.label(), t.kind(), t.func(), t.funcName(), t.pc(), t.span(), t.hostSymbol(),
                    t.sigHash(), t.detail(), t.getMessage(), t.stack(), t.elidedFrames(), t.fuelRemaining());
        }

        @Override
        public String toString() {
            String frames = stack.size() <= 6 ? stack.toString()
                    : stack.subList(0, 3) + " ... " + stack.size() + " frames ... " + stack.subList(stack.size() - 2,
                    stack.size());
            return "trap " + label + " func " + func + " pc " + pc + " span " + Trap.spanText(span) + " fuel "
                    + fuelRemaining + " host " + hostSymbol + " stack " + frames + " elided " + elidedFrames + " ("
                    + message + ")";
        }
    }

    /**
     * How one run ended, completely.
     *
     * @param results the results, or null when the run trapped
     * @param literals the results as value literals (f64 as bits), or null
     * @param trap the trap, or null
     * @param fuelRemaining the context's fuel left after the run
     * @param hostCalls the context's host calls made
     * @param heapBytes the context's heap bytes allocated
     * @param hostLog the host calls the run made, as the host saw them
     */
    record Outcome(List<Value> results, List<String> literals, TrapView trap, long fuelRemaining, long hostCalls,
                   long heapBytes, List<String> hostLog) {
        boolean trapped() {
            return trap != null;
        }

        /** @return the trap's kind, or null */
        TrapKind kind() {
            return trap == null ? null : trap.kind();
        }

        /** @return the fuel the run used under {@code limits} */
        long used(Limits limits) {
            return limits.fuel() - fuelRemaining;
        }

        @Override
        public String toString() {
            String log = hostLog.size() <= 4 ? hostLog.toString() : hostLog.subList(0, 4) + " ... (" + hostLog.size()
                    + " host calls)";
            return (trap == null ? "ok " + literals : trap.toString()) + "; ctx fuel " + fuelRemaining + ", host calls "
                    + hostCalls + ", heap " + heapBytes + ", host saw " + log;
        }
    }

    /**
     * Runs a function and describes the outcome. Anything but a result or a {@link Trap} escaping
     * {@code run} (which promises that nothing else does) fails the test.
     *
     * @param rec the recorder of the VM's host (its log is cleared first), or null
     */
    static Outcome run(Vm vm, Recorder rec, ExecutionContext ctx, int entry, List<Value> args, Limits limits,
                       TraceSink sink) {
        if (rec != null) {
            rec.log.clear();
        }
        List<Value> out;
        TrapView trap = null;
        try {
            out = vm.run(ctx, entry, args, limits, sink);
        } catch (Trap t) {
            out = null;
            trap = TrapView.of(t);
        }
        List<String> lits = null;
        if (out != null) {
            lits = new ArrayList<>(out.size());
            for (Value v : out) {
                lits.add(literal(v));
            }
        }
        List<String> log = rec == null ? List.of() : List.copyOf(rec.log);
        return new Outcome(out, lits, trap, ctx.fuelRemaining(), ctx.hostCallsMade(), ctx.heapBytesAllocated(), log);
    }

    /** Where {@link #literal} cuts a value too large for {@link ValueLiteral#format(Value)}. */
    static final int CUT = 4096;
    /** What ends a literal {@link #literal} cut. */
    static final String CUT_MARK = " (cut)";

    /**
     * The value's literal ({@link ValueLiteral#format(Value)}, any depth), or, for a value too large
     * to render whole (which a program can build cheaply, see docs/SECURITY.md), its first
     * {@value #CUT} chars followed by {@link #CUT_MARK}. Such values are compared by this text
     * only.
     */
    static String literal(Value v) {
        try {
            return ValueLiteral.format(v);
        } catch (IllegalArgumentException e) {
            return ValueLiteral.format(v, CUT) + CUT_MARK;
        }
    }

    /** @return whether every literal is whole (so the values may be compared with {@code equals}) */
    private static boolean whole(List<String> literals) {
        return literals == null || literals.stream().noneMatch(l -> l.endsWith(CUT_MARK));
    }

    /** Runs on the interpreter with a fresh context and no sink. */
    Outcome interpret(int entry, List<Value> args, Limits limits) {
        return run(interpreted, interpretedHost, new ExecutionContext(), entry, args, limits, null);
    }

    /** Runs on the compiled tier with a fresh context and no sink. */
    Outcome compile(int entry, List<Value> args, Limits limits) {
        return run(compiled, compiledHost, new ExecutionContext(), entry, args, limits, null);
    }

    /**
     * Runs on both tiers with fresh contexts and asserts the outcomes are the same.
     *
     * @return the (common) outcome
     */
    Outcome check(int entry, List<Value> args, Limits limits, String what) {
        Outcome i = interpret(entry, args, limits);
        Outcome c = compile(entry, args, limits);
        assertSame(i, c, () -> what + " (entry " + entry + ", args " + args + ", " + limits + ")");
        return i;
    }

    /**
     * {@link #check} at every fuel limit from 0 to one past the fuel {@code full} (the outcome of
     * the same run at {@code Limits.DEFAULT}) used, each named {@code what + " fuel " + fuel}.
     */
    void everyFuel(int entry, List<Value> args, Outcome full, String what) {
        long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
        for (long fuel = 0; fuel <= used + 1; fuel++) {
            check(entry, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
        }
    }

    /**
     * {@link #check} at every fuel limit from 0 to two past the fuel {@code whole} (the outcome of
     * the same run at {@code Limits.DEFAULT}) used, each named {@code what + " fuel " + fuel}; every
     * limit below that traps {@code fuel_exceeded}.
     */
    void everyFuelTrapsBelow(int entry, List<Value> args, Outcome whole, String what) {
        long used = whole.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            Outcome o = check(entry, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            if (fuel < used) {
                assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), what + " fuel " + fuel);
            }
        }
    }

    /**
     * {@link #check} at every heap limit from 0 to one past the bytes {@code whole} (the outcome of
     * the same run at {@code Limits.DEFAULT}) allocated, each named {@code what + " heap " + bytes};
     * every limit below that traps {@code heap_limit_exceeded}.
     *
     * @return how many limits trapped so (the bytes {@code whole} allocated)
     */
    int everyHeapTrapsBelow(int entry, List<Value> args, Outcome whole, String what) {
        int traps = 0;
        for (long heap = 0; heap <= whole.heapBytes() + 1; heap++) {
            Outcome o = check(entry, args, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
            if (heap < whole.heapBytes()) {
                assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), what + " heap " + heap);
                traps++;
            }
        }
        return traps;
    }

    /**
     * {@link #check} with fuel and heap both short, near where the run runs out of each: every
     * pair of a fuel limit and a heap limit from half to all of what {@code whole} used, in
     * {@code steps} steps or so of each ({@code what + " fuel " + fuel + " heap " + heap}).
     */
    void fuelAndHeapShort(int entry, List<Value> args, Outcome whole, int steps, String what) {
        long used = whole.used(Limits.DEFAULT);
        long bytes = whole.heapBytes();
        for (long fuel = used / 2; fuel <= used; fuel += 1 + used / steps) {
            for (long heap = bytes / 2; heap <= bytes; heap += 1 + bytes / steps) {
                check(entry, args, Limits.DEFAULT.withFuel(fuel).withMaxHeapBytes(heap),
                        what + " fuel " + fuel + " heap " + heap);
            }
        }
    }

    /**
     * {@link #check} at every call-depth limit from 0 to {@code maxDepth} ({@code what + " depth " + d}),
     * then at every register limit from 1 to {@code maxRegs} ({@code what + " regs " + regs}).
     */
    void everyDepthThenRegisters(int entry, List<Value> args, long maxDepth, int maxRegs, String what) {
        for (long d = 0; d <= maxDepth; d++) {
            check(entry, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
        }
        for (int regs = 1; regs <= maxRegs; regs++) {
            check(entry, args, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
        }
    }

    /**
     * {@link #check} at every register limit from 1 to {@code maxRegs}, each with every call-depth
     * limit from 0 to {@code maxDepth} ({@code what + " regs " + regs + " depth " + d}).
     */
    void everyRegistersAndDepth(int entry, List<Value> args, int maxRegs, long maxDepth, String what) {
        for (int regs = 1; regs <= maxRegs; regs++) {
            for (long d = 0; d <= maxDepth; d++) {
                check(entry, args, Limits.DEFAULT.withMaxRegisters(regs).withMaxCallDepth(d),
                        what + " regs " + regs + " depth " + d);
            }
        }
    }

    /**
     * Asserts that two outcomes are the same in every field, naming the first field that differs.
     *
     * @param interpreted the interpreter's outcome
     * @param compiled the compiled tier's outcome
     * @param what what ran, for the failure message
     */
    static void assertSame(Outcome interpreted, Outcome compiled, Supplier<String> what) {
        assertSame("interpreted", interpreted, "compiled", compiled, what);
    }

    /**
     * Asserts that two runs' outcomes are the same in every field, naming the first field that
     * differs and each run.
     */
    static void assertSame(String nameA, Outcome a, String nameB, Outcome b, Supplier<String> what) {
        String field = firstDifference(a, b);
        if (field != null) {
            fail(what.get() + ": the runs differ in " + field + "\n  " + nameA + ": " + a + "\n  " + nameB + ": " + b);
        }
    }

    private static String firstDifference(Outcome a, Outcome b) {
        if ((a.trap == null) != (b.trap == null)) {
            return "how the run ended";
        }
        if (!Objects.equals(a.literals, b.literals)) {
            return "result literals";
        }
        if (whole(a.literals) && whole(b.literals) && !Objects.equals(a.results, b.results)) {
            return "results";
        }
        if (a.trap != null) {
            TrapView x = a.trap;
            TrapView y = b.trap;
            if (!x.label.equals(y.label) || x.kind != y.kind) {
                return "trap kind";
            }
            if (x.func != y.func || !Objects.equals(x.funcName, y.funcName)) {
                return "trap function";
            }
            if (x.pc != y.pc) {
                return "trap pc";
            }
            if (x.span != y.span) {
                return "trap span";
            }
            if (!Objects.equals(x.hostSymbol, y.hostSymbol) || x.sigHash != y.sigHash) {
                return "trap host symbol";
            }
            if (x.elidedFrames != y.elidedFrames) {
                return "elided call stack frames (" + x.elidedFrames + " vs " + y.elidedFrames + ")";
            }
            if (x.stack.size() != y.stack.size()) {
                return "call stack depth (" + x.stack.size() + " vs " + y.stack.size() + ")";
            }
            for (int i = 0; i < x.stack.size(); i++) {
                if (!x.stack.get(i).equals(y.stack.get(i))) {
                    return "call stack frame " + i + " (" + x.stack.get(i) + " vs " + y.stack.get(i) + ")";
                }
            }
            if (x.fuelRemaining != y.fuelRemaining) {
                return "the trap's fuel left";
            }
            if (!Objects.equals(x.detail, y.detail) || !Objects.equals(x.message, y.message)) {
                return "trap message";
            }
        }
        if (a.fuelRemaining != b.fuelRemaining) {
            return "fuelRemaining";
        }
        if (a.hostCalls != b.hostCalls) {
            return "hostCallsMade";
        }
        if (a.heapBytes != b.heapBytes) {
            return "heapBytesAllocated";
        }
        if (!a.hostLog.equals(b.hostLog)) {
            for (int i = 0; i < Math.min(a.hostLog.size(), b.hostLog.size()); i++) {
                if (!a.hostLog.get(i).equals(b.hostLog.get(i))) {
                    return "host call " + i + " as the host saw it (" + a.hostLog.get(i) + " vs " + b.hostLog.get(i)
                            + ")";
                }
            }
            return "the host calls made (" + a.hostLog.size() + " vs " + b.hostLog.size() + ")";
        }
        return null;
    }

    /**
     * A host that wraps another and logs each call as the host sees it: symbol, arguments, the fuel
     * it is told is left, the calling function and pc. It also counts calls made while compiled code
     * is on the Java stack, which is how tests tell that compiled code really ran. Not thread-safe:
     * for single-threaded tests.
     */
    static final class Recorder implements Host {
        private final Host delegate;
        /** whether word functions are passed through unwrapped */
        private final boolean words;
        /** the calls of the current run */
        final List<String> log = new ArrayList<>();
        /** calls made with compiled code on the stack, over all runs */
        long fromCompiledCode;
        /** calls made from the interpreter, over all runs */
        long fromInterpreter;

        Recorder(Host delegate) {
            this(delegate, false);
        }

        Recorder(Host delegate, boolean words) {
            this.delegate = delegate;
            this.words = words;
        }

        @Override
        public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
            HostFunction fn = delegate.resolve(symbol, sigHash, args, rets);
            if (fn == null) {
                return null;
            }
            if (words && fn instanceof WordFunction wf) {
                if (wf.shape() != WordFunction.WORDS) {
                    return fn;
                }
                // a word function that sees its context: logged as a word function, so still called with words
                WordFunction.Words inner = (WordFunction.Words) wf.function();
                return WordFunction.ofArrays(wf.signature(), (a, out, ctx) -> {
                    log.add(symbol + java.util.Arrays.toString(a) + " fuel " + ctx.fuelRemaining() + " at "
                            + ctx.callerFunction() + ':' + ctx.callerPc());
                    inner.call(a, out, ctx);
                });
            }
            return (a, out, ctx) -> {
                StringBuilder b = new StringBuilder(symbol).append('(');
                for (int i = 0; i < a.length; i++) {
                    b.append(i > 0 ? ", " : "").append(literal(a[i]));
                }
                b.append(") fuel ").append(ctx.fuelRemaining()).append(" at ").append(ctx.callerFunction())
                        .append(':').append(ctx.callerPc());
                log.add(b.toString());
                if (compiledFramesOnStack() > 0) {
                    fromCompiledCode++;
                } else {
                    fromInterpreter++;
                }
                fn.call(a, out, ctx);
            };
        }
    }

    /**
     * @return how many frames of compiled program code (methods {@code f<id>} of the compiled tier's
     *     hidden classes, {@code dev.tape.vm.JitCode}, not the trampolines {@code t<id>} of
     *     {@code WordParams}) are on the calling thread's stack
     */
    static long compiledFramesOnStack() {
        return StackWalker.getInstance(StackWalker.Option.SHOW_HIDDEN_FRAMES)
                .walk(s -> s.filter(f -> f.getClassName().startsWith("dev.tape.vm.JitCode")
                        && f.getMethodName().startsWith("f")).count());
    }

    /** A run's outcome, comparable: a trap as its {@link TrapView} (everything it tells). */
    static Object view(dev.tape.vm.Outcome o) {
        return o instanceof dev.tape.vm.Outcome.Trapped tr ? TrapView.of(tr.trap()) : o;
    }

    /**
     * Runs a (restored) run whose host calls do not suspend to its end in slices of 1,000 fuel.
     *
     * @return as {@link #finish(Run, List)}
     */
    static List<Object> finish(Run r) {
        return finish(r, List.of());
    }

    /**
     * Runs a (restored) run to its end in slices of 1,000 fuel, giving each suspended host call
     * the results {@code answer}.
     *
     * @return its end as {@link #view} shows it, the fuel left and the host calls made
     */
    static List<Object> finish(Run r, List<Value> answer) {
        dev.tape.vm.Outcome end = null;
        while (true) {
            if (end == null && r.suspendedCall() != null
                    || end instanceof dev.tape.vm.Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended) {
                end = r.resumeWith(answer);
            } else if (end == null || end instanceof dev.tape.vm.Outcome.Paused) {
                r.addFuel(1_000);
                end = r.resume();
            } else {
                return List.of(view(end), r.fuelRemaining(), r.hostCallsMade());
            }
        }
    }

    /** What a test checks besides {@link #lockstep}'s own checks at each pause. */
    interface AtPause {
        /**
         * @param interpreted the interpreted run, paused
         * @param compiled the compiled run, paused at the same point
         * @param pause the pause's number, from 1
         */
        void check(Run interpreted, Run compiled, int pause) throws Exception;
    }

    /**
     * Runs {@code entry(args)} on both tiers in slices of {@code slice} fuel, side by side: after
     * each slice the two outcomes are equal ({@link #view}); at each pause the frames, the fuel
     * left and the snapshot bytes are equal, {@code atPause} checks the rest, and at every
     * {@code restoreEvery}-th pause (the 1st, then every {@code restoreEvery}) runs restored from the
     * compiled run's snapshot on both tiers end alike ({@link #finish}).
     *
     * @return the number of pauses
     */
    int lockstep(int entry, List<Value> args, long slice, int restoreEvery, String what, AtPause atPause)
            throws Exception {
        Limits limits = Limits.DEFAULT.withFuel(slice);
        Run a = interpreted.start(entry, args, limits);
        Run b = compiled.start(entry, args, limits);
        int pauses = 0;
        while (true) {
            dev.tape.vm.Outcome oa = a.resume();
            dev.tape.vm.Outcome ob = b.resume();
            assertEquals(view(oa), view(ob), what + " pause " + pauses);
            if (!(oa instanceof dev.tape.vm.Outcome.Paused)) {
                return pauses;
            }
            pauses++;
            assertEquals(a.frames(), b.frames(), what + " pause " + pauses);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), what + " pause " + pauses);
            atPause.check(a, b, pauses);
            byte[] snap = b.snapshot();
            assertArrayEquals(a.snapshot(), snap, what + " pause " + pauses);
            if ((pauses - 1) % restoreEvery == 0) {
                assertEquals(finish(interpreted.restore(snap)), finish(compiled.restore(snap)),
                        what + " restored at pause " + pauses);
            }
            a.addFuel(slice);
            b.addFuel(slice);
        }
    }

    /**
     * A random program for a seed: its assembly text and the arguments of its function 0 (the
     * sweeps below run function 0).
     *
     * @param source the program's assembly text
     * @param args function 0's arguments
     */
    record Generated(String source, List<Value> args) {}

    /** What a sweep checks of each program besides its own checks: {@link #fuelAndHeapSweep}. */
    @FunctionalInterface
    interface SeedCheck {
        /**
         * @param g the program
         * @param vp the program, verified
         * @param t both tiers of it
         * @param full its outcome at {@code Limits.DEFAULT}
         * @param what names the seed and holds the text, for failure messages
         */
        void check(Generated g, VerifiedProgram vp, Tiers t, Outcome full, String what) throws Exception;
    }

    /**
     * For each seed from {@code from} (inclusive) to {@code to}: {@code generator}'s program on
     * both tiers at {@code Limits.DEFAULT}, {@link #everyFuel}, {@code more}, then at every heap
     * limit from 400 bytes under what the run allocates to one past it.
     *
     * @return how many of the heap-limited runs trapped {@code heap_limit_exceeded}
     */
    static int fuelAndHeapSweep(long from, long to, LongFunction<Generated> generator,
                                SeedCheck more) throws Exception {
        int heapTraps = 0;
        for (long seed = from; seed < to; seed++) {
            Generated g = generator.apply(seed);
            VerifiedProgram vp = JitLeafInlineTest.verified(g.source());
            Tiers t = of(vp, Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            t.everyFuel(0, g.args(), full, what);
            more.check(g, vp, t, full, what);
            long heap = full.heapBytes();
            for (long b = Math.max(0, heap - 400); b <= heap + 1; b++) {
                Outcome o = t.check(0, g.args(), Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
                if (o.trap() != null && o.trap().toString().contains("heap_limit")) {
                    heapTraps++;
                }
            }
        }
        return heapTraps;
    }

    /**
     * For each seed from {@code from} (inclusive) to {@code to}: {@code generator}'s program on
     * both tiers at every call-depth limit from 0 to 4, then every register limit from 1 to 80
     * ({@link #everyDepthThenRegisters}).
     */
    static void depthAndRegisterSweep(long from, long to, LongFunction<Generated> generator)
            throws Exception {
        for (long seed = from; seed < to; seed++) {
            Generated g = generator.apply(seed);
            Tiers t = of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            t.everyDepthThenRegisters(0, g.args(), 4, 80, "seed " + seed + "\n" + g.source());
        }
    }

    /**
     * For each seed from {@code from} (inclusive) to {@code to}: {@code generator}'s program on
     * both tiers in {@link #lockstep}, in slices of 1 to 12 fuel (drawn from the seed), restored
     * at every second pause.
     *
     * @return the pauses, over all seeds
     */
    static int pauseSweep(long from, long to, LongFunction<Generated> generator) throws Exception {
        int pauses = 0;
        for (long seed = from; seed < to; seed++) {
            Generated g = generator.apply(seed);
            Tiers t = of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, g.args(), slice, 2, "seed " + seed + " slice " + slice + "\n" + g.source(),
                    (a, b, pause) -> { });
        }
        return pauses;
    }

    /**
     * For each seed from {@code from} (inclusive) to {@code to}, on a thread of a
     * {@code stackBytes}-byte Java stack: {@code generator}'s program on both tiers at
     * {@code Limits.DEFAULT} ({@link #check}); fails with the first disagreement or throwable.
     */
    static void smallStackSweep(int stackBytes, long from, long to, LongFunction<Generated> generator)
            throws Exception {
        Object got = onThread(stackBytes, () -> {
            for (long seed = from; seed < to; seed++) {
                Generated g = generator.apply(seed);
                Tiers t = of(JitLeafInlineTest.verified(g.source()), Host.NONE);
                t.check(0, g.args(), Limits.DEFAULT, "seed " + seed + "\n" + g.source());
            }
            return "ok";
        });
        assertEquals("ok", got instanceof Throwable e ? e.toString() : got);
    }
}
