package dev.tape.cli;

import dev.tape.trace.TraceMask;

/**
 * The event groups {@code --trace} selects. Constants are lower case because they are what the
 * user types: {@code --trace call,host}.
 */
public enum TraceGroup {
    /** Run start and end. */
    run(TraceMask.RUN),
    /** Frame push and pop. */
    call(TraceMask.CALL),
    /** Host call enter and exit. */
    host(TraceMask.HOST),
    /** Every instruction, before it runs. */
    instr(TraceMask.INSTR),
    /** Every group. */
    all(TraceMask.ALL);

    private final int mask;

    TraceGroup(int mask) {
        this.mask = mask;
    }

    /**
     * The trace bits this group switches on, as one mask.
     *
     * @return the {@link TraceMask} bits of this group
     */
    public int mask() {
        return mask;
    }
}
