package dev.tape.debug;

import dev.tape.value.Value;

/**
 * A breakpoint or a watchpoint of a {@link Session}, numbered from 1 in the order they are set.
 *
 * <ul>
 *   <li>{@link Kind#LOCATION}: the run stops before the instruction at {@link #func()} and
 *       {@link #pc()} runs (set on a function, a function and pc, a source line or a label);
 *   <li>{@link Kind#SPAN}: it stops before the first instruction of each stretch of instructions
 *       in span {@link #span()};
 *   <li>{@link Kind#WATCH}: it stops after an instruction changes register {@link #reg()} of the
 *       frame at call depth {@link #depth()} (1 is the entry frame), and is deleted when that frame
 *       returns.
 * </ul>
 */
public final class Breakpoint {
    /** What a breakpoint watches. */
    public enum Kind {
        /** An instruction. */
        LOCATION,
        /** A span. */
        SPAN,
        /** A register of a frame. */
        WATCH
    }

    private final int id;
    private final Kind kind;
    private final int func;
    private final int pc;
    private final int line;
    private final long span;
    private final int depth;
    private final int reg;
    private final String what;
    Value last;
    int hits;

    Breakpoint(int id, Kind kind, int func, int pc, int line, long span, int depth, int reg, String what) {
        this.id = id;
        this.kind = kind;
        this.func = func;
        this.pc = pc;
        this.line = line;
        this.span = span;
        this.depth = depth;
        this.reg = reg;
        this.what = what;
    }

    /**
     * The breakpoint's number, as the debugger shows it.
     *
     * @return the number, 1 or more
     */
    public int id() {
        return id;
    }

    /**
     * Whether this is a location breakpoint, a span breakpoint or a watchpoint.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The function the breakpoint is in.
     *
     * @return the function id (the watched frame's function for a watchpoint; -1 for a span)
     */
    public int func() {
        return func;
    }

    /**
     * The pc the breakpoint is at.
     *
     * @return the byte pc of a location breakpoint, else -1
     */
    public int pc() {
        return pc;
    }

    /**
     * The source line the breakpoint is at.
     *
     * @return the source line of a location breakpoint, or -1 when none is known
     */
    public int line() {
        return line;
    }

    /**
     * The span the breakpoint stops in.
     *
     * @return the span id of a span breakpoint (unsigned 64-bit), else 0
     */
    public long span() {
        return span;
    }

    /**
     * The depth of the frame a watchpoint watches.
     *
     * @return the watched frame's call depth, 1 or more, for a watchpoint; else 0
     */
    public int depth() {
        return depth;
    }

    /**
     * The register a watchpoint watches.
     *
     * @return the watched register of a watchpoint, else -1
     */
    public int reg() {
        return reg;
    }

    /**
     * Describes where the breakpoint is, for a person.
     *
     * @return what it is on, as the debugger shows it (escaped), for example {@code fib pc 0 (fib.tasm:6)}
     */
    public String what() {
        return what;
    }

    /**
     * Counts the times the run stopped at the breakpoint.
     *
     * @return how many times the run stopped at it
     */
    public int hits() {
        return hits;
    }
}
