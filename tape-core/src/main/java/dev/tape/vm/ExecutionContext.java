package dev.tape.vm;

import dev.tape.jfr.TapeEvents;
import dev.tape.trace.TraceSink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The mutable state of one run: register files, the frame stack, fuel and counters. A context can
 * be reused for many runs, one after another, to avoid reallocating its arrays; it must not be
 * used by two threads at once. A {@link Vm} is shared; contexts are not. While a run executes in a
 * context ({@link Vm#run} or a {@link Run}'s resume or step), starting, resuming or restoring
 * another run in it (from a host function or trace sink of that run, or from another thread) is
 * refused with an {@link IllegalStateException}, so the executing run's state and limits are never
 * reset under it; so is resuming a run in it while another thread starts or restores one there.
 *
 * <p>All loop state lives here, not on the Java stack, so a run can stop between instructions
 * (for tracing, and later for suspension) and continue where it stopped.
 *
 * <p><b>Memory between runs.</b> The register files and frame records grow as a run needs them
 * (up to what its limits allow). When a run ends, normally or by a trap, the context lets go of
 * what it grew past {@link #RETAIN_REGISTERS} registers or {@link #RETAIN_FRAMES} frame records
 * (it starts again from the initial sizes; after a failed {@code Vm.restore}, from none, which
 * the next run grows as it needs without allocating on the failure's path), and otherwise clears
 * only the registers the run could have written (a high-water mark kept at each call), so no value
 * of one run stays reachable from the context after it, and a deep run leaves neither its memory
 * nor a per-run cost to the trivial runs after it.
 */
public final class ExecutionContext {
    /** Registers a new context holds. */
    static final int INITIAL_REGISTERS = 256;
    /**
     * The register file size, in registers, a context keeps after a run: 65,536, as many as one
     * function may declare ({@link dev.tape.verify.Verifier#DEFAULT_MAX_REGS}), about 768 KiB for
     * the two files. A run that grew them larger leaves them at {@link #INITIAL_REGISTERS} when it
     * ends (at none after a failed restore: the next run grows them).
     */
    public static final int RETAIN_REGISTERS = 1 << 16;
    /** Frame records a new context holds. */
    static final int INITIAL_FRAMES = 16;
    /**
     * The frame records a context keeps after a run: 4,096 frames (64 KiB). A run that went deeper
     * leaves them at {@link #INITIAL_FRAMES} when it ends (at none after a failed restore: the
     * next run grows them).
     */
    public static final int RETAIN_FRAMES = 1 << 12;

    long[] w = new long[INITIAL_REGISTERS];
    Object[] r = new Object[INITIAL_REGISTERS];
    /**
     * The absolute indices of the reference-file slots the interpreter turned into
     * {@link DecScale} tokens since they were last boxed ({@link #boxDecimals}); a slot may be listed
     * twice or hold a boxed value again (then boxing skips it). Bounded: a full list is boxed.
     */
    private final int[] decSlots = new int[DEC_SLOTS];
    private int decCount;
    /** How many unboxed decimal slots the interpreter lists before it boxes them all. */
    static final int DEC_SLOTS = 64;
    /**
     * Where a {@link DecimalRun}, {@link FloatRun}, {@link WordRun}, {@link TupleRun}, {@link ArrayRun}
     * or {@link HostRun} that threw stood: the code index of the instruction that trapped (or threw),
     * for {@link Interpreter#execute}'s one handler to report it there; -1 when no run noted one since
     * {@code execute} last read it (that handler reads it for every throw, so it must be -1 after each
     * normal return; an error thrown before the run's own handler, such as an
     * {@code OutOfMemoryError} loading the class, is then reported at the instruction that started
     * the run).
     */
    int runIp = -1;
    /** The budget units that such a run took beyond its first instruction's before it threw. */
    int runUsed;
    /**
     * The global ip {@link CallLoop}, {@link LeafLoop} or {@link ClosureLoop} stopped at (returned or
     * threw there); -1 when none since {@code execute} read it ({@code execute} resets it after each
     * normal return: its one handler reads it for every throw).
     */
    int hotIp = -1;
    /** The register base {@link CallLoop} stopped with. */
    int hotBase;
    /** The call depth {@link CallLoop} stopped with (frames live, the current one included). */
    int hotDepth;
    /** The current function's register count when {@link CallLoop} stopped. */
    int hotRegs;
    /** The budget {@link CallLoop} had left when it stopped (a trapping instruction's unit taken). */
    long hotBudget;
    /**
     * Set by {@link CallLoop} when it stopped at a direct {@code call} (unpaid) whose callee's
     * registers or frame record need the register files or the frame records to grow: the
     * {@code call} case of {@link Interpreter#execute} then makes that call itself (and grows them)
     * instead of handing it back, and clears this.
     */
    boolean hotGrow;
    /**
     * The run's register high-water mark, counting each pending call's frame record as
     * {@link #FRAME_REGISTERS} registers: registers at or above it have not been written since the
     * files were last cleared. Calls compare the callee's end plus the records with it alone (it
     * never exceeds the register limit or the files' length) and go to {@link #ensureRegisters} past
     * it.
     */
    int regHigh;
    /** ints per frame record in {@link #frames} */
    static final int FRAME = 4;
    /**
     * One record of {@link #FRAME} ints per caller frame, frame d (0 = entry) at {@code d * FRAME}:
     * its register count, its register base, the global ip (in the program's
     * {@link dev.tape.verify.internal.CodeImage}) of its pending call, and the global ip of that call's
     * result count (the result registers follow it). The frame's function is the one whose code
     * holds the call.
     */
    int[] frames = new int[INITIAL_FRAMES * FRAME];
    /** frames live, the current one included */
    int depth;
    int func;
    int ip;
    int base;
    /**
     * fuel left that the loop counts down, 0 to {@link Long#MAX_VALUE}; with a fuel limit of
     * 2<sup>63</sup> or more, the rest waits in {@link #fuelReserve}
     */
    long fuel;
    /**
     * fuel left beyond {@link #fuel}, unsigned: non-zero only while a fuel limit of 2<sup>63</sup>
     * or more is not yet spent down to {@link Long#MAX_VALUE}. The fuel left is
     * {@code fuel + fuelReserve}, read as unsigned.
     */
    long fuelReserve;
    /** the call depth limit, clamped to an {@code int} ({@link Limits#depthCap()}) */
    int maxDepth;
    /**
     * The depths from which a call passes the depth limit and finds room for its caller's frame
     * record without growing {@link #frames}: a call from a frame at depth {@code d} does when
     * {@code d < jitDepth}. At most {@link #maxDepth} and at most {@code frames.length / FRAME + 1},
     * kept so by {@link #jitRoom} wherever either changes (0 in a fresh context: no call passes).
     * Compiled direct calls test it, with the register mark, in one compare before they call
     * {@code JitRuntime.enterDirect} for the rest; a value too low only sends a call there.
     */
    int jitDepth;
    /**
     * Whether compiled code may run pure calls on their fast clones ({@code JitRuntime.fastNest}):
     * set by {@link Vm}'s one-shot driver around its compiled stretch only (the fuel in
     * {@link #fuel} and {@link #fuelReserve} is then the whole fuel left, no trace sink takes calls or
     * instructions, and no pause is polled), false everywhere else (a sliced {@link Run}, a resumed
     * or restored run, the interpreter), and cleared while a call whose fast clone bailed is run
     * again on the compiled tier's own path, so that nothing nested in that re-run tries a clone.
     */
    boolean fast;
    /**
     * The fast clones entered in this context (each {@code JitRuntime.fastNest} that let one run),
     * whether they returned or bailed; never reset. For tests: it shows that clones run.
     */
    long fastEntries;
    long hostCalls;
    long extraUnapplied;
    long heapBytes;
    long scannedBytes;
    /** copy units counted against the copy budget (see {@link #copied(int, int)}) */
    long copiedUnits;
    Limits limits = Limits.DEFAULT;
    TraceSink sink;
    int mask;
    /** whether the mask asks for call events, read by the loop at each call and return */
    boolean traceCalls;
    /** reusable host-call contexts and arrays, per host signature of {@link #sitesOwner} */
    private Calls.Site[] sites = new Calls.Site[0];
    private Vm sitesOwner;
    VmTrap trap;
    /** compiled tier: results of a return that are not passed as the method's value, and its run status */
    long[] retW = new long[0];
    Object[] retR = new Object[0];
    int tierStatus;
    /**
     * Set from any thread to ask the run on this context to pause at its next poll point (an
     * interrupt or a deadline); the driver clears it when it pauses.
     */
    volatile boolean pauseRequested;
    /**
     * Whether the run is paused inside a host call whose host function asked to suspend: {@code ip}
     * is at that {@code host_call} instruction, whose fuel and host-call count are already charged;
     * resuming stores the results the embedder gives into the instruction's result registers and
     * moves past it.
     */
    boolean hostSuspended;
    /**
     * compiled tier: the running thread's Java stack share, set by the tier for each run; compiled
     * code writes the stack it has left into element 0 before each host call, so that a run the
     * host starts on this thread fits in what is left
     */
    int[] stackShare;
    /**
     * compiled tier: the fuel left ({@link #fuelLeft()}) when compiled code last started on this
     * context (a run's start or a resume); what the run has used since and not yet added to the
     * tier's fuel credit is this less the fuel left now
     */
    long creditMark;
    /**
     * Whether the run on this context can pause (a {@link Run}): only then may a host function
     * suspend ({@link dev.tape.host.HostContext#suspend()}). {@code Vm.run} runs with it off.
     */
    boolean suspendable;
    /**
     * Fuel that host charges took beyond the fuel left (the interpreter's {@link #consume} saturates
     * the fuel at 0 and keeps the rest here, unsigned, up to 2<sup>64</sup>-1): a {@link Run} given more
     * fuel pays this first, so that the run uses exactly what one run given all the fuel at once
     * would. Part of a paused run's state; 0 in every other case that matters.
     */
    long fuelDebt;

    /**
     * The paused-or-running {@link Run} that keeps its state in this context, or {@code null} when
     * none does (a one-shot {@code Vm.run}, or no run yet): changed only under this context's
     * monitor, by {@link #claim}, so that a pause request of a run that no longer owns the context
     * ({@link #requestPause}) cannot reach the run that now does.
     */
    private volatile Run owner;

    /**
     * Whether a run is executing in this context now (see {@link #enter}): set by a compare-and-set
     * ({@link #EXECUTING}), cleared by a plain write, which {@code Vm.run} makes without a call (a
     * call there, {@code AtomicBoolean.set} before, could overflow a nearly exhausted stack and
     * leave the context marked for good).
     */
    volatile boolean executing;

    /** {@link #executing}'s handle, for {@link #enter}'s compare-and-set. */
    private static final VarHandle EXECUTING;

    static {
        try {
            EXECUTING = MethodHandles.lookup().findVarHandle(ExecutionContext.class, "executing", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates an empty context. */
    public ExecutionContext() {}

    /**
     * Marks the context as executing a run, until the mark is cleared ({@code executing = false},
     * written out where a run ends, never a call): while a run executes in it, and
     * while {@code Vm.start} or {@code Vm.restore} resets it and gives it to a new run (so that a
     * resume on another thread cannot go on in it then).
     *
     * @throws IllegalStateException when a run is executing in it already
     */
    void enter() {
        if (!EXECUTING.compareAndSet(this, false, true)) {
            throw inUse();
        }
    }

    /**
     * Gives the context to {@code run} ({@code null}: to a one-shot run or to none) and clears any
     * pause request: from here on only {@code run}'s {@link #requestPause} reaches it. Called only
     * while the context is marked as executing ({@link #enter}), so a run that finds it still owns
     * the context after its own {@link #enter} keeps it until it clears the mark.
     *
     * @param run the run that keeps its state here now, or {@code null}
     */
    synchronized void claim(Run run) {
        owner = run;
        pauseRequested = false;
    }

    /**
     * Asks the run on this context to pause at its next poll point, when {@code run} still owns
     * the context (an abandoned run's interrupt or deadline does nothing).
     *
     * @param run the run asking
     */
    synchronized void requestPause(Run run) {
        if (owner == run) {
            pauseRequested = true;
        }
    }

    /**
     * @param run a run of this context
     * @return whether {@code run} still keeps its state here (no other run was started, restored
     *     or run in the context since {@code run} was made)
     */
    boolean ownedBy(Run run) {
        return owner == run;
    }

    /**
     * A copy of this context's paused run for {@link Run#fork()}: register files (up to the
     * high-water mark), frame records, position, limits, fuel and counters; no trace sink, owner or
     * pause request. Values are shared, not copied (they are immutable).
     *
     * @return the copy
     * @throws OutOfMemoryError when the JVM cannot allocate the copy (this context is unchanged)
     */
    ExecutionContext pausedCopy() {
        ExecutionContext n = new ExecutionContext();
        int regs = Math.max(INITIAL_REGISTERS, regHigh);
        n.w = Arrays.copyOf(w, regs);
        n.r = Arrays.copyOf(r, regs);
        n.frames = Arrays.copyOf(frames, Math.max(INITIAL_FRAMES, depth) * FRAME);
        n.regHigh = regHigh;
        n.limits = limits;
        n.maxDepth = maxDepth;
        n.jitRoom();
        n.depth = depth;
        n.func = func;
        n.ip = ip;
        n.base = base;
        n.fuel = fuel;
        n.fuelReserve = fuelReserve;
        n.fuelDebt = fuelDebt;
        n.hostCalls = hostCalls;
        n.extraUnapplied = extraUnapplied;
        n.heapBytes = heapBytes;
        n.scannedBytes = scannedBytes;
        n.copiedUnits = copiedUnits;
        n.hostSuspended = hostSuspended;
        return n;
    }

    private static IllegalStateException inUse() {
        return new IllegalStateException("the execution context is in use: a run is executing in it (a host function"
                + " or trace sink of that run, or another thread, cannot start, resume, restore or inspect a run in the"
                + " same context; use another ExecutionContext)");
    }

    /**
     * The fuel left after the last run (or where a paused {@link Run} of this context stands). Not
     * while a run executes in the context: what the context holds then is where each tier last
     * wrote it, not the run's fuel (a host function reads its call's fuel with
     * {@link dev.tape.host.HostContext#fuelRemaining()}).
     *
     * @return fuel left, in fuel units: an unsigned 64-bit number, like {@link Limits#fuel()}
     * @throws IllegalStateException when a run is executing in the context (or one is being started
     *     or restored in it), as when one of its host functions calls this
     */
    public long fuelRemaining() {
        betweenRuns();
        return fuelLeft();
    }

    /** @return {@link #fuelRemaining()}, for the VM itself, at any time */
    long fuelLeft() {
        return fuel + fuelReserve;
    }

    /**
     * Counts the host calls of the last run in this context.
     *
     * @return host calls made by the last run (or by a paused {@link Run} of this context so far)
     * @throws IllegalStateException when a run is executing in the context (as {@link #fuelRemaining()})
     */
    public long hostCallsMade() {
        betweenRuns();
        return hostCalls;
    }

    /**
     * The heap bytes the last run in this context allocated.
     *
     * @return bytes the last run allocated (the estimate {@link Limits#maxHeapBytes()} bounds), or a
     *     paused {@link Run} of this context so far
     * @throws IllegalStateException when a run is executing in the context (as {@link #fuelRemaining()})
     */
    public long heapBytesAllocated() {
        betweenRuns();
        return heapBytes;
    }

    /**
     * Refuses to read the counters while a run executes here: they are the last run's, and while one
     * runs, each tier keeps its fuel elsewhere and writes it back at its own points.
     */
    private void betweenRuns() {
        if (executing) {
            throw new IllegalStateException("a run is executing in the execution context: its fuel left, host calls "
                    + "and heap bytes are read when the run has ended or paused (a host function reads its call's "
                    + "fuel with HostContext.fuelRemaining())");
        }
    }

    /** Sets the run's trace sink and the event groups it asks for. */
    void trace(TraceSink sink, int mask) {
        this.sink = sink;
        this.mask = mask;
        this.traceCalls = (mask & dev.tape.trace.TraceMask.CALL) != 0;
        lookForRecorder();
    }

    /**
     * Whether a recording wanted {@code dev.tape.HostCall} events at the run's last look
     * ({@link #lookForRecorder}): word host calls ask whether a recording wants their events only
     * when one did ({@code WordCalls.recorded}), and the interpreter's quick host call
     * ({@code WordCalls.quick}) is off while it is true. A plain field, which a compiled loop reads
     * once, where {@code FlightRecorder.isInitialized()} is a volatile read.
     */
    boolean hostCallsWanted;

    /**
     * Looks whether a recording wants {@code dev.tape.HostCall} events
     * ({@code FlightRecorder.isInitialized()} and {@code TapeEvents.hostCallsRecorded()}): at a
     * run's start ({@link #trace}) and at each {@link Run#resume}, {@link Run#step} or
     * {@link Run#resumeWith} (not at the driver's polls between stretches, which come at other
     * points on each tier). So a JVM whose only recordings turn {@code dev.tape.HostCall} off keeps
     * the quick host call, and so does one whose settings do not name the event (the JDK's
     * {@code default} and {@code profile}, {@code -XX:StartFlightRecording}): it is off by its
     * annotations ({@code @Enabled(false)}); only a recording that turns it on wants every call's.
     * When the look cannot load the
     * event classes (a {@link StackOverflowError} on a thread with almost no stack left, see
     * {@code TapeEvents}), a started Flight Recorder counts as wanting them: each word call then
     * asks for itself; an {@link OutOfMemoryError} or a {@link LinkageError} while the JVM loads
     * them {@code TapeEvents} reports as not wanted (its hooks are best effort). Nothing escapes
     * the look: it runs outside every run's handler.
     */
    void lookForRecorder() {
        boolean wanted;
        try {
            wanted = TapeEvents.hostCallsRecorded();
        } catch (StackOverflowError e) {
            // (the look runs outside every run's handler: before Vm.runIn's and Run.drive's;
            // TapeEvents itself turns an OutOfMemoryError or LinkageError into "not recorded")
            wanted = jdk.jfr.FlightRecorder.isInitialized();
        }
        hostCallsWanted = wanted;
    }

    void reset(Limits limits, TraceSink sink, int mask) {
        this.limits = limits;
        trace(sink, mask);
        setFuelLeft(limits.fuel());
        this.maxDepth = limits.depthCap();
        this.hostCalls = 0;
        this.extraUnapplied = 0;
        this.heapBytes = 0;
        this.scannedBytes = 0;
        this.copiedUnits = 0;
        this.depth = 0;
        this.trap = null;
        claim(null);
        this.hostSuspended = false;
        this.suspendable = false;
        this.fuelDebt = 0;
        this.fast = false;
        release();
    }

    /**
     * Ends a run's hold on memory (called when a run ends, and again before the next): drops
     * register files grown past {@link #RETAIN_REGISTERS} and frame records grown past
     * {@link #RETAIN_FRAMES}, and clears the references in the registers below the high-water mark
     * and in the compiled tier's result slots. Costs at most the registers the run used.
     */
    void release() {
        // the references below are cleared or dropped: no token is left to box
        decCount = 0;
        if (w.length > RETAIN_REGISTERS) {
            w = new long[INITIAL_REGISTERS];
            r = new Object[INITIAL_REGISTERS];
        } else {
            Arrays.fill(r, 0, Math.min(regHigh, r.length), null);
        }
        regHigh = 0;
        if (frames.length > RETAIN_FRAMES * FRAME) {
            frames = new int[INITIAL_FRAMES * FRAME];
        }
        jitRoom();
        Arrays.fill(retR, null);
    }

    /** Shared empty register files and frame records: {@link #releaseFailed} makes nothing. */
    private static final long[] NO_WORDS = {};
    private static final Object[] NO_REFS = {};
    private static final int[] NO_FRAMES = {};

    /**
     * {@link #release} without allocating, for a failed restore (which may have failed for want of
     * memory, so that a second {@code OutOfMemoryError} here would escape to the embedder): drops
     * register files grown past {@link #RETAIN_REGISTERS} and frame records grown past
     * {@link #RETAIN_FRAMES} to shared empty arrays, which the next run grows as it needs them
     * ({@link #ensureRegisters}, {@link #growFrames}), and clears the references in the registers
     * below the high-water mark and in the compiled tier's result slots. Costs at most the
     * registers the restore filled; allocates nothing.
     */
    void releaseFailed() {
        decCount = 0;
        if (w.length > RETAIN_REGISTERS || r.length != w.length) {
            w = NO_WORDS;
            r = NO_REFS;
        } else {
            Arrays.fill(r, 0, Math.min(regHigh, r.length), null);
        }
        regHigh = 0;
        if (frames.length > RETAIN_FRAMES * FRAME) {
            frames = NO_FRAMES;
        }
        jitRoom();
        Arrays.fill(retR, null);
    }

    /** Sets {@link #jitDepth} from {@link #maxDepth} and {@link #frames}' length (after either changes). */
    void jitRoom() {
        jitDepth = Math.min(maxDepth, frames.length / FRAME + 1);
    }

    /** @return the register files' capacity, in registers (for tests of {@link #release}) */
    int registerCapacity() {
        return w.length;
    }

    /** @return the frame records' capacity, in frames (for tests of {@link #release}) */
    int frameCapacity() {
        return frames.length / FRAME;
    }

    /** Counts an allocation against the heap limit. */
    void allocate(long bytes) {
        heapBytes += bytes;
        if (heapBytes > limits.maxHeapBytes() || heapBytes < 0) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "the run allocated more than "
                    + limits.maxHeapBytes() + " bytes");
        }
    }

    /**
     * @param limits a run's limits
     * @return the bytes its string comparisons may read ({@link #scan}): {@link #SCAN_FACTOR} times
     *     its heap limit, at least 1 MiB, saturating at {@code Long.MAX_VALUE}
     */
    static long scanBudget(Limits limits) {
        long budget = Math.max(limits.maxHeapBytes(), 1L << 20);
        return budget > Long.MAX_VALUE / SCAN_FACTOR ? Long.MAX_VALUE : budget * SCAN_FACTOR;
    }

    /** How many times the heap limit (at least 1 MiB) a run's string comparisons may compare. */
    static final long SCAN_FACTOR = 64;

    /**
     * Counts the bytes a string comparison compares (the operands' length when the two are equal,
     * whether or not they are one array, which is then not read: {@link Texts#eq}) against the scan
     * budget: {@link #SCAN_FACTOR} times the heap limit (at least 1 MiB), 4 GiB with the default limits. Over it, the run traps
     * {@code heap_limit_exceeded}. Comparisons cost 1 fuel whatever their length, as in the
     * reference, so this bound is what keeps their total work in proportion to the run's limits.
     */
    void scan(long bytes) {
        scannedBytes += bytes;
        long budget = scanBudget(limits);
        if (scannedBytes > budget || scannedBytes < 0) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "the run's string comparisons compared more than " + budget
                    + " bytes (" + SCAN_FACTOR + " times its heap limit)");
        }
    }

    /**
     * Values an instruction may move without counting them against the copy budget: a
     * {@code call} or {@code call.indirect} whose arguments and results together are at most 16, a
     * {@code host_call} whose arguments and results are at most 16.
     */
    static final int FREE_VALUES = 16;
    /** Copy units one value moved by a {@code call}, {@code call.indirect} (and its {@code ret}) counts. */
    static final int CALL_VALUE_UNITS = 1;
    /**
     * Copy units one value passed to or from a host function counts: it is boxed, then checked,
     * which costs about 10 times a register copy once HotSpot has compiled it, more before.
     */
    static final int HOST_VALUE_UNITS = 16;
    /** Copy units a run may count per unit of its fuel limit. */
    static final long COPY_FACTOR = 16;
    /** Copy units every run may count on top of {@link #COPY_FACTOR} times its fuel limit: 1 Mi. */
    static final long COPY_FLOOR = 1L << 20;

    /**
     * The copy budget of a run with these limits: {@link #COPY_FACTOR} times the fuel limit plus
     * {@link #COPY_FLOOR} (saturating; a fuel limit read as unsigned beyond {@code Long.MAX_VALUE}
     * saturates too). With the default limits: 161,048,576 units. Like the scan budget it is a
     * Java-only bound that follows the heap limit: with that off ({@code Long.MAX_VALUE}, as
     * {@link Limits#withoutJavaOnlyLimits()} sets for conformance runs), it is off too.
     */
    static long copyBudget(Limits limits) {
        long fuel = limits.fuel();
        if (limits.maxHeapBytes() == Long.MAX_VALUE || fuel < 0 || fuel > (Long.MAX_VALUE - COPY_FLOOR) / COPY_FACTOR) {
            return Long.MAX_VALUE;
        }
        return fuel * COPY_FACTOR + COPY_FLOOR;
    }

    /**
     * Counts the values one instruction moves beyond its {@link #FREE_VALUES} against the copy
     * budget ({@link #copyBudget}), at {@code unitsPerValue} each: a {@code call} or
     * {@code call.indirect} counts its arguments and results ({@link #CALL_VALUE_UNITS}; the
     * results are counted at the call, so {@code ret} counts nothing), a {@code host_call} its
     * arguments and results ({@link #HOST_VALUE_UNITS}). Over the budget the instruction traps
     * {@code fuel_exceeded} before it moves anything. Fuel stays 1 per instruction, as in the
     * reference; this bound is what keeps a run's copying within a constant factor of its fuel
     * (docs/SECURITY.md, "Wide calls").
     *
     * @param values the values the instruction moves, 0 to 131,070
     * @param unitsPerValue copy units per value beyond the free ones
     */
    void copied(int values, int unitsPerValue) {
        if (values <= FREE_VALUES) {
            return;
        }
        copiedUnits += (long) (values - FREE_VALUES) * unitsPerValue;
        long budget = copyBudget(limits);
        if (copiedUnits > budget) {
            throw new VmTrap(TrapKind.FUEL_EXCEEDED, "the run's calls and host calls moved more than " + budget
                    + " copy units (" + COPY_FACTOR + " per unit of its fuel limit, plus " + COPY_FLOOR + ")");
        }
    }

    /**
     * Registers each caller frame counts against {@link Limits#maxRegisters()} for its frame record
     * (16 bytes, where a register takes 12 to 16 bytes of register files): a run's registers plus 2
     * per pending call stay within the limit, so the limit bounds the frame records' memory too.
     */
    static final int FRAME_REGISTERS = 2;

    /**
     * Lists a reference-file slot the interpreter just turned into a {@link DecScale} token; boxes
     * every listed slot first when the list is full.
     *
     * @param at the absolute register index
     */
    void decDirty(int at) {
        if (decCount == DEC_SLOTS) {
            boxListed();
        }
        decSlots[decCount++] = at;
    }

    /**
     * @return whether the list of unboxed decimal slots is full: listing one more boxes them all
     *     first ({@link #decDirty}), which allocates
     */
    boolean decFull() {
        return decCount == DEC_SLOTS;
    }

    /**
     * Boxes every listed unboxed decimal back into a {@link dev.tape.value.Value.Decimal} in the
     * reference file (a slot that holds anything but a token by now is skipped), and empties the
     * list: after it, no slot of the register files holds a token.
     */
    void boxDecimals() {
        // small, so that callers inline the test and call the loop only when a slot is listed
        if (decCount != 0) {
            boxListed();
        }
    }

    private void boxListed() {
        int n = decCount;
        Object[] refs = r;
        long[] words = w;
        for (int i = 0; i < n; i++) {
            int at = decSlots[i];
            if (at < refs.length && refs[at] instanceof DecScale t) {
                refs[at] = new dev.tape.value.Value.Decimal(words[at], t.scale);
            }
        }
        decCount = 0;
    }

    /** {@link #ensureRegisters(int, int)} with no caller frames pending (a run's entry frame). */
    void ensureRegisters(int need) {
        ensureRegisters(need, 0);
    }

    /**
     * Makes room for registers up to {@code need} with {@code records} caller frames pending: traps
     * {@code heap_limit_exceeded} when {@code need + FRAME_REGISTERS * records} is over the register
     * limit, or the JVM cannot grow the register files; else grows the files to cover that charge
     * and raises {@link #regHigh} to it.
     */
    void ensureRegisters(int need, int records) {
        long charged = need + (long) FRAME_REGISTERS * records;
        if (need < 0 || charged > limits.maxRegisters()) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "the run needs more than " + limits.maxRegisters()
                    + " registers across its frames (each pending call counts " + FRAME_REGISTERS + ")");
        }
        // the files cover the whole charge, so that any later need at or under the mark fits
        if (charged > w.length) {
            int n = (int) Math.min(Math.max((long) w.length * 2, charged), limits.maxRegisters());
            try {
                long[] nw = Arrays.copyOf(w, n);
                r = Arrays.copyOf(r, n);
                w = nw;
            } catch (OutOfMemoryError e) {
                throw outOfMemory();
            }
        }
        if (charged > regHigh) {
            regHigh = (int) charged;
        }
    }

    /** Lets the register files go (after a trap, which never reads them): the next run grows new ones. */
    void dropRegisters() {
        decCount = 0;
        w = NO_WORDS;
        r = NO_REFS;
        regHigh = 0;
    }

    /** Shared: making it needs no memory when there is none. */
    private static final VmTrap OUT_OF_MEMORY = new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED,
            "the JVM ran out of memory");

    /**
     * The trap of an allocation the JVM could not make ({@code heap_limit_exceeded}), from an
     * {@code OutOfMemoryError}: the instruction that allocated traps, with the fuel it used, on
     * both tiers.
     */
    static VmTrap outOfMemory() {
        return OUT_OF_MEMORY;
    }

    /**
     * Doubles the frame records (makes {@link #INITIAL_FRAMES} when there are none).
     *
     * @return the new array
     */
    int[] growFrames() {
        // from at least the initial records: a failed restore may leave none (releaseFailed)
        int n = (int) Math.min(Math.max(frames.length * 2L, INITIAL_FRAMES * FRAME), Integer.MAX_VALUE - 8);
        if (n <= frames.length) {
            throw outOfMemory();
        }
        try {
            frames = Arrays.copyOf(frames, n);
        } catch (OutOfMemoryError e) {
            throw outOfMemory();
        }
        jitRoom();
        return frames;
    }

    /**
     * The reusable host-call context of one host signature (contexts are per run state, so a
     * context used with another VM starts a fresh set).
     */
    Calls.Site site(Vm vm, int sigId) {
        if (sitesOwner != vm) {
            sites = new Calls.Site[vm.hostSigs.length];
            sitesOwner = vm;
        }
        Calls.Site s = sites[sigId];
        if (s == null) {
            s = new Calls.Site(vm.program, vm.hostSymbols[sigId], vm.hostSigs[sigId].sigHash(),
                    vm.hostArgKinds[sigId].length, vm.hostRetTypes[sigId].length);
            sites[sigId] = s;
        }
        return s;
    }

    /**
     * Moves fuel from the reserve into the counted fuel once the counted fuel is spent.
     *
     * @return whether there was any to move (the run goes on), else it is out of fuel
     */
    boolean refill() {
        if (fuelReserve == 0) {
            return false;
        }
        setFuelLeft(fuel + fuelReserve);
        return true;
    }

    /**
     * Sets the fuel left to {@code left} (unsigned, up to 2<sup>64</sup>-1) in its usual split:
     * {@link #fuel} holds as much as it can ({@link Long#MAX_VALUE}), {@link #fuelReserve} the rest.
     */
    void setFuelLeft(long left) {
        fuel = left < 0 ? Long.MAX_VALUE : left;
        fuelReserve = left < 0 ? left - Long.MAX_VALUE : 0;
    }

    /**
     * Takes a host's extra fuel charge from the reserve first (exact: the fuel left is the sum of
     * the two) and gives the rest, to be subtracted from the counted fuel, saturating at 0.
     *
     * @param charged the charge, unsigned (up to 2<sup>64</sup>-1)
     * @return what the reserve did not cover, capped at {@link Long#MAX_VALUE}: the counted fuel
     *     is never more than that, so the cap leaves the saturated result unchanged; what the cap
     *     cuts off goes to {@link #fuelDebt}, which a paused run pays from the fuel added next
     */
    long absorb(long charged) {
        long rest = charged;
        if (fuelReserve != 0) {
            if (Long.compareUnsigned(rest, fuelReserve) <= 0) {
                fuelReserve -= rest;
                return 0;
            }
            rest -= fuelReserve;
            fuelReserve = 0;
        }
        if (rest < 0) {
            addDebt(rest - Long.MAX_VALUE);
            return Long.MAX_VALUE;
        }
        return rest;
    }

    /** Adds {@code units} (unsigned) to {@link #fuelDebt}, saturating at 2<sup>64</sup>-1. */
    private void addDebt(long units) {
        long d = fuelDebt + units;
        fuelDebt = Long.compareUnsigned(d, fuelDebt) < 0 ? -1L : d;
    }

    /** Adds a charge the reserve did not cover to {@link #extraUnapplied}, saturating. */
    void defer(long rest) {
        long sum = extraUnapplied + rest;
        if (sum < 0) {
            // both are at most Long.MAX_VALUE: what the cap cuts off is still owed
            addDebt(sum - Long.MAX_VALUE);
            sum = Long.MAX_VALUE;
        }
        extraUnapplied = sum;
    }

    /**
     * Takes {@code extra} fuel (a host's charge, already passed through {@link #absorb}) from the
     * fuel left, saturating at 0; what it could not take becomes {@link #fuelDebt}.
     */
    void chargeExtra(long extra) {
        long f = fuel - extra;
        if (f < 0) {
            addDebt(-f);
            f = 0;
        }
        fuel = f;
    }

    /**
     * Subtracts fuel used by one stretch of the loop ({@code used}, at most {@link #fuel}), plus
     * unapplied host charges, saturating at 0: a host that charged more than was left leaves the
     * rest as {@link #fuelDebt}, which a paused run pays from the fuel added next.
     */
    void consume(long used) {
        fuel -= used;
        long extra = extraUnapplied;
        extraUnapplied = 0;
        chargeExtra(extra);
    }
}
