package dev.tape.cli;

import dev.tape.host.HostRecording;
import dev.tape.host.RecordingException;
import dev.tape.host.ReplayHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tape replay FILE.rec PROGRAM [run options]}: runs a program again from a recording made
 * with {@code tape run --record FILE.rec}, answering every host call from the recording
 * ({@link ReplayHost}) instead of the host, and prints what {@code tape run} printed: the results,
 * or the trap, and the std host's output, re-printed from the recorded arguments of the
 * {@code std.print_*} calls (nothing else of the std host runs). Without {@code --entry} and
 * {@code --arg}, the recorded entry and arguments are used. A recording of another program, a
 * damaged one, or a run that does not repeat the recorded one is refused with one line, exit 2.
 *
 * <p>The recording is read whole into memory (its size is the user's file's size); every length in
 * it is bounded by the bytes left when read ({@code docs/RECORDING.md}).
 */
@Command(name = "replay",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the function returned, as recorded", "1:the program trapped, as recorded",
            "2:bad usage, an unreadable or damaged recording, a recording of another program, a run that diverged from the recording, or an invalid program"},
        sortOptions = false,
        description = {"Run a program again from a recording made with 'tape run --record FILE.rec', without its host: "
                + "every host call is answered from the recording, and what the std host printed is printed again.",
            "Without --entry and --arg the recorded entry and arguments are used."})
public final class ReplayCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its options. */
    public ReplayCommand() {}

    @Spec
    CommandSpec spec;

    /** The run options; their FILE (index 0) is the recording here ({@link #relabel}). */
    @Mixin
    RunOptions options;

    @Parameters(index = "1", paramLabel = "PROGRAM",
            description = "The program the recording was made with: a binary .tape file, or text assembly when the name ends in .tasm.")
    Path program;

    /**
     * Relabels the run options' first parameter as the recording in this command's help.
     *
     * @param spec this command's spec
     */
    static void relabel(CommandSpec spec) {
        for (PositionalParamSpec p : new ArrayList<>(spec.positionalParameters())) {
            if (p.index().min() == 0 && "FILE".equals(p.paramLabel())) {
                spec.remove(p);
                spec.addPositional(PositionalParamSpec.builder(p).paramLabel("FILE.rec")
                        .description("The recording, made with 'tape run --record FILE.rec'.").build());
            }
        }
    }

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path recFile = options.file;
        options.file = program;
        HostRecording rec = read(recFile, "tape replay");
        useRecordedRun(options, rec);
        ReplayHost[] replay = new ReplayHost[1];
        RunOptions.Prepared p = options.prepare(out, err, (verified, host) ->
                replay[0] = replayHost(rec, verified, options, out, "tape replay", recFile));
        requireSameRun(rec, p.entry(), p.args(), "tape replay");
        Outcome o = replayed(p, out, err);
        if (o instanceof Outcome.Trapped trapped) {
            Trap t = trapped.trap();
            out.flush();
            if (t.detail() != null && t.detail().startsWith("replay diverged") && !TapeCli.writeFailed(out, err)) {
                throw new CliException("tape replay: " + Escape.text(t.detail()) + " (at " + Escape.text(
                        t.funcName() == null ? "func " + t.func() : t.funcName()) + " pc " + t.pc() + ")");
            }
        }
        // a failed stdout or stderr: exit 2 and the one line, the re-prints stopped at the failure
        int code = RunCommand.ended(o, out, err);
        return code == ExitCodes.ERROR ? code : leftOver(replay[0], code);
    }

    /**
     * Runs the replay to its end, or, when it traces ({@code --trace}, to stderr) over writers that
     * {@link TapeCli#run} watches, as a {@link Run} that a failed write of stdout or stderr
     * interrupts ({@link RunCommand#watch}), as {@code tape run} runs a traced run: the command then
     * stops at the failure instead of replaying on for output that is lost. A fuel pause with all
     * the fuel given ends the run with the one-shot run's {@code fuel_exceeded} trap, so the outcome
     * is the one {@code Vm.run} gives ({@link Run}'s "Exact semantics").
     *
     * @param p the prepared run
     * @param out the command's stdout
     * @param err the command's stderr
     * @return Done, Trapped, or Paused when interrupted ({@link RunCommand#ended} says so)
     */
    private static Outcome replayed(RunOptions.Prepared p, PrintWriter out, PrintWriter err) {
        if (p.sink() == null || !TapeCli.writesWatched(out, err)) {
            try {
                return new Outcome.Done(p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(), p.sink()));
            } catch (Trap t) {
                return new Outcome.Trapped(t);
            }
        }
        Run run = p.vm().start(new ExecutionContext(), p.entry(), p.args(), p.limits(), p.sink());
        RunCommand.watch(run, out, err);
        Outcome o = run.resume();
        while (o instanceof Outcome.Paused paused && paused.reason() instanceof PauseReason.FuelExhausted) {
            // no fuel added: the next resume ends the run with fuel_exceeded
            o = run.resume();
        }
        return o;
    }

    /**
     * Without {@code --entry} and {@code --arg}, runs the recorded entry with the recorded arguments.
     *
     * @param options the run options (changed)
     * @param rec the recording
     */
    static void useRecordedRun(RunOptions options, HostRecording rec) {
        if (options.entry == null && options.args.isEmpty() && rec.run() != null) {
            options.entry = Integer.toString(rec.run().entry());
            for (Value v : rec.run().args()) {
                options.args.add(ValueLiteral.format(v));
            }
        }
    }

    /**
     * The host that answers from the recording: checks that it is of this program, and re-prints
     * the std host's prints from their recorded arguments (with {@code --host std}).
     *
     * @param rec the recording
     * @param verified the program
     * @param options the run options ({@code file} is the program)
     * @param out where the std host prints
     * @param command the command, for messages ({@code tape replay})
     * @param recFile the recording's path, for messages
     * @return the host
     * @throws CliException (exit 2, one line) when the recording is of another program
     */
    static ReplayHost replayHost(HostRecording rec, VerifiedProgram verified, RunOptions options, PrintWriter out,
            String command, Path recFile) throws CliException {
        try {
            rec.requireProgram(verified.hash());
        } catch (RecordingException e) {
            throw new CliException(command + ": " + Escape.path(recFile) + ": " + e.getMessage()
                    + "; it cannot replay " + Escape.path(options.file));
        }
        // the std host prints; re-print from the recorded arguments (its answers come from the file)
        // (stopped once stdout failed, as tape run's: the next re-print traps)
        dev.tape.host.Host printer = StdHost.create(out, Long.MAX_VALUE, true);
        return new ReplayHost(rec, (call, args) -> {
            if (StdHost.SYMBOLS.contains(call.symbol()) && options.engine.host == HostChoice.std) {
                var fn = printer.resolve(call.symbol(), call.sigHash(), List.of(), List.of());
                if (fn != null) {
                    fn.call(args, new Value[0], null);
                }
            }
        });
    }

    /**
     * Refuses a run other than the recorded one (when the recording names its run).
     *
     * @param rec the recording
     * @param entry the entry the options ask for
     * @param args the arguments they ask for
     * @param command the command, for the message
     * @throws CliException (exit 2, one line) when the entry or an argument differs
     */
    static void requireSameRun(HostRecording rec, int entry, List<Value> args, String command) throws CliException {
        if (rec.run() != null && !sameRun(rec.run(), entry, args)) {
            throw new CliException(command + ": the recording ran function " + rec.run().entry() + " with "
                    + literals(rec.run().args()) + "; the options ask for function " + entry + " with "
                    + literals(args) + " (leave out --entry and --arg to use the recorded ones)");
        }
    }

    private static boolean sameRun(HostRecording.Run run, int entry, List<Value> args) {
        if (run.entry() != entry || run.args().size() != args.size()) {
            return false;
        }
        for (int i = 0; i < run.args().size(); i++) {
            String a = ValueLiteral.format(run.args().get(i), ValueLiteral.MAX_LENGTH);
            if (!a.equals(ValueLiteral.format(args.get(i), ValueLiteral.MAX_LENGTH))) {
                return false;
            }
        }
        return true;
    }

    /** The arguments as literals, each cut to 200 chars and escaped, for a message. */
    private static String literals(List<Value> args) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < args.size(); i++) {
            b.append(i > 0 ? ", " : "").append(Escape.text(ValueLiteral.format(args.get(i), 200)));
        }
        return b.append(')').toString();
    }

    private static int leftOver(ReplayHost host, int status) throws CliException {
        if (host.callsLeft() > 0) {
            throw new CliException("tape replay: replay diverged: the run ended after " + host.callsAnswered()
                    + " host calls; the recording has " + host.callsLeft() + " more");
        }
        return status;
    }

    /**
     * Reads a recording whole.
     *
     * @param file its path
     * @param command the command, for messages ({@code tape replay})
     * @return the recording
     * @throws CliException (exit 2, one line) when it cannot be read ({@link ProgramFiles#read}) or is
     *     damaged
     */
    static HostRecording read(Path file, String command) throws CliException {
        byte[] bytes = ProgramFiles.read(file);
        try {
            return HostRecording.read(bytes);
        } catch (RecordingException e) {
            throw new CliException(command + ": " + Escape.path(file) + ": " + Escape.text(e.getMessage()));
        }
    }
}
