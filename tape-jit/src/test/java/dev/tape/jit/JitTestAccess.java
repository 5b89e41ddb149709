package dev.tape.jit;

import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.Generated;

/**
 * The compiler's package-private parts, for the compiled tier's white-box tests, which live in
 * tape-core's package {@code dev.tape.vm} (they read the tier's state there) and run on the class
 * path. Test code only.
 */
public final class JitTestAccess {
    private JitTestAccess() {}

    /** @return the code generator {@link Jit} uses */
    public static Codegen codegen() {
        return JitCompiler.INSTANCE;
    }

    /**
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return the function's class, or null when it is too large
     */
    public static Generated generate(CompileView view, int func) {
        return JitCompiler.generateClass(view, func, true);
    }

    /**
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return the function's class as {@link dev.tape.jit.Jit#compileFramed} generates it (no leaf
     *     call inlined), or null when it is too large
     */
    public static Generated generateFramed(CompileView view, int func) {
        return JitCompiler.generateClass(view, func, false);
    }

    /**
     * @param view a VM as the generator reads it (a measuring view: no call sites)
     * @param func a function id
     * @return its method's size in bytes of bytecode, whatever it is
     */
    public static int measure(CompileView view, int func) {
        return JitCompiler.measure(view, func);
    }

    /**
     * @param fn a lowered function
     * @return the compiler's upper bound on its method's bytecode
     */
    public static int sizeBound(LoweredFunction fn) {
        return MethodSize.bound(fn);
    }

    /** @return the largest method compiled, in bytes of bytecode */
    public static int maxMethodBytes() {
        return JitCompiler.MAX_METHOD_BYTES;
    }

    /**
     * @param regCount a register count
     * @return the Java stack words a method with that many registers may take
     */
    public static int stackCost(int regCount) {
        return JitCompiler.cost(regCount);
    }
}
