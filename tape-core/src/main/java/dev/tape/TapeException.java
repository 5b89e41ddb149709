package dev.tape;

/**
 * The common supertype of every error this library reports to an embedder: a malformed file, an
 * invalid program, a run that trapped, a missing host import, a damaged snapshot. Catching it
 * catches every failure of the library and nothing else.
 *
 * <p>It is unchecked on purpose. The errors it stands for are outcomes an embedder decides about
 * once, at the edge of its own code (log the program's failure, refuse the upload, report the
 * trap), not conditions every intermediate method must re-declare; checked exceptions made the
 * library awkward in lambdas and streams and forced multi-catch lists of unrelated types. Each
 * method's javadoc still names the subtypes it throws and when.
 */
public abstract class TapeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the one-line description of the error (never null)
     * @param cause the underlying cause, or null
     * @param writableStackTrace whether the JVM fills in a stack trace (errors made in hot paths,
     *     such as traps, skip it)
     */
    protected TapeException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, false, writableStackTrace);
    }

    /** @param message the one-line description of the error (never null) */
    protected TapeException(String message) {
        this(message, null, true);
    }
}
