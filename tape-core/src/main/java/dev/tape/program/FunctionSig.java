package dev.tape.program;

import java.util.List;
import java.util.Objects;

/**
 * A function's typed signature (spec section "Function signatures (typed)").
 *
 * @param args argument types, in order (r1 onwards)
 * @param argNames symbol ids naming the arguments (0 = no name), or {@code null} when absent
 * @param rets result types, in order
 * @param retNames symbol ids naming the results (0 = no name), or {@code null} when absent
 */
public record FunctionSig(List<ValueType> args, List<Integer> argNames, List<ValueType> rets,
                          List<Integer> retNames) {
    /**
     * Copies the lists. An empty names list (for an empty types list) becomes {@code null}: the
     * reference encoder writes the has-names flag only for a non-empty range, so a file with the
     * flag set and no values decodes as "no names" and re-encodes with the flag clear.
     *
     * @param args argument types, in order (r1 onwards)
     * @param argNames symbol ids naming the arguments (0 = no name), or {@code null} when absent
     * @param rets result types, in order
     * @param retNames symbol ids naming the results (0 = no name), or {@code null} when absent
     * @throws IllegalArgumentException when a names list is present with a length other than its
     *     types list
     */
    public FunctionSig {
        args = List.copyOf(args);
        rets = List.copyOf(rets);
        argNames = argNames == null ? null : List.copyOf(argNames);
        retNames = retNames == null ? null : List.copyOf(retNames);
        if (argNames != null && argNames.size() != args.size()) {
            throw new IllegalArgumentException("argument names must match the argument count");
        }
        if (retNames != null && retNames.size() != rets.size()) {
            throw new IllegalArgumentException("result names must match the result count");
        }
        // With no values there is nothing to name: the reference writes (and reads back) "no names".
        if (argNames != null && argNames.isEmpty()) {
            argNames = null;
        }
        if (retNames != null && retNames.isEmpty()) {
            retNames = null;
        }
    }

    /**
     * Equal component by component, as the record's generated method, but written out: that one
     * is bootstrapped through {@code invokedynamic} ({@code java.lang.runtime.ObjectMethods}) on
     * its first call, which in a cold {@code tape run} of a binary program (the decoder shares
     * equal signatures) spins some thirty method-handle classes (docs/PERFORMANCE-LOG.md, "Cold start,
     * third round").
     *
     * @param other any object, or null
     * @return whether {@code other} is a {@code FunctionSig} with equal types and names lists
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof FunctionSig s && args.equals(s.args) && Objects.equals(argNames, s.argNames)
                && rets.equals(s.rets) && Objects.equals(retNames, s.retNames);
    }

    /**
     * The record's own formula ({@code 31 * h + } each component's hash in order, from 0, a
     * missing names list hashing to 0), written out for the reason given at
     * {@link #equals(Object)}.
     *
     * @return a hash code consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        int h = args.hashCode();
        h = 31 * h + Objects.hashCode(argNames);
        h = 31 * h + rets.hashCode();
        return 31 * h + Objects.hashCode(retNames);
    }

    /**
     * Makes a signature from its argument and result types, with no argument or result names.
     *
     * @param args argument types
     * @param rets result types
     * @return a signature without names
     */
    public static FunctionSig of(List<ValueType> args, List<ValueType> rets) {
        return new FunctionSig(args, null, rets, null);
    }
}
