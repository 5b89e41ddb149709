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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tape profile FILE [run options] -o OUT.svg}: runs a function as {@code tape run} does
 * (printing its results, or its trap), measuring where it went, and writes a flame graph SVG,
 * collapsed stacks or speedscope JSON ({@link ProfileWriters}). The profile of a run that traps is
 * written too. A run whose stdout or stderr fails to be written goes on to its end, unlike
 * {@code tape run}'s: its profile, in files that did not fail, is what it is run for, and a profile
 * cut where the disk filled would depend on the writer's buffer and the tier (as {@code tape run
 * --record}'s recording, {@link RunCommand}); the files are written, and the command ends with
 * exit 2 and {@link TapeCli#writeErrors}' one line, without the trap report or the summary line.
 * Two measures ({@code --measure}):
 *
 * <ul>
 *   <li>{@code fuel} (the default): the fuel spent in each stack, exact and deterministic
 *       ({@link FuelProfile}). The run is interpreted (it is traced per instruction), so it takes
 *       longer than {@code tape run}; fuel, results and traps are those of {@code tape run}.</li>
 *   <li>{@code wall}: sampled wall time of a compiled run ({@link WallProfile}): the run goes
 *       untraced on the compiled tier, as fast as {@code tape run}, while a sampler thread reads
 *       its stack every {@code --interval-us} microseconds; weights are wall time in
 *       microseconds. Needs {@code --tier jit} (the default) and {@code --by function}.</li>
 * </ul>
 */
@Command(name = "profile",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the function returned; the profile is written", "1:the program trapped; the profile is written",
            "2:bad usage, an unreadable, malformed or invalid program, an argument that does not fit, or an output that cannot be written"},
        sortOptions = false,
        description = {"Run a function and write where its fuel or its time went: a flame graph SVG (-o), collapsed "
                + "stacks (--collapsed) or speedscope JSON (--speedscope).",
            "--measure fuel (the default) is exact and deterministic: 1 unit per instruction, host calls on a leaf "
                + "named after their symbol with the fuel they charged; the run is interpreted and traced.",
            "--measure wall samples a compiled run's call stack every --interval-us microseconds: widths are wall "
                + "time in microseconds, host calls on a leaf named after their symbol; not deterministic."})
public final class ProfileCommand implements Callable<Integer> {
    /** The largest {@code --max-depth}. */
    static final int MAX_DEPTH_LIMIT = 4096;
    /** The largest {@code --max-stacks}. */
    static final int MAX_NODES_LIMIT = 1_000_000;

    /** Creates the command; picocli fills in its options. */
    public ProfileCommand() {}

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.svg", description = "Write the flame graph SVG here.")
    Path svg;

    @Option(names = "--collapsed", paramLabel = "FILE",
            description = "Write collapsed stacks here (one 'frame;frame;frame fuel' line per stack, as flamegraph.pl reads).")
    Path collapsed;

    @Option(names = "--speedscope", paramLabel = "FILE",
            description = "Write speedscope's JSON file format here (open it at https://www.speedscope.app).")
    Path speedscope;

    @Option(names = "--measure", paramLabel = "fuel|wall",
            description = "What to measure: fuel (exact, the run interpreted and traced) or wall (sampled time of "
                    + "the compiled run) (default: ${DEFAULT-VALUE}).")
    String measure = "fuel";

    @Option(names = "--interval-us", paramLabel = "N",
            description = "With --measure wall: microseconds between samples, " + WallProfile.MIN_INTERVAL_US
                    + " to " + WallProfile.MAX_INTERVAL_US + " (default: " + WallProfile.DEFAULT_INTERVAL_US + ").")
    Integer intervalMicros;

    @Option(names = "--by", paramLabel = "function|span",
            description = "Name frames by function, or by function and the span in force (default: ${DEFAULT-VALUE}).")
    String by = "function";

    @Option(names = "--max-depth", paramLabel = "N",
            description = "Keep stacks this deep at most; deeper frames fold into '[deeper frames]', 1 to "
                    + MAX_DEPTH_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int maxDepth = FuelProfile.DEFAULT_MAX_DEPTH;

    @Option(names = "--max-stacks", paramLabel = "N",
            description = "Keep this many distinct frames at most; later ones fold into '[other]', 1 to "
                    + MAX_NODES_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int maxStacks = FuelProfile.DEFAULT_MAX_NODES;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (svg == null && collapsed == null && speedscope == null) {
            throw new CliException("tape profile: say where to write the profile: -o OUT.svg, --collapsed FILE "
                    + "or --speedscope FILE");
        }
        if (!options.engine.trace.isEmpty()) {
            throw new CliException("tape profile: --trace cannot be combined with profiling");
        }
        FuelProfile.By mode = switch (by) {
            case "function" -> FuelProfile.By.FUNCTION;
            case "span" -> FuelProfile.By.SPAN;
            default -> throw new CliException("tape profile: --by must be function or span, got '"
                    + Escape.text(by) + "'");
        };
        if (maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
            throw new CliException("tape profile: --max-depth must be from 1 to " + MAX_DEPTH_LIMIT);
        }
        if (maxStacks < 1 || maxStacks > MAX_NODES_LIMIT) {
            throw new CliException("tape profile: --max-stacks must be from 1 to " + MAX_NODES_LIMIT);
        }
        boolean wall = switch (measure) {
            case "fuel" -> false;
            case "wall" -> true;
            default -> throw new CliException("tape profile: --measure must be fuel or wall, got '"
                    + Escape.text(measure) + "'");
        };
        if (intervalMicros != null && !wall) {
            throw new CliException("tape profile: --interval-us applies to --measure wall only");
        }
        int interval = intervalMicros == null ? WallProfile.DEFAULT_INTERVAL_US : intervalMicros;
        if (interval < WallProfile.MIN_INTERVAL_US || interval > WallProfile.MAX_INTERVAL_US) {
            throw new CliException("tape profile: --interval-us must be from " + WallProfile.MIN_INTERVAL_US + " to "
                    + WallProfile.MAX_INTERVAL_US);
        }
        if (wall && mode == FuelProfile.By.SPAN) {
            throw new CliException("tape profile: --by span needs --measure fuel (wall-time samples see functions, "
                    + "not spans)");
        }
        if (wall && options.engine.tier != Tier.jit) {
            throw new CliException("tape profile: --measure wall samples compiled code and needs --tier jit; "
                    + "use --measure fuel to profile the interpreter");
        }
        return wall ? wall(out, err, interval) : fuel(out, err, mode);
    }

    private int fuel(PrintWriter out, PrintWriter err, FuelProfile.By mode) throws CliException {
        FuelProfile profile = new FuelProfile(mode, maxDepth, maxStacks);
        RunOptions.Prepared p = options.prepare(out, err, (program, host) -> profile.wrap(host));
        int status;
        try {
            status = RunCommand.printResults(out, p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(),
                    profile));
        } catch (Trap t) {
            // (after a failed stdout or stderr: no report, see call)
            status = RunCommand.ended(new Outcome.Trapped(t), out, err);
        }
        out.flush();
        if (collapsed != null || speedscope != null) {
            ProfileWriters.requireWritable(profile.root(), collapsed != null);
        }
        String name = fileName(p);
        long total = profile.total();
        if (svg != null) {
            String title = "Flame graph of " + Escape.text(name) + ", by " + by;
            String subtitle = total + " fuel units in all; width is fuel (exact, 1 per instruction); "
                    + (profile.nodeCount() - 1) + " frames";
            write(svg, ProfileWriters.svg(profile.root(), title, subtitle));
        }
        if (collapsed != null) {
            write(collapsed, ProfileWriters.collapsed(profile.root()));
        }
        if (speedscope != null) {
            write(speedscope, ProfileWriters.speedscope(profile.root(), Escape.text(name), "fuel units, by " + by));
        }
        if (TapeCli.writeFailed(out, err)) {
            return ExitCodes.ERROR;
        }
        err.println("profile: " + total + " fuel units in " + (profile.nodeCount() - 1) + " frames");
        return status;
    }

    private int wall(PrintWriter out, PrintWriter err, int interval) throws CliException {
        WallProfile profile = new WallProfile(maxDepth, maxStacks, interval);
        // samples read the Java stack: one JVM frame per VM frame, no leaf inlined into its caller
        options.engine.framed = true;
        RunOptions.Prepared p = options.prepare(out, err, (program, host) -> profile.wrap(host));
        int status;
        profile.start(p.vm(), Thread.currentThread());
        try {
            status = RunCommand.printResults(out, p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(),
                    null));
        } catch (Trap t) {
            // (after a failed stdout or stderr: no report, see call)
            status = RunCommand.ended(new Outcome.Trapped(t), out, err);
        } finally {
            profile.stop();
        }
        out.flush();
        if (collapsed != null || speedscope != null) {
            ProfileWriters.requireWritable(profile.root(), collapsed != null);
        }
        String name = fileName(p);
        long samples = profile.samples();
        long ms = profile.micros() / 1000;
        String what = samples + (samples == 1 ? " sample" : " samples") + " over " + ms + " ms (asked: one every "
                + interval;
        if (svg != null) {
            String title = "Wall-time flame graph of " + Escape.text(name) + ", by function";
            String subtitle = what + " \u00b5s); width is wall time in \u00b5s (sampled, compiled tier); "
                    + (profile.nodeCount() - 1) + " frames";
            write(svg, ProfileWriters.svg(profile.root(), title, subtitle, "\u00b5s", "data-us"));
        }
        if (collapsed != null) {
            write(collapsed, ProfileWriters.collapsed(profile.root()));
        }
        if (speedscope != null) {
            write(speedscope, ProfileWriters.speedscope(profile.root(), Escape.text(name), "wall time, sampled every "
                    + interval + " microseconds", "microseconds", 1));
        }
        if (TapeCli.writeFailed(out, err)) {
            return ExitCodes.ERROR;
        }
        err.println("profile: " + what + " microseconds) in " + (profile.nodeCount() - 1) + " frames"
                + (profile.failed() ? "; sampling stopped early on an error"
                : samples == 0 ? "; the run ended before the first sample (a smaller --interval-us takes more)" : ""));
        return status;
    }

    private static String fileName(RunOptions.Prepared p) {
        return p.file().getFileName() == null ? p.file().toString() : p.file().getFileName().toString();
    }

    private static void write(Path file, String text) throws CliException {
        ProgramFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
