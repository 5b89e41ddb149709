package dev.tape.bench;

import dev.tape.value.Value;
import dev.tape.vm.Trap;
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

import java.util.concurrent.TimeUnit;

/**
 * The twelve workloads, untraced and with fuel metering on ({@code tape}), against their hand-written
 * Java versions ({@code java}); {@code compiled} runs the same programs on the compiled tier
 * ({@code tape-jit}). One operation is one whole run of the entry function.
 *
 * <p>With {@code -p general=true} each trial first runs every workload on both tiers
 * ({@link GeneralMode#enter}), so the interpreter's figure is its general mode, the one an embedder
 * running more than one program gets; by default ({@code false}) the trial's JVM has run only its
 * own workload, and its interpreter figure is one draw of two modes (see {@link GeneralMode}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms1g"})
@State(Scope.Benchmark)
public class InterpreterBench {
    /** The workload, by {@link Workload#label()}. */
    @Param({"sum_loop", "fib", "call_loop", "host_loop", "f64_loop", "tuple_loop", "str_loop", "str_build",
        "array_loop", "closure_loop", "dec_loop", "rules"})
    public String workload;

    /** {@link GeneralMode#enter}'s time for each of its two runs of the measured workload, in ms. */
    static final long GENERAL_MILLIS = 1000;

    /** {@link GeneralMode#enter}'s runs of each workload on each tier. */
    static final int GENERAL_RUNS = 1000;

    /**
     * Whether the trial first runs all twelve workloads ({@link GeneralMode#enter}, about 3 s): true
     * measures the general mode of the interpreter.
     */
    @Param({"false"})
    public boolean general;

    private Workload w;
    private long n;
    private TapeRun run;
    private TapeRun compiledRun;

    /**
     * Verifies the program and binds its host, once; with {@link #general}, first runs every
     * workload.
     *
     * @throws Trap never
     */
    @Setup
    public void setup() throws Trap {
        w = Workload.of(workload);
        if (general) {
            GeneralMode.enter(w, GENERAL_MILLIS, GENERAL_RUNS);
        }
        n = w.n();
        run = new TapeRun(w, n, null);
        compiledRun = new TapeRun(w, n, null, true);
    }

    /**
     * @return the tape program's result
     * @throws Trap never
     */
    @Benchmark
    public Value tape() throws Trap {
        return run.run();
    }

    /**
     * @return the tape program's result on the compiled tier
     * @throws Trap never
     */
    @Benchmark
    public Value compiled() throws Trap {
        return compiledRun.run();
    }

    /** @return the Java version's result */
    @Benchmark
    public Value java() {
        return w.java(n);
    }
}
