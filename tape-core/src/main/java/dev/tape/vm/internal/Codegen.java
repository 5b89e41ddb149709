package dev.tape.vm.internal;

/**
 * A code generator for the compiled tier, as tape-core sees it: turns one verified function into
 * the bytes of a hidden class whose entry, named by {@link Generated#method}, is a static method of the
 * compiled-code type
 * {@code (Vm vm, ExecutionContext c, int base, int depth, int stackWords, int func, int resume) -> long}
 * (see {@code dev.tape.vm.JitTier}); the class may hold a second method the entry calls (the
 * function's body with another descriptor). Implemented by {@code tape-jit}; not API (see the package
 * comment).
 *
 * <p>An implementation must be stateless or thread-safe: one instance serves every VM. It is called
 * under the lock of the VM's tier, on the thread of a run or of {@code Jit.precompile}.
 */
public interface Codegen {
    /**
     * Generates the hidden class of one function's method (shared by every function of the same
     * shape: the function id is the method's {@code func} parameter).
     *
     * @param view the VM's program and tier as the generator may read them
     * @param func a function id of that program, {@code 0 <= func < view.functionCount()}
     * @return the class, or null when its method would be too large to compile (the function is
     *     then interpreted)
     * @throws RuntimeException on a generator bug (the caller leaves the function to the interpreter)
     */
    Generated generate(CompileView view, int func);

    /**
     * A bound on the Java stack a function's generated method uses, in 8-byte words, even before
     * HotSpot compiles it: the tier refuses a compiled call whose callee's frame would not fit in
     * what is left of its stack budget.
     *
     * @param regCount the function's register count ({@code >= 0})
     * @return the bound in words ({@code > 0})
     */
    int stackCost(int regCount);
}
