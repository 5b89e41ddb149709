package dev.tape.vm;

/**
 * The bounds of one run (spec section "Limits (v1)").
 *
 * @param fuel the fuel budget, in fuel units (every instruction costs 1; hosts may charge more);
 *     0 or more. Calls and host calls may move at most 16 times this plus 1 Mi copy units of
 *     values beyond 16 per instruction in one run ({@code fuel_exceeded} beyond; docs/SECURITY.md,
 *     "Wide calls")
 * @param maxCallDepth the most frames at once, the entry frame included; 1 or more
 * @param maxHostCalls the most host calls in the run; 0 or more
 * @param maxHeapBytes the most bytes the run may allocate for strings, byte strings, decimals,
 *     closures and aggregates (an estimate of their size); 0 or more. String and byte-string
 *     comparisons may read at most 64 times this (at least 64 MiB) in one run
 *     ({@code heap_limit_exceeded} beyond)
 * @param maxRegisters the most registers live at once across all frames, each pending call
 *     counting 2 more for its frame record; 1 or more
 */
public record Limits(long fuel, int maxCallDepth, long maxHostCalls, long maxHeapBytes, int maxRegisters) {
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

    /** The defaults. */
    public static final Limits DEFAULT = new Limits(DEFAULT_FUEL, DEFAULT_CALL_DEPTH, DEFAULT_HOST_CALLS,
            DEFAULT_HEAP_BYTES, DEFAULT_REGISTERS);

    /** @throws IllegalArgumentException when a limit is out of its range */
    public Limits {
        if (fuel < 0 || maxCallDepth < 1 || maxHostCalls < 0 || maxHeapBytes < 0 || maxRegisters < 1) {
            throw new IllegalArgumentException("limits out of range: " + fuelText(fuel) + ", depth " + maxCallDepth
                    + ", host calls " + maxHostCalls + ", heap " + maxHeapBytes + ", registers " + maxRegisters);
        }
    }

    private static String fuelText(long fuel) {
        return "fuel " + fuel;
    }

    /**
     * @param fuel fuel units
     * @param maxCallDepth frames
     * @param maxHostCalls host calls
     * @return these limits with the default heap and register limits
     */
    public static Limits of(long fuel, int maxCallDepth, long maxHostCalls) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, DEFAULT_HEAP_BYTES, DEFAULT_REGISTERS);
    }

    /** @param f fuel units @return a copy with that fuel */
    public Limits withFuel(long f) {
        return new Limits(f, maxCallDepth, maxHostCalls, maxHeapBytes, maxRegisters);
    }

    /** @param d frames @return a copy with that call depth */
    public Limits withMaxCallDepth(int d) {
        return new Limits(fuel, d, maxHostCalls, maxHeapBytes, maxRegisters);
    }

    /** @param h host calls @return a copy with that host-call limit */
    public Limits withMaxHostCalls(long h) {
        return new Limits(fuel, maxCallDepth, h, maxHeapBytes, maxRegisters);
    }

    /** @param b bytes @return a copy with that heap limit */
    public Limits withMaxHeapBytes(long b) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, b, maxRegisters);
    }

    /** @param r registers @return a copy with that register limit */
    public Limits withMaxRegisters(int r) {
        return new Limits(fuel, maxCallDepth, maxHostCalls, maxHeapBytes, r);
    }
}
