package dev.tape.vm;

import dev.tape.TapeException;

/**
 * A snapshot of a paused run could not be written or restored: the bytes are truncated, damaged,
 * forged, of another format version or of another program, or they describe a state the program's
 * verifier rules out (docs/SNAPSHOT.md). Restoring never fails with any other exception; the
 * message is one line: {@code snapshot error at byte N: reason}.
 */
public final class SnapshotException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The byte offset of the problem from the start of the snapshot (-1 when writing). */
    private final long offset;
    /** What is wrong, without the offset. */
    private final String reason;

    /**
     * Makes the error for a snapshot that cannot be read or written.
     *
     * @param offset the byte offset of the problem from the start of the snapshot, or -1 for a
     *     state that cannot be written
     * @param reason what is wrong, in one line
     */
    public SnapshotException(long offset, String reason) {
        super(offset < 0 ? "snapshot error: " + reason : "snapshot error at byte " + offset + ": " + reason);
        this.offset = offset;
        this.reason = reason;
    }

    /**
     * Where the problem is in the snapshot.
     *
     * @return the byte offset of the problem from the start of the snapshot, or -1 when writing
     */
    public long offset() {
        return offset;
    }

    /**
     * The description of the problem alone, without the offset.
     *
     * @return what is wrong, without the offset
     */
    public String reason() {
        return reason;
    }
}
