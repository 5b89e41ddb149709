package dev.tape.host;

import dev.tape.TapeException;

/**
 * Thrown by a host bridge when a host function returns another number of results than its
 * signature declares; the VM turns it into a {@code host_return_arity_mismatch} trap.
 */
public final class HostReturnArityException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** Results the signature declares. */

    private final int expected;
    /** Results the function gave. */
    private final int actual;

    /**
     * Makes the exception for a host function that gave the wrong number of results.
     *
     * @param expected results the signature declares
     * @param actual results the function gave
     */
    public HostReturnArityException(int expected, int actual) {
        super("the host function returned " + actual + " values; its signature declares " + expected);
        this.expected = expected;
        this.actual = actual;
    }

    /**
     * The number of results the signature declares.
     *
     * @return results the signature declares
     */
    public int expected() {
        return expected;
    }

    /**
     * The number of results the host function gave.
     *
     * @return results the function gave
     */
    public int actual() {
        return actual;
    }
}
