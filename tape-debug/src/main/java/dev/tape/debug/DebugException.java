package dev.tape.debug;

/**
 * A debugger command that cannot be done as asked: a location that names nothing, a register the
 * frame does not have, a step while no program runs. Its message is one line, with any text from
 * the program or the user already escaped ({@link Text#escape}).
 */
public final class DebugException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception for a debugger command that cannot be done.
     *
     * @param message the one-line message, already escaped
     */
    public DebugException(String message) {
        super(message, null, false, false);
    }
}
