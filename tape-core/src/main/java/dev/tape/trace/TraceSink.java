package dev.tape.trace;

import dev.tape.program.Program;

/**
 * Receives tracing events from a run (spec section "Tracing (hooks)"). Every method has an empty
 * default, so a sink implements only what it needs; {@link #mask()} says which groups of events
 * the VM should produce at all. A run without a sink, or with a mask of {@link TraceMask#NONE},
 * takes the untraced path and pays nothing for tracing.
 *
 * <p>Events run on the thread that runs the program; a sink shared between runs on different
 * threads must be thread-safe. A sink that throws (an exception, or an {@code Error} such as an
 * {@code AssertionError}: {@code OutOfMemoryError} ends it {@code heap_limit_exceeded}) ends the run
 * with an {@code internal_error} trap; one whose {@link #mask()} throws gets no events, and one
 * whose {@link #runEnd} throws leaves the run's outcome as it was. A {@code ThreadDeath} (the thread
 * being stopped) ends the run so too and is then thrown on, out of {@code Vm.run},
 * {@code Vm.start} or {@code Run.resume}, from any callback.
 */
public interface TraceSink {
    /**
     * Which groups of events the VM should produce. By default, exactly the groups whose methods
     * this sink's class overrides: {@link TraceMask#RUN} for {@link #runStart}/{@link #runEnd},
     * {@link TraceMask#INSTR} for {@link #instr}, {@link TraceMask#CALL} for
     * {@link #callEnter}/{@link #callExit}, {@link TraceMask#HOST} for
     * {@link #hostEnter}/{@link #hostExit} (found once per class, by reflection, and cached). So a
     * sink that only overrides {@code runEnd} costs what run-level tracing costs and keeps compiled
     * code, and one that overrides nothing is no sink at all. Override this to ask for less (or for
     * groups whose methods a superclass overrides).
     *
     * @return the event groups wanted, a union of {@link TraceMask} bits
     */
    default int mask() {
        return TraceMask.overridden(getClass());
    }

    /**
     * Before the run's arguments are checked ({@link TraceMask#RUN}).
     *
     * @param program the program
     * @param entry the entry function id
     * @param argCount the number of arguments given
     */
    default void runStart(Program program, int entry, int argCount) {}

    /**
     * When the run ends, normally or by a trap ({@link TraceMask#RUN}).
     *
     * @param program the program
     * @param trapped whether it ended with a trap
     * @param fuelUsed fuel consumed, in fuel units: unsigned 64-bit, as {@link dev.tape.vm.Limits#fuel()}
     */
    default void runEnd(Program program, boolean trapped, long fuelUsed) {}

    /**
     * Before each instruction runs, after its fuel is checked ({@link TraceMask#INSTR}).
     *
     * @param func the function id
     * @param pc the instruction's byte pc
     * @param span the span id in force, an unsigned 64-bit number (read it with
     *     {@link Long#toUnsignedString(long)}), or 0 when no span covers the pc (span ids are never
     *     0; see {@code dev.tape.vm.Trap#NO_SPAN}); found through an index built at verification,
     *     in O(log span entries)
     * @param opcode the v1 opcode byte
     */
    default void instr(int func, int pc, long span, int opcode) {}

    /**
     * When a frame is pushed: the entry frame and every call ({@link TraceMask#CALL}).
     *
     * @param func the callee's function id
     * @param depth the frame count after the push, 1 for the entry
     */
    default void callEnter(int func, int depth) {}

    /**
     * When a frame returns ({@link TraceMask#CALL}); not on a trap.
     *
     * @param func the returning function id
     * @param depth the frame count before the pop
     */
    default void callExit(int func, int depth) {}

    /**
     * Just before a host function runs ({@link TraceMask#HOST}).
     *
     * @param hostSig the host signature id
     * @param symbol the symbol
     * @param func the calling function
     * @param pc the byte pc of the host_call
     */
    default void hostEnter(int hostSig, String symbol, int func, int pc) {}

    /**
     * After a host function returns successfully ({@link TraceMask#HOST}).
     *
     * @param hostSig the host signature id
     * @param symbol the symbol
     */
    default void hostExit(int hostSig, String symbol) {}
}
