package dev.tape.cli;

import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.verify.VerifiedProgram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tape verify FILE}: decodes (or assembles) and verifies a program. On success it prints
 * a summary and exits 0:
 *
 * <pre>
 * ok: 2 functions, 31 instructions, 12 registers
 *   func 0 (main): (i64) -&gt; (i64), 14 instructions, 5 registers
 *   func 1: (i64, i64) -&gt; (i64), 17 instructions, 7 registers
 * </pre>
 *
 * Instructions are v1 bytecode instructions; registers are each function's declared register
 * count (r0 included), summed. Names are escaped ({@link Escape#text(String)}), so each function is one
 * line. On failure it prints the decoder's, assembler's or verifier's error
 * on one line and exits 2.
 */
@Command(name = "verify",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the program verifies", "2:bad usage, an unreadable file, or a program the decoder, assembler or verifier refuses"}, description = "Verify a program and print a summary: functions, instructions, registers.")
public final class VerifyCommand implements Callable<Integer> {
    /** Creates the command; picocli fills in its parameters. */
    public VerifyCommand() {}

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A .tape file, or a .tasm file.")
    Path file;

    @Override
    public Integer call() throws CliException {
        PrintWriter out = spec.commandLine().getOut();
        Program program = ProgramFiles.load(file);
        VerifiedProgram verified = ProgramFiles.verify(file, program);
        int count = verified.functionCount();
        long instructions = 0;
        long registers = 0;
        for (int i = 0; i < count; i++) {
            instructions += verified.instructionCount(i);
            registers += verified.registerCount(i);
        }
        out.println("ok: " + count + (count == 1 ? " function, " : " functions, ") + instructions
                + (instructions == 1 ? " instruction, " : " instructions, ") + registers
                + (registers == 1 ? " register" : " registers"));
        for (int i = 0; i < count; i++) {
            Function f = program.functions().get(i);
            String name = program.functionName(i);
            out.println("  func " + i + (name == null ? "" : " (" + Escape.text(name) + ")") + ": "
                    + types(f.sig().args()) + " -> " + types(f.sig().rets()) + ", " + verified.instructionCount(i)
                    + " instructions, " + verified.registerCount(i) + " registers");
        }
        return ExitCodes.OK;
    }

    private static String types(List<ValueType> types) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < types.size(); i++) {
            b.append(i > 0 ? ", " : "").append(types.get(i));
        }
        return b.append(')').toString();
    }
}
