package dev.tape.host;

/**
 * A host function's failure whose message is the trap's detail word for word. Any other exception a
 * host function throws becomes a {@code host_call_failed} trap whose detail is the exception's
 * simple class name, a colon and its message; this one becomes a {@code host_call_failed} trap whose
 * detail is its message alone, which is what {@link ReplayHost} needs to reproduce a recorded
 * failure exactly (spec section "Host ABI").
 */
public final class HostFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param detail the trap's detail, one line, never null */
    public HostFailedException(String detail) {
        super(detail, null, false, false);
    }
}
