package dev.tape.cli;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.asm.Disassembler;
import dev.tape.program.Program;

import java.nio.file.Path;

/** The commands' bridge to the text assembler and disassembler, with one-line errors. */
final class Assembly {
    private Assembly() {}

    /**
     * Assembles a {@code .tasm} file.
     *
     * @param file the file; its path as given names it in error messages
     * @return the program
     * @throws CliException (exit 2) when the file cannot be read, or with the assembler's
     *     {@code file:line:column: message} when the text has a mistake
     */
    static Program assemble(Path file) throws CliException {
        return assembleWithLines(file, ProgramFiles.readAssembly(file)).program();
    }

    /**
     * Assembles a {@code .tasm} file and keeps its line table, for the debugger.
     *
     * @param file the file; its path as given names it in error messages
     * @param source its text ({@link ProgramFiles#readAssembly})
     * @return the program and its line table
     * @throws CliException (exit 2) as {@link #assemble(Path)}
     */
    static Assembler.Assembled assembleWithLines(Path file, String source) throws CliException {
        try {
            return Assembler.assembleWithLines(source, file.toString());
        } catch (AsmException e) {
            throw new CliException(Escape.text(e.getMessage()));
        } catch (RuntimeException e) {
            throw new CliException(Escape.path(file) + ": assembler error: " + ProgramFiles.describe(e));
        }
    }

    /**
     * Disassembles a program.
     *
     * @param file the file the program came from, for messages
     * @param program the program
     * @return its text assembly, lines ending in {@code \n}
     * @throws CliException (exit 2) when the program cannot be written as text
     */
    static String disassemble(Path file, Program program) throws CliException {
        try {
            return Disassembler.disassemble(program);
        } catch (RuntimeException e) {
            throw new CliException(Escape.path(file) + ": cannot disassemble: " + ProgramFiles.describe(e));
        }
    }
}
