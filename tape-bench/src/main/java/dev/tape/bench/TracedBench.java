package dev.tape.bench;

import dev.tape.trace.TraceMask;
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
 * Workloads run with a trace sink: {@code CALL} (frame enter and exit events, taken inside the
 * fast loop) or {@code INSTR} (one event per instruction; the driver then steps the loop one
 * instruction at a time). The sink only counts events.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms1g"})
@State(Scope.Benchmark)
public class TracedBench {
    /** workload/mask. */
    @Param({"sum_loop/CALL", "fib/CALL", "call_loop/CALL", "sum_loop/INSTR", "fib/INSTR"})
    public String variant;

    private TapeRun run;

    /** Verifies the program and binds its host and sink, once. */
    @Setup
    public void setup() {
        String[] parts = variant.split("/");
        Workload w = Workload.of(parts[0]);
        int mask = switch (parts[1]) {
            case "CALL" -> TraceMask.CALL;
            case "INSTR" -> TraceMask.INSTR;
            default -> throw new IllegalArgumentException(variant);
        };
        run = new TapeRun(w, w.n(), new CountingSink(mask));
    }

    /**
     * @return the result
     * @throws Trap never
     */
    @Benchmark
    public Value tape() throws Trap {
        return run.run();
    }
}
