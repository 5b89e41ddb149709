package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompilerAccess;

/**
 * The one {@link CompilerAccess}: how {@code tape-jit} makes compiled-tier VMs ({@link JitTier}) and
 * asks them how much is compiled, without the interpreter's state being public. Registered when this
 * class initialises ({@link CompilerAccess#get} initialises it, and makes the instance itself when
 * the registration failed).
 */
final class JitAccess implements CompilerAccess {
    static {
        try {
            CompilerAccess.register(new JitAccess());
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // the JVM could not load the registry (no memory, or its class loader refused it once:
            // a SecurityException, say): CompilerAccess.get makes the instance itself, so that this
            // class is not left unusable in its class loader by a passing failure
        }
    }

    private JitAccess() {}

    /**
     * {@inheritDoc} When the compiled tier cannot be set up (the JVM fails to load, link or
     * initialise one of its classes, or has no memory for it), the VM interprets: the failure
     * reaches no caller, and the next compile tries again.
     */
    @Override
    public Vm compile(VerifiedProgram program, Host host, VmOptions options, Codegen codegen) {
        if (codegen == null) {
            throw new IllegalArgumentException("codegen is null");
        }
        Vm vm = new Vm(program, host, options);
        try {
            vm.tier = new JitTier(vm, JitTier.Budget.DEFAULT, JitTier.hidden(), codegen);
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // no compiled tier for this VM (its tier stays null: it interprets, as Jit.compile documents)
            vm.tier = null;
        }
        return vm;
    }

    @Override
    public int precompile(Vm vm) {
        if (vm != null && vm.tier instanceof JitTier t) {
            for (int f = 0; f < vm.funcs.length; f++) {
                t.compileNow(f);
            }
        }
        return compiledFunctions(vm);
    }

    @Override
    public int compiledFunctions(Vm vm) {
        return vm != null && vm.tier instanceof JitTier t ? t.compiledCount() : 0;
    }
}
