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

    /**
     * The detail of the {@code host_call_failed} trap that a host function throwing this exception
     * gives (spec section "Host ABI"; the VM's host call and {@code RecordingHost} both ask it, so a
     * replayed failure is the recorded one). The generic rule, for every exception of tape's but a
     * run's trap: the exception's simple class name, {@code ": "} and its message
     * ({@code "LinkException: ..."}), or the class name alone when the message is null; so at most
     * the message's length plus the class name's and 2 characters. A run's trap
     * ({@code dev.tape.vm.Trap}, a nested run's thrown on) overrides it with the nesting rule.
     * Not used for {@code HostReturnArityException}, which gives a {@code host_return_arity_mismatch}
     * trap instead. {@code HostFailedException.detailOf} applies this to any exception, also one
     * that is not tape's: an embedder's own recording host can use it.
     *
     * @return the trap's detail, never null
     */
    public String hostCallDetail() {
        return classAndMessage(this);
    }

    /**
     * The generic rule of {@link #hostCallDetail()} for any throwable: its simple class name,
     * {@code ": "} and its message, or the class name alone when the message is null.
     *
     * @param e a throwable
     * @return the detail, never null
     */
    public static String classAndMessage(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
