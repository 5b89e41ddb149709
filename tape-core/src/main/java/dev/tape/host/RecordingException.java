package dev.tape.host;

import dev.tape.TapeException;

/**
 * A host-call recording cannot be read, does not belong to the program, or could not be written
 * ({@code docs/RECORDING.md}). The message is one line: for a damaged file it names the byte offset
 * where reading stopped ({@link #offset()}).
 */
public final class RecordingException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The byte offset of the problem in the file, or -1. */
    private final long offset;

    /**
     * Makes the error for a recording that cannot be read or used.
     *
     * @param offset the byte offset from the start of the recording where the problem was found, or
     *     -1 when the problem is not at a place in the file
     * @param message the one-line description
     */
    public RecordingException(long offset, String message) {
        super(message, null, false);
        this.offset = offset;
    }

    /**
     * Where the problem is in the recording file.
     *
     * @return the byte offset of the problem in the file, or -1 when it is not at a place in it
     */
    public long offset() {
        return offset;
    }
}
