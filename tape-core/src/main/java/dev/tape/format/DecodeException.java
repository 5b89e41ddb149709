package dev.tape.format;

import dev.tape.TapeException;

/**
 * A {@code .tape} file, or part of one, is malformed. It names the section being read (or
 * {@code "header"}) and the byte offset from the start of the input where the problem was found.
 */
public final class DecodeException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The section being read, for example {@code "header"}. */

    private final String section;
    /** The byte offset of the problem from the start of the input. */
    private final long offset;
    /** What is wrong, without the section and offset. */
    private final String reason;

    /**
     * Makes the error for a problem at one byte offset of a section.
     *
     * @param section the section being read, for example {@code "const_pool"} or {@code "header"}
     * @param offset the byte offset of the problem from the start of the input, 0 or more
     * @param reason what is wrong, in words a person can act on
     */
    public DecodeException(String section, long offset, String reason) {
        super("decode error in " + section + " at byte " + offset + ": " + reason);
        this.section = section;
        this.offset = offset;
        this.reason = reason;
    }

    /**
     * The name of the section being read when the problem was found.
     *
     * @return the section being read when the problem was found
     */
    public String section() {
        return section;
    }

    /**
     * Where the problem is, as a byte offset from the start of the input.
     *
     * @return the byte offset of the problem, from the start of the input
     */
    public long offset() {
        return offset;
    }

    /**
     * The description of the problem alone, without section and offset.
     *
     * @return what is wrong, without the section and offset
     */
    public String reason() {
        return reason;
    }
}
