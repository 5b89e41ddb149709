package dev.tape.cli;

/**
 * The execution tiers {@code --tier} selects. Constants are lower case because they are what the
 * user types: {@code --tier interp}. Both give the same results, traps and fuel use.
 */
public enum Tier {
    /** The compiled tier ({@link dev.tape.jit.Jit}): functions compiled to JVM bytecode. */
    jit,
    /** The interpreter ({@link dev.tape.vm.Vm}) alone. */
    interp
}
