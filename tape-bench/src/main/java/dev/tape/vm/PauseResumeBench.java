package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.bench.TapeRun;
import dev.tape.bench.Workload;
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
 * Pause/resume cost through the public {@link Run} API, on both tiers: one run of a workload
 * started with {@link #slice} fuel and given {@link #slice} more at each fuel pause
 * ({@link Run#addFuel}, {@link Run#resume}) until it returns; {@code slice = 0} is one
 * {@link Run#resume} with all the fuel (the unsliced cost through the same API). The setup checks
 * that every slicing gives the one-shot run's result and fuel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PauseResumeBench {
    /** The workload, by {@link Workload#label()}. */
    @Param({"sum_loop", "fib", "call_loop"})
    public String workload;

    /** {@code interp} ({@code new Vm}) or {@code jit} ({@code Jit.compile}). */
    @Param({"interp", "jit"})
    public String tier;

    /** Fuel per slice; 0 for one slice of all the fuel. */
    @Param({"0", "10000", "1000"})
    public long slice;

    private Vm vm;
    private List<Value> args;
    /** pauses of the last run */
    long pauses;

    /** Makes the VM and checks the sliced run against the one-shot run. */
    @Setup
    public void setup() throws Trap {
        Workload w = Workload.of(workload);
        vm = tier.equals("jit") ? Jit.compile(w.verified(), w.host()) : new Vm(w.verified(), w.host());
        args = List.of(Value.i64(w.n()));
        ExecutionContext one = new ExecutionContext();
        long expected = ((Value.I64) vm.run(one, 0, args, TapeRun.LIMITS, null).get(0)).value();
        long got = run();
        long oneUsed = TapeRun.LIMITS.fuel() - one.fuelRemaining();
        if (got != expected || used != oneUsed || (slice > 0 && pauses < 2)) {
            throw new IllegalStateException("sliced " + got + " (fuel used " + used + ", " + pauses
                    + " pauses) is not " + expected + " (fuel used " + oneUsed + ")");
        }
    }

    /** fuel the last run used */
    long used;

    /** @return the result of the run, given its fuel in slices */
    @Benchmark
    public long run() {
        long total = TapeRun.LIMITS.fuel();
        long given = slice == 0 ? total : slice;
        Run r = vm.start(0, args, TapeRun.LIMITS.withFuel(given));
        Outcome o = r.resume();
        long n = 0;
        while (o instanceof Outcome.Paused) {
            long more = Math.min(slice, total - given);
            r.addFuel(more);
            given += more;
            n++;
            o = r.resume();
        }
        pauses = n;
        used = given - r.fuelRemaining();
        return ((Value.I64) ((Outcome.Done) o).values().get(0)).value();
    }
}
