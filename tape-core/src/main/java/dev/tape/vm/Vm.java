package dev.tape.vm;

import dev.tape.TapeException;
import dev.tape.classinit.ClassInit;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.WordFunction;
import dev.tape.jfr.RunEvent;
import dev.tape.jfr.TapeEvents;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.verify.VerifiedProgram;

import java.util.ArrayList;
import java.util.List;

/**
 * The interpreter for a {@link VerifiedProgram} bound to a {@link Host} (spec section "Execution
 * model (v1)"). Making a VM resolves every host signature once (linking: a {@link LinkException}
 * lists every import the host lacks, unless {@link VmOptions#lazyLinking()}). A VM holds no run
 * state, so one VM may run on many threads at once, each run with its own {@link ExecutionContext};
 * {@link #function(String)} gives a {@link FunctionHandle} to call a function by name.
 *
 * <p>Frames live on the heap, never on the Java stack: recursion is bounded by
 * {@link Limits#maxCallDepth()} and {@link Limits#maxRegisters()}, never by a
 * {@code StackOverflowError}. No Java exception escapes {@code run}: every failure of the
 * program, a host function or a trace sink is a {@link Trap}.
 */
public final class Vm {
    final VerifiedProgram verified;
    final Program program;
    final LoweredFunction[] funcs;
    /** all functions' code in one array: what the interpreter runs */
    final CodeImage image;
    final HostFunction[] hostFns;
    /**
     * per host signature: its function when it is a {@link WordFunction} of exactly that
     * signature, which both tiers call with words ({@link WordCalls}); else null
     */
    final WordFunction[] hostWords;
    /**
     * per host signature: how the interpreter's {@code host_call} may call its function inline
     * ({@link WordCalls#quick}): the shape ({@link WordFunction#OF1} to {@link WordFunction#OF3})
     * of a one-to-three-word {@link #hostWords} function, plus {@link WordCalls#QUICK_BOOL} when its
     * result is a {@code bool}; 0 for any other function, which takes {@link Calls#host}
     */
    final byte[] hostQuick;
    /**
     * per host signature: the Java function ({@link WordFunction#function()}) of a signature whose
     * {@link #hostQuick} is not 0, else null: {@link WordCalls#quick} reads it with one load less
     * than through {@link #hostWords}
     */
    final Object[] hostQuickFns;
    final String[] hostSymbols;
    final HostSig[] hostSigs;
    /** per host signature: argument kinds */
    final ValueKind[][] hostArgKinds;
    /** per host signature: result types */
    final ValueType[][] hostRetTypes;
    /** a compiled tier (set once by {@code tape-jit} before the VM is shared), or null */
    CompiledTier tier;

    /** per host signature: why it did not link ({@link Linker#detail} is the trap's detail), or null when it did */
    final LinkException.Problem[] hostProblems;

    /**
     * Makes a VM with {@link VmOptions#DEFAULT}: eager linking.
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException when the host does not provide one or more of the program's host
     *     imports (all are listed), or its resolver threw
     */
    public Vm(VerifiedProgram program, Host host) {
        this(program, host, VmOptions.DEFAULT);
    }

    /**
     * Makes a VM. Resolves every host import (spec section "Host ABI") once, now.
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @param options how to link ({@link VmOptions#lazyLinking()})
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException with eager linking, when the host does not provide one or more of the
     *     program's host imports (all are listed), or its resolver threw
     */
    public Vm(VerifiedProgram program, Host host, VmOptions options) {
        if (program == null || host == null || options == null) {
            throw new IllegalArgumentException("program, host and options are required");
        }
        this.verified = program;
        this.program = program.program();
        this.funcs = Lowered.functions(program).toArray(new LoweredFunction[0]);
        this.image = Lowered.image(program);
        List<HostSig> sigs = this.program.hostSigs();
        this.hostFns = new HostFunction[sigs.size()];
        this.hostSymbols = new String[sigs.size()];
        this.hostSigs = sigs.toArray(new HostSig[0]);
        this.hostArgKinds = new ValueKind[sigs.size()][];
        this.hostRetTypes = new ValueType[sigs.size()][];
        for (int i = 0; i < sigs.size(); i++) {
            HostSig s = sigs.get(i);
            hostArgKinds[i] = s.args().stream().map(ValueType::kind).toArray(ValueKind[]::new);
            hostRetTypes[i] = s.rets().toArray(new ValueType[0]);
            hostSymbols[i] = this.program.symbols().get(s.symbolId());
        }
        this.hostProblems = new LinkException.Problem[sigs.size()];
        Linker.link(host, hostSymbols, hostSigs, options.lazyLinking(), hostFns, hostProblems);
        this.hostWords = new WordFunction[sigs.size()];
        for (int i = 0; i < sigs.size(); i++) {
            if (hostFns[i] instanceof WordFunction f && f.fits(hostSigs[i].args(), hostSigs[i].rets())) {
                hostWords[i] = f;
            }
        }
        this.hostQuick = new byte[sigs.size()];
        this.hostQuickFns = new Object[sigs.size()];
        for (int i = 0; i < sigs.size(); i++) {
            hostQuick[i] = WordCalls.quickShape(hostWords[i], hostRetTypes[i]);
            hostQuickFns[i] = hostQuick[i] == 0 ? null : hostWords[i].function();
        }
    }

    /**
     * The verified program this VM runs.
     *
     * @return the program this VM runs
     */
    public VerifiedProgram program() {
        return verified;
    }

    /**
     * Runs a function with a fresh context and no tracing.
     *
     * @param entry the function id
     * @param args the arguments, matching the function's signature
     * @param limits the run's limits (not null: {@link Limits#DEFAULT} are the defaults)
     * @return the function's results, in order
     * @throws Trap when the run traps, or the entry or arguments do not fit the function
     * @throws IllegalArgumentException when {@code limits} is null
     */
    public List<Value> run(int entry, List<Value> args, Limits limits) throws Trap {
        return run(new ExecutionContext(), entry, args, limits, null);
    }

    /**
     * Runs a function.
     *
     * @param ctx the context to run in (its previous state is discarded, and a paused {@link Run} of
     *     it is abandoned: see {@link Run}, "Contexts"; when the run ends it
     *     holds no value of the run, and register files or frame records the run grew past
     *     {@link ExecutionContext#RETAIN_REGISTERS} or {@link ExecutionContext#RETAIN_FRAMES} are
     *     dropped)
     * @param entry the function id, 0 to functionCount - 1 (another id traps {@code invalid_entry})
     * @param args the arguments: as many as the function takes (else {@code arity_mismatch}), each
     *     of exactly the declared type (else {@code type_mismatch}); both trap at pc 0
     * @param limits the run's limits (not null: {@link Limits#DEFAULT} are the defaults)
     * @param sink a trace sink, or {@code null} for none
     * @return the function's results, in order
     * @throws Trap when the run traps; a trace sink that throws (even a {@code Trap} of another
     *     run, or an {@code Error}) makes the run trap {@code internal_error}, except at
     *     {@code runEnd}, told once, whose throwable leaves the run's result or trap as it was
     * @throws ThreadDeath when the thread is being stopped while a trace sink's callback runs: the
     *     run ends as at a sink's other {@code Error} ({@code internal_error}, told to the sink's
     *     {@code runEnd}, the context left reusable; from {@code runEnd} itself, with the result or
     *     trap it had, which the JFR events record) and the {@code ThreadDeath} is thrown on
     * @throws IllegalArgumentException when {@code ctx} or {@code limits} is null
     * @throws IllegalStateException when a run is executing in {@code ctx} (a host function or trace
     *     sink of that run, or another thread, called this; the executing run is left as it was)
     */
    public List<Value> run(ExecutionContext ctx, int entry, List<Value> args, Limits limits, TraceSink sink)
            throws Trap {
        if (ctx == null || limits == null) {
            throw new IllegalArgumentException(ctx == null ? "the execution context is null" : "the limits are null "
                    + "(Limits.DEFAULT are the defaults)");
        }
        ctx.enter();
        try {
            return runIn(ctx, entry, args, limits, sink);
        } finally {
            // the mark cleared without a call: at the edge of the Java stack a StackOverflowError
            // escaping the run must not leave the context marked as executing
            ctx.executing = false;
        }
    }

    /** {@link #run(ExecutionContext, int, List, Limits, TraceSink)} in a context marked as executing. */
    private List<Value> runIn(ExecutionContext ctx, int entry, List<Value> args, Limits limits, TraceSink sink)
            throws Trap {
        int mask = maskOf(sink);
        ctx.reset(limits, sink, mask);
        int[] nesting = NESTING.get();
        nesting[0]++;
        RunEvent event = null;
        Trap failure = null;
        List<Value> out;
        Error stop = null;
        try {
            // inside the try: a StackOverflowError here (a run made with almost no stack left)
            // must not skip the nesting count's decrement below
            event = TapeEvents.runBegin();
            if ((mask & TraceMask.RUN) != 0) {
                sink.runStart(program, entry, args == null ? 0 : args.size());
            }
            if (nesting[0] > MAX_RUN_NESTING) {
                throw entryTrap(ctx, TrapKind.CALL_DEPTH_EXCEEDED, entry, "runs nested through host functions on this "
                        + "thread would be " + nesting[0] + " deep; the limit is " + MAX_RUN_NESTING);
            }
            prepare(ctx, entry, args);
            out = drive(ctx, entry);
            if ((mask & TraceMask.RUN) != 0) {
                stop = returned(ctx, limits);
            }
        } catch (Trap t) {
            // the trap noted before runEnd is told, whose ThreadDeath must not leave the JFR event ok
            failure = t.origin != ctx ? internal(ctx, t) : t;
            throw ended(ctx, failure);
        } catch (RuntimeException | StackOverflowError e) {
            failure = internal(ctx, e);
            throw ended(ctx, failure);
        } catch (OutOfMemoryError e) {
            // outside any instruction (the loops turn their own into traps at the instruction)
            ctx.dropRegisters();
            failure = simpleTrap(ctx, TrapKind.HEAP_LIMIT_EXCEEDED, "the JVM ran out of memory");
            throw ended(ctx, failure);
        } catch (Error e) {
            // any other Error (a trace sink's AssertionError, an embedder's own): as an exception;
            // a ThreadDeath ends the run so and is thrown on
            failure = internal(ctx, e);
            ended(ctx, failure);
            stopping(e);
            throw failure;
        } finally {
            // first: the event's end may itself run out of stack
            nesting[0]--;
            if (event != null) {
                observed(event, entry, ctx, failure);
            }
            // results and trap are built: let go of the registers (see ExecutionContext)
            ctx.release();
        }
        if (stop != null) {
            stopping(stop);
        }
        return out;
    }

    /**
     * Tells the sink's {@code runEnd} that a run returned: what it throws leaves the run's result
     * as it is ({@code TraceSink}'s rule, as a {@link Run}'s {@code Done} stays).
     *
     * @return the {@code ThreadDeath} it threw, to be thrown on once the run has ended; else null
     */
    @SuppressWarnings("removal")
    private Error returned(ExecutionContext ctx, Limits limits) {
        try {
            ctx.sink.runEnd(program, false, limits.fuel() - ctx.fuelLeft());
        } catch (RuntimeException | Error e) {
            // the result already describes the run (as in Run's finish)
            if (e instanceof ThreadDeath d) {
                return d;
            }
        }
        return null;
    }

    /**
     * Starts a run of a function as a value that runs only when resumed: see {@link Run} for
     * pausing on fuel, interrupts, deadlines and host suspension. Runs in a fresh context, untraced.
     * Nothing runs yet; an entry or arguments that do not fit are the first
     * {@link Run#resume()}'s {@link Outcome.Trapped} (as {@link #run} would throw them).
     *
     * @param entry the function id
     * @param args the arguments, matching the function's signature
     * @param limits the run's limits; {@link Limits#fuel()} is the fuel it starts with
     *     ({@link Run#addFuel} gives more)
     * @return the run, not yet started
     */
    public Run start(int entry, List<Value> args, Limits limits) {
        return start(new ExecutionContext(), entry, args, limits, null);
    }

    /**
     * {@link #start(int, List, Limits)} in a given context, optionally traced (as {@link #run}
     * with a context and a sink). The context belongs to the run until the run ends (its outcome is
     * {@link Outcome.Done} or {@link Outcome.Trapped}): use it for nothing else until then.
     *
     * @param ctx the context the run keeps its state in (its previous state is discarded, and a
     *     paused {@link Run} of it is abandoned: see {@link Run}, "Contexts")
     * @param entry the function id
     * @param args the arguments, matching the function's signature
     * @param limits the run's limits
     * @param sink a trace sink, or {@code null}; a run traced with call, host or instruction
     *     events is interpreted
     * @return the run, not yet started
     * @throws IllegalArgumentException when {@code ctx} or {@code limits} is null
     * @throws IllegalStateException when a run is executing in {@code ctx} (as
     *     {@link #run(ExecutionContext, int, List, Limits, TraceSink)}), or another thread is
     *     starting or restoring a run in it
     * @throws ThreadDeath when the thread is being stopped while the sink's {@code mask} or
     *     {@code runStart} runs
     */
    public Run start(ExecutionContext ctx, int entry, List<Value> args, Limits limits, TraceSink sink) {
        // Run's and the snapshots' classes, initialised up front (see ClassInit)
        ClassInit.runs();
        if (ctx == null || limits == null) {
            throw new IllegalArgumentException("a context and limits are required");
        }
        // the context is marked as executing while it is reset and given to the new run, so that a
        // run that another thread resumes in it meanwhile is refused rather than reset under
        ctx.enter();
        try {
            return new Run(this, ctx, entry, args, limits, sink);
        } finally {
            ctx.executing = false;
        }
    }

    /**
     * Restores a paused run from a snapshot ({@link Run#snapshot()}, format {@code docs/SNAPSHOT.md})
     * taken on a VM of the same program (the same {@link VerifiedProgram#hash()}), in this JVM or
     * another, on either tier: the run it gives is paused where the snapshot's run was and ends
     * exactly as that run would (results or trap, fuel used, host calls), when resumed as it would
     * have been. On a VM with the compiled tier it resumes in compiled code at the first point where
     * compiled code can be entered. Untraced, in a fresh context, with
     * {@link #restore(ExecutionContext, byte[], Limits, TraceSink)}'s default ceiling.
     *
     * @param snapshot the snapshot's bytes (not kept: the run copies what it needs)
     * @return the run, paused (suspended in a host call when the snapshot was: see
     *     {@link Run#suspendedCall()})
     * @throws SnapshotException with the byte offset and a one-line reason when the bytes are not a
     *     snapshot of this program in a state it can be in: truncated, tampered, of another program
     *     or format version, or over the ceiling
     */
    public Run restore(byte[] snapshot) {
        ExecutionContext ctx;
        try {
            ctx = new ExecutionContext();
        } catch (OutOfMemoryError e) {
            throw new SnapshotException(0, OUT_OF_MEMORY_RESTORING);
        }
        return restore(ctx, snapshot, null, null);
    }

    /** The reason of a restore's {@link SnapshotException} when the JVM runs out of memory. */
    static final String OUT_OF_MEMORY_RESTORING = "the JVM ran out of memory restoring the snapshot";

    /** The reason of a write's {@link SnapshotException} when the JVM runs out of memory. */
    static final String OUT_OF_MEMORY_WRITING = "the JVM ran out of memory writing the snapshot";

    /**
     * {@link #restore(byte[])} into a given context, under a ceiling, optionally traced. The
     * snapshot is checked against the program's verifier facts before anything runs (every
     * register the program may read holds a value of its verified type, each frame is at a call of
     * the next frame's function), so a forged snapshot cannot make an ill-typed state. The
     * ceiling bounds what a restore may allocate: each of the snapshot's limits, and its fuel left,
     * must be at most the ceiling's.
     *
     * @param ctx the context the run keeps its state in (its previous state is discarded, and a
     *     paused {@link Run} of it is abandoned, see {@link Run}, "Contexts"; on failure it holds no
     *     run)
     * @param snapshot the snapshot's bytes
     * @param ceiling the largest limits the snapshot may carry, or {@code null} for the default:
     *     any fuel, call depth and host calls, {@link Limits#DEFAULT_HEAP_BYTES} and
     *     {@link Limits#DEFAULT_REGISTERS}
     * @param sink a trace sink, or {@code null}; the restored run emits no run-start event (its
     *     run started elsewhere) but does emit its end
     * @return the run, paused
     * @throws SnapshotException as {@link #restore(byte[])}, or when a limit exceeds the ceiling
     * @throws IllegalArgumentException when {@code ctx} is null
     * @throws IllegalStateException when a run is executing in {@code ctx} (as
     *     {@link #run(ExecutionContext, int, List, Limits, TraceSink)}), or another thread is
     *     starting or restoring a run in it
     */
    public Run restore(ExecutionContext ctx, byte[] snapshot, Limits ceiling, TraceSink sink) {
        // Run's and the snapshots' classes, initialised up front (see ClassInit)
        ClassInit.runs();
        if (ctx == null) {
            throw new IllegalArgumentException("a context is required");
        }
        // marked as executing while it is filled in, as in start
        ctx.enter();
        try {
            ctx.claim(null);
            boolean read = false;
            try {
                boolean onFuel = SnapshotReader.read(this, snapshot, ctx,
                        ceiling == null ? Snapshots.DEFAULT_CEILING : ceiling);
                read = true;
                return new Run(this, ctx, onFuel, sink);
            } catch (OutOfMemoryError e) {
                // loading the reader's class, or making the run: the context holds no run (as when
                // the reader fails), and the error is the documented one
                ctx.depth = 0;
                ctx.hostSuspended = false;
                ctx.claim(null);
                ctx.releaseFailed();
                throw new SnapshotException(read ? snapshot.length : 0, OUT_OF_MEMORY_RESTORING);
            }
        } finally {
            ctx.executing = false;
        }
    }

    /**
     * The most runs active at once on one thread: a host function (or a trace sink) may start a run
     * while its own run is active, and that run another, up to this many in all. The run that would
     * be one more traps {@code call_depth_exceeded} at once (pc 0, no fuel used), so the outcome does
     * not depend on the thread's Java stack or on how warm the JVM is: each level needs at most
     * {@link #NESTED_RUN_STACK_BYTES} of Java stack besides the host function's own frames.
     */
    public static final int MAX_RUN_NESTING = 64;

    /**
     * The Java stack one level of nested runs may need, in bytes, before HotSpot compiles anything
     * (the interpreter's loop, the host call's frames, {@code run} and, with the compiled tier, the
     * compiled frames of that level), not counting the host function's own frames: 16 KiB, four
     * times what was measured (all 64 levels fit a 256 KiB thread in a fresh JVM on both tiers, and
     * not 128 KiB). So {@link #MAX_RUN_NESTING} levels fit in 1 MiB, the JVM's usual thread stack
     * on 64-bit Linux. Deep recursion of the program itself takes no Java stack: its frames live on
     * the heap, and the compiled tier's share of the stack is bounded per thread.
     */
    public static final int NESTED_RUN_STACK_BYTES = 16 << 10;

    /**
     * @return the event groups a trace sink asks for; 0 for none, or when its {@code mask()} throws
     *     (an exception or an {@code Error})
     */
    static int maskOf(TraceSink sink) {
        if (sink == null) {
            return 0;
        }
        try {
            return sink.mask();
        } catch (RuntimeException | Error e) {
            stopping(e);
            return 0;
        }
    }

    /**
     * Throws {@code e} on when it is a {@link ThreadDeath}: the one throwable of a trace sink that no
     * run turns into a trap or ignores, since the thread is being stopped (the rule of
     * {@code JitTier}'s compiles too). Every other {@code Error}, {@code VirtualMachineError}s
     * included, is the run's trap: {@code OutOfMemoryError} {@code heap_limit_exceeded}, the rest
     * {@code internal_error}. A host function's {@code ThreadDeath} is that host call's trap
     * ({@code host_call_failed}), as any throwable of a host function is.
     *
     * @param e what a trace sink threw
     * @throws ThreadDeath when {@code e} is one
     */
    @SuppressWarnings("removal")
    static void stopping(Throwable e) {
        if (e instanceof ThreadDeath t) {
            throw t;
        }
    }

    /** Per thread, in its one element: the runs active on the thread. */
    static final ThreadLocal<int[]> NESTING = ThreadLocal.withInitial(() -> new int[1]);

    /** Ends a run's JFR events ({@link TapeEvents}): the run, and its trap if it trapped. */
    void observed(RunEvent event, int entry, ExecutionContext ctx, Trap failure) {
        String name = entry >= 0 && entry < funcs.length ? verified.functionName(entry) : null;
        TapeEvents.runEnd(event, entry, name, ctx.limits.fuel() - ctx.fuelLeft(), ctx.hostCalls,
                failure == null ? "ok" : failure.label());
        if (failure != null) {
            TapeEvents.trap(failure.label(), failure.func(), failure.funcName(), failure.pc(), failure.span(),
                    failure.hostSymbol(), failure.detail());
        }
    }

    /** Emits the run-end trace event of a run that trapped (when asked for) and gives the trap. */
    Trap ended(ExecutionContext ctx, Trap t) {
        if (t.origin != ctx) {
            // not built by this run: a trace sink let another run's trap out
            t = internal(ctx, t);
        }
        if ((ctx.mask & TraceMask.RUN) != 0) {
            try {
                ctx.sink.runEnd(program, true, ctx.limits.fuel() - ctx.fuelLeft());
            } catch (RuntimeException | Error e) {
                // the trap already describes the run (a ThreadDeath is thrown on)
                stopping(e);
            }
        }
        return t;
    }

    Trap internal(ExecutionContext ctx, Throwable e) {
        // the generic rule, which never throws: a getMessage that throws must not escape the run
        return simpleTrap(ctx, TrapKind.INTERNAL_ERROR, TapeException.classAndMessage(e));
    }

    Trap simpleTrap(ExecutionContext ctx, TrapKind kind, String detail) {
        int func = ctx.depth > 0 ? ctx.func : 0;
        int pc = 0;
        if (ctx.depth > 0 && func < funcs.length && ctx.ip < funcs[func].pcOf().length) {
            pc = Math.max(0, funcs[func].pcOf()[ctx.ip]);
        }
        return new Trap(kind, 0, func, verified.functionName(func), pc, Trap.NO_SPAN, null, 0, detail, List.of(),
                ctx.fuelLeft()).from(ctx);
    }

    Trap entryTrap(ExecutionContext ctx, TrapKind kind, int entry, String detail) {
        return new Trap(kind, 0, entry, verified.functionName(entry), 0, Trap.NO_SPAN, null, 0, detail, List.of(),
                ctx.fuelLeft()).from(ctx);
    }

    /**
     * Checks the entry and its arguments and sets the context up at the entry's first instruction
     * (arguments stored, depth 1, ip 0; the call-enter trace event emitted when asked for).
     *
     * @throws Trap {@code invalid_entry}, {@code arity_mismatch}, {@code type_mismatch} or
     *     {@code heap_limit_exceeded} at pc 0
     */
    void prepare(ExecutionContext ctx, int entry, List<Value> args) throws Trap {
        if (entry < 0 || entry >= funcs.length) {
            throw entryTrap(ctx, TrapKind.INVALID_ENTRY, entry, "function " + entry + " does not exist (the program has "
                    + funcs.length + ")");
        }
        LoweredFunction fn = funcs[entry];
        List<ValueType> types = program.functions().get(entry).sig().args();
        int n = args == null ? 0 : args.size();
        if (n != types.size()) {
            throw entryTrap(ctx, TrapKind.ARITY_MISMATCH, entry, "function " + entry + " takes " + types.size()
                    + " arguments, " + n + " given");
        }
        for (int i = 0; i < n; i++) {
            Value v = args.get(i);
            if (v == null || !v.type().equals(types.get(i))) {
                throw entryTrap(ctx, TrapKind.TYPE_MISMATCH, entry, "argument " + i + " must be " + types.get(i)
                        + ", got " + (v == null ? "null" : v.type()));
            }
        }
        try {
            ctx.ensureRegisters(fn.regCount());
        } catch (VmTrap t) {
            throw entryTrap(ctx, t.kind, entry, t.getMessage());
        }
        ctx.base = 0;
        for (int i = 0; i < n; i++) {
            store(ctx, 1 + i, args.get(i));
        }
        ctx.depth = 1;
        ctx.func = entry;
        ctx.ip = 0;
        if ((ctx.mask & TraceMask.CALL) != 0) {
            ctx.sink.callEnter(entry, 1);
        }
    }

    /** Runs a prepared context to its end (the one-shot driver of {@link #run}). */
    private List<Value> drive(ExecutionContext ctx, int entry) throws Trap {
        boolean stepping = (ctx.mask & TraceMask.INSTR) != 0;
        CompiledTier t = tier;
        if (t != null && (ctx.mask & ~TraceMask.RUN) == 0 && t.compiled(entry)) {
            // the whole fuel left is in the context and nothing observes calls: pure calls may run
            // on their fast clones (JitRuntime.fastNest)
            ctx.fast = true;
            int status;
            try {
                status = t.run(this, ctx, entry);
            } finally {
                ctx.fast = false;
            }
            if (status == Interpreter.DONE) {
                return results(ctx);
            }
            if (status == Interpreter.TRAPPED) {
                throw trap(ctx, ctx.trap);
            }
            // HANDOVER: the interpreter finishes the run from the state the compiled code left
        }
        // the interpreter's classes, initialised up front (see ClassInit)
        ClassInit.interpreter();
        long left = ctx.fuelLeft();
        try {
            return interpret(ctx, stepping);
        } finally {
            if (t != null) {
                t.interpreted(left - ctx.fuelLeft());
            }
        }
    }

    /** The interpreter's part of {@link #drive}: runs the context to its end. */
    private List<Value> interpret(ExecutionContext ctx, boolean stepping) throws Trap {
        while (true) {
            int status;
            if (stepping) {
                if (ctx.fuel == 0 && !ctx.refill()) {
                    status = Interpreter.OUT_OF_FUEL;
                } else {
                    LoweredFunction cur = funcs[ctx.func];
                    int pc = cur.pcOf()[ctx.ip];
                    ctx.sink.instr(ctx.func, pc, cur.spanAt(pc), cur.opcodeAt(ctx.ip));
                    status = Interpreter.execute(this, ctx, 1);
                    if (status == Interpreter.OUT_OF_FUEL) {
                        continue;
                    }
                }
            } else {
                status = Interpreter.execute(this, ctx, ctx.fuel);
            }
            switch (status) {
                case Interpreter.DONE:
                    return results(ctx);
                case Interpreter.OUT_OF_FUEL:
                    if (ctx.fuel != 0 || ctx.refill()) {
                        // fuel left: the loop stopped for a pause request, which one-shot runs ignore
                        ctx.pauseRequested = false;
                        continue;
                    }
                    throw trap(ctx, new VmTrap(TrapKind.FUEL_EXCEEDED, "the fuel budget of "
                            + Long.toUnsignedString(ctx.limits.fuel()) + " is used up"));
                default:
                    throw trap(ctx, ctx.trap);
            }
        }
    }

    private void store(ExecutionContext ctx, int reg, Value v) {
        ValueKind k = v.kind();
        if (Aggregate.isWord(k)) {
            ctx.w[ctx.base + reg] = Aggregate.wordOf(v);
        } else if (k != ValueKind.UNIT) {
            ctx.r[ctx.base + reg] = v;
        }
    }

    List<Value> results(ExecutionContext ctx) {
        // the entry frame's ret: [RET, n, classed regs...] at ctx.ip, registers at base 0
        LoweredFunction fn = funcs[ctx.func];
        int[] code = fn.code();
        int n = code[ctx.ip + 1];
        List<Value> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int reg = code[ctx.ip + 2 + i] >>> 2;
            out.add(load(ctx, fn.regType(reg), reg));
        }
        return out;
    }

    Value load(ExecutionContext ctx, ValueType t, int reg) {
        ValueKind k = t.kind();
        if (k == ValueKind.UNIT) {
            return Value.UNIT;
        }
        if (Aggregate.isWord(k)) {
            return Aggregate.fromWord(k, ctx.w[ctx.base + reg]);
        }
        return (Value) ctx.r[ctx.base + reg];
    }

    /**
     * Builds the trap for {@code t} raised at the context's position, with its call stack: at most
     * the innermost and the outermost {@link Trap#STACK_EDGE} frames and the count of those between
     * (both tiers leave the same frame records, so both build the same trap). Names and spans come
     * from the verifier's indexes, so this costs O(STACK_EDGE x log span entries) at any depth.
     */
    Trap trap(ExecutionContext ctx, VmTrap t) {
        if (t == ExecutionContext.outOfMemory()) {
            // the registers are not needed any more, and the trap needs memory
            ctx.dropRegisters();
        }
        int depth = ctx.depth;
        int elided = depth > 2 * Trap.STACK_EDGE ? depth - 2 * Trap.STACK_EDGE : 0;
        List<Trap.Frame> stack = new ArrayList<>(depth - elided);
        Trap.Frame top = frameView(ctx.func, ctx.ip);
        stack.add(top);
        // caller frames, innermost first (k = 1 up to depth - 1), skipping the middle ones
        for (int k = 1; k < depth; k++) {
            if (elided > 0 && k == Trap.STACK_EDGE) {
                k += elided - 1;
                continue;
            }
            int[] f = frameAt(ctx, k);
            stack.add(frameView(f[0], f[1]));
        }
        return new Trap(t.kind, t.code, ctx.func, top.name(), top.pc(), top.span(), t.symbol, t.sigHash,
                t.getMessage(), stack, elided, ctx.fuelLeft()).from(ctx);
    }

    /**
     * Frame {@code k} of a context's call stack, 0 the innermost (the context's own position), up
     * to {@code depth - 1} the entry frame (caller frames are read from their frame records).
     *
     * @return {function id, code index of its next instruction (a caller's: its pending call),
     *     register base}
     */
    int[] frameAt(ExecutionContext c, int k) {
        if (k == 0) {
            return new int[] {c.func, c.ip, c.base};
        }
        int d = c.depth - 1 - k;
        int callIp = c.frames[d * ExecutionContext.FRAME + 2];
        int id = image.funcAt(callIp);
        return new int[] {id, callIp - image.entry(id), c.frames[d * ExecutionContext.FRAME + 1]};
    }

    /**
     * The typed registers of frame {@code frame} of the paused run in {@code c}, as
     * {@link Run#registers(int)} gives them: a reference register not written on every path to the
     * frame's point is {@code null}. Costs O(the function's code + its registers).
     *
     * @param c the context of a paused run (its owner has marked it as executing)
     * @param frame 0 for the innermost frame, up to {@code c.depth - 1}
     * @return the registers, in order
     */
    List<Value> registersOf(ExecutionContext c, int frame) {
        int[] f = frameAt(c, frame);
        LoweredFunction fn = funcs[f[0]];
        int n = fn.regCount();
        // the registers this frame has written on every path to its point: the others may hold
        // what an earlier frame left in the same slots
        long[] written = verified.initFacts(f[0]).writtenBefore(new int[] {f[1]})[0];
        List<Value> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Value v = register(c, fn.regType(i), f[2] + i);
            boolean isRef = v != null && !Aggregate.isWord(v.kind()) && v.kind() != ValueKind.UNIT;
            out.add(isRef && (written[i >>> 6] & (1L << i)) == 0 ? null : v);
        }
        return out;
    }

    /** Register {@code at} of {@code c}'s register files as a value of type {@code t}, or null when it holds none. */
    private static Value register(ExecutionContext c, ValueType t, int at) {
        ValueKind k = t.kind();
        if (k == ValueKind.UNIT) {
            return Value.UNIT;
        }
        if (Aggregate.isWord(k)) {
            return Aggregate.fromWord(k, c.w[at]);
        }
        return Snapshots.refFits(t, c.r[at]) ? (Value) c.r[at] : null;
    }

    /** The public view of a frame at code index {@code ip} of {@code func}: name, byte pc and span. */
    Trap.Frame frameView(int func, int ip) {
        LoweredFunction fn = funcs[func];
        int pc = fn.pcOf()[ip];
        return new Trap.Frame(func, verified.functionName(func), pc, fn.spanAt(pc));
    }

    /**
     * Finds a function by its name in the names section.
     *
     * @param name a function name
     * @return its id, or -1
     */
    public int functionId(String name) {
        return program.functionId(name);
    }

    /**
     * Finds a function by its name in the names section, as a handle to call it by.
     *
     * @param name a function name
     * @return the handle of the first function with that name (section order)
     * @throws IllegalArgumentException when the program has no function of that name; the message
     *     names some functions it has
     */
    public FunctionHandle function(String name) {
        int id = name == null ? -1 : program.functionId(name);
        if (id < 0) {
            throw new IllegalArgumentException(FunctionHandle.noSuchFunction(this, name));
        }
        return new FunctionHandle(this, id);
    }

    /**
     * A handle to call one function of the program by its id.
     *
     * @param id a function id, 0 to {@code program().functionCount() - 1}
     * @return a handle to call that function by
     * @throws IllegalArgumentException when there is no such function
     */
    public FunctionHandle function(int id) {
        if (id < 0 || id >= funcs.length) {
            throw new IllegalArgumentException("the program has no function " + id + " (it has " + funcs.length + ")");
        }
        return new FunctionHandle(this, id);
    }
}
