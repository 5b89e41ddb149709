package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.verify.VerifiedProgram;

/**
 * The compiled tier ({@code tape-jit}): makes a {@link Vm} whose runs execute JVM bytecode
 * compiled from the program's verified functions instead of interpreting them.
 *
 * <p>A compiled run is indistinguishable from an interpreted one: same results, the same traps
 * at the same function, pc and span, the same fuel left, host calls and limits. The compiled code
 * works on the interpreter's state and hands the rest of a run to the interpreter whenever it must
 * (a basic block with less fuel left than it has instructions, a call deeper than the Java stack
 * allows, or a function too large to compile), so these never change an outcome. Runs traced
 * with call, host or instruction events are interpreted; run-level tracing works with either.
 *
 * <p>Compiling costs time proportional to the program's size (about as much as verifying it) and
 * defines one hidden class per VM, unloaded with the VM. The returned VM is like any other: it
 * holds no run state and may run on many threads at once.
 *
 * <p>Design note: this module declares classes in {@code dev.tape.vm} (the package of the
 * interpreter), because compiled code reads and writes the interpreter's package-private state;
 * the project does not use JPMS modules, so the split package is legal on the class path.
 */
public final class Jit {
    private Jit() {}

    /**
     * Makes a VM for a program and compiles its functions.
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @return a VM that runs compiled code where it can (should the compiler fail on a function,
     *     a bug, that function is left to the interpreter, and should the JVM refuse the generated
     *     class, the VM only interprets: outcomes are the same either way, and
     *     {@link #compiledFunctions} tells)
     * @throws IllegalArgumentException when an argument is null
     */
    public static Vm compile(VerifiedProgram program, Host host) {
        Vm vm = new Vm(program, host);
        vm.tier = JitCompiler.compile(vm);
        return vm;
    }

    /**
     * @param vm a VM
     * @return how many of its program's functions have compiled code (0 for an interpreting VM)
     */
    public static int compiledFunctions(Vm vm) {
        if (!(vm.tier instanceof JitTier t)) {
            return 0;
        }
        int n = 0;
        for (var h : t.handles) {
            if (h != null) {
                n++;
            }
        }
        return n;
    }
}
