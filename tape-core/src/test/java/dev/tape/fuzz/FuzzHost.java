package dev.tape.fuzz;

import dev.tape.host.ConformanceHost;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.util.List;

/**
 * A deterministic host for fuzzing and generated programs. It provides the conformance host's
 * symbols so that mutated conformance vectors keep reaching their host calls, and gives every
 * other symbol a deterministic answer:
 *
 * <ul>
 *   <li>{@code test.id}, {@code test.add_i64}, {@code test.fail}, {@code test.charge},
 *       {@code test.sum_tuple2}: exactly {@link ConformanceHost} (not provided with another
 *       signature);
 *   <li>{@code missing.*}: not provided (host_call_failed);
 *   <li>{@code bad.*}: returns a value of the wrong type in every slot (type_mismatch);
 *   <li>anything else: fills each result slot with the first argument of that type, else a fixed
 *       value of the declared type.
 * </ul>
 */
public final class FuzzHost implements Host {
    /** The one instance; it has no state. */
    public static final FuzzHost INSTANCE = new FuzzHost();

    private FuzzHost() {}

    private static final ConformanceHost CONFORMANCE = new ConformanceHost();

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        if (ConformanceHost.SYMBOLS.contains(symbol)) {
            // the conformance host's functions, exactly (not provided with another signature)
            return CONFORMANCE.resolve(symbol, sigHash, args, rets);
        }
        if (symbol.startsWith("missing.")) {
            return null;
        }
        if (symbol.startsWith("bad.")) {
            return (a, out, ctx) -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = rets.get(i).equals(ValueType.I64) ? Value.bool(true) : Value.i64(7);
                }
            };
        }
        return (a, out, ctx) -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = pick(a, rets.get(i), i);
            }
        };
    }

    private static Value pick(Value[] args, ValueType t, int slot) {
        for (Value v : args) {
            if (v.type().equals(t)) {
                return v;
            }
        }
        return FuzzArgs.fixed(t, slot);
    }
}
