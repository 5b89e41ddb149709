package dev.tape.cli;

import dev.tape.host.HostRecording;
import dev.tape.host.RecordingException;
import dev.tape.host.ReplayHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Trap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
        HostRecording rec = read(recFile);
        if (options.entry == null && options.args.isEmpty() && rec.run() != null) {
            options.entry = Integer.toString(rec.run().entry());
            for (Value v : rec.run().args()) {
                options.args.add(ValueLiteral.format(v));
            }
        }
        ReplayHost[] replay = new ReplayHost[1];
        RunOptions.Prepared p = options.prepare(out, err, (verified, host) -> {
            try {
                rec.requireProgram(verified.hash());
            } catch (RecordingException e) {
                throw new CliException("tape replay: " + Escape.path(recFile) + ": " + e.getMessage()
                        + "; it cannot replay " + Escape.path(program));
            }
            // the std host prints; re-print from the recorded arguments (its answers come from the file)
            dev.tape.host.Host printer = StdHost.create(out, Long.MAX_VALUE);
            replay[0] = new ReplayHost(rec, (call, args) -> {
                if (StdHost.SYMBOLS.contains(call.symbol()) && options.engine.host == HostChoice.std) {
                    var fn = printer.resolve(call.symbol(), call.sigHash(), List.of(), List.of());
                    if (fn != null) {
                        fn.call(args, new Value[0], null);
                    }
                }
            });
            return replay[0];
        });
        if (rec.run() != null && !sameRun(rec.run(), p)) {
            throw new CliException("tape replay: the recording ran function " + rec.run().entry() + " with "
                    + literals(rec.run().args()) + "; the options ask for function " + p.entry() + " with "
                    + literals(p.args()) + " (leave out --entry and --arg to use the recorded ones)");
        }
        try {
            List<Value> results = p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(), p.sink());
            for (Value v : results) {
                out.println(ValueLiteral.format(v, RunCommand.MAX_RESULT_CHARS));
            }
        } catch (Trap t) {
            out.flush();
            if (t.detail() != null && t.detail().startsWith("replay diverged")) {
                throw new CliException("tape replay: " + Escape.text(t.detail()) + " (at " + Escape.text(
                        t.funcName() == null ? "func " + t.func() : t.funcName()) + " pc " + t.pc() + ")");
            }
            TrapReport.print(err, t);
            return leftOver(replay[0], ExitCodes.FAILED);
        }
        return leftOver(replay[0], ExitCodes.OK);
    }

    private static boolean sameRun(HostRecording.Run run, RunOptions.Prepared p) {
        if (run.entry() != p.entry() || run.args().size() != p.args().size()) {
            return false;
        }
        for (int i = 0; i < run.args().size(); i++) {
            String a = ValueLiteral.format(run.args().get(i), ValueLiteral.MAX_LENGTH);
            if (!a.equals(ValueLiteral.format(p.args().get(i), ValueLiteral.MAX_LENGTH))) {
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

    private static HostRecording read(Path file) throws CliException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError | RuntimeException e) {
            throw new CliException("tape replay: " + Escape.path(file) + ": cannot read it: "
                    + Escape.text(ProgramFiles.describe(e)));
        }
        try {
            return HostRecording.read(bytes);
        } catch (RecordingException e) {
            throw new CliException("tape replay: " + Escape.path(file) + ": " + Escape.text(e.getMessage()));
        }
    }
}
