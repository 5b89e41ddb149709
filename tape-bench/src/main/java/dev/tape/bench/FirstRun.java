package dev.tape.bench;

import dev.tape.value.Value;
import dev.tape.vm.Trap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * First runs with no warm-up (issue 14: the first run of every workload at least as fast as the
 * reference interpreter), timed in fresh JVMs: each fork sets up one workload as
 * {@link InterpreterBench} does (decodes and verifies it, binds its host, makes the VM), then times
 * its first run, as the wall time ({@link System#nanoTime}) and the CPU time of the thread that runs
 * it ({@link ThreadMXBean#getCurrentThreadCpuTime}). On a machine others load, the CPU time is the
 * steadier figure; it leaves out HotSpot's compiler threads, whose work reaches the run only as the
 * time until compiled code replaces interpreted code.
 *
 * <p>Run: {@code java -cp tape-bench/target/benchmarks.jar dev.tape.bench.FirstRun [-forks N]
 * [-tier jit|interp] [WORKLOAD...]} (default 5 forks, the compiled tier, all twelve workloads). Each
 * fork is {@code java -XX:+AlwaysPreTouch -Xms1g -Xmx1g} (the JMH suite's flags) with this JVM's
 * class path; it checks the run's result against the hand-written Java version and fails on a
 * mismatch. Prints one row per workload: the median and range, over the forks, of both times in ms.
 */
public final class FirstRun {
    private FirstRun() {}

    /**
     * One fork's first run.
     *
     * @param wallNanos its wall time, in ns
     * @param cpuNanos the CPU time of the thread that ran it, in ns
     */
    record Sample(long wallNanos, long cpuNanos) {
        /** @return this sample as a fork prints it: {@code first WALL CPU} (ns) */
        String line() {
            return "first " + wallNanos + " " + cpuNanos;
        }

        /**
         * @param line a line a fork printed
         * @return the sample it states, or null when it states none
         * @throws NumberFormatException when it starts {@code first } but its numbers do not parse
         */
        static Sample parse(String line) {
            if (!line.startsWith("first ")) {
                return null;
            }
            String[] p = line.split(" ");
            if (p.length != 3) {
                throw new NumberFormatException("not a sample: " + line);
            }
            return new Sample(Long.parseLong(p[1]), Long.parseLong(p[2]));
        }
    }

    /**
     * Sets up a workload and times its first run in this JVM (a fork's work; also for tests).
     *
     * @param w the workload
     * @param n its argument, 0 or more
     * @param compiled whether it runs on the compiled tier (else the interpreter)
     * @return the first run's times
     * @throws Trap when the run traps (it does not)
     * @throws IllegalStateException when its result is not the hand-written Java version's
     */
    static Sample once(Workload w, long n, boolean compiled) throws Trap {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        w.verified();
        TapeRun run = new TapeRun(w, n, null, compiled);
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Value v = run.run();
        long t1 = System.nanoTime();
        long c1 = mx.getCurrentThreadCpuTime();
        Value expected = w.java(n);
        if (!v.equals(expected)) {
            throw new IllegalStateException(w.label() + ": " + v + ", expected " + expected);
        }
        return new Sample(t1 - t0, c1 - c0);
    }

    /**
     * @param args {@code [-forks N] [-tier jit|interp] [WORKLOAD...]}, or {@code -child WORKLOAD
     *     jit|interp} in a fork
     * @throws Exception when a fork fails (its output is shown) or an argument is not understood
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("-child")) {
            Workload w = Workload.of(args[1]);
            System.out.println(once(w, w.n(), args[2].equals("jit")).line());
            return;
        }
        int forks = 5;
        String tier = "jit";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-forks" -> forks = Integer.parseInt(args[++i]);
                case "-tier" -> tier = args[++i];
                default -> names.add(Workload.of(args[i]).label());
            }
        }
        if (forks < 1 || !(tier.equals("jit") || tier.equals("interp"))) {
            throw new IllegalArgumentException("usage: FirstRun [-forks N] [-tier jit|interp] [WORKLOAD...]");
        }
        if (names.isEmpty()) {
            for (Workload w : Workload.values()) {
                names.add(w.label());
            }
        }
        System.out.printf(Locale.ROOT, "first runs, %s tier, %d forks: median (min-max), ms%n", tier, forks);
        System.out.printf(Locale.ROOT, "%-14s %-24s %s%n", "workload", "wall", "thread CPU");
        for (String name : names) {
            List<double[]> wall = new ArrayList<>();
            List<double[]> cpu = new ArrayList<>();
            for (int f = 0; f < forks; f++) {
                Sample s = fork(name, tier);
                wall.add(new double[] {s.wallNanos() / 1e6});
                cpu.add(new double[] {s.cpuNanos() / 1e6});
            }
            System.out.printf(Locale.ROOT, "%-14s %-24s %s%n", name, format(Forks.of(wall)), format(Forks.of(cpu)));
        }
    }

    /** @return the figure as {@code median (min-max)}, one decimal */
    static String format(Forks f) {
        return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", f.median(), f.min(), f.max());
    }

    /** Runs one fork and returns its sample. */
    private static Sample fork(String workload, String tier) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+AlwaysPreTouch", "-Xms1g", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), FirstRun.class.getName(), "-child", workload, tier);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Sample sample = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                Sample s = Sample.parse(line);
                sample = s != null ? s : sample;
            }
        }
        if (p.waitFor() != 0 || sample == null) {
            throw new IllegalStateException("fork for " + workload + " failed:\n" + out);
        }
        return sample;
    }
}
