package dev.tape.cli;

import dev.tape.host.RecordingException;
import dev.tape.host.RecordingHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;

/**
 * {@code tape run FILE [options]}: verifies a program, runs one function and prints each returned
 * value on its own line as a value literal ({@code i64:6765}). A trap prints its report on stderr
 * ({@link TrapReport}) and exits 1; a file, option or argument problem prints one line on stderr
 * and exits 2. With {@code --slice N} the run goes in slices of N fuel, resumed after each
 * ({@link Run}), with the same output; with {@code --timeout DURATION} a run still going at the
 * deadline stops with one line on stderr and exits 3. With {@code --pause-at FUEL -o FILE.snap} a
 * run that has used FUEL fuel units pauses, its snapshot ({@link Run#snapshot()},
 * {@code docs/SNAPSHOT.md}) is written to the file, one line on stderr says where it paused, and
 * the exit code is 4; {@code tape resume} ({@link ResumeCommand}) continues it to the output the
 * run would have printed.
 */
public final class RunCommand implements Callable<Integer> {
    /**
     * The most characters printed for one result (1 Mi): a longer literal is printed as its first
     * 1,048,576 characters followed by {@code ...} ({@link ValueLiteral#format(Value, int)}), and only
     * that much of the value is ever formatted, so a huge string, byte string or array costs what its
     * printed prefix costs.
     */
    static final int MAX_RESULT_CHARS = 1 << 20;

    /** {@code --slice}'s description. */
    static final String SLICE_HELP = "Run in slices of N fuel units (1 to 2^64-1), pausing and resuming after each; "
            + "the output is the same as without slices (a fairness and pause/resume check).";
    /** {@code --timeout}'s description. */
    static final String TIMEOUT_HELP = "A deadline such as 300ms, 2s or 1m (a whole number and ms, s or m): a run "
            + "still going then stops with 'timeout: ...' on stderr and exit code 3.";
    /** {@code --pause-at}'s description. */
    static final String PAUSE_AT_HELP = "Pause the run once it has used FUEL fuel units (0 to 2^64-1, below --fuel), "
            + "write its snapshot to the -o file, print 'paused: ...' on stderr and exit 4; 'tape resume' continues "
            + "it. A run that returns or traps first prints as without this option and writes no file.";
    /** {@code -o}'s description. */
    static final String OUTPUT_HELP = "With --pause-at: where to write the snapshot (replaced if it exists).";
    /** {@code --record}'s description. */
    static final String RECORD_HELP = "Record what the host answered (every host call's arguments, results or "
            + "failure, and fuel charged) to this file, for 'tape replay FILE.rec PROGRAM'; see docs/RECORDING.md.";

    /**
     * Creates the command with its options' defaults; {@link RunSpec#of(RunCommand)} makes its model,
     * through which picocli fills them in.
     */
    RunCommand() {
        options = new RunOptions();
        options.engine = new EngineOptions();
    }

    /** the model, set by {@link RunSpec#of(RunCommand)} */
    CommandSpec spec;

    /** the program file, the entry, its arguments and the engine options */
    final RunOptions options;

    /** {@code --slice N}, or null */
    String slice;

    /** {@code --timeout DURATION}, or null */
    String timeout;

    /** {@code --pause-at FUEL}, or null */
    String pauseAt;

    /** {@code -o FILE.snap}, or null */
    Path output;

    /** {@code --timeout}'s syntax, compiled on its first use, not in every {@code tape run}. */
    private static final class Durations {
        static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m)");

        private Durations() {}
    }

    /** {@code --record FILE.rec}, or null */
    Path record;

    @Override
    public Integer call() throws CliException {
        options.preload = Preload.claim();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long sliceFuel = slice == null ? 0 : slice();
        Duration deadline = timeout == null ? null : duration(timeout);
        long pauseFuel = pauseFuel();
        // a print after stdout failed traps (StdHost), but not in a run recorded: see watched
        options.engine.stopPrints = record == null;
        if (record == null) {
            return run(options.prepare(out, err), out, err, sliceFuel, deadline, pauseFuel);
        }
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(record))) {
            RecordingHost[] rec = new RecordingHost[1];
            RunOptions.Prepared p = options.prepare(out, err, (program, host) -> {
                try {
                    rec[0] = new RecordingHost(host, program.hash(), file);
                } catch (RecordingException e) {
                    throw new CliException("tape run: --record " + Escape.path(record) + ": " + e.getMessage());
                }
                return rec[0];
            });
            rec[0].run(p.entry(), p.args());
            int status = run(p, out, err, sliceFuel, deadline, pauseFuel);
            try {
                rec[0].finish();
            } catch (RecordingException e) {
                out.flush();
                throw new CliException("tape run: --record " + Escape.path(record) + ": " + Escape.text(e.getMessage()));
            }
            return status;
        } catch (IOException e) {
            out.flush();
            throw new CliException("tape run: --record " + Escape.path(record) + ": cannot write it: "
                    + Escape.text(ProgramFiles.describe(e)));
        }
    }

    private int run(RunOptions.Prepared p, PrintWriter out, PrintWriter err, long sliceFuel, Duration deadline,
            long pauseFuel) throws CliException {
        if (pauseAt != null && Long.compareUnsigned(pauseFuel, p.limits().fuel()) < 0) {
            Outcome o = pauseAt(p, pauseFuel, out, err);
            // (a pause here came after stdout or stderr failed, with nothing written: ended says so
            // first, or a pause other than the one asked for, which the std and test hosts never make)
            if (o == null) {
                return ExitCodes.PAUSED;
            }
            int code = ended(o, out, err);
            return code == PAUSE ? ExitCodes.ERROR : code;
        }
        if (slice == null && deadline == null && !watched(p, out, err)) {
            List<Value> results;
            try {
                results = p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(), p.sink());
            } catch (Trap t) {
                return ended(new Outcome.Trapped(t), out, err);
            }
            return ended(new Outcome.Done(results), out, err);
        }
        Outcome o = paused(p, sliceFuel, deadline, out, err);
        int code = ended(o, out, err);
        if (code != PAUSE) {
            return code;
        }
        out.flush();
        err.println("timeout: the run was still going after " + Escape.text(timeout.trim()) + ", at " + where + " (used "
                + Long.toUnsignedString(used) + " fuel)");
        return ExitCodes.TIMEOUT;
    }

    /**
     * What {@link #ended} returns for a pause that it leaves to its caller: a deadline, a fuel pause.
     * Not an exit code.
     */
    static final int PAUSE = -1;

    /**
     * The one outcome handler of every command that runs a program to an end it reports
     * ({@code tape run} in each of its modes, {@code tape resume}, {@code tape bench}): once the run
     * has stopped, whatever it did, stdout is flushed and a failed write of stdout or stderr
     * ({@link TapeCli#writeFailed}, that flush's included) ends the command with exit 2 and nothing more, so that
     * {@link TapeCli#writeErrors}' one line is all it prints, on either tier: the interpreter stops
     * right after the print whose write failed, but compiled code polls only every
     * {@link Run#COMPILED_CHUNK} fuel units and may trap, return or reach a fuel pause first, and the
     * std host's next print traps ({@link StdHost}, "A failed standard output") with a report that
     * is not the program's. Otherwise an interrupted run ({@link PauseReason.Interrupted}: only a
     * failed write interrupts) exits 2 too, a trap prints its report and exits 1, and the results
     * are printed with exit 0.
     *
     * @param o how the run ended
     * @param out the command's stdout
     * @param err the command's stderr
     * @return the exit code, or {@link #PAUSE} for any other pause, which the caller reports
     */
    static int ended(Outcome o, PrintWriter out, PrintWriter err) {
        // first: what the run printed and the buffer still holds may fail to be written now, and
        // then no report may come before the one line
        out.flush();
        if (TapeCli.writeFailed(out, err)
                || o instanceof Outcome.Paused paused && paused.reason() instanceof PauseReason.Interrupted) {
            return ExitCodes.ERROR;
        }
        if (o instanceof Outcome.Trapped t) {
            return TrapReport.failed(out, err, t.trap());
        }
        if (o instanceof Outcome.Done d) {
            return printResults(out, d.values());
        }
        return PAUSE;
    }

    /**
     * Prints each result on its own line as a value literal of at most {@link #MAX_RESULT_CHARS}
     * characters, as every command that runs a program does.
     *
     * @param out the command's stdout
     * @param results the values the function returned
     * @return {@link ExitCodes#OK}
     */
    static int printResults(PrintWriter out, List<Value> results) {
        for (Value v : results) {
            out.println(ValueLiteral.format(v, MAX_RESULT_CHARS));
        }
        return ExitCodes.OK;
    }

    /**
     * Whether the run writes as it goes to a standard stream that {@link TapeCli#run} watches for
     * write failures ({@link TapeCli#onWriteFailure}) other than through the std host: it traces
     * ({@code --trace}, to stderr). Such a run goes as a {@link Run} (the same outcome, fuel and
     * output as {@code Vm.run}, {@link Run}'s "Exact semantics"), which a failed write interrupts:
     * it pauses within {@link Run#CHUNK} instructions (interpreted) or {@link Run#COMPILED_CHUNK}
     * fuel units (compiled), and {@code tape run} exits 2 with {@link TapeCli#writeErrors}' line
     * instead of running the program on, up to its fuel, for output that is lost. A run that
     * prints only through the std host keeps {@code Vm.run}: its next print after stdout failed
     * traps ({@link StdHost}, "A failed standard output", {@link EngineOptions#stopPrints}), which costs
     * nothing while nothing failed, where a {@code Run}'s slices cost a compiled deep recursion up
     * to twice its CPU. A run with {@code --record} is not watched, and its prints are not stopped:
     * its recording, in a file that did not fail, is what it is run for, and a run stopped midway
     * would leave a recording that ends early (which {@code tape replay} calls a divergence) and
     * whose length depends on the tier; it runs to its end, as before, and exits 2 with the line.
     *
     * @param p the prepared run
     * @param out the command's stdout
     * @param err the command's stderr
     * @return true to run it as a watched {@link Run}
     */
    private boolean watched(RunOptions.Prepared p, PrintWriter out, PrintWriter err) {
        return record == null && TapeCli.writesWatched(out, err) && p.sink() != null;
    }

    /**
     * Interrupts {@code run} when the command line's stdout or stderr fails; nothing for writers
     * that {@link TapeCli#run} did not make.
     *
     * @param run the run to stop at a failed write
     * @param out the command's stdout
     * @param err the command's stderr
     */
    static void watch(Run run, PrintWriter out, PrintWriter err) {
        TapeCli.onWriteFailure(out, err, new Runnable() {
            @Override
            public void run() {
                run.interrupt();
            }
        });
    }

    /** fuel the sliced or timed run used, and where it stopped, for the timeout line */
    private long used;
    private String where;

    /**
     * Runs as a {@link Run}: in slices of {@code sliceFuel} (0 for one slice of all the fuel), with
     * a deadline when given. A fuel pause with all the fuel given ends the run with the one-shot
     * run's {@code fuel_exceeded} trap.
     *
     * @return Done, Trapped, or Paused: the deadline passed, or interrupted
     *     ({@link PauseReason.Interrupted}: stdout or stderr failed, {@link #watch})
     */
    private Outcome paused(RunOptions.Prepared p, long sliceFuel, Duration deadline, PrintWriter out,
            PrintWriter err) {
        long total = p.limits().fuel();
        long given = sliceFuel == 0 || Long.compareUnsigned(sliceFuel, total) > 0 ? total : sliceFuel;
        Run run = p.vm().start(new ExecutionContext(), p.entry(), p.args(), p.limits().withFuel(given), p.sink());
        if (record == null) {
            watch(run, out, err);
        }
        if (deadline != null) {
            run.deadline(deadline);
        }
        while (true) {
            Outcome o = run.resume();
            if (o instanceof Outcome.Paused paused && paused.reason() instanceof PauseReason.FuelExhausted) {
                long more = total - given;
                if (Long.compareUnsigned(more, sliceFuel) > 0) {
                    more = sliceFuel;
                }
                run.addFuel(more);
                given += more;
                continue;
            }
            used = given - run.fuelRemaining();
            if (o instanceof Outcome.Paused) {
                where = TrapReport.place(run.frames().get(0));
            }
            return o;
        }
    }

    /**
     * Runs until {@code at} fuel is used; then gives the run the rest of its fuel, writes its
     * snapshot and prints where it paused.
     *
     * @return the outcome when the run returned or trapped first, or was interrupted (a
     *     {@link Outcome.Paused} whose reason is {@link PauseReason.Interrupted}: stdout or stderr
     *     failed), or a fuel pause that came after stdout or stderr failed ({@link TapeCli#writeFailed},
     *     nothing written), or null when it paused at {@code at}
     */
    private Outcome pauseAt(RunOptions.Prepared p, long at, PrintWriter out, PrintWriter err) throws CliException {
        long total = p.limits().fuel();
        Run run = p.vm().start(new ExecutionContext(), p.entry(), p.args(), p.limits().withFuel(at), p.sink());
        if (record == null) {
            watch(run, out, err);
        }
        Outcome o = run.resume();
        if (!(o instanceof Outcome.Paused paused) || paused.reason() instanceof PauseReason.Interrupted
                || TapeCli.writeFailed(out, err)) {
            // (a fuel pause after a failed write: no snapshot, as when the interrupt came first)
            return o;
        }
        // the std and test hosts never suspend, and only a failed write interrupts: this is the
        // fuel pause
        run.addFuel(total - at);
        byte[] snap;
        try {
            snap = run.snapshot();
        } catch (RuntimeException e) {
            throw new CliException("tape: cannot snapshot the run: " + Escape.text(e.getMessage()));
        }
        ProgramFiles.write(output, snap);
        out.flush();
        err.println("paused: at " + TrapReport.place(run.frames().get(0)) + " after " + Long.toUnsignedString(at) + " fuel, " + run.frames().size()
                + (run.frames().size() == 1 ? " frame" : " frames") + "; snapshot of " + snap.length + " bytes in "
                + Escape.path(output));
        return null;
    }

    /** @return the --pause-at fuel, after checking the options that go with it */
    private long pauseFuel() throws CliException {
        if (pauseAt == null) {
            if (output != null) {
                throw new CliException("tape: -o goes with --pause-at (where to write the snapshot)");
            }
            return 0;
        }
        if (output == null) {
            throw new CliException("tape: --pause-at needs -o FILE.snap (where to write the snapshot)");
        }
        if (slice != null || timeout != null) {
            throw new CliException("tape: --pause-at does not go with --slice or --timeout");
        }
        return EngineOptions.unsigned(pauseAt, "--pause-at");
    }

    private long slice() throws CliException {
        long n = EngineOptions.unsigned(slice, "--slice");
        if (n == 0) {
            throw new CliException("tape: --slice must be 1 or more");
        }
        return n;
    }

    /**
     * @param text a duration: digits then {@code ms}, {@code s} or {@code m}
     * @return the duration, more than zero
     * @throws CliException (exit 2) when the text is not one
     */
    static Duration duration(String text) throws CliException {
        Matcher m = Durations.DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new CliException("tape: --timeout must be a whole number above 0 followed by ms, s or m (300ms, 2s, 1m),"
                    + " got '" + Escape.text(text) + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }
}
