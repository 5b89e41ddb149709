package dev.tape.vm;

import dev.tape.bench.TapeRun;
import dev.tape.jit.Jit;
import dev.tape.bench.Workload;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What running in fuel slices costs on the compiled tier (issue 13's target: a run sliced into
 * 10,000-fuel slices at most 1.5x an unsliced run). {@code unsliced} is one compiled run;
 * {@code sliced} is the same run given {@link #slice} fuel at a time: each time the slice runs out
 * the run pauses (compiled code hands over at the block whose fuel is short, the interpreter runs
 * the rest of the slice and stops where a one-shot run would trap), gets the next slice, is stepped
 * by the interpreter to the next resume point ({@link CompiledTier#toResumePoint}) and resumed
 * compiled ({@link CompiledTier#resume}). It drives the context through package-private access, as
 * the Run API's driver does. Both return the run's result, which the setup checks is the same.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SliceBench {
    /** The workload, by {@link Workload#label()}. */
    @Param({"sum_loop", "fib", "call_loop"})
    public String workload;

    /** Fuel per slice. */
    @Param({"10000"})
    public long slice;

    private Vm vm;
    private CompiledTier tier;
    private final ExecutionContext ctx = new ExecutionContext();
    private List<Value> args;
    /** slices (pauses) of the last sliced run */
    long pauses;

    /** Compiles the program and checks that both ways give the same result and fuel. */
    @Setup
    public void setup() throws Trap {
        Workload w = Workload.of(workload);
        vm = Jit.compile(w.verified(), w.host());
        tier = vm.tier;
        args = List.of(Value.i64(w.n()));
        long a = unsliced();
        long fa = ctx.fuelRemaining();
        long b = sliced();
        if (a != b || fa != ctx.fuelRemaining() || pauses < 2) {
            throw new IllegalStateException("sliced " + b + " (fuel left " + ctx.fuelRemaining() + ", " + pauses
                    + " pauses) is not unsliced " + a + " (fuel left " + fa + ")");
        }
    }

    /** @return the result of one compiled run */
    @Benchmark
    public long unsliced() throws Trap {
        return ((Value.I64) vm.run(ctx, 0, args, TapeRun.LIMITS, null).get(0)).value();
    }

    /** @return the result of the same run in slices */
    @Benchmark
    public long sliced() {
        ExecutionContext c = ctx;
        c.reset(TapeRun.LIMITS, null, 0);
        c.ensureRegisters(vm.funcs[0].regCount());
        c.base = 0;
        c.w[1] = Aggregate.wordOf(args.get(0));
        c.depth = 1;
        c.func = 0;
        c.ip = 0;
        // the fuel beyond this slice waits in the reserve (which host calls and traps count)
        c.fuelReserve = c.fuel - slice;
        c.fuel = slice;
        long n = 0;
        int status = tier.run(vm, c, 0);
        while (status != Interpreter.DONE) {
            if (status == Interpreter.TRAPPED) {
                throw new IllegalStateException("trapped: " + c.trap);
            }
            if (c.fuel == 0) {
                // paused: the next slice
                long take = Math.min(slice, c.fuelReserve);
                c.fuel = take;
                c.fuelReserve -= take;
                n++;
            }
            status = Interpreter.execute(vm, c, Math.min(tier.toResumePoint(c.func, c.ip), c.fuel));
            if (status == Interpreter.OUT_OF_FUEL && c.fuel > 0 && tier.resumable(c.func, c.ip)) {
                status = tier.resume(vm, c);
            }
        }
        pauses = n;
        int[] code = vm.funcs[c.func].code();
        long result = c.w[c.base + (code[c.ip + 2] >>> 2)];
        c.release();
        return result;
    }
}
