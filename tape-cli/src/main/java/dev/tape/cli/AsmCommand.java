package dev.tape.cli;

import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tape asm FILE.tasm -o OUT.tape}: assembles text into a binary program and writes it. The
 * program is not verified (use {@code tape verify}). A mistake in the text prints the
 * assembler's {@code file:line:column: message} on stderr and exits 2; nothing is written then.
 */
@Command(name = "asm",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the program was written", "2:bad usage, an unreadable file, an assembler error, or an unwritable output"}, description = {"Assemble a .tasm file into a binary .tape file.",
    "Mistakes are reported as 'file:line:column: message'. The output is not verified: see tape verify."})
public final class AsmCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its parameters. */
    public AsmCommand() {}

    @Parameters(index = "0", paramLabel = "FILE.tasm", description = "Text assembly.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.tape", required = true,
            description = "Where to write the binary program.")
    Path output;

    @Override
    public Integer call() throws CliException {
        Program program = Assembly.assemble(file);
        byte[] bytes;
        try {
            bytes = ProgramEncoder.encode(program);
        } catch (RuntimeException e) {
            throw new CliException(Escape.path(file) + ": cannot encode the program: " + ProgramFiles.describe(e));
        }
        ProgramFiles.write(output, bytes);
        return ExitCodes.OK;
    }
}
