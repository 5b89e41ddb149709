package dev.tape.fuzz;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.List;

/**
 * A deterministic host for fuzzing and generated programs. It provides the conformance host's
 * symbols ({@code conformance/README.md}, "The conformance host") so that mutated conformance
 * vectors keep reaching their host calls, and gives every other symbol a deterministic answer:
 *
 * <ul>
 *   <li>{@code test.id}: results equal arguments (when the signature's results equal its arguments);
 *   <li>{@code test.add_i64}: {@code (i64, i64) -> i64}, wrapping add;
 *   <li>{@code test.fail}: always throws (the run traps {@code host_call_failed});
 *   <li>{@code test.charge}: {@code (u64) -> ()}, charges that much extra fuel;
 *   <li>{@code test.sum_tuple2}: {@code (agg) -> i64}, adds the two i64 elements of a 2-tuple;
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

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        switch (symbol) {
            case "test.id":
                return args.equals(rets) ? (a, out, ctx) -> System.arraycopy(a, 0, out, 0, a.length) : null;
            case "test.add_i64":
                if (!args.equals(List.of(ValueType.I64, ValueType.I64)) || !rets.equals(List.of(ValueType.I64))) {
                    return null;
                }
                return (a, out, ctx) -> out[0] = Value.i64(((Value.I64) a[0]).value() + ((Value.I64) a[1]).value());
            case "test.fail":
                return (a, out, ctx) -> {
                    throw new IllegalStateException("test.fail always fails");
                };
            case "test.charge":
                if (!args.equals(List.of(ValueType.U64)) || !rets.isEmpty()) {
                    return null;
                }
                return (a, out, ctx) -> {
                    long n = ((Value.U64) a[0]).value();
                    ctx.chargeFuel(n < 0 ? Long.MAX_VALUE : n);
                };
            case "test.sum_tuple2":
                if (!args.equals(List.of(ValueType.AGG)) || !rets.equals(List.of(ValueType.I64))) {
                    return null;
                }
                return (a, out, ctx) -> {
                    Aggregate t = (Aggregate) a[0];
                    if (t.aggKind() != Aggregate.Kind.TUPLE || t.size() != 2) {
                        throw new IllegalArgumentException("test.sum_tuple2 needs a 2-tuple");
                    }
                    out[0] = Value.i64(((Value.I64) t.get(0)).value() + ((Value.I64) t.get(1)).value());
                };
            default:
                break;
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
