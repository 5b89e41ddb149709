package dev.tape.vm.internal;

import dev.tape.host.Host;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;

/**
 * How {@code tape-jit} makes and inspects compiled-tier VMs without any of {@code dev.tape.vm}'s state
 * being public: a package-private class of {@code dev.tape.vm} implements it and registers the one
 * instance ({@link #get}). Not API (see the package comment).
 */
public interface CompilerAccess {
    /**
     * Makes a VM whose runs execute code that {@code codegen} generates, on demand.
     *
     * @param program the verified program
     * @param host its host
     * @param options how to make the VM
     * @param codegen the code generator
     * @return the VM
     * @throws IllegalArgumentException when an argument is null
     * @throws dev.tape.vm.LinkException with eager linking, when the host lacks imports
     */
    Vm compile(VerifiedProgram program, Host host, VmOptions options, Codegen codegen);

    /**
     * Compiles every function of a compiled-tier VM now, within its budgets.
     *
     * @param vm a VM; one without a compiled tier is left alone
     * @return how many of its functions have compiled code after it
     */
    int precompile(Vm vm);

    /**
     * Counts the functions of a VM that have compiled code.
     *
     * @param vm a VM
     * @return how many of its functions have compiled code so far (0 without a compiled tier)
     */
    int compiledFunctions(Vm vm);

    /**
     * The one instance of this bridge.
     *
     * @return the one instance, registered by {@code dev.tape.vm} when its classes initialise
     */
    static CompilerAccess get() {
        return Holder.get();
    }

    /**
     * Registers the one instance; only {@code dev.tape.vm} calls it, once.
     *
     * @param access the instance
     * @throws IllegalStateException when one is registered already
     */
    static void register(CompilerAccess access) {
        Holder.register(access);
    }
}
