package dev.tape.host;

import dev.tape.value.Value;

/**
 * A host function bound to one (symbol, signature). The VM passes the arguments in the order and
 * types of the signature, and result slots pre-filled with {@link Value#UNIT}; the function writes
 * one value per declared result. The VM checks each result against the declared type afterwards
 * (a mismatch traps {@code type_mismatch}).
 *
 * <p><b>Borrowed arrays.</b> The {@code args} and {@code results} arrays and the {@code ctx} are
 * lent for the duration of one call: the VM reuses them for later calls of the same host
 * signature from the same {@link dev.tape.vm.ExecutionContext}, so that a host call allocates
 * nothing but the boxed argument values. A function must not keep a reference to them after it
 * returns (copy what it needs; the {@link Value}s themselves are immutable and may be kept), and
 * must not call back into a run of the same execution context.
 *
 * <p>A function whose arguments and results are all word values (i64, u64, f64, bool) can be a
 * {@link WordFunction} instead, which the VM calls with {@code long}s and no boxed value at all.
 *
 * <p>Any exception the function throws, checked or not, becomes a {@code host_call_failed} trap
 * carrying the symbol, the signature hash and the exception's message; it never reaches the
 * embedder that called {@code run}.
 */
@FunctionalInterface
public interface HostFunction {
    /**
     * Runs the host function for one {@code host_call}.
     *
     * @param args the arguments (do not modify the array)
     * @param results the result slots, one per declared result
     * @param ctx the call's context; valid only during the call
     * @throws Exception to fail the call
     */
    void call(Value[] args, Value[] results, HostContext ctx) throws Exception;

    /** A host function that only maps arguments to results. */
    @FunctionalInterface
    interface Simple {
        /**
         * Computes the results from the arguments, for a host function that needs no context.
         *
         * @param args the arguments
         * @return the results, as many as the signature declares (another count traps
         *     {@code host_return_arity_mismatch}); {@code null} is the same as no results
         * @throws Exception to fail the call
         */
        Value[] apply(Value[] args) throws Exception;
    }
}
