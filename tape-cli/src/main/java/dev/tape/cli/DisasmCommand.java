package dev.tape.cli;

import dev.tape.program.Program;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code tape disasm FILE.tape [-o OUT.tasm]}: prints a binary program as text assembly, which
 * {@code tape asm} turns back into the same bytes. The program is decoded but not verified, so
 * programs the verifier would refuse can be inspected too. A file that does not decode prints one
 * line on stderr and exits 2.
 */
@Command(name = "disasm",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the program was printed", "2:bad usage, an unreadable file, or bytes that do not decode"}, description = "Print a .tape program as text assembly (tape asm turns it back into the same bytes).")
public final class DisasmCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its parameters. */
    public DisasmCommand() {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.tape", description = "A binary program.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.tasm",
            description = "Write the text to this file instead of stdout.")
    Path output;

    @Override
    public Integer call() throws CliException {
        Program program = ProgramFiles.decode(file, ProgramFiles.readProgram(file));
        String text = Assembly.disassemble(file, program);
        if (output == null) {
            spec.commandLine().getOut().print(text);
        } else {
            ProgramFiles.write(output, text.getBytes(StandardCharsets.UTF_8));
        }
        return ExitCodes.OK;
    }
}
