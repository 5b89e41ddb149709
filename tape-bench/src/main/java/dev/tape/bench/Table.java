package dev.tape.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>The reference column is issue #14's figures ({@link #REFERENCE_MS}) unless
 * {@code --reference FILE} gives the reference's times measured beside this run (how:
 * docs/PERFORMANCE-LOG.md, twenty-seventh round). FILE is UTF-8 text, one workload a line:
 * {@code LABEL MS}, a {@link Workload#label()} and its time per run in ms (a positive decimal
 * number), separated by spaces or tabs; blank lines and lines starting with {@code #} are skipped;
 * each workload at most once; a workload missing from the file has no reference figure ("-").
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

    /** Table's own option: a file of the reference's times ({@code LABEL MS} lines; see the class comment). */
    static final String REFERENCE = "--reference";

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
     * A malformed option or an unreadable or malformed {@code --reference} file prints one line to
     * standard error and exits with status 2, before anything runs.
     *
     * @param args JMH options, {@code --general-forks N} (0 to 100; 0: no general-mode run) and
     *     {@code --reference FILE} anywhere among them
     * @throws RunnerException when JMH fails
     */
    public static void main(String[] args) throws RunnerException {
        List<String> jmhArgs = new ArrayList<>(List.of(args));
        int generalForks;
        Map<String, Double> reference;
        CommandLineOptions cmd;
        try {
            generalForks = takeGeneralForks(jmhArgs);
            reference = takeReference(jmhArgs);
            cmd = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            System.err.println("Table: " + e.getMessage());
            System.exit(2);
            return;
        }
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
        print(results, reference);
    }

    /**
     * Removes {@link #REFERENCE} and its value ({@code --reference FILE} or {@code --reference=FILE})
     * from {@code args}, wherever it is, and reads the file.
     *
     * @param args the command line, modified in place
     * @return the file's times in ms by workload label ({@link #parseReference}), or
     *     {@link #REFERENCE_MS} when the option is absent; the last one counts when it is given more
     *     than once
     * @throws CommandLineOptionException when the value is missing, or the file cannot be read or
     *     has a malformed line (the message is one line naming the file and line)
     */
    static Map<String, Double> takeReference(List<String> args) throws CommandLineOptionException {
        Map<String, Double> reference = REFERENCE_MS;
        for (String file : takeOption(args, REFERENCE, "a file of \"workload ms\" lines")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new CommandLineOptionException(REFERENCE + " " + escape(file) + ": cannot read it ("
                        + e.getClass().getSimpleName() + ")");
            }
            reference = parseReference(lines, file);
        }
        return reference;
    }

    /**
     * Parses a reference file (format: the class comment).
     *
     * @param lines the file's lines
     * @param source the file's name, for messages
     * @return the times in ms by workload label, in the file's order
     * @throws CommandLineOptionException at the first line that is not {@code LABEL MS} with a known
     *     label, a finite positive number and a label not seen before; the one-line message names
     *     the source and line number and quotes the line (control characters escaped, cut at 60
     *     characters)
     */
    static Map<String, Double> parseReference(List<String> lines, String source) throws CommandLineOptionException {
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, Workload> known = new HashMap<>();
        for (Workload w : Workload.values()) {
            known.put(w.label(), w);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("[ \t]+");
            String problem;
            double ms = Double.NaN;
            if (f.length != 2) {
                problem = "expected \"workload ms\"";
            } else if (!known.containsKey(f[0])) {
                problem = "unknown workload";
            } else if (out.containsKey(f[0])) {
                problem = "workload given twice";
            } else {
                try {
                    ms = Double.parseDouble(f[1]);
                } catch (NumberFormatException e) {
                    ms = Double.NaN;
                }
                problem = ms > 0 && ms < Double.POSITIVE_INFINITY && f[1].matches("[0-9.eE+-]+") ? null
                        : "ms is not a positive number";
            }
            if (problem != null) {
                throw new CommandLineOptionException(escape(source) + ":" + (i + 1) + ": " + problem + ", got \""
                        + escape(line) + "\"");
            }
            out.put(f[0], ms);
        }
        return out;
    }

    /**
     * @return {@code s} with control characters and quotes as Java-style u-escapes (backslash, u,
     *     four hex digits), cut at 60 characters (then "...")
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '"' ? String.format(Locale.ROOT, "\\u%04x", (int) c) : c);
        }
        return s.length() > 60 ? b + "..." : b.toString();
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
        for (String value : takeOption(args, GENERAL_FORKS, "a number of forks")) {
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

    /**
     * Removes every {@code NAME VALUE} and {@code NAME=VALUE} from {@code args}.
     *
     * @param args the command line, modified in place
     * @param name the option, for example {@link #REFERENCE}
     * @param needs what the value is, for the message when it is missing
     * @return the values in the order given; empty when the option is absent
     * @throws CommandLineOptionException when the option is the last argument, with no value
     *     ("NAME needs NEEDS")
     */
    private static List<String> takeOption(List<String> args, String name, String needs)
            throws CommandLineOptionException {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); ) {
            String a = args.get(i);
            if (a.equals(name)) {
                if (i + 1 >= args.size()) {
                    throw new CommandLineOptionException(name + " needs " + needs);
                }
                values.add(args.remove(i + 1));
            } else if (a.startsWith(name + "=")) {
                values.add(a.substring(name.length() + 1));
            } else {
                i++;
                continue;
            }
            args.remove(i);
        }
        return values;
    }

    /** Groups JMH's results by workload (interpreter, compiled tier, Java) or benchmark and prints them. */
    private static void print(List<RunResult> results, Map<String, Double> reference) {
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
            interpreterTable(rows, reference).forEach(System.out::println);
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
     *     and "met" is checked against each ("-" where a figure or target is missing); the reference
     *     is {@link #REFERENCE_MS}
     */
    static List<String> interpreterTable(Map<String, Row> rows) {
        return interpreterTable(rows, REFERENCE_MS);
    }

    /**
     * @param rows each workload's figures, in ms per run
     * @param reference the reference's ms per run by workload label ({@link #REFERENCE_MS} or a
     *     {@link #REFERENCE} file's); a workload not in it has no reference figure or target
     * @return the interpreter table's lines, as {@link #interpreterTable(Map)} describes, with a
     *     heading saying where the reference column comes from
     */
    static List<String> interpreterTable(Map<String, Row> rows, Map<String, Double> reference) {
        List<String> out = new ArrayList<>();
        out.add("ms per run, fuel metering on; each figure the median of its forks' medians. interp general: "
                + "after every workload ran in the same JVM (what an embedder running more than one program "
                + "gets); interp fast: a JVM that ran only this workload (one of two modes per fork); "
                + "min..max: the range of the fork medians. The interpreter's target is a third of the reference; reference: "
                + (reference == REFERENCE_MS ? "issue 14's figures" : "the " + REFERENCE + " file") + ".");
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
            Double refMs = reference.get(e.getKey());
            double ref = refMs == null ? Double.NaN : refMs;
            Double target = refMs == null ? null : refMs / 3;
            Double ratioTarget = COMPILED_PER_JAVA.get(e.getKey());
            out.add(String.format(Locale.ROOT,
                    "| %-12s | %17s | %13s | %19s | %14s | %10s | %17s | %11s | %8s | %12s | %9s | %13s | %12s "
                            + "| %11s | %8s | %16s | %-11s | %-8s | %20s | %-12s |",
                    e.getKey(), ms(general), count(r.general), spread(r.general), ms(fast), count(r.fast),
                    spread(r.fast), ms(compiled), ms(java), ratio(general / java), ratio(fast / java), ratio(compiled / java),
                    format(refMs), ratio2(general / ref), ratio2(fast / ref), format(target), met(general, target),
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
