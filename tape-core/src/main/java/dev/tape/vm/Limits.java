package dev.tape.vm;

/**
 * The bounds of one run (spec section "Limits (v1)").
 *
 * <p>The first three limits are the reference's own and have its ranges: {@code fuel} and
 * {@code maxHostCalls} are unsigned 64-bit numbers (a {@code u64}), {@code maxCallDepth} an unsigned
 * machine word (a {@code usize}); all three hold any value from 0 to
 * 2<sup>64</sup>-1, carried in a {@code long} whose bits are read as unsigned
 * ({@link Long#toUnsignedString(long)} prints them; {@link #parseUnsigned(String, String)} reads
 * them). A value of 2<sup>63</sup> or more is therefore a negative {@code long}: that is not an
 * error.
 *
 * <p>The last two limits are this implementation's own ({@code docs/SECURITY.md}, "Java-only
 * limits"): the reference has neither. They bound what the JVM's heap must hold for a run, so an
 * embedder running untrusted programs keeps them; a conformance run turns them off
 * ({@link #withoutJavaOnlyLimits()}) so that it accepts exactly the runs the reference finishes.
 *
 * @param fuel the fuel budget, in fuel units (every instruction costs 1; hosts may charge more);
 *     unsigned, 0 to 2<sup>64</sup>-1. Calls and host calls may move at most 16 times this plus
 *     1 Mi copy units of values beyond 16 per instruction in one run ({@code fuel_exceeded}
 *     beyond; a Java-only bound, off with the heap limit; docs/SECURITY.md, "Wide calls")
 * @param maxCallDepth the most frames at once, the entry frame included; unsigned, 0 to
 *     2<sup>64</sup>-1. As in the reference, only calls check it (a call that would make the
 *     frames more than this traps {@code call_depth_exceeded}), never the entry frame, so 0 runs a
 *     program that makes no call and traps at its first call, like 1 (a depth beyond what the heap
 *     and register limits allow is never reached)
 * @param maxHostCalls the most host calls in the run; unsigned, 0 to 2<sup>64</sup>-1
 * @param maxHeapBytes the most bytes the run may allocate for strings, byte strings, closures and
 *     aggregates (an estimate of their size; decimals are values, like integers, and cost nothing);
 *     0 to {@link Long#MAX_VALUE}, which turns it off. String and byte-string comparisons may read
 *     at most 64 times this (at least 64 MiB) in one run ({@code heap_limit_exceeded} beyond)
 * @param maxRegisters the most registers live at once across all frames, each pending call
 *     counting 2 more for its frame record; 1 to {@link Integer#MAX_VALUE}
 */
public record Limits(long fuel, long maxCallDepth, long maxHostCalls, long maxHeapBytes, int maxRegisters) {
    /** Default fuel: 10,000,000 units. */
    public static final long DEFAULT_FUEL = 10_000_000L;
    /** Default call depth: 1,024 frames. */
    public static final int DEFAULT_CALL_DEPTH = 1024;
    /** Default host calls: 1,000,000. */
    public static final long DEFAULT_HOST_CALLS = 1_000_000L;
    /** Default heap: 64 MiB. */
    public static final long DEFAULT_HEAP_BYTES = 64L << 20;
    /** Default registers: 8,388,608 (about 96 MiB of register files). */
    public static final int DEFAULT_REGISTERS = 1 << 23;
    /** The largest value of the unsigned limits, 2<sup>64</sup>-1, as a {@code long}'s bits. */
    public static final long MAX_UNSIGNED = -1L;

    /** The defaults. */
    public static final Limits DEFAULT = new Limits(DEFAULT_FUEL, DEFAULT_CALL_DEPTH, DEFAULT_HOST_CALLS,
            DEFAULT_HEAP_BYTES, DEFAULT_REGISTERS);

    /**
     * Checks the ranges.
     *
     * @param fuel the fuel budget, in fuel units; unsigned
     * @param maxCallDepth the most frames at once, the entry frame included; unsigned (0 allows no
     *     call, like 1)
     * @param maxHostCalls the most host calls in the run; unsigned
     * @param maxHeapBytes the most bytes the run may allocate, 0 to {@link Long#MAX_VALUE}
     * @param maxRegisters the most registers live at once across all frames, 1 or more
     * @throws IllegalArgumentException when {@code maxHeapBytes} is negative or
     *     {@code maxRegisters} is below 1
     */
    public Limits {
        if (maxHeapBytes < 0 || maxRegisters < 1) {
            throw new IllegalArgumentException("limits out of range: fuel " + Long.toUnsignedString(fuel)
                    + ", depth " + Long.toUnsignedString(maxCallDepth) + ", host calls "
                    + Long.toUnsignedString(maxHostCalls) + ", heap " + maxHeapBytes + ", registers " + maxRegisters
                    + " (the heap must be 0 or more, the registers 1 or more)");
        }
    }

    /**
     * The reference's three limits, with this implementation's default heap and register limits.
     *
     * @param fuel fuel units, unsigned
     * @param maxCallDepth frames, unsigned
     * @param maxHostCalls host calls, unsigned
     * @return the limits
     */
    public static Limits of(long fuel, long maxCallDepth, long maxHostCalls) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, DEFAULT_HEAP_BYTES, DEFAULT_REGISTERS);
    }

    /**
     * Reads an unsigned limit written in decimal, 0 to 18446744073709551615.
     *
     * @param text the digits (an optional leading {@code +}; no sign, no separators)
     * @param what the limit's name, for the error message
     * @return the value as a {@code long}'s bits
     * @throws IllegalArgumentException when the text is not a decimal number in that range, saying
     *     which limit and why
     */
    public static long parseUnsigned(String text, String what) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        // a loop, not chars().allMatch(...): no java.util.stream in a cold tape run
        boolean digits = !t.isEmpty();
        for (int i = 0; i < t.length() && digits; i++) {
            digits = t.charAt(i) >= '0' && t.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException(what + " must be a whole number from 0 to 18446744073709551615");
        }
        try {
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is larger than 18446744073709551615 (2^64-1), the largest"
                    + " value it can hold");
        }
    }

    /**
     * Drops the heap and register limits, which the reference does not have.
     *
     * @return a copy without the Java-only limits: the heap limit {@link Long#MAX_VALUE} and the
     *     register limit {@link Integer#MAX_VALUE}, so only the reference's limits (and the JVM's
     *     memory, whose exhaustion traps {@code heap_limit_exceeded}) bound the run. For conformance
     *     runs; an embedder running untrusted programs keeps its heap and register limits.
     */
    public Limits withoutJavaOnlyLimits() {
        return new Limits(fuel, maxCallDepth, maxHostCalls, Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Changes the fuel budget.
     *
     * @param f fuel units, unsigned
     * @return a copy with that fuel
     */
    public Limits withFuel(long f) {
        return new Limits(f, maxCallDepth, maxHostCalls, maxHeapBytes, maxRegisters);
    }

    /**
     * Changes the most frames a run may have at once.
     *
     * @param d frames, unsigned
     * @return a copy with that call depth
     */
    public Limits withMaxCallDepth(long d) {
        return new Limits(fuel, d, maxHostCalls, maxHeapBytes, maxRegisters);
    }

    /**
     * Changes the most host calls a run may make.
     *
     * @param h host calls, unsigned
     * @return a copy with that host-call limit
     */
    public Limits withMaxHostCalls(long h) {
        return new Limits(fuel, maxCallDepth, h, maxHeapBytes, maxRegisters);
    }

    /**
     * Changes the most heap bytes a run may allocate.
     *
     * @param b bytes, 0 or more
     * @return a copy with that heap limit
     * @throws IllegalArgumentException when {@code b} is negative
     */
    public Limits withMaxHeapBytes(long b) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, b, maxRegisters);
    }

    /**
     * Changes the most registers a run may hold at once, over all its frames.
     *
     * @param r registers, 1 or more
     * @return a copy with that register limit
     * @throws IllegalArgumentException when {@code r} is below 1
     */
    public Limits withMaxRegisters(int r) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, maxHeapBytes, r);
    }

    /** @return the call depth limit as an {@code int}: values above {@link Integer#MAX_VALUE} clamp to it */
    int depthCap() {
        return Long.compareUnsigned(maxCallDepth, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : (int) maxCallDepth;
    }
}
