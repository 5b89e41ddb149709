package dev.tape.asm;

import dev.tape.TapeException;

/**
 * A mistake in a text assembly source (see {@code docs/ASSEMBLY.md}), with the place it was found.
 *
 * <p>{@link #getMessage()} reads {@code file:line:column: message}, for example
 * {@code fib.tasm:7:13: expected a register (like r3) for operand 'a' of i64.add, found '5'};
 * {@link #message()} is the part after the position.
 */
public final class AsmException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The source's file name. */

    private final String file;
    /** The line of the mistake, 1 or more. */
    private final int line;
    /** The column of the mistake in code points, 1 or more. */
    private final int column;
    /** What is wrong, without the file and position. */
    private final String message;

    /**
     * Makes the error for a mistake at one position of an assembly source.
     *
     * @param file the source's file name, as given to {@link Assembler#assemble(String, String)}
     * @param line the line of the mistake, counted from 1
     * @param column the column of the mistake, in characters (Unicode code points) counted from 1
     * @param message what is wrong, usually {@code expected X, found Y}
     */
    public AsmException(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
        this.file = file;
        this.line = line;
        this.column = column;
        this.message = message;
    }

    /**
     * The name of the source file the mistake is in.
     *
     * @return the source's file name
     */
    public String file() {
        return file;
    }

    /**
     * The line of the mistake, counted from 1.
     *
     * @return the line of the mistake, 1 or more
     */
    public int line() {
        return line;
    }

    /**
     * The column of the mistake, counted in code points from 1.
     *
     * @return the column of the mistake in code points, 1 or more
     */
    public int column() {
        return column;
    }

    /**
     * The description of the mistake alone, without file, line or column.
     *
     * @return what is wrong, without the file and position
     */
    public String message() {
        return message;
    }
}
