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
     * Makes an exception with a cause, choosing whether the JVM records a stack trace.
     *
     * @param message the one-line description of the error (never null)
     * @param cause the underlying cause, or null
     * @param writableStackTrace whether the JVM fills in a stack trace (errors made in hot paths,
     *     such as traps, skip it)
     */
    protected TapeException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, false, writableStackTrace);
    }

    /**
     * Makes an exception with a message, no cause and a stack trace.
     *
     * @param message the one-line description of the error (never null)
     */
    protected TapeException(String message) {
        this(message, null, true);
    }

    /**
     * The detail of the {@code host_call_failed} trap that a host function throwing this exception
     * gives (spec section "Host ABI"; the VM's host call and {@code RecordingHost} both ask it,
     * through {@code HostFailedException.detailOf}, so a replayed failure is the recorded one). The
     * generic rule, for every exception of tape's but a run's trap: {@link #classAndMessage}, the
     * exception's simple class name, {@code ": "} and its message ({@code "LinkException: ..."}), or
     * the class name alone when the message is null; so at most the message's length plus the class
     * name's and 2 characters. A run's trap ({@code dev.tape.vm.Trap}, a nested run's thrown on)
     * overrides it with the nesting rule. Not used for {@code HostReturnArityException}, which gives
     * a {@code host_return_arity_mismatch} trap instead. {@code HostFailedException.detailOf}
     * applies this to any exception, also one that is not tape's: an embedder's own recording host
     * can use it.
     *
     * <p>An embedder's subclass may override it: its string is then the detail as it is (no bound
     * but the string's own length); when the override returns null or throws anything (an
     * {@link Error} too), {@code HostFailedException.detailOf} uses the generic rule instead, so
     * the run still traps {@code host_call_failed} and nothing escapes it.
     *
     * @return the trap's detail, never null
     */
    public String hostCallDetail() {
        return classAndMessage(this);
    }

    /**
     * The generic rule of {@link #hostCallDetail()} for any throwable: its simple class name,
     * {@code ": "} and its message, or the class name alone when the message is null or
     * {@code getMessage()} throws (anything: an exception of an embedder's may override it), so
     * that the rule itself never throws; when even the simple name cannot be read (a class whose
     * inner-class attributes are malformed), its binary name.
     *
     * @param e a throwable (never null)
     * @return the detail, never null: at most the message's length plus the class name's and 2
     *     characters
     */
    public static String classAndMessage(Throwable e) {
        String name;
        try {
            name = e.getClass().getSimpleName();
        } catch (Throwable malformed) {
            name = e.getClass().getName();
        }
        String msg;
        try {
            msg = e.getMessage();
        } catch (Throwable failed) {
            // an embedder's getMessage that throws (itself, say): the class name alone
            msg = null;
        }
        return msg == null ? name : name + ": " + msg;
    }
}
