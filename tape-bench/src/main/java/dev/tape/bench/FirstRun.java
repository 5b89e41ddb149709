package dev.tape.bench;

import dev.tape.jit.Jit;
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
 * [-tier jit|interp] [-warm] [-JFLAG...] [WORKLOAD...]} (default 5 forks, the compiled tier, all
 * twelve workloads; {@code -warm}: each fork calls {@link Jit#warmUp()} before set-up, as an embedder
 * may; {@code -JFLAG}: FLAG is added to every fork's JVM flags, for example
 * {@code -J-Ddev.tape.jit.warmup=false}). Each fork is {@code java -XX:+AlwaysPreTouch -Xms1g -Xmx1g}
 * (the JMH suite's flags) with this JVM's class path; it checks the run's result against the
 * hand-written Java version and fails on a mismatch, and on the compiled tier it fails when the run
 * left every function to the interpreter (a first-run figure of the wrong tier: a compiled tier that
 * cannot load its generator, or a variant that never reaches compiled code, looks fast or slow for
 * reasons of its own). Prints one row per workload: the median and range, over the forks, in ms, of the run's
 * wall time and its thread's CPU time, and of set-up and the run together, the wall time and the
 * whole JVM's CPU time (every thread's: work the compiled tier's background warm-up takes off the
 * running thread shows there, with HotSpot's compiler threads).
 */
public final class FirstRun {
    private FirstRun() {}

    /**
     * One fork's first run.
     *
     * @param wallNanos its wall time, in ns
     * @param cpuNanos the CPU time of the thread that ran it, in ns
     * @param totalWallNanos the wall time of set-up (decode, verify, bind, make the VM) and the run, in ns
     * @param processCpuNanos the CPU time of the whole JVM (every thread: the running one, a
     *     background warm-up, HotSpot's compilers and collector) over set-up and the run, in ns
     */
    record Sample(long wallNanos, long cpuNanos, long totalWallNanos, long processCpuNanos) {
        /** @return this sample as a fork prints it: {@code first WALL CPU TOTALWALL PROCESSCPU} (ns) */
        String line() {
            return "first " + wallNanos + " " + cpuNanos + " " + totalWallNanos + " " + processCpuNanos;
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
            if (p.length != 5) {
                throw new NumberFormatException("not a sample: " + line);
            }
            return new Sample(Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]), Long.parseLong(p[4]));
        }
    }

    /**
     * Sets up a workload and times its first run in this JVM (a fork's work; also for tests).
     *
     * @param w the workload
     * @param n its argument, 0 or more
     * @param compiled whether it runs on the compiled tier (else the interpreter)
     * @param warm whether to call {@link Jit#warmUp()} before set-up, as an embedder may at its start
     * @return the first run's times
     * @throws Trap when the run traps (it does not)
     * @throws IllegalStateException when its result is not the hand-written Java version's, or
     *     when a compiled run compiled no function
     */
    static Sample once(Workload w, long n, boolean compiled, boolean warm) throws Trap {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long p0 = processCpu();
        long s0 = System.nanoTime();
        if (warm) {
            Jit.warmUp();
        }
        w.verified();
        TapeRun run = new TapeRun(w, n, null, compiled);
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Value v = run.run();
        long t1 = System.nanoTime();
        long c1 = mx.getCurrentThreadCpuTime();
        long p1 = processCpu();
        Value expected = w.java(n);
        if (!v.equals(expected)) {
            throw new IllegalStateException(w.label() + ": " + v + ", expected " + expected);
        }
        if (compiled && run.compiledFunctions() == 0) {
            throw new IllegalStateException(w.label() + ": the compiled tier compiled no function (the run was interpreted)");
        }
        return new Sample(t1 - t0, c1 - c0, t1 - s0, p1 - p0);
    }

    /** @return the JVM's CPU time so far in ns, or 0 where the platform does not tell */
    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /**
     * @param args {@code [-forks N] [-tier jit|interp] [-warm] [-JFLAG...] [WORKLOAD...]}, or
     *     {@code -child WORKLOAD jit|interp warm|cold} in a fork
     * @throws Exception when a fork fails (its output is shown) or an argument is not understood
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("-child")) {
            Workload w = Workload.of(args[1]);
            System.out.println(once(w, w.n(), args[2].equals("jit"), args[3].equals("warm")).line());
            return;
        }
        int forks = 5;
        String tier = "jit";
        boolean warm = false;
        List<String> names = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-forks" -> forks = Integer.parseInt(args[++i]);
                case "-tier" -> tier = args[++i];
                case "-warm" -> warm = true;
                default -> {
                    if (args[i].startsWith("-J") && args[i].length() > 2) {
                        flags.add(args[i].substring(2));
                    } else {
                        names.add(Workload.of(args[i]).label());
                    }
                }
            }
        }
        if (forks < 1 || !(tier.equals("jit") || tier.equals("interp"))) {
            throw new IllegalArgumentException(
                    "usage: FirstRun [-forks N] [-tier jit|interp] [-warm] [-JFLAG...] [WORKLOAD...]");
        }
        if (names.isEmpty()) {
            for (Workload w : Workload.values()) {
                names.add(w.label());
            }
        }
        System.out.printf(Locale.ROOT, "first runs, %s tier%s%s, %d forks: median (min-max), ms%n", tier,
                warm ? ", Jit.warmUp() before set-up" : "", flags.isEmpty() ? "" : ", JVM flags " + flags, forks);
        System.out.printf(Locale.ROOT, "%-14s %-24s %-24s %-24s %s%n", "workload", "wall", "thread CPU",
                "set-up+run wall", "set-up+run process CPU");
        for (String name : names) {
            List<List<double[]>> cols = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int f = 0; f < forks; f++) {
                Sample s = fork(name, tier, warm, flags);
                cols.get(0).add(new double[] {s.wallNanos() / 1e6});
                cols.get(1).add(new double[] {s.cpuNanos() / 1e6});
                cols.get(2).add(new double[] {s.totalWallNanos() / 1e6});
                cols.get(3).add(new double[] {s.processCpuNanos() / 1e6});
            }
            System.out.printf(Locale.ROOT, "%-14s %-24s %-24s %-24s %s%n", name, format(Forks.of(cols.get(0))),
                    format(Forks.of(cols.get(1))), format(Forks.of(cols.get(2))), format(Forks.of(cols.get(3))));
        }
    }

    /** @return the figure as {@code median (min-max)}, one decimal */
    static String format(Forks f) {
        return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", f.median(), f.min(), f.max());
    }

    /**
     * The command line of one fork: the JMH suite's JVM flags, then {@code flags}, this JVM's class
     * path and the child's arguments.
     */
    static List<String> command(String workload, String tier, boolean warm, List<String> flags) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+AlwaysPreTouch", "-Xms1g", "-Xmx1g"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstRun.class.getName(), "-child", workload,
                tier, warm ? "warm" : "cold"));
        return cmd;
    }

    /** Runs one fork and returns its sample. */
    private static Sample fork(String workload, String tier, boolean warm, List<String> flags) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(workload, tier, warm, flags));
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
