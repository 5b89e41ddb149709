package dev.tape.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs JMH with the given command-line options (the same as {@code java -jar benchmarks.jar}) and
 * prints one table of medians: workload, interpreter ms, compiled-tier ms, Java ms, the two tiers'
 * ratios to Java, the Rust reference's time, and issue #14's targets (the interpreter at most a third
 * of the reference's time, the compiled tier within 2 or 4 times Java's) with whether each tier
 * meets its target. Used by {@code bench/run}.
 */
public final class Table {
    private Table() {}

    /**
     * The Rust reference interpreter's time per run of each workload, in ms, as issue #14 gives it
     * (its measurement on the 2-core build machine, min of 3 round medians). The interpreter's
     * target is a third of it.
     */
    static final Map<String, Double> REFERENCE_MS = Map.ofEntries(Map.entry("sum_loop", 30.0),
            Map.entry("fib", 18.4), Map.entry("call_loop", 80.3), Map.entry("host_loop", 78.4),
            Map.entry("f64_loop", 64.9), Map.entry("tuple_loop", 15.6), Map.entry("str_loop", 55.8),
            Map.entry("str_build", 33.5), Map.entry("array_loop", 42.8), Map.entry("closure_loop", 45.9),
            Map.entry("dec_loop", 18.4), Map.entry("rules", 78.4));

    /**
     * The compiled tier's targets from issue #14, as the largest ratio of its time to hand-written
     * Java's: 2 on the six original workloads, 4 on the six shapes added with that issue.
     */
    static final Map<String, Double> COMPILED_PER_JAVA = Map.ofEntries(Map.entry("sum_loop", 2.0),
            Map.entry("fib", 2.0), Map.entry("call_loop", 2.0), Map.entry("host_loop", 2.0),
            Map.entry("f64_loop", 2.0), Map.entry("tuple_loop", 2.0), Map.entry("str_loop", 4.0),
            Map.entry("str_build", 4.0), Map.entry("array_loop", 4.0), Map.entry("closure_loop", 4.0),
            Map.entry("dec_loop", 4.0), Map.entry("rules", 4.0));

    /**
     * @param args JMH options
     * @throws RunnerException when JMH fails
     * @throws CommandLineOptionException when an option is malformed
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        Map<String, double[]> rows = new LinkedHashMap<>();
        List<String> other = new ArrayList<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            var stats = r.getPrimaryResult().getStatistics();
            double median = stats.getPercentile(50.0);
            String unit = r.getPrimaryResult().getScoreUnit();
            if (cls.equals("InterpreterBench")) {
                String w = r.getParams().getParam("workload");
                double[] row = rows.computeIfAbsent(w, k -> new double[] {Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN});
                switch (method) {
                    case "tape" -> {
                        row[0] = median;
                        row[2] = stats.getMin();
                        row[3] = stats.getMax();
                    }
                    case "compiled" -> row[4] = median;
                    default -> row[1] = median;
                }
            } else {
                String key = cls + "." + method;
                for (String p : r.getParams().getParamsKeys()) {
                    key += " " + r.getParams().getParam(p);
                }
                other.add(String.format(Locale.ROOT, "| %-36s | %10.3f %-6s |", key, median, unit));
            }
        }
        System.out.println();
        System.out.println("Medians of the measurement iterations (ms per run, fuel metering on).");
        System.out.println();
        if (!rows.isEmpty()) {
            System.out.println("| workload     | interp ms | compiled ms |  Java ms | interp/Java | compiled/Java "
                    + "| reference ms | interp target ms | interp met | compiled/Java target | compiled met "
                    + "| interp min..max ms |");
            System.out.println("|--------------|----------:|------------:|---------:|------------:|--------------:"
                    + "|-------------:|-----------------:|------------|--------------------:|--------------"
                    + "|-------------------:|");
            for (Map.Entry<String, double[]> e : rows.entrySet()) {
                double tape = e.getValue()[0];
                double java = e.getValue()[1];
                double compiled = e.getValue()[4];
                Double reference = REFERENCE_MS.get(e.getKey());
                Double target = reference == null ? null : reference / 3;
                Double ratioTarget = COMPILED_PER_JAVA.get(e.getKey());
                System.out.println(String.format(Locale.ROOT,
                        "| %-12s | %9.3f | %11.3f | %8.3f | %11.1f | %13.1f | %12s | %16s | %-10s | %19s | %-12s "
                                + "| %8.3f..%-8.3f |",
                        e.getKey(), tape, compiled, java, tape / java, compiled / java, format(reference),
                        format(target), met(tape, target), format(ratioTarget), met(compiled / java, ratioTarget),
                        e.getValue()[2], e.getValue()[3]));
            }
            System.out.println();
        }
        if (!other.isEmpty()) {
            System.out.println("| benchmark                            |     median        |");
            System.out.println("|--------------------------------------|------------------:|");
            other.forEach(System.out::println);
        }
    }

    private static String format(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.1f", x);
    }

    private static String met(double measured, Double target) {
        return target == null || Double.isNaN(measured) ? "-" : measured <= target ? "yes" : "NO";
    }
}
