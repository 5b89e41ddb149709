package dev.tape.host;

import dev.tape.TapeException;

/**
 * A host function's failure whose message is the trap's detail word for word. Any other exception a
 * host function throws becomes a {@code host_call_failed} trap whose detail is the exception's
 * simple class name, a colon and its message; this one becomes a {@code host_call_failed} trap whose
 * detail is its message alone, which is what {@link ReplayHost} needs to reproduce a recorded
 * failure exactly (spec section "Host ABI").
 */
public final class HostFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception that traps the run with {@code host_call_failed} and this detail.
     *
     * @param detail the trap's detail, one line, never null (a null one gives the detail
     *     {@code "HostFailedException"}, see {@link #detailOf})
     */
    public HostFailedException(String detail) {
        super(detail, null, false, false);
    }

    /**
     * The detail of the {@code host_call_failed} trap that a host function throwing {@code e} gives
     * (spec section "Host ABI"): a {@code HostFailedException}'s message word for word, an exception
     * of tape's by its {@link TapeException#hostCallDetail()} (a run's trap, thrown on from a nested
     * run, by the nesting rule: {@code "in nested run (depth N): "} and the innermost trap's
     * message), any other by its simple class name, {@code ": "} and its message
     * ({@link TapeException#classAndMessage}). The VM's host call and {@link RecordingHost} both
     * use it, so a replayed failure is the recorded run's; an embedder's own recording host can use
     * it too. A {@link HostReturnArityException} gives a {@code host_return_arity_mismatch} trap
     * instead (its message is that trap's detail), not this.
     *
     * <p>It never throws and never gives null: a {@code HostFailedException} made with a null detail
     * gives its class name alone ({@code "HostFailedException"}, the generic rule), and an
     * embedder's override of {@code hostCallDetail} that returns null or throws anything (an
     * {@link Error}, a {@link StackOverflowError} of its own recursion) gives the generic rule, so
     * the run traps {@code host_call_failed} whatever the host threw. Bound: for tape's own
     * exceptions and any other the text is at most 34 characters longer than the longest of
     * {@code e}'s message and its class name plus 2; an embedder's override's string is taken as it
     * is, as long as it is.
     *
     * @param e what the host function threw (never null)
     * @return the trap's detail, never null
     */
    public static String detailOf(Throwable e) {
        if (e instanceof HostFailedException) {
            // final: its getMessage is Throwable's, which cannot throw
            String d = e.getMessage();
            return d != null ? d : TapeException.classAndMessage(e);
        }
        if (e instanceof TapeException t) {
            String d;
            try {
                d = t.hostCallDetail();
            } catch (Throwable failed) {
                // an embedder's override that throws (an Error too): the generic rule below
                d = null;
            }
            if (d != null) {
                return d;
            }
        }
        return TapeException.classAndMessage(e);
    }
}
