package dev.tape.host;

import dev.tape.program.ValueType;

import java.util.List;

/**
 * The embedder's side of the host-call ABI (spec section "Host ABI"). The VM resolves each host
 * signature of a program once, when a VM is made for it, by symbol and signature hash (linking);
 * calls then go straight to the resolved function.
 */
@FunctionalInterface
public interface Host {
    /**
     * Resolves a host-call target.
     *
     * @param symbol the symbol, for example {@code "math.add"}
     * @param sigHash the signature hash the program declares (verified to match the types)
     * @param args the argument types
     * @param rets the result types
     * @return the function, or {@code null} when this host does not provide it: making the VM then
     *     fails with a {@link dev.tape.vm.LinkException} (eager linking, the default), or every call
     *     to it traps {@code host_call_failed} (lazy linking, {@link dev.tape.vm.VmOptions}). An
     *     exception thrown here is not swallowed: eager linking lists it in the
     *     {@code LinkException}, lazy linking puts it in the detail of the call's trap
     */
    HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets);

    /**
     * The signatures this host provides under a symbol, so that linking can tell a signature
     * mismatch from a missing function ({@link dev.tape.vm.LinkException}). Called only for an
     * import that {@link #resolve} did not provide. The default knows of none.
     *
     * @param symbol the symbol
     * @return the signatures provided under it, or an empty list when none (or unknown)
     */
    default List<Signature> offered(String symbol) {
        return List.of();
    }

    /**
     * A host that provides nothing: a program with host imports links only lazily, and every host
     * call then traps {@code host_call_failed}.
     */
    Host NONE = (symbol, sigHash, args, rets) -> null;
}
