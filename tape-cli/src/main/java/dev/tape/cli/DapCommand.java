package dev.tape.cli;

import dev.tape.debug.DebugException;
import dev.tape.debug.dap.DapServer;
import dev.tape.debug.dap.TargetFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tape dap}: the debugger over the Debug Adapter Protocol on standard input and output
 * ({@link DapServer}), for VS Code or any DAP client. A {@code launch} request's arguments are read
 * as {@code tape run} options ({@link DapServer#runArgs}); the program's prints become
 * {@code output} events.
 */
@Command(name = "dap",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the client disconnected or closed the stream", "2:an internal error"},
        description = {"Serve the debugger over the Debug Adapter Protocol on standard input and output.",
            "Launch arguments: program (a path), args (a list of value literals), entry, stopOnEntry, and fuel,",
            "max-call-depth, max-host-calls, max-heap-bytes, max-registers, max-output-bytes and host as for 'tape run'."})
public final class DapCommand implements Callable<Integer> {
    /** Creates the command. */
    public DapCommand() {}

    @Spec
    CommandSpec spec;

    /**
     * Serves until the client disconnects or closes its stream, or until stdout (the protocol's
     * channel) has failed to be written: then nothing the server says reaches the client, so the
     * next read of a request ends the session as a closed stream does ({@link UntilWriteFails}),
     * and {@link TapeCli#writeErrors} ends the command with exit 2 and its one line. The program's
     * prints are not stopped by the std host as in {@code tape run}: they are {@code output} events
     * on the protocol's channel, written by the server, not through the command line's stdout
     * writer, and a launched run is bounded by its limits; a request already waiting for its input
     * when the write failed ends once that input comes.
     */
    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        // (through tape's checked standard output: a full disk is one line and code 2, TapeCli.writeErrors)
        DapServer.serve(factory(), UntilWriteFails.bytes(new FileInputStream(FileDescriptor.in), out),
                TapeCli.standardOutput(out));
        return ExitCodes.OK;
    }

    /** The launch arguments, read with the run options. */
    @Command(name = "launch")
    static final class Launch {
        @Mixin
        RunOptions options;
    }

    /**
     * @return a factory that reads a launch request's {@code tape run} arguments with
     *     {@link RunOptions}, with the same checks and messages as the command line
     */
    static TargetFactory factory() {
        return (List<String> runArgs, PrintWriter programOut) -> {
            Launch launch = new Launch();
            try {
                new CommandLine(launch).parseArgs(runArgs.toArray(new String[0]));
                return launch.options.target(programOut);
            } catch (CommandLine.ParameterException e) {
                throw new DebugException("launch: " + Escape.text(e.getMessage()));
            } catch (CliException e) {
                throw new DebugException(Escape.line(TapeCli.prefixed("launch", e.getMessage())));
            }
        };
    }
}
