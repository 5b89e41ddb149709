package dev.tape.cli;

import dev.tape.debug.Session;
import dev.tape.debug.Target;
import dev.tape.host.HostRecording;
import dev.tape.debug.Shell;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tape debug FILE [run options]}: the line-oriented debugger ({@link Shell}) on a program,
 * reading commands named as in gdb from standard input (or from {@code --commands FILE}) and
 * writing to standard output, where the program's own prints go too. With
 * {@code --replay FILE.rec} ({@code tape debug --replay run.rec prog.tasm}) it debugs a recorded
 * run: every host call is answered from the recording ({@link dev.tape.host.ReplayHost}), so the
 * run repeats the recorded one without the host. See {@code docs/DEBUGGING.md}.
 */
@Command(name = "debug",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the debugger ended (quit or end of input), whatever the program did",
            "2:bad usage, an unreadable, malformed or invalid program, an argument that does not fit, an unreadable or "
                + "damaged recording, a recording of another program or of another run, or an internal error"},
        sortOptions = false,
        description = {"Debug a program: breakpoints, stepping forward and backward, registers.",
            "Reads commands (break, run, continue, step, next, finish, reverse-step, reverse-continue, backtrace, frame,",
            "registers, print, watch, list, fuel, delete, quit; 'help' lists them) from standard input, one per line.",
            "The run options name the entry, its arguments, the limits and the host, as for 'tape run'."})
public final class DebugCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its options. */
    public DebugCommand() {}

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = {"-x", "--commands"}, paramLabel = "SCRIPT",
            description = "Read the commands from this file instead of standard input; each is printed after the prompt.")
    Path commands;

    @Option(names = "--replay", paramLabel = "FILE.rec",
            description = {"Debug a recorded run: answer every host call from this recording (made with "
                    + "'tape run --record FILE.rec') instead of the host; what the std host printed is printed again. "
                    + "Without --entry and --arg the recorded entry and arguments are used. A recording of another "
                    + "program is refused."})
    Path replay;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        // the program's prints trap once stdout failed (StdHost), and the commands end then
        // (UntilWriteFails): what the debugger would answer is lost
        options.engine.stopPrints = true;
        Session session = new Session(target(out));
        BufferedReader in;
        boolean echo;
        if (commands != null) {
            in = new BufferedReader(new StringReader(ProgramFiles.readText(commands)));
            echo = true;
        } else {
            in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            echo = System.console() == null;
        }
        try {
            new Shell(session, UntilWriteFails.lines(in, out), out, echo).run();
        } catch (IOException e) {
            throw new CliException("tape debug: cannot read the commands: " + Escape.text(e.getMessage()));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The target: the program with the options' host, or answering from the recording ({@code --replay}). */
    private Target target(PrintWriter out) throws CliException {
        if (replay == null) {
            return options.target(out);
        }
        HostRecording rec = ReplayCommand.read(replay, "tape debug");
        ReplayCommand.useRecordedRun(options, rec);
        Target t = options.target(out, (verified, host) ->
                ReplayCommand.replayHost(rec, verified, options, out, "tape debug", replay));
        ReplayCommand.requireSameRun(rec, t.entry(), t.args(), "tape debug");
        return t;
    }
}
