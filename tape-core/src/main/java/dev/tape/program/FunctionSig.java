package dev.tape.program;

import java.util.List;

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
     * @param args argument types
     * @param rets result types
     * @return a signature without names
     */
    public static FunctionSig of(List<ValueType> args, List<ValueType> rets) {
        return new FunctionSig(args, null, rets, null);
    }
}
