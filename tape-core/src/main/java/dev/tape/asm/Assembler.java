package dev.tape.asm;

import dev.tape.classinit.ClassInit;
import dev.tape.program.Program;

import java.util.Objects;

/**
 * Turns text assembly ({@code .tasm}, described in {@code docs/ASSEMBLY.md}) into a {@link Program}.
 *
 * <p>The assembler checks the text, not the program: it resolves names, lays out bytecode and
 * builds every table, but leaves typing and control-flow rules to the verifier. Indices written as
 * {@code @N} in instructions are taken as they are, so a file can describe a program the verifier
 * will reject.
 */
public final class Assembler {
    private Assembler() {}

    /**
     * Assembles a whole program.
     *
     * @param source the text of a {@code .tasm} file
     * @param fileName the name to put in error messages; {@code null} gives {@code <input>}
     * @return the program, ready for {@link dev.tape.program.ProgramEncoder#encode(Program)}
     * @throws AsmException on any mistake in the text: a malformed line, an unknown mnemonic, an
     *     operand of the wrong kind or out of range, an undefined or duplicate name or label, a bad
     *     literal, a missing {@code }} ...; it gives the file, line and column of the mistake
     * @throws NullPointerException when {@code source} is null
     */
    public static Program assemble(String source, String fileName) {
        return assembleWithLines(source, fileName).program();
    }

    /**
     * A program with its line table: what a debugger needs to map source lines and labels to
     * instructions and back.
     *
     * @param program the program
     * @param lines where each of its instructions and labels is in the source
     */
    public record Assembled(Program program, LineTable lines) {}

    /**
     * Assembles a whole program and keeps its line table.
     *
     * @param source the text of a {@code .tasm} file
     * @param fileName the name to put in error messages; {@code null} gives {@code <input>}
     * @return the program and its line table
     * @throws AsmException as {@link #assemble(String, String)}
     * @throws NullPointerException when {@code source} is null
     */
    public static Assembled assembleWithLines(String source, String fileName) {
        Objects.requireNonNull(source, "source");
        // the assembler's and tape-core's classes, initialised up front (see ClassInit)
        ClassInit.assembler();
        String file = fileName == null ? "<input>" : fileName;
        AsmParser parser = new AsmParser(source, file);
        try {
            Program p = parser.parse();
            return new Assembled(p, parser.lines.build());
        } catch (AsmException e) {
            // a mistake in the text, reported where it is (AsmException is unchecked: catch it first)
            throw e;
        } catch (RuntimeException e) {
            // Not expected: every mistake should be caught above. Still report it as a mistake at
            // the place the parser had reached, rather than let another exception escape.
            Scanner.Pos at = parser.position();
            throw new AsmException(file, at.line(), at.column(), "internal assembler error (please report): " + e);
        }
    }
}
