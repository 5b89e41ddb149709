package dev.tape.vm;

import dev.tape.trace.TraceMask;
import dev.tape.verify.internal.LoweredFunction;

/**
 * One stretch of a run between two of its driver's polls ({@link Run#resume()}, {@link Run#step}):
 * one interpreted instruction ({@link #step}), or compiled code where the VM's tier can run it and
 * else at most {@link Run#CHUNK} interpreted instructions ({@link #advance()}). Each returns an
 * {@link Interpreter} status ({@code DONE}, {@code TRAPPED}, {@code OUT_OF_FUEL}: the stretch ended
 * with the run still going) and leaves the run at an instruction boundary.
 */
final class RunStretches {
    /**
     * The most steps {@link #compiled} takes from block start to block start towards a resume
     * point before the driver interprets a stretch instead: a loop body paused before the first
     * of up to 15 calls and host calls reaches its header.
     */
    private static final int RESUME_STEPS = 16;

    private final Vm vm;
    private final ExecutionContext c;
    /** the run's entry function */
    private final int entry;
    /** whether anything of the run has executed (the compiled tier starts the entry with {@code run}) */
    boolean started;

    /**
     * @param vm the run's VM
     * @param c its context
     * @param entry its entry function
     */
    RunStretches(Vm vm, ExecutionContext c, int entry) {
        this.vm = vm;
        this.c = c;
        this.entry = entry;
    }

    /**
     * One interpreted instruction, reported to the trace sink first when {@code traced}, its fuel
     * counted toward the tier's budgets as any interpreted stretch's ({@link #interpret}).
     *
     * @param traced whether the trace sink takes instructions ({@link TraceMask#INSTR})
     * @return the interpreter's status
     */
    int step(boolean traced) {
        started = true;
        if (traced) {
            LoweredFunction cur = vm.funcs[c.func];
            int pc = cur.pcOf()[c.ip];
            c.sink.instr(c.func, pc, cur.spanAt(pc), cur.opcodeAt(c.ip));
        }
        return interpret(1);
    }

    /**
     * One stretch: compiled code where the tier can run it, else at most {@link Run#CHUNK}
     * interpreted instructions.
     *
     * @return the status
     */
    int advance() {
        CompiledTier t = vm.tier;
        if (t != null && (c.mask & ~TraceMask.RUN) == 0) {
            int s = compiled(t);
            if (s >= 0) {
                return s;
            }
        }
        started = true;
        return interpret(Math.min(c.fuel, Run.CHUNK));
    }

    /**
     * At most {@code n} interpreted instructions, their fuel counted toward the tier's budgets
     * ({@link CompiledTier#interpreted}) when the VM has one.
     */
    private int interpret(long n) {
        CompiledTier t = vm.tier;
        if (t == null) {
            return Interpreter.execute(vm, c, n);
        }
        long left = c.fuelLeft();
        try {
            return Interpreter.execute(vm, c, n);
        } finally {
            t.interpreted(left - c.fuelLeft());
        }
    }

    /**
     * Runs compiled code from the run's state when it can: the entry at the start, else from a
     * resume point, stepping the interpreter to it first ({@link CompiledTier#toResumePoint}, from
     * one block start to the next, at most {@link #RESUME_STEPS} of them: a block start inside a
     * loop, after a call or host call there, is none, and the steps go on to the loop's header).
     *
     * @return a status, or -1 when the interpreter should run the next stretch (no resume point
     *     within the steps: a function without a method, a loop body of many calls)
     */
    private int compiled(CompiledTier t) {
        if (!started) {
            started = true;
            return t.compiled(entry) ? sliced(t, true) : -1;
        }
        for (int k = 0; !t.resumable(c.func, c.ip); k++) {
            if (k == RESUME_STEPS) {
                return -1;
            }
            long n = Math.max(1, t.toResumePoint(c.func, c.ip));
            int s = interpret(Math.min(n, Math.min(c.fuel, Run.CHUNK)));
            if (s != Interpreter.OUT_OF_FUEL || c.pauseRequested || c.fuel == 0) {
                return s;
            }
        }
        return sliced(t, false);
    }

    /**
     * Runs compiled code with at most {@link Run#COMPILED_CHUNK} of the fuel in {@code fuel} (the
     * rest waits in the reserve, which host charges draw on first, so the fuel left stays exact),
     * then, after a hand-over, the interpreter on what compiled code left of that: so every stretch
     * makes progress, and the driver polls at least every {@link Run#COMPILED_CHUNK} units.
     */
    private int sliced(CompiledTier t, boolean first) {
        long held = c.fuel > Run.COMPILED_CHUNK ? c.fuel - Run.COMPILED_CHUNK : 0;
        c.fuel -= held;
        c.fuelReserve += held;
        try {
            int s = first ? t.run(vm, c, entry) : t.resume(vm, c);
            if (s == CompiledTier.HANDOVER && !c.hostSuspended) {
                s = interpret(c.fuel);
            }
            return s;
        } finally {
            c.refill();
        }
    }
}
