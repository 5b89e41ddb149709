package dev.tape.trace;

/** Bits selecting groups of tracing events, as in the reference ({@code RUN=1, INSTR=2, CALL=4, HOST=8}). */
public final class TraceMask {
    private TraceMask() {}

    /** No events. */
    public static final int NONE = 0;
    /** Run start and end. */
    public static final int RUN = 1;
    /** Every instruction. */
    public static final int INSTR = 2;
    /** Frame push and pop. */
    public static final int CALL = 4;
    /** Host call enter and exit. */
    public static final int HOST = 8;
    /** Every event. */
    public static final int ALL = RUN | INSTR | CALL | HOST;
}
