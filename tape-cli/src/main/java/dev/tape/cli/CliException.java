package dev.tape.cli;

/**
 * An expected failure of a {@code tape} command: a missing or malformed file, a program the
 * verifier refuses, a bad argument. The command line prints its message, one line and no stack
 * trace, on stderr and exits with its {@link #exitCode()}.
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The process exit code, 1 to 255. */
    private final int exitCode;

    /**
     * Makes a failure that exits with {@link ExitCodes#ERROR}.
     *
     * @param message the whole line to print, for example {@code "x.tape: no such file"}
     */
    public CliException(String message) {
        this(message, ExitCodes.ERROR);
    }

    /**
     * Makes the exception for one failed command.
     *
     * @param message the whole line to print
     * @param exitCode the process exit code, 1 to 255
     */
    public CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /**
     * The exit code the CLI ends the process with for this failure.
     *
     * @return the process exit code, 1 to 255
     */
    public int exitCode() {
        return exitCode;
    }
}
