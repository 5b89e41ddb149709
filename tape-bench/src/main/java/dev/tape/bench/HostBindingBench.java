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
 * {@link Workload#HOST_LOOP} (1,000,000 host calls of an i64 identity function) with its host
 * function bound both ways: as a word function ({@code words}, {@link Workload#host()}, what
 * {@link InterpreterBench} runs) and over boxed values ({@code boxed}, {@link Workload#boxedHost()}).
 * The program is the same; one operation is one whole run, on the interpreter ({@code tape}) or the
 * compiled tier ({@code compiled}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms1g"})
@State(Scope.Benchmark)
public class HostBindingBench {
    /** {@code words} or {@code boxed}. */
    @Param({"words", "boxed"})
    public String binding;

    private TapeRun run;
    private TapeRun compiledRun;

    /** Verifies the program and binds its host, once. */
    @Setup
    public void setup() {
        Workload w = Workload.HOST_LOOP;
        var host = binding.equals("boxed") ? w.boxedHost() : w.host();
        run = new TapeRun(w, host, w.n(), null, false);
        compiledRun = new TapeRun(w, host, w.n(), null, true);
    }

    /**
     * @return the sum on the interpreter
     * @throws Trap never
     */
    @Benchmark
    public Value tape() throws Trap {
        return run.run();
    }

    /**
     * @return the sum on the compiled tier
     * @throws Trap never
     */
    @Benchmark
    public Value compiled() throws Trap {
        return compiledRun.run();
    }
}
