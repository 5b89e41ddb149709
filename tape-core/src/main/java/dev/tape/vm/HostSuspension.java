package dev.tape.vm;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.ArrayList;
import java.util.List;

/**
 * The host call a paused run is suspended in ({@link PauseReason.HostSuspended}), read from and
 * completed in the run's {@link ExecutionContext}: the context's position ({@code func}, {@code ip})
 * is at the {@code host.call} instruction, whose lowered operands are the signature index, the
 * argument count, the argument registers, the result count and the result registers. For
 * {@link Run#suspendedCall()}, {@link Run#resumeWith} and the driver's host-suspended pause.
 */
final class HostSuspension {
    private HostSuspension() {}

    /**
     * The host call the run is suspended in: its symbol, signature hash and arguments, read from
     * the innermost frame's registers. Costs O(arguments).
     *
     * @param vm the run's VM
     * @param c the run's context, suspended in a host call ({@code c.hostSuspended})
     * @return the suspended call, as the pause that reported it
     */
    static PauseReason.HostSuspended call(Vm vm, ExecutionContext c) {
        int[] code = vm.funcs[c.func].code();
        int sig = code[c.ip + 1];
        int argc = code[c.ip + 2];
        ValueKind[] kinds = vm.hostArgKinds[sig];
        List<Value> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            int at = c.base + code[c.ip + 3 + i];
            ValueKind k = kinds[i];
            args.add(k == ValueKind.UNIT ? Value.UNIT : Aggregate.isWord(k) ? Aggregate.fromWord(k, c.w[at])
                    : (Value) c.r[at]);
        }
        return new PauseReason.HostSuspended(vm.hostSymbols[sig], vm.hostSigs[sig].sigHash(), args);
    }

    /**
     * Stores the results of the suspended host call in its result registers and moves past it,
     * clearing {@code c.hostSuspended}; checks them all first, so a refused list changes nothing.
     *
     * @param vm the run's VM
     * @param c the run's context, suspended in a host call
     * @param results one value per result of the host signature, each of exactly its type
     * @throws IllegalArgumentException when the count or a type does not match the signature
     */
    static void complete(Vm vm, ExecutionContext c, List<Value> results) {
        int[] code = vm.funcs[c.func].code();
        int sig = code[c.ip + 1];
        int at = c.ip + 3 + code[c.ip + 2];
        ValueType[] types = vm.hostRetTypes[sig];
        String symbol = vm.hostSymbols[sig];
        if (results.size() != types.length) {
            throw new IllegalArgumentException("host function " + symbol + " returns " + types.length + " results, "
                    + results.size() + " given");
        }
        for (int i = 0; i < types.length; i++) {
            Value v = results.get(i);
            if (v == null || !v.type().equals(types[i])) {
                throw new IllegalArgumentException("result " + i + " of host function " + symbol + " must be "
                        + types[i] + ", got " + (v == null ? "null" : v.type()));
            }
        }
        for (int i = 0; i < types.length; i++) {
            Value v = results.get(i);
            int reg = c.base + code[at + 1 + i];
            ValueKind k = types[i].kind();
            if (Aggregate.isWord(k)) {
                c.w[reg] = Aggregate.wordOf(v);
            } else if (k != ValueKind.UNIT) {
                c.r[reg] = v;
            }
        }
        c.ip = at + 1 + types.length;
        c.hostSuspended = false;
    }
}
