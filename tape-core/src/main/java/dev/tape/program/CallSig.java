package dev.tape.program;

import java.util.List;

/**
 * A call signature used by {@code call.indirect} (spec section "Call signatures (optional)"). It
 * lists only the caller-visible arguments: a closure's environment is not part of it.
 *
 * @param args argument types
 * @param rets result types
 */
public record CallSig(List<ValueType> args, List<ValueType> rets) {
    /**
     * Copies the lists.
     *
     * @param args argument types
     * @param rets result types
     */
    public CallSig {
        args = List.copyOf(args);
        rets = List.copyOf(rets);
    }
}
