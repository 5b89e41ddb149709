package dev.tape.vm;

/**
 * A compiled tier that a {@link Vm} may run instead of the interpreter: the plug-in point for
 * {@code tape-jit}, which turns verified functions into JVM bytecode. A tier works on the same
 * {@link ExecutionContext} state as the interpreter (register files at {@code base + index}, the
 * frame records, {@code fuel}), so a compiled run can stop at any instruction and hand the rest of
 * the run to the interpreter ({@link #HANDOVER}), which then finishes it exactly as if it had run
 * from the start (same results, traps, pcs and fuel; {@code ARCHITECTURE.md}, "Interpreter rules").
 *
 * <p>Package-private on purpose: a tier reads and writes the context's internals. It is used only
 * for runs without tracing or with run-level tracing only.
 */
abstract class CompiledTier {
    /** {@link #run} status: the rest of the run is the interpreter's, from the context's state. */
    static final int HANDOVER = 3;

    /**
     * @param func a function id
     * @return whether the function has compiled code (a run can start there)
     */
    abstract boolean compiled(int func);

    /**
     * Runs the entry function of a prepared context (arguments stored, depth 1, ip 0).
     *
     * @return {@link Interpreter#DONE} with the context at the entry frame's {@code ret},
     *     {@link Interpreter#TRAPPED} with {@code c.trap} and the trap's position saved, or
     *     {@link #HANDOVER} with the position the interpreter continues from
     */
    abstract int run(Vm vm, ExecutionContext c, int entry);

    /**
     * Runs a run on from the context's state (interpreter layout, depth >= 1, {@code (func, ip)} a
     * point where {@link #resumable} is true): the current frame in compiled code from there, and as
     * each frame returns, its caller (whose state is a frame record) from the point after its call.
     *
     * @return as {@link #run}: DONE, TRAPPED or HANDOVER
     */
    abstract int resume(Vm vm, ExecutionContext c);

    /** @return whether compiled code can start at code index {@code ip} of function {@code func} */
    abstract boolean resumable(int func, int ip);

    /**
     * @return the instructions the interpreter must run from code index {@code ip} of {@code func}
     *     to reach the next point where {@link #resumable} may be true (at least 1; a call or
     *     return counts as reaching one)
     */
    abstract int toResumePoint(int func, int ip);

    /**
     * Counts fuel a run of the VM used in the interpreter (its entry had no method, or after a
     * hand-over) toward the budgets that runs' fuel pays for, as compiled runs' fuel is. Nothing by
     * default.
     *
     * @param fuel the fuel used (ignored when negative)
     */
    void interpreted(long fuel) {}
}
