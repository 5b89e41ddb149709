package dev.tape.host;

import dev.tape.program.Program;

/**
 * What a host function may see and do during a call (spec section "Host call interface
 * (conceptual)"): read program metadata, learn which call it serves, and charge extra fuel.
 * Aggregate arguments arrive as deep, read-only {@link dev.tape.value.Aggregate} values, so no
 * separate read API is needed. A context is valid only during the call it was passed to.
 */
public interface HostContext {
    /** @return the program being run */
    Program program();

    /** @return the symbol being called, for example {@code "math.add"} */
    String symbol();

    /** @return the signature hash of the call */
    long sigHash();

    /** @return the function id of the calling instruction */
    int callerFunction();

    /** @return the byte pc of the calling {@code host_call} instruction */
    int callerPc();

    /**
     * @return the fuel left before any charge this call makes, in fuel units: an unsigned 64-bit
     *     number (read it with {@link Long#toUnsignedString(long)} or {@link Long#compareUnsigned})
     */
    long fuelRemaining();

    /**
     * Charges extra fuel for the work the host did. Charges add up over one call and are
     * subtracted when the call returns, saturating at 0: the run then traps {@code fuel_exceeded}
     * at the next instruction ({@code reference/README.md}, "Fuel").
     *
     * <p>The charge is an unsigned 64-bit number, as the reference's {@code u64}: a {@code long}
     * whose bits read as 2<sup>63</sup> or more (a negative {@code long}) charges that much, and the
     * sum over one call saturates at 2<sup>64</sup>-1.
     *
     * @param units fuel units to charge, unsigned: 0 to 2<sup>64</sup>-1
     */
    void chargeFuel(long units);
}
