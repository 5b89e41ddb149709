package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompilerAccess;

/**
 * The one {@link CompilerAccess}: how {@code tape-jit} makes compiled-tier VMs ({@link JitTier}) and
 * asks them how much is compiled, without the interpreter's state being public. Registered when this
 * class initialises ({@link CompilerAccess#get} initialises it).
 */
final class JitAccess implements CompilerAccess {
    static {
        CompilerAccess.register(new JitAccess());
    }

    private JitAccess() {}

    @Override
    public Vm compile(VerifiedProgram program, Host host, VmOptions options, Codegen codegen) {
        if (codegen == null) {
            throw new IllegalArgumentException("codegen is null");
        }
        return JitTier.compile(program, host, options, JitTier.Budget.DEFAULT, JitTier.HIDDEN, codegen);
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
