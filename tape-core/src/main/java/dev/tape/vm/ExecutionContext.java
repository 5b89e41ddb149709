package dev.tape.vm;

import dev.tape.trace.TraceSink;

import java.util.Arrays;

/**
 * The mutable state of one run: register files, the frame stack, fuel and counters. A context can
 * be reused for many runs, one after another, to avoid reallocating its arrays; it must not be
 * used by two threads at once. A {@link Vm} is shared; contexts are not.
 *
 * <p>All loop state lives here, not on the Java stack, so a run can stop between instructions
 * (for tracing, and later for suspension) and continue where it stopped.
 *
 * <p><b>Memory between runs.</b> The register files and frame records grow as a run needs them
 * (up to what its limits allow). When a run ends, normally or by a trap, the context lets go of
 * what it grew past {@link #RETAIN_REGISTERS} registers or {@link #RETAIN_FRAMES} frame records
 * (it starts again from the initial sizes), and otherwise clears only the registers the run could
 * have written (a high-water mark kept at each call), so no value of one run stays reachable from
 * the context after it, and a deep run leaves neither its memory nor a per-run cost to the
 * trivial runs after it.
 */
public final class ExecutionContext {
    /** Registers a new context holds. */
    static final int INITIAL_REGISTERS = 256;
    /**
     * The register file size, in registers, a context keeps after a run: 65,536, as many as one
     * function may declare ({@link dev.tape.verify.Verifier#DEFAULT_MAX_REGS}), about 768 KiB for
     * the two files. A run that grew them larger leaves them at {@link #INITIAL_REGISTERS} when it
     * ends.
     */
    public static final int RETAIN_REGISTERS = 1 << 16;
    /** Frame records a new context holds. */
    static final int INITIAL_FRAMES = 16;
    /**
     * The frame records a context keeps after a run: 4,096 frames (64 KiB). A run that went deeper
     * leaves them at {@link #INITIAL_FRAMES} when it ends.
     */
    public static final int RETAIN_FRAMES = 1 << 12;

    long[] w = new long[INITIAL_REGISTERS];
    Object[] r = new Object[INITIAL_REGISTERS];
    /**
     * The run's register high-water mark: registers at or above it have not been written since the
     * files were last cleared. Calls compare the callee's end with it alone (it never exceeds the
     * register limit or the files' length) and go to {@link #ensureRegisters} past it.
     */
    int regHigh;
    /** ints per frame record in {@link #frames} */
    static final int FRAME = 4;
    /**
     * One record of {@link #FRAME} ints per caller frame, frame d (0 = entry) at {@code d * FRAME}:
     * its register count, its register base, the global ip (in the program's
     * {@link dev.tape.verify.CodeImage}) of its pending call, and the global ip of that call's
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
    long hostCalls;
    long extraUnapplied;
    long heapBytes;
    long scannedBytes;
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
     * compiled tier: the running thread's Java stack share, set by the tier for each run; compiled
     * code writes the stack it has left into element 0 before each host call, so that a run the
     * host starts on this thread fits in what is left
     */
    int[] stackShare;

    /** Creates an empty context. */
    public ExecutionContext() {}

    /**
     * @return fuel left after the last run, in fuel units: an unsigned 64-bit number, like
     *     {@link Limits#fuel()}
     */
    public long fuelRemaining() {
        return fuel + fuelReserve;
    }

    /** @return host calls made by the last run */
    public long hostCallsMade() {
        return hostCalls;
    }

    /** @return bytes the last run allocated (the estimate {@link Limits#maxHeapBytes()} bounds) */
    public long heapBytesAllocated() {
        return heapBytes;
    }

    void reset(Limits limits, TraceSink sink, int mask) {
        this.limits = limits;
        this.sink = sink;
        this.mask = mask;
        this.traceCalls = (mask & dev.tape.trace.TraceMask.CALL) != 0;
        long f = limits.fuel();
        this.fuel = f < 0 ? Long.MAX_VALUE : f;
        this.fuelReserve = f < 0 ? f - Long.MAX_VALUE : 0;
        this.maxDepth = limits.depthCap();
        this.hostCalls = 0;
        this.extraUnapplied = 0;
        this.heapBytes = 0;
        this.scannedBytes = 0;
        this.depth = 0;
        this.trap = null;
        release();
    }

    /**
     * Ends a run's hold on memory (called when a run ends, and again before the next): drops
     * register files grown past {@link #RETAIN_REGISTERS} and frame records grown past
     * {@link #RETAIN_FRAMES}, and clears the references in the registers below the high-water mark
     * and in the compiled tier's result slots. Costs at most the registers the run used.
     */
    void release() {
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
        Arrays.fill(retR, null);
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

    /** How many times the heap limit (at least 1 MiB) a run's string comparisons may read. */
    static final long SCAN_FACTOR = 64;

    /**
     * Counts bytes read by a string comparison against the scan budget: {@link #SCAN_FACTOR} times
     * the heap limit (at least 1 MiB), 4 GiB with the default limits. Over it, the run traps
     * {@code heap_limit_exceeded}. Comparisons cost 1 fuel whatever their length, as in the
     * reference, so this bound is what keeps their total work in proportion to the run's limits.
     */
    void scan(long bytes) {
        scannedBytes += bytes;
        long budget = Math.max(limits.maxHeapBytes(), 1L << 20);
        budget = budget > Long.MAX_VALUE / SCAN_FACTOR ? Long.MAX_VALUE : budget * SCAN_FACTOR;
        if (scannedBytes > budget || scannedBytes < 0) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "the run's string comparisons read more than " + budget
                    + " bytes (" + SCAN_FACTOR + " times its heap limit)");
        }
    }

    /**
     * Makes room for registers up to {@code need}, within the register limit, and raises the
     * high-water mark to it. Calls come here only when {@code need} is past {@link #regHigh}.
     */
    void ensureRegisters(int need) {
        if (need < 0 || need > limits.maxRegisters()) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "the run needs more than " + limits.maxRegisters()
                    + " registers across its frames");
        }
        if (need > w.length) {
            int n = (int) Math.min(Math.max((long) w.length * 2, need), limits.maxRegisters());
            w = Arrays.copyOf(w, n);
            r = Arrays.copyOf(r, n);
        }
        if (need > regHigh) {
            regHigh = need;
        }
    }

    /**
     * Doubles the frame records.
     *
     * @return the new array
     */
    int[] growFrames() {
        frames = Arrays.copyOf(frames, frames.length * 2);
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
        long f = fuel + fuelReserve;
        fuel = f < 0 ? Long.MAX_VALUE : f;
        fuelReserve = f < 0 ? f - Long.MAX_VALUE : 0;
        return true;
    }

    /**
     * Takes a host's extra fuel charge from the reserve first (exact: the fuel left is the sum of
     * the two) and gives the rest, to be subtracted from the counted fuel, saturating at 0.
     *
     * @param charged the charge, unsigned (up to 2<sup>64</sup>-1)
     * @return what the reserve did not cover, capped at {@link Long#MAX_VALUE}: the counted fuel
     *     is never more than that, so the cap leaves the saturated result unchanged
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
        return rest < 0 ? Long.MAX_VALUE : rest;
    }

    /** Adds a charge the reserve did not cover to {@link #extraUnapplied}, saturating. */
    void defer(long rest) {
        long sum = extraUnapplied + rest;
        extraUnapplied = sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Subtracts fuel used by one stretch of the loop, plus unapplied host charges, saturating at 0. */
    void consume(long used) {
        long f = fuel - used - extraUnapplied;
        extraUnapplied = 0;
        fuel = f < 0 ? 0 : f;
    }
}
