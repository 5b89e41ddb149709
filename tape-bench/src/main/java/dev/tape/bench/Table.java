package dev.tape.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs JMH with the given command-line options (the same as {@code java -jar benchmarks.jar}), then
 * the interpreter's workloads again in their general mode ({@code -p general=true}, see
 * {@link GeneralMode}), and prints one table: per workload the interpreter's general-mode and
 * fast-mode ms (the fast mode's median over the forks, with their count and range), compiled-tier
 * ms, Java ms, the ratios to Java and to the Rust reference's time, and issue #14's targets (the
 * interpreter at most a third of the reference's time, checked for both modes; the compiled tier
 * within 2 or 4 times Java's) with whether each is met. The general mode is what an embedder running
 * more than one program gets. Other benchmarks get one line each with their median. Used by
 * {@code bench/run}.
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

    /** Table's own option: the forks of the general-mode run, {@value #DEFAULT_GENERAL_FORKS} by default. */
    static final String GENERAL_FORKS = "--general-forks";

    /** The general-mode run's forks when {@link #GENERAL_FORKS} is not given. */
    static final int DEFAULT_GENERAL_FORKS = 1;

    /** The most forks {@link #GENERAL_FORKS} accepts. */
    static final int MAX_GENERAL_FORKS = 100;

    /**
     * Excludes every benchmark but {@code InterpreterBench.tape} (JMH excludes a benchmark when the
     * pattern is found in its full name).
     */
    static final String ALL_BUT_INTERPRETER = "^(?!.*\\.InterpreterBench\\.tape$)";

    /**
     * Runs JMH with {@code args} (the fast mode, or whatever {@code -p general=...} selects); then,
     * when that run measured {@code InterpreterBench.tape} and {@code args} do not set the
     * {@code general} parameter, runs {@code InterpreterBench.tape} again for the same workloads with
     * {@code -p general=true} and {@link #GENERAL_FORKS} forks (every other option as given; a
     * {@code -rf}/{@code -rff} result file is written by each run in turn, so it keeps the second);
     * then prints the table.
     *
     * @param args JMH options, and {@code --general-forks N} (0 to 100; 0: no general-mode run)
     *     anywhere among them
     * @throws RunnerException when JMH fails
     * @throws CommandLineOptionException when an option is malformed
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        List<String> jmhArgs = new ArrayList<>(List.of(args));
        int generalForks = takeGeneralForks(jmhArgs);
        CommandLineOptions cmd = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        List<RunResult> results = new ArrayList<>(new Runner(cmd).run());
        if (generalForks > 0 && !cmd.getParameter("general").hasValue()) {
            Set<String> workloads = new LinkedHashSet<>();
            for (RunResult r : results) {
                if (r.getParams().getBenchmark().endsWith(".InterpreterBench.tape")) {
                    workloads.add(r.getParams().getParam("workload"));
                }
            }
            if (!workloads.isEmpty()) {
                Options general = new OptionsBuilder().parent(cmd).exclude(ALL_BUT_INTERPRETER)
                        .param("general", "true").param("workload", workloads.toArray(new String[0]))
                        .forks(generalForks).build();
                results.addAll(new Runner(general).run());
            }
        }
        print(results);
    }

    /**
     * Removes {@link #GENERAL_FORKS} and its value ({@code --general-forks N} or
     * {@code --general-forks=N}) from {@code args}, wherever it is.
     *
     * @param args the command line, modified in place
     * @return the option's value, or {@link #DEFAULT_GENERAL_FORKS} when it is absent; the last one
     *     counts when it is given more than once
     * @throws CommandLineOptionException when the value is missing, not a number, or outside 0 to
     *     {@link #MAX_GENERAL_FORKS}
     */
    static int takeGeneralForks(List<String> args) throws CommandLineOptionException {
        int forks = DEFAULT_GENERAL_FORKS;
        for (int i = 0; i < args.size(); ) {
            String a = args.get(i);
            String value;
            if (a.equals(GENERAL_FORKS)) {
                if (i + 1 >= args.size()) {
                    throw new CommandLineOptionException(GENERAL_FORKS + " needs a number of forks");
                }
                value = args.remove(i + 1);
            } else if (a.startsWith(GENERAL_FORKS + "=")) {
                value = a.substring(GENERAL_FORKS.length() + 1);
            } else {
                i++;
                continue;
            }
            args.remove(i);
            try {
                forks = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                forks = -1;
            }
            if (forks < 0 || forks > MAX_GENERAL_FORKS) {
                throw new CommandLineOptionException(GENERAL_FORKS + " takes 0 to " + MAX_GENERAL_FORKS
                        + " forks, not " + value);
            }
        }
        return forks;
    }

    /** Groups JMH's results by workload (interpreter, compiled tier, Java) or benchmark and prints them. */
    private static void print(List<RunResult> results) {
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> other = new ArrayList<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            if (cls.equals("InterpreterBench")) {
                List<double[]> perFork = new ArrayList<>();
                for (BenchmarkResult fork : r.getBenchmarkResults()) {
                    perFork.add(fork.getIterationResults().stream()
                            .mapToDouble(it -> it.getPrimaryResult().getScore()).toArray());
                }
                String general = r.getParams().getParam("general");
                rows.computeIfAbsent(r.getParams().getParam("workload"), k -> new Row())
                        .add(method, "true".equals(general), Forks.of(perFork));
            } else {
                String key = cls + "." + method;
                for (String p : r.getParams().getParamsKeys()) {
                    key += " " + r.getParams().getParam(p);
                }
                other.add(String.format(Locale.ROOT, "| %-36s | %10.3f %-6s |", key,
                        r.getPrimaryResult().getStatistics().getPercentile(50.0), r.getPrimaryResult().getScoreUnit()));
            }
        }
        System.out.println();
        if (!rows.isEmpty()) {
            interpreterTable(rows).forEach(System.out::println);
            System.out.println();
        }
        if (!other.isEmpty()) {
            System.out.println("| benchmark                            |     median        |");
            System.out.println("|--------------------------------------|------------------:|");
            other.forEach(System.out::println);
        }
    }

    /**
     * One workload's figures, each over its forks; null when not measured. {@code compiled} and
     * {@code java} keep the run without {@link InterpreterBench#general} when there are both.
     */
    static final class Row {
        Forks general;
        Forks fast;
        Forks compiled;
        Forks java;

        /**
         * @param method the benchmark method: {@code tape}, {@code compiled} or {@code java}
         * @param generalMode whether the trial ran with {@code general=true}
         * @param forks its figure
         */
        void add(String method, boolean generalMode, Forks forks) {
            switch (method) {
                case "tape" -> {
                    if (generalMode) {
                        general = forks;
                    } else {
                        fast = forks;
                    }
                }
                case "compiled" -> compiled = generalMode && compiled != null ? compiled : forks;
                default -> java = generalMode && java != null ? java : forks;
            }
        }
    }

    /**
     * @param rows each workload's figures, in ms per run
     * @return the interpreter table's lines: a heading, the Markdown table's header and one line per
     *     workload, with each mode's fork count and range of fork medians; ratios to the reference and issue 14's interpreter target are given for both modes,
     *     and "met" is checked against each ("-" where a figure or target is missing)
     */
    static List<String> interpreterTable(Map<String, Row> rows) {
        List<String> out = new ArrayList<>();
        out.add("ms per run, fuel metering on; each figure the median of its forks' medians. interp general: "
                + "after every workload ran in the same JVM (what an embedder running more than one program "
                + "gets); interp fast: a JVM that ran only this workload (one of two modes per fork); "
                + "min..max: the range of the fork medians. The interpreter's target is a third of the reference.");
        out.add("");
        out.add("| workload     | interp general ms | general forks | general min..max ms | interp fast ms | fast forks "
                + "| fast min..max ms  | compiled ms "
                + "|  Java ms | general/Java | fast/Java | compiled/Java | reference ms | general/ref | fast/ref "
                + "| interp target ms | general met | fast met | compiled/Java target | compiled met |");
        out.add("|--------------|------------------:|--------------:|--------------------:|---------------:|-----------:"
                + "|------------------:|------------:"
                + "|---------:|-------------:|----------:|--------------:|-------------:|------------:|---------:"
                + "|-----------------:|-------------|----------|---------------------:|--------------|");
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            double general = median(r.general);
            double fast = median(r.fast);
            double compiled = median(r.compiled);
            double java = median(r.java);
            Double reference = REFERENCE_MS.get(e.getKey());
            double ref = reference == null ? Double.NaN : reference;
            Double target = reference == null ? null : reference / 3;
            Double ratioTarget = COMPILED_PER_JAVA.get(e.getKey());
            out.add(String.format(Locale.ROOT,
                    "| %-12s | %17s | %13s | %19s | %14s | %10s | %17s | %11s | %8s | %12s | %9s | %13s | %12s "
                            + "| %11s | %8s | %16s | %-11s | %-8s | %20s | %-12s |",
                    e.getKey(), ms(general), count(r.general), spread(r.general), ms(fast), count(r.fast),
                    spread(r.fast), ms(compiled), ms(java), ratio(general / java), ratio(fast / java), ratio(compiled / java),
                    format(reference), ratio2(general / ref), ratio2(fast / ref), format(target), met(general, target),
                    met(fast, target), format(ratioTarget), met(compiled / java, ratioTarget)));
        }
        return out;
    }

    private static double median(Forks f) {
        return f == null ? Double.NaN : f.median();
    }

    private static String count(Forks f) {
        return f == null ? "-" : Integer.toString(f.count());
    }

    private static String spread(Forks f) {
        return f == null ? "-" : String.format(Locale.ROOT, "%.3f..%.3f", f.min(), f.max());
    }

    private static String ms(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
    }

    private static String ratio(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f", x);
    }

    private static String ratio2(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f", x);
    }

    private static String format(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.1f", x);
    }

    private static String met(double measured, Double target) {
        return target == null || Double.isNaN(measured) ? "-" : measured <= target ? "yes" : "NO";
    }
}
