package dev.tape.cli;

import dev.tape.host.RecordingException;
import dev.tape.host.RecordingHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Trap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tape run FILE [options]}: verifies a program, runs one function and prints each returned
 * value on its own line as a value literal ({@code i64:6765}). A trap prints its report on stderr
 * ({@link TrapReport}) and exits 1; a file, option or argument problem prints one line on stderr
 * and exits 2.
 */
@Command(name = "run",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the function returned; its results are printed", "1:the program trapped", "2:bad usage, an unreadable, malformed or invalid program, an argument that does not fit, or an internal error"}, sortOptions = false,
        description = {"Run a function of a program and print each returned value on its own line.",
            "A trap prints 'trap: KIND at FUNC (NAME) pc P span S' and the call stack on stderr and exits 1."})
public final class RunCommand implements Callable<Integer> {
    /**
     * The most characters printed for one result (1 Mi): a longer literal is printed as its first
     * 1,048,576 characters followed by {@code ...} ({@link ValueLiteral#format(Value, int)}), and only
     * that much of the value is ever formatted, so a huge string, byte string or array costs what its
     * printed prefix costs.
     */
    static final int MAX_RESULT_CHARS = 1 << 20;

    /** Creates the command; picocli fills in its options. */
    public RunCommand() {}

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions options;

    @Option(names = "--record", paramLabel = "FILE.rec",
            description = "Record what the host answered (every host call's arguments, results or failure, and fuel "
                    + "charged) to this file, for 'tape replay FILE.rec PROGRAM'; see docs/RECORDING.md.")
    Path record;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (record == null) {
            return run(options.prepare(out, err), out, err);
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
            int status = run(p, out, err);
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

    private static int run(RunOptions.Prepared p, PrintWriter out, PrintWriter err) {
        List<Value> results;
        try {
            results = p.vm().run(new ExecutionContext(), p.entry(), p.args(), p.limits(), p.sink());
        } catch (Trap t) {
            out.flush();
            TrapReport.print(err, t);
            return ExitCodes.FAILED;
        }
        for (Value v : results) {
            out.println(ValueLiteral.format(v, MAX_RESULT_CHARS));
        }
        return ExitCodes.OK;
    }
}
