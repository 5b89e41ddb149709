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
 * ratios to Java, the target and whether each tier meets it. Used by {@code bench/run}.
 */
public final class Table {
    private Table() {}

    /**
     * Targets for the untraced workloads, in ms (median, fuel on): a third of the Rust reference
     * interpreter's time, from issue #5 for the first six and from issue #14 (which measured the
     * reference at 55.8, 33.5, 42.8, 45.9, 18.4 and 78.4 ms) for the other six.
     */
    static final Map<String, Double> TARGETS = Map.ofEntries(Map.entry("sum_loop", 11.0), Map.entry("fib", 6.0),
            Map.entry("call_loop", 28.0), Map.entry("host_loop", 26.0), Map.entry("f64_loop", 22.0),
            Map.entry("tuple_loop", 9.0), Map.entry("str_loop", 18.6), Map.entry("str_build", 11.2),
            Map.entry("array_loop", 14.3), Map.entry("closure_loop", 15.3), Map.entry("dec_loop", 6.1),
            Map.entry("rules", 26.1));

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
                    + "| target ms | interp met | compiled met | interp min..max ms |");
            System.out.println("|--------------|----------:|------------:|---------:|------------:|--------------:"
                    + "|----------:|------------|--------------|-------------------:|");
            for (Map.Entry<String, double[]> e : rows.entrySet()) {
                double tape = e.getValue()[0];
                double java = e.getValue()[1];
                double compiled = e.getValue()[4];
                Double target = TARGETS.get(e.getKey());
                System.out.println(String.format(Locale.ROOT,
                        "| %-12s | %9.3f | %11.3f | %8.3f | %11.1f | %13.1f | %9s | %-10s | %-12s | %8.3f..%-8.3f |",
                        e.getKey(), tape, compiled, java, tape / java, compiled / java,
                        target == null ? "-" : String.format(Locale.ROOT, "%.1f", target), met(tape, target),
                        met(compiled, target), e.getValue()[2], e.getValue()[3]));
            }
            System.out.println();
        }
        if (!other.isEmpty()) {
            System.out.println("| benchmark                            |     median        |");
            System.out.println("|--------------------------------------|------------------:|");
            other.forEach(System.out::println);
        }
    }

    private static String met(double ms, Double target) {
        return target == null || Double.isNaN(ms) ? "-" : ms <= target ? "yes" : "NO";
    }
}
