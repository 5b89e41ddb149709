package dev.tape.bench;

import dev.tape.value.Value;
import dev.tape.vm.Trap;
import jdk.jfr.Recording;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code dev.tape.*} JFR events cost: {@code fib} (one run event per run, no host calls) and
 * {@code host_loop} (a million host calls per run, one host-call event each when recorded), on both
 * tiers, with no recording ({@code none}: the hooks only ask {@code isEnabled()}), with a recording
 * of the JDK's own events in which ours are off ({@code jdk}: those on by default turned off,
 * {@code dev.tape.HostCall} off by its annotation), and with a recording of every
 * {@code dev.tape.*} event at threshold 0 ({@code tape}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+AlwaysPreTouch", "-Xms1g"})
@State(Scope.Benchmark)
public class JfrBench {
    /** The workload, by {@link Workload#label()}. */
    @Param({"fib", "host_loop"})
    public String workload;

    /** {@code interp} or {@code jit}. */
    @Param({"interp", "jit"})
    public String tier;

    /** {@code none}, {@code jdk} or {@code tape}: which recording runs during the benchmark. */
    @Param({"none", "jdk", "tape"})
    public String recording;

    private TapeRun run;
    private Recording rec;

    /** The {@code dev.tape.*} events a recording has unless it turns them off (all but {@code dev.tape.HostCall}). */
    private static final String[] ON_BY_DEFAULT = {"dev.tape.Run", "dev.tape.Trap", "dev.tape.Compile",
        "dev.tape.Pause", "dev.tape.Resume"};

    /**
     * Binds the workload and starts the recording, if any.
     *
     * @throws Exception when the JDK's default settings cannot be read
     */
    @Setup
    public void setup() throws Exception {
        Workload w = Workload.of(workload);
        run = new TapeRun(w, w.n(), null, tier.equals("jit"));
        switch (recording) {
            case "none" -> rec = null;
            case "jdk" -> {
                rec = new Recording(jdk.jfr.Configuration.getConfiguration("default"));
                // the events on by their annotations; dev.tape.HostCall is off unless a recording
                // names it (@Enabled(false)), so that this recording keeps the quick host call
                for (String e : ON_BY_DEFAULT) {
                    rec.disable(e);
                }
            }
            case "tape" -> {
                rec = new Recording();
                for (String e : ON_BY_DEFAULT) {
                    rec.enable(e).withThreshold(Duration.ZERO);
                }
                rec.enable("dev.tape.HostCall").withThreshold(Duration.ZERO);
            }
            default -> throw new IllegalArgumentException(recording);
        }
        if (rec != null) {
            rec.setToDisk(true);
            rec.setMaxSize(64L << 20);
            rec.start();
        }
    }

    /** Stops and discards the recording. */
    @TearDown
    public void tearDown() {
        if (rec != null) {
            rec.close();
        }
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
