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

    /** Per sink class, the groups whose methods it overrides (see {@link #overridden(Class)}). */
    private static final ClassValue<Integer> OVERRIDDEN = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            int mask = NONE;
            mask |= overrides(type, "runStart", RUN, dev.tape.program.Program.class, int.class, int.class);
            mask |= overrides(type, "runEnd", RUN, dev.tape.program.Program.class, boolean.class, long.class);
            mask |= overrides(type, "instr", INSTR, int.class, int.class, long.class, int.class);
            mask |= overrides(type, "callEnter", CALL, int.class, int.class);
            mask |= overrides(type, "callExit", CALL, int.class, int.class);
            mask |= overrides(type, "hostEnter", HOST, int.class, String.class, int.class, int.class);
            mask |= overrides(type, "hostExit", HOST, int.class, String.class);
            return mask;
        }
    };

    private static int overrides(Class<?> type, String name, int group, Class<?>... params) {
        try {
            return type.getMethod(name, params).getDeclaringClass() == TraceSink.class ? NONE : group;
        } catch (NoSuchMethodException | SecurityException e) {
            return group;
        }
    }

    /**
     * The groups of events whose {@link TraceSink} methods a sink class overrides, the default of
     * {@link TraceSink#mask()}.
     *
     * @param sinkClass a class implementing {@link TraceSink}
     * @return a union of the group bits, {@link #NONE} when it overrides no event method
     */
    public static int overridden(Class<?> sinkClass) {
        return OVERRIDDEN.get(sinkClass);
    }
}
