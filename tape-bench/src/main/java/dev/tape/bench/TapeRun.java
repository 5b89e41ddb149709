package dev.tape.bench;

import dev.tape.host.Host;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.vm.ExecutionContext;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.List;

/**
 * One workload, verified and bound to its host once, run again and again in one reused
 * {@link ExecutionContext}. Fuel metering stays on: the limits give far more fuel than a run needs.
 */
public final class TapeRun {
    /** Fuel, host calls, depth and heap enough for every workload with room to spare. */
    public static final Limits LIMITS = new Limits(1L << 40, Limits.DEFAULT_CALL_DEPTH, 1L << 40, 1L << 32,
            Limits.DEFAULT_REGISTERS);

    private final Vm vm;
    private final ExecutionContext ctx = new ExecutionContext();
    private final List<Value> args;
    private final TraceSink sink;

    /**
     * @param workload the workload
     * @param n its argument
     * @param sink a trace sink, or null for an untraced run
     */
    public TapeRun(Workload workload, long n, TraceSink sink) {
        this(workload, n, sink, false);
    }

    /**
     * @param workload the workload
     * @param n its argument
     * @param sink a trace sink, or null for an untraced run
     * @param compiled whether to run on the compiled tier ({@link Jit}) instead of the interpreter
     */
    public TapeRun(Workload workload, long n, TraceSink sink, boolean compiled) {
        this(workload, workload.host(), n, sink, compiled);
    }

    /**
     * @param workload the workload
     * @param host the host to bind it to (for example {@link Workload#boxedHost()})
     * @param n its argument
     * @param sink a trace sink, or null for an untraced run
     * @param compiled whether to run on the compiled tier ({@link Jit}) instead of the interpreter
     */
    public TapeRun(Workload workload, Host host, long n, TraceSink sink, boolean compiled) {
        this.vm = compiled ? Jit.compile(workload.verified(), host) : new Vm(workload.verified(), host);
        this.args = List.of(Value.i64(n));
        this.sink = sink;
    }

    /**
     * @return the entry function's single result
     * @throws Trap when the run traps (it should not)
     */
    public Value run() throws Trap {
        return vm.run(ctx, 0, args, LIMITS, sink).get(0);
    }

    /**
     * @return how many of the program's functions have compiled code so far ({@link Jit#compiledFunctions};
     *     0 on the interpreter)
     */
    public int compiledFunctions() {
        return Jit.compiledFunctions(vm);
    }

    /** @return fuel used by the last run, in fuel units */
    public long fuelUsed() {
        return LIMITS.fuel() - ctx.fuelRemaining();
    }
}
