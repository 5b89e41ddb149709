package dev.tape.cli;

import dev.tape.program.Program;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.SnapshotException;
import dev.tape.vm.Vm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tape resume FILE.snap PROGRAM [options]}: restores a run paused by
 * {@code tape run --pause-at} ({@link Vm#restore}) in this process and runs it to the end, printing
 * what {@code tape run} would have printed from the pause on (results, or the trap report and
 * exit 1). The limit options are a <b>ceiling</b>: the snapshot carries the run's own limits and
 * fuel, and each of its limits must be at most the option's (give the options the paused
 * {@code tape run} was given, or larger); the host, tier and trace options choose how it goes on.
 * A snapshot that is damaged, of another program, of another format version or over the ceiling
 * prints one line and exits 2.
 *
 * <p>The std host's output count ({@code --max-output-bytes}) is the host's, not the run's: it
 * counts what this process prints.
 */
@Command(name = "resume",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the function returned; its results are printed", "1:the program trapped",
            "2:bad usage, an unreadable or invalid program, a damaged or mismatched snapshot, a snapshot over the "
                    + "limit options, or an internal error"},
        sortOptions = false,
        description = {"Continue a run paused by 'tape run --pause-at FUEL -o FILE.snap' and print what the run prints.",
            "The limit options are a ceiling for the snapshot's own limits (pass those the run had, or larger)."})
public final class ResumeCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its options. */
    public ResumeCommand() {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.snap", description = "The snapshot 'tape run --pause-at' wrote.")
    Path snapshot;

    @Parameters(index = "1", paramLabel = "PROGRAM",
            description = "The program the run was paused in (.tape binary or .tasm text): the same program, "
                    + "byte for byte once encoded.")
    Path file;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Limits ceiling = engine.limits();
        engine.check();
        byte[] bytes = ProgramFiles.read(snapshot);
        Program program = ProgramFiles.load(file);
        VerifiedProgram verified = ProgramFiles.verify(file, program);
        // a print after stdout failed traps (StdHost), as in tape run
        engine.stopPrints = true;
        Vm vm = engine.vm(verified, out);
        Run run;
        try {
            run = vm.restore(new ExecutionContext(), bytes, ceiling, engine.sink(err, program));
        } catch (SnapshotException e) {
            throw new CliException(Escape.path(snapshot) + ": " + Escape.text(e.getMessage()));
        }
        // (a failed write of stdout or stderr interrupts it, as tape run's)
        RunCommand.watch(run, out, err);
        Outcome o = run.resume();
        if (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.FuelExhausted) {
            // the snapshot's fuel is all the run has: as tape run, the fuel pause is the fuel trap
            o = run.resume();
        }
        int code = RunCommand.ended(o, out, err);
        if (code == RunCommand.PAUSE) {
            // the std and test hosts never suspend, and only a failed write interrupts the run
            throw new CliException("tape: the run paused unexpectedly: " + ((Outcome.Paused) o).reason());
        }
        return code;
    }
}
