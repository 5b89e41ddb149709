package dev.tape.host;

import dev.tape.program.Program;

/**
 * What a host function may see and do during a call (spec section "Host call interface
 * (conceptual)"): read program metadata, learn which call it serves, and charge extra fuel.
 * Aggregate arguments arrive as deep, read-only {@link dev.tape.value.Aggregate} values, so no
 * separate read API is needed. A context is valid only during the call it was passed to.
 */
public interface HostContext {
    /**
     * The program whose run made this host call.
     *
     * @return the program being run
     */
    Program program();

    /**
     * The host symbol the program called.
     *
     * @return the symbol being called, for example {@code "math.add"}
     */
    String symbol();

    /**
     * The signature hash the program declared for this call.
     *
     * @return the signature hash of the call
     */
    long sigHash();

    /**
     * The function that executed the {@code host_call}.
     *
     * @return the function id of the calling instruction
     */
    int callerFunction();

    /**
     * Where the {@code host_call} is in the calling function's bytecode.
     *
     * @return the byte pc of the calling {@code host_call} instruction
     */
    int callerPc();

    /**
     * The fuel the run has left at this call.
     *
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

    /**
     * Tells whether this call may suspend its run.
     *
     * @return whether this call may {@link #suspend()} its run: true in a run started with
     *     {@link dev.tape.vm.Vm#start} (a {@link dev.tape.vm.Run}), false in a one-shot
     *     {@link dev.tape.vm.Vm#run} (and in contexts that are not the VM's)
     */
    default boolean canSuspend() {
        return false;
    }

    /**
     * Asks to suspend the run in this host call, so that the function can finish its work later
     * without blocking the thread (a network call, a timer, another fiber). Once the function
     * returns, whatever it wrote into its result slots is ignored and the run pauses with
     * {@link dev.tape.vm.PauseReason.HostSuspended} (the symbol and the arguments); the embedder
     * then gives the results with {@link dev.tape.vm.Run#resumeWith}. The host call's fuel, its
     * count against {@link dev.tape.vm.Limits#maxHostCalls()} and any {@link #chargeFuel} made
     * before returning are already charged; the run goes on after the call exactly as if the
     * function had returned those results. An exception thrown after asking still traps
     * {@code host_call_failed}.
     *
     * @throws IllegalStateException when {@link #canSuspend()} is false (uncaught, the run traps
     *     {@code host_call_failed} with this message)
     */
    default void suspend() {
        throw new IllegalStateException("this host call cannot suspend its run (Vm.run is one-shot; use Vm.start)");
    }
}
