package dev.tape.vm;

import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A VM and its compiled tier as a {@link dev.tape.vm.internal.Codegen} reads them: the reads the
 * generator made of {@link Vm}'s and {@link JitTier}'s package-private state when it lived in this
 * package, and nothing more.
 */
final class JitView implements CompileView {
    private final Vm vm;
    /** the tier whose call sites calls go through; null when only measuring */
    private final JitTier tier;

    /**
     * @param vm the VM
     * @param tier its tier, or null for a view that only measures (no call sites, nothing failed)
     */
    JitView(Vm vm, JitTier tier) {
        this.vm = vm;
        this.tier = tier;
    }

    @Override
    public CodeImage image() {
        return vm.image;
    }

    @Override
    public LoweredFunction function(int func) {
        return vm.funcs[func];
    }

    @Override
    public int functionCount() {
        return vm.funcs.length;
    }

    @Override
    public Program program() {
        return vm.program;
    }

    @Override
    public ValueKind[] hostArgKinds(int sig) {
        return vm.hostArgKinds[sig];
    }

    @Override
    public ValueType[] hostRetTypes(int sig) {
        return vm.hostRetTypes[sig];
    }

    @Override
    public int hostWordShape(int sig) {
        return vm.hostWords[sig] == null ? -1 : vm.hostWords[sig].shape();
    }

    @Override
    public boolean hostCallKeepsBlock(int sig) {
        return JitResume.fewWords(vm.hostWords, sig);
    }

    @Override
    public MethodHandle hostWordHandle(int sig) {
        return WordCalls.handle(vm.hostWords[sig]);
    }

    @Override
    public boolean direct(List<ValueType> rets) {
        return JitTier.direct(rets);
    }

    @Override
    public boolean failed(int func) {
        return tier != null && tier.failed(func);
    }

    @Override
    public MethodHandle callSite(int func) {
        if (tier == null) {
            throw new IllegalStateException("a measuring view has no call sites");
        }
        return tier.site(func).dynamicInvoker();
    }

    @Override
    public MethodHandle indirectSite() {
        if (tier == null) {
            throw new IllegalStateException("a measuring view has no call sites");
        }
        return tier.indirectSite().dynamicInvoker();
    }

    @Override
    public boolean[] entrances(int func) {
        return JitResume.entrances(vm.image.code(), vm.image.entry(func), vm.funcs[func].codeLength(),
                vm.funcs[func]);
    }

    @Override
    public boolean[] mayRead(int func) {
        return JitResume.mayRead(vm.image.code(), vm.image.entry(func), vm.funcs[func].codeLength(),
                vm.funcs[func]);
    }

    @Override
    public long[][] writtenBefore(int func, int[] ips) {
        return vm.verified.initFacts(func).writtenBefore(ips);
    }

    @Override
    public int maxNesting() {
        return JitRuntime.MAX_NESTING;
    }

    @Override
    public int indirectWords() {
        return JitRuntime.INDIRECT_WORDS;
    }

    @Override
    public int freeValues() {
        return ExecutionContext.FREE_VALUES;
    }

    @Override
    public int fresh() {
        return JitTier.FRESH;
    }

    @Override
    public boolean indirectFits(int callSig, int callee, boolean closure) {
        if (callee < 0 || callee >= vm.funcs.length) {
            return false;
        }
        int have = closure ? vm.verified.closureSigKey(callee) : vm.verified.funcSigKey(callee);
        return vm.verified.callSigKey(callSig) == have;
    }
}
