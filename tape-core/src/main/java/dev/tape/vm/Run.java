package dev.tape.vm;

import dev.tape.classinit.ClassInit;
import dev.tape.jfr.RunEvent;
import dev.tape.jfr.TapeEvents;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;

import java.time.Duration;
import java.time.Instant;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A run as a value ({@link Vm#start}): it runs only inside {@link #resume()} (or {@link #step},
 * {@link #resumeWith}) and stops with an {@link Outcome}: {@link Outcome.Done} with the results,
 * {@link Outcome.Trapped} with the trap, or {@link Outcome.Paused} with a {@link PauseReason}, after
 * which it can be resumed, from any thread.
 *
 * <pre>{@code
 * Run run = vm.start(entry, args, Limits.DEFAULT.withFuel(10_000));
 * Outcome o = run.resume();
 * while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.FuelExhausted) {
 *     run.addFuel(10_000);     // a time slice: another 10,000 units
 *     o = run.resume();
 * }
 * }</pre>
 *
 * <p><b>Exact semantics.</b> A run paused and resumed any number of times, at any points, on any
 * threads, ends exactly as one uninterrupted {@link Vm#run} given the same total fuel (its limits'
 * fuel plus every {@link #addFuel}): the same results or the same trap (kind, function, pc, span,
 * stack, message), the same fuel used and the same host calls. A fuel pause comes exactly where that
 * run traps {@code fuel_exceeded}. One Java-only bound differs: the copy budget of wide calls
 * ({@link Limits#fuel()}) follows the fuel given so far, so a run that moves more than 1 Mi copy
 * units of wide-call values may trap {@code fuel_exceeded} earlier when given its fuel in slices.
 *
 * <p><b>Pause points.</b> The interpreter polls for {@link #interrupt()} and {@link #deadline}
 * between stretches of at most {@link #CHUNK} instructions, and right after each host call (so a
 * request made while a host function runs takes effect when it returns). Compiled code
 * ({@code tape-jit}) has no polls of its own (a poll in every loop iteration cost a hot loop about
 * 3 times its time): it runs in stretches of at most {@link #COMPILED_CHUNK} fuel units, after
 * which it hands the run over, the driver polls, and the run goes back into compiled code at the
 * next resume point. A hot compiled loop uses 2<sup>18</sup> fuel in well under a millisecond; a
 * stretch of slow instructions (large string operations, host calls) may take longer, bounded by
 * the cost model of {@code docs/SECURITY.md}. A pause always leaves the run at an instruction
 * boundary that the resumed run continues from exactly.
 *
 * <p><b>Snapshots.</b> {@link #snapshot()} gives a paused run's state as bytes
 * ({@code docs/SNAPSHOT.md}); {@link Vm#restore(byte[])} on a VM of the same program, in this JVM
 * or another, on either tier, gives a paused run that ends exactly as this one would.
 *
 * <p><b>Deadlines</b> are kept by one shared daemon thread ({@code tape-run-deadlines}) that sets
 * the run's pause request when the deadline passes; nothing polls the clock in the loop.
 *
 * <p><b>Ended runs.</b> Once the outcome is {@code Done} or {@code Trapped}, every further
 * {@link #resume()}, {@link #step} or {@link #resumeWith} returns that same outcome again, and
 * the context's registers are released (as {@link Vm#run} releases them); {@link #addFuel},
 * {@link #frames()}, {@link #registers(int)} and {@link #snapshot()} throw
 * {@link IllegalStateException}.
 *
 * <p><b>Contexts.</b> A run keeps its state in its {@link ExecutionContext} until it ends. Starting,
 * restoring or running another run in that context before then ({@link Vm#start},
 * {@link Vm#restore(ExecutionContext, byte[], Limits, TraceSink)}, {@link Vm#run}) abandons this run:
 * its later {@link #resume()}, {@link #step}, {@link #resumeWith}, {@link #addFuel},
 * {@link #snapshot()}, {@link #fork()}, {@link #frames()}, {@link #registers(int)} and the other
 * inspections throw {@link IllegalStateException}, and its {@link #interrupt()} and deadline do
 * nothing, so they cannot pause the run that took the context over.
 *
 * <p><b>Threads.</b> A run may be resumed from any thread, but by one at a time: a call that
 * finds it running on another thread (or called from inside its own host function) throws
 * {@link IllegalStateException} and changes nothing. The same holds across runs of one context: a
 * paused run's inspections and {@link #addFuel} mark its context as executing while they read or
 * change it, so one of them and a {@link Vm#start}, {@link Vm#restore} or {@link Vm#run} in that
 * context on another thread cannot overlap: whichever comes second throws
 * {@link IllegalStateException} and changes nothing (the inspection never sees the context half
 * reset for another run). {@link #interrupt()} and {@link #deadline} may be called from any thread
 * at any time. What one resume wrote is visible to the next,
 * whatever thread makes it.
 */
public final class Run {
    /**
     * The most instructions the interpreter runs between two polls of a pause request: 65,536.
     */
    public static final int CHUNK = 1 << 16;

    /**
     * The most fuel compiled code uses between two polls of a pause request: 262,144 units (see
     * "Pause points" above).
     */
    public static final int COMPILED_CHUNK = 1 << 18;

    private static final PauseReason FUEL = new PauseReason.FuelExhausted();
    private static final PauseReason STEPS = new PauseReason.StepsDone();

    private final Vm vm;
    private final ExecutionContext c;
    private final int entry;
    /**
     * Held by the thread that runs or inspects the run: set by a compare-and-set ({@link #BUSY}),
     * cleared by a plain write, never a call (at the edge of the Java stack a call in a
     * {@code finally} could overflow again and leave the run marked busy for good).
     */
    private volatile boolean busy;

    /** {@link #busy}'s handle, for {@link #acquire()}'s compare-and-set. */
    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(Run.class, "busy", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** interrupts and deadlines, ordered against the run's end */
    private final RunPauses pauses;
    /** runs the stretches between the driver's polls; knows whether the run has started */
    private final RunStretches stretches;
    /** the final outcome (Done or Trapped), or null while the run can go on */
    private volatile Outcome end;
    /** whether the last pause was for fuel and no fuel was added since */
    private boolean pausedOnFuel;
    /** fuel left and host calls made when the run ended */
    private long endFuel;
    private long endHostCalls;
    /**
     * the run's JFR event ({@code dev.tape.Run}), begun at the start; null when no recording wants it
     * (not final: a constructor that does not begin one leaves it null)
     */
    private RunEvent event;
    /** whether the last outcome was a pause (the next move emits {@code dev.tape.Resume}) */
    private boolean pausedLast;

    Run(Vm vm, ExecutionContext ctx, int entry, List<Value> args, Limits limits, TraceSink sink) {
        this.vm = vm;
        this.c = ctx;
        this.entry = entry;
        this.pauses = new RunPauses(this, ctx);
        this.stretches = new RunStretches(vm, ctx, entry);
        int mask = Vm.maskOf(sink);
        ctx.reset(limits, sink, mask);
        ctx.claim(this);
        ctx.suspendable = true;
        this.event = TapeEvents.runBegin();
        try {
            if ((mask & TraceMask.RUN) != 0) {
                sink.runStart(vm.program, entry, args == null ? 0 : args.size());
            }
            vm.prepare(ctx, entry, args);
        } catch (Trap t) {
            // a trap of another run that a trace sink let out is not this run's (as Vm#ended)
            finish(new Outcome.Trapped(t.origin == ctx ? t : vm.internal(ctx, t)));
        } catch (RuntimeException | StackOverflowError e) {
            finish(new Outcome.Trapped(vm.internal(ctx, e)));
        } catch (OutOfMemoryError e) {
            ctx.dropRegisters();
            finish(new Outcome.Trapped(vm.simpleTrap(ctx, TrapKind.HEAP_LIMIT_EXCEEDED, "the JVM ran out of memory")));
        } catch (Error e) {
            // any other Error (a trace sink's): as an exception (Vm#run); a ThreadDeath is thrown on
            finish(new Outcome.Trapped(vm.internal(ctx, e)));
            Vm.stopping(e);
        }
    }

    /**
     * A run restored from a snapshot ({@link Vm#restore}): {@code ctx} holds the paused state
     * {@link SnapshotReader#read} filled in; the entry is the entry frame's function.
     */
    Run(Vm vm, ExecutionContext ctx, boolean pausedOnFuel, TraceSink sink) {
        this.vm = vm;
        this.c = ctx;
        int mask = Vm.maskOf(sink);
        ctx.trace(sink, mask);
        ctx.claim(this);
        ctx.suspendable = true;
        this.entry = ctx.depth == 1 ? ctx.func : vm.image.funcAt(ctx.frames[2]);
        this.pauses = new RunPauses(this, ctx);
        this.stretches = new RunStretches(vm, ctx, entry);
        stretches.started = true;
        this.pausedOnFuel = pausedOnFuel;
    }

    /**
     * The paused run's state as bytes (format: {@code docs/SNAPSHOT.md}), naming the program by
     * {@link dev.tape.verify.VerifiedProgram#hash()}: {@link Vm#restore} on a VM of the same
     * program, in this JVM or another, on either tier, gives a run that ends exactly as this one
     * would (the same results or trap, fuel used, host calls). The run itself is unchanged and may go
     * on. Costs time and bytes linear in the frames, their live registers and the distinct values
     * those reach (sharing is kept).
     *
     * <p>What is in it: the frames and registers, the limits (with the total fuel given so far),
     * the fuel left, the counters, fuel a host charged beyond the fuel left ({@link #addFuel} pays
     * it first), whether the run is suspended in a host call and whether it paused for fuel with
     * none added since. <b>A run suspended in a host call</b> snapshots as such: the restored run
     * is suspended in the same call ({@link #suspendedCall()} tells which, with its arguments, read
     * from the restored registers), and {@link #resumeWith} gives its results; the host call is
     * already counted and charged, and the host function is not called again. What is not in it: a
     * pending {@link #interrupt()}, a deadline, the trace sink, and any state of the host itself
     * (the restoring embedder brings its own host).
     *
     * <p>A run not started yet snapshots too (its entry frame with the arguments).
     *
     * @return the snapshot
     * @throws IllegalStateException when the run has ended ({@link Outcome.Done} or
     *     {@link Outcome.Trapped}), was abandoned (see "Contexts" above) or is running on another
     *     thread (or this call comes from inside its own host function), or another thread is
     *     starting, restoring or running a run in its context (see "Threads" above)
     * @throws SnapshotException (offset -1) when a register holds a value the program's types
     *     cannot describe (an aggregate a host built outside the program's type table), which a
     *     restore would refuse; when the JVM runs out of memory anywhere in the write, loading the
     *     write's classes included
     */
    public byte[] snapshot() {
        acquireLive();
        try {
            // Snapshots itself loaded here when the class initialiser's thread could not load it (a
            // full heap): its error is the documented one too, as the write's own
            return Snapshots.write(vm, c, pausedOnFuel);
        } catch (OutOfMemoryError e) {
            throw new SnapshotException(-1, Vm.OUT_OF_MEMORY_WRITING);
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /**
     * A copy of this paused run, in memory: an independent run of the same VM paused at the same
     * instruction, with the same frames, registers (every register, whether the program can still
     * read it or not: {@link #registers(int)} shows the same values on both), fuel, counters and
     * limits, that ends exactly as this one would when resumed as it would have been (the same
     * results or trap, fuel used and host calls). Neither run sees the other's later moves: values
     * are immutable and shared, not copied. For rewinding a run many times within one JVM (a
     * debugger's periodic checkpoints) without the cost of {@link #snapshot()}'s bytes.
     *
     * <p>What is copied and what is not: as {@link #snapshot()}, a run suspended in a host call
     * forks suspended in the same call, and a run paused for fuel with none added since forks so.
     * The copy has no trace sink, no pending {@link #interrupt()} and no deadline; it uses the VM's
     * host, whose own state is not copied (a host whose answers depend on its state answers the
     * copy's calls as it answers any later call).
     *
     * <p>Cost: time and memory linear in {@link #registersInUse()} (16 bytes per register) plus the
     * call depth (16 bytes per frame).
     *
     * @return the copy, paused
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above), or
     *     is running on another thread (or this call comes from inside its own host function), or
     *     another thread is starting, restoring or running a run in its context
     * @throws SnapshotException (offset -1) when the JVM runs out of memory making the copy (this run
     *     is unchanged)
     */
    public Run fork() {
        acquireLive();
        try {
            Run f;
            try {
                f = new Run(vm, c.pausedCopy(), pausedOnFuel, null);
            } catch (OutOfMemoryError e) {
                throw new SnapshotException(-1, "the JVM ran out of memory copying the run");
            }
            f.stretches.started = stretches.started;
            return f;
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /** @return the context the run keeps its state in (for tests in this package) */
    ExecutionContext context() {
        return c;
    }

    /**
     * The run's register high-water mark: the registers its frames have used so far, each pending
     * call's frame record counted as 2, at most its {@link Limits#maxRegisters()}. What
     * {@link #fork()} copies, at 16 bytes a register.
     *
     * @return registers, 0 or more
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public int registersInUse() {
        acquireLive();
        try {
            return c.regHigh;
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /**
     * Runs the run on until it returns, traps or pauses. On a run paused for fuel with no fuel
     * added since, it ends the run with the {@code fuel_exceeded} trap a one-shot run would have
     * thrown there ({@link PauseReason.FuelExhausted}).
     *
     * @return the outcome; for a run that has ended, its final outcome again
     * @throws IllegalStateException when the run is running on another thread, when it is
     *     suspended in a host call (use {@link #resumeWith}), when another run is executing in its
     *     context or another thread is starting or restoring a run there, when it was abandoned
     *     (see "Contexts" above), or when {@link Vm#MAX_RUN_NESTING} runs are already active on
     *     this thread (the run stays as it was)
     * @throws ThreadDeath when the thread is being stopped while a trace sink's callback runs: the
     *     run has ended {@code internal_error}, as at a sink's other {@code Error}, and a later
     *     resume returns that outcome
     */
    public Outcome resume() {
        return go(-1, null);
    }

    /**
     * Runs at most {@code n} more instructions, then pauses with {@link PauseReason.StepsDone}
     * (for a debugger): exactly {@code n} unless the run returns, traps or pauses for another reason
     * first. Runs interpreted, one instruction at a time (about ten times slower than
     * {@link #resume()}); a fused compare-and-branch counts as two instructions, as its fuel does.
     *
     * @param n instructions to run, 0 or more (0 pauses at once)
     * @return the outcome, as {@link #resume()}
     * @throws IllegalArgumentException when {@code n} is negative
     * @throws IllegalStateException as {@link #resume()}
     */
    public Outcome step(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a step budget must be 0 or more, got " + n);
        }
        return go(n, null);
    }

    /**
     * Completes the host call the run is suspended in ({@link PauseReason.HostSuspended}) with
     * these results, exactly as if the host function had returned them, and resumes the run.
     *
     * @param results one value per result the host signature declares, each of exactly its type
     * @return the outcome, as {@link #resume()}
     * @throws IllegalArgumentException when the count or a type does not match the signature (the
     *     run stays suspended, unchanged)
     * @throws IllegalStateException when the run is not suspended in a host call (or as
     *     {@link #resume()})
     */
    public Outcome resumeWith(List<Value> results) {
        if (results == null) {
            throw new IllegalArgumentException("the host results are required (an empty list for none)");
        }
        return go(-1, results);
    }

    /**
     * Gives the run more fuel: the fuel left grows by {@code units}, and so does the run's total
     * fuel (the limit that {@code fuel_exceeded} traps and the trace's fuel used are reported
     * against). The total is at most 2<sup>64</sup>-1, like {@link Limits#fuel()}: units beyond
     * that are not given, as one run cannot be given more fuel than that at once. When a host
     * charged more fuel than the run had left ({@link dev.tape.host.HostContext#chargeFuel}), that
     * excess is paid from these units first, as one run given all its fuel at once would have paid
     * it.
     *
     * @param units fuel units, unsigned: 0 to 2<sup>64</sup>-1
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public void addFuel(long units) {
        acquireLive();
        try {
            // the total fuel saturates at 2^64-1, and so does the fuel given: one run cannot be
            // given more than that at once, so a paused run is not either
            long room = Limits.MAX_UNSIGNED - c.limits.fuel();
            if (Long.compareUnsigned(units, room) > 0) {
                units = room;
            }
            if (units == 0) {
                return;
            }
            // host charges beyond the fuel there was are paid first (ExecutionContext#fuelDebt)
            long pay = Long.compareUnsigned(units, c.fuelDebt) < 0 ? units : c.fuelDebt;
            c.fuelDebt -= pay;
            long left = c.fuel + c.fuelReserve;
            long sum = left + (units - pay);
            if (Long.compareUnsigned(sum, left) < 0) {
                sum = Limits.MAX_UNSIGNED;
            }
            c.setFuelLeft(sum);
            c.limits = c.limits.withFuel(c.limits.fuel() + units);
            pausedOnFuel = false;
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /**
     * Asks the run to pause ({@link PauseReason.Interrupted}) at its next poll point: within
     * {@link #CHUNK} instructions when it is running, at once when it is next resumed otherwise.
     * Callable from any thread at any time, never blocks on the run; does nothing to a run that has
     * ended or was abandoned (see "Contexts" above). Several requests before the pause make one pause.
     */
    public void interrupt() {
        pauses.interrupt();
    }

    /**
     * Sets a deadline {@code timeout} from now: when it passes, the run pauses at its next poll
     * point with {@link PauseReason.DeadlineReached} (at once on its next resume when it is not
     * running then). Replaces an earlier deadline; {@code null} clears it. Callable from any thread.
     *
     * @param timeout how long from now, or {@code null} for no deadline (zero or negative: already
     *     passed)
     */
    public void deadline(Duration timeout) {
        if (timeout == null) {
            clearDeadline();
            return;
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        pauses.schedule(nanos);
    }

    /**
     * Sets a deadline at a wall-clock instant ({@link #deadline(Duration)} from now until then).
     *
     * @param at the instant, or {@code null} for no deadline
     */
    public void deadline(Instant at) {
        deadline(at == null ? null : Duration.between(Instant.now(), at));
    }

    /** Clears the deadline, if any (a deadline that already passed still pauses the run once). */
    public void clearDeadline() {
        pauses.clear();
    }

    /**
     * The host call the run is suspended in, as its {@link PauseReason.HostSuspended} pause
     * reported it (symbol, signature hash, arguments): for a run restored from a snapshot taken
     * while suspended, which did not see that pause.
     *
     * @return the suspended call, or {@code null} when the run is not suspended in a host call
     * @throws IllegalStateException when the run is running on another thread, or was abandoned
     *     before it ended (see "Contexts" above), or (before it ended) another thread is starting,
     *     restoring or running a run in its context (see "Threads" above)
     */
    public PauseReason.HostSuspended suspendedCall() {
        acquire();
        try {
            if (end != null) {
                return null;
            }
            enterOwned();
            try {
                return c.hostSuspended ? HostSuspension.call(vm, c) : null;
            } finally {
                c.executing = false;
            }
        } finally {
            busy = false;
        }
    }

    /**
     * Tells whether the run has ended, returning or trapping.
     *
     * @return whether the run has ended ({@link Outcome.Done} or {@link Outcome.Trapped})
     */
    public boolean ended() {
        return end != null;
    }

    /**
     * The fuel the run has left.
     *
     * @return the fuel left, in fuel units: an unsigned 64-bit number
     * @throws IllegalStateException when the run is running on another thread, or was abandoned
     *     before it ended (see "Contexts" above), or (before it ended) another thread is starting,
     *     restoring or running a run in its context (see "Threads" above)
     */
    public long fuelRemaining() {
        acquire();
        try {
            if (end != null) {
                return endFuel;
            }
            enterOwned();
            try {
                return c.fuelLeft();
            } finally {
                c.executing = false;
            }
        } finally {
            busy = false;
        }
    }

    /**
     * Counts the host calls the run has made.
     *
     * @return host calls made so far (a suspended host call counts)
     * @throws IllegalStateException when the run is running on another thread, or was abandoned
     *     before it ended (see "Contexts" above), or (before it ended) another thread is starting,
     *     restoring or running a run in its context (see "Threads" above)
     */
    public long hostCallsMade() {
        acquire();
        try {
            if (end != null) {
                return endHostCalls;
            }
            enterOwned();
            try {
                return c.hostCalls;
            } finally {
                c.executing = false;
            }
        } finally {
            busy = false;
        }
    }

    /**
     * The call stack of a paused (or not yet started) run, innermost frame first: each frame's
     * function id and name, the byte pc of its next instruction (for callers, of the call they
     * wait in) and the span there. Costs O(depth).
     *
     * @return the frames, at least one
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public List<Trap.Frame> frames() {
        acquireLive();
        try {
            List<Trap.Frame> out = new ArrayList<>(c.depth);
            for (int k = 0; k < c.depth; k++) {
                int[] f = vm.frameAt(c, k);
                out.add(vm.frameView(f[0], f[1]));
            }
            return out;
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /**
     * The depth of a paused (or not yet started) run's call stack, in O(1): {@code frames().size()}
     * without building the frames.
     *
     * @return frames on the stack, 1 or more
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public int depth() {
        acquireLive();
        try {
            return c.depth;
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /**
     * The innermost frame's function and byte pc of its next instruction, in O(1): what
     * {@code frames().get(0)} holds, without building the frames (a debugger reads it after every
     * instruction).
     *
     * @return {@code (function id << 32) | byte pc}
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public long position() {
        acquireLive();
        try {
            return ((long) c.func << 32) | (pcNow() & 0xFFFF_FFFFL);
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    /** The innermost frame's byte pc. */
    private int pcNow() {
        return vm.funcs[c.func].pcOf()[c.ip];
    }

    /** Fuel used so far (unsigned). */
    private long fuelUsed() {
        return c.limits.fuel() - c.fuelLeft();
    }

    /** A pause reason's name in {@code dev.tape.Pause} events. */
    private static String reasonName(PauseReason r) {
        if (r instanceof PauseReason.HostSuspended h) {
            return "host:" + h.symbol();
        }
        return r instanceof PauseReason.FuelExhausted ? "fuel" : r instanceof PauseReason.Interrupted ? "interrupt"
                : r instanceof PauseReason.DeadlineReached ? "deadline" : "steps";
    }

    /**
     * The registers of one frame of a paused run, as typed values: element {@code i} is register
     * {@code i} of the frame's function, of the type the verifier gave it; {@code null} for a
     * register of a reference type (str, bytes, decimal, agg, closure, obj) not written yet in
     * this frame on every path to its point (a word register not written yet reads as its type's
     * value of the bits left there). Only the registers the program may still read at this point
     * are the same on both tiers (they are what a {@link #snapshot()} keeps): a word register not
     * written yet, or one written but never read again, may show another value on the compiled
     * tier than on the interpreter, as the compiled tier writes back only what a later instruction
     * can read. Costs O(the function's code + its registers).
     *
     * @param frame 0 for the innermost frame, up to {@code frames().size() - 1} for the entry frame
     * @return the registers, in order
     * @throws IndexOutOfBoundsException when there is no such frame
     * @throws IllegalStateException when the run has ended, was abandoned (see "Contexts" above) or
     *     is running on another thread, or another thread is starting, restoring or running a run in
     *     its context (see "Threads" above)
     */
    public List<Value> registers(int frame) {
        acquireLive();
        try {
            if (frame < 0 || frame >= c.depth) {
                throw new IndexOutOfBoundsException("frame " + frame + " of a run " + c.depth + " frames deep");
            }
            return vm.registersOf(c, frame);
        } finally {
            c.executing = false;
            busy = false;
        }
    }

    private void acquire() {
        if (!BUSY.compareAndSet(this, false, true)) {
            throw new IllegalStateException("the run is running on another thread (or this call comes from inside it);"
                    + " a run runs on one thread at a time");
        }
    }

    /**
     * {@link #acquire()}, {@link #requireLive()} and {@link #enterOwned()}: a paused run's state is
     * read or changed only while its context is marked as executing, so that no start, restore or
     * run that another thread makes in the context can reset it meanwhile (that thread's call is
     * refused instead, as one made while the run resumes). Undone by clearing both marks
     * ({@code c.executing = false; busy = false;}) written out in each caller's {@code finally}, not
     * by a call: at the edge of the Java stack a call there could overflow again and leave the
     * context marked as executing and the run busy for good.
     */
    private void acquireLive() {
        acquire();
        try {
            requireLive();
            enterOwned();
        } catch (RuntimeException | Error e) {
            // an Error too: a StackOverflowError here must not leave the run marked busy for good
            busy = false;
            throw e;
        }
    }

    /**
     * Marks the context as executing ({@link ExecutionContext#enter}) and checks that this run still
     * owns it: a run given the context on another thread before the mark is seen here, and none can
     * be given it until the mark is cleared.
     */
    private void enterOwned() {
        requireOwner();
        c.enter();
        try {
            requireOwner();
        } catch (RuntimeException | Error e) {
            c.executing = false;
            throw e;
        }
    }

    private void requireLive() {
        if (end != null) {
            throw new IllegalStateException("the run has ended: " + (end instanceof Outcome.Done ? "it returned" : "it trapped"));
        }
        requireOwner();
    }

    /**
     * Refuses a run whose context another run took over (see "Contexts" in the class comment):
     * its state there is gone.
     */
    private void requireOwner() {
        if (!c.ownedBy(this)) {
            throw new IllegalStateException("the run was abandoned: another run was started, restored or run in its"
                    + " execution context, which held its state");
        }
    }

    private Outcome go(long steps, List<Value> hostResults) {
        acquire();
        try {
            Outcome e = end;
            if (e != null) {
                return e;
            }
            requireOwner();
            // every refusal comes before complete(), which changes the run
            int[] nesting = Vm.NESTING.get();
            if (nesting[0] >= Vm.MAX_RUN_NESTING) {
                throw new IllegalStateException(nesting[0] + " runs are already active on this thread, the most "
                        + "(Vm.MAX_RUN_NESTING)");
            }
            // before complete(), which changes the context: a run executing in it (a host
            // function or trace sink of that run calls this) is left as it was
            c.enter();
            try {
                // again after enter: a run given the context on another thread since the check
                // above is seen here, and one given it from now on waits for exit (Vm.start and
                // Vm.restore enter the context), so none resets the context under this run
                requireOwner();
                if (c.hostSuspended) {
                    if (hostResults == null) {
                        throw new IllegalStateException("the run is suspended in a call of host function "
                                + HostSuspension.call(vm, c).symbol() + ": give its results with resumeWith");
                    }
                    HostSuspension.complete(vm, c, hostResults);
                } else if (hostResults != null) {
                    throw new IllegalStateException("the run is not suspended in a host call");
                }
                nesting[0]++;
                try {
                    if (pausedLast) {
                        pausedLast = false;
                        if (TapeEvents.resumeEnabled()) {
                            TapeEvents.resume(c.func, vm.verified.functionName(c.func), pcNow(), fuelUsed());
                        }
                    }
                    // whether a recording wants host-call events: once per resume, not at the
                    // driver's polls, which come at other points on each tier (and so would the
                    // word host calls recorded after a recording starts wanting them)
                    c.lookForRecorder();
                    Outcome o = drive(steps);
                    if (o instanceof Outcome.Paused p) {
                        pausedLast = true;
                        if (TapeEvents.pauseEnabled()) {
                            TapeEvents.pause(reasonName(p.reason()), c.func, vm.verified.functionName(c.func), pcNow(),
                                    fuelUsed(), c.hostCalls);
                        }
                    }
                    return o;
                } finally {
                    nesting[0]--;
                }
            } finally {
                c.executing = false;
            }
        } finally {
            busy = false;
        }
    }

    /** The loop: polls, then runs a stretch (interpreted or compiled), until an outcome. */
    private Outcome drive(long steps) {
        // the interpreter's classes, initialised up front (see ClassInit)
        ClassInit.interpreter();
        try {
            boolean stepping = (c.mask & TraceMask.INSTR) != 0;
            while (true) {
                if (c.pauseRequested) {
                    return new Outcome.Paused(pauses.take());
                }
                if (steps == 0) {
                    return new Outcome.Paused(STEPS);
                }
                if (c.fuel == 0 && !c.refill()) {
                    if (pausedOnFuel) {
                        return finish(new Outcome.Trapped(vm.trap(c, new VmTrap(TrapKind.FUEL_EXCEEDED,
                                "the fuel budget of " + Long.toUnsignedString(c.limits.fuel()) + " is used up"))));
                    }
                    pausedOnFuel = true;
                    return new Outcome.Paused(FUEL);
                }
                int status;
                if (steps > 0 || stepping) {
                    status = stretches.step(stepping);
                    if (status == Interpreter.OUT_OF_FUEL && steps > 0) {
                        steps--;
                    }
                } else {
                    status = stretches.advance();
                }
                if (status == Interpreter.DONE) {
                    return finish(new Outcome.Done(vm.results(c)));
                }
                if (status == Interpreter.TRAPPED && c.trap != Calls.SUSPENDED) {
                    return finish(new Outcome.Trapped(vm.trap(c, c.trap)));
                }
                if (c.hostSuspended) {
                    c.trap = null;
                    return new Outcome.Paused(HostSuspension.call(vm, c));
                }
            }
        } catch (RuntimeException | StackOverflowError e) {
            return finish(new Outcome.Trapped(vm.internal(c, e)));
        } catch (OutOfMemoryError e) {
            c.dropRegisters();
            return finish(new Outcome.Trapped(vm.simpleTrap(c, TrapKind.HEAP_LIMIT_EXCEEDED,
                    "the JVM ran out of memory")));
        } catch (Error e) {
            // any other Error (a trace sink's): as an exception (Vm#run); a ThreadDeath ends the
            // run so and is thrown on (Vm#stopping), one from the run-end event after the run ended
            Outcome o = end != null ? end : finish(new Outcome.Trapped(vm.internal(c, e)));
            Vm.stopping(e);
            return o;
        }
    }

    /** Ends the run: keeps the outcome, stops the deadline, emits the run-end event, lets go of the registers. */
    private Outcome finish(Outcome o) {
        pauses.end();
        end = o;
        endFuel = c.fuelLeft();
        endHostCalls = c.hostCalls;
        if (event != null) {
            vm.observed(event, entry, c, o instanceof Outcome.Trapped t ? t.trap() : null);
        }
        Error stop = null;
        if ((c.mask & TraceMask.RUN) != 0) {
            try {
                c.sink.runEnd(vm.program, o instanceof Outcome.Trapped, c.limits.fuel() - c.fuelLeft());
            } catch (RuntimeException | Error e) {
                // the outcome already describes the run; a ThreadDeath is thrown on once it has ended
                if (e instanceof Error err) {
                    stop = err;
                }
            }
        }
        c.hostSuspended = false;
        c.suspendable = false;
        c.trap = null;
        c.release();
        if (stop != null) {
            Vm.stopping(stop);
        }
        return o;
    }
}
