package dev.tape.cli;

import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Outcome;
import dev.tape.vm.Trap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tape bench FILE [run options] [--warmup N] [--runs N]}: runs the entry function
 * {@code warmup} times untimed, then {@code runs} times timed, all in this JVM with one VM and one
 * reused execution context, and prints {@code median: X ms over N runs (min A, max B)} (all times
 * in milliseconds of wall-clock time, three decimals). A trap in any run prints its report and
 * exits 1.
 */
@Command(name = "bench",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every run returned; the median is printed", "1:a run trapped", "2:bad usage, an unreadable, malformed or invalid program, or an argument that does not fit"}, sortOptions = false,
        description = {"Time a function: the median wall-clock time of repeated runs after a warm-up.",
            "Runs in one JVM with one VM and prints 'median: X ms over N runs (min A, max B)' (milliseconds)."})
public final class BenchCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its options. */
    public BenchCommand() {}

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed runs first, to let the JIT compile the interpreter (default: ${DEFAULT-VALUE}).")
    int warmup = 5;

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs, 1 or more (default: ${DEFAULT-VALUE}).")
    int runs = 10;

    @Override
    public Integer call() throws CliException {
        if (warmup < 0 || runs < 1) {
            throw new CliException("tape: --warmup must be 0 or more and --runs 1 or more");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // a print after stdout failed traps (StdHost): no run after it, nor a trap report
        options.engine.stopPrints = true;
        RunOptions.Prepared p = options.prepare(out, err);
        ExecutionContext ctx = new ExecutionContext();
        long[] nanos = new long[runs];
        try {
            for (int i = 0; i < warmup; i++) {
                p.vm().run(ctx, p.entry(), p.args(), p.limits(), p.sink());
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                p.vm().run(ctx, p.entry(), p.args(), p.limits(), p.sink());
                nanos[i] = System.nanoTime() - t0;
            }
        } catch (Trap t) {
            return RunCommand.ended(new Outcome.Trapped(t), out, err);
        }
        out.println(summary(nanos));
        return ExitCodes.OK;
    }

    /**
     * @param nanos the timed runs' durations in nanoseconds, at least one
     * @return {@code median: X ms over N runs (min A, max B)}, in milliseconds with three decimals;
     *     the median of an even count is the mean of the middle two
     */
    static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + (double) s[n / 2]) / 2;
        return String.format(Locale.ROOT, "median: %.3f ms over %d %s (min %.3f, max %.3f)", median / 1e6, n,
                n == 1 ? "run" : "runs", s[0] / 1e6, s[n - 1] / 1e6);
    }
}
