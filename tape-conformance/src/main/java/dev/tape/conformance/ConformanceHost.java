package dev.tape.conformance;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.List;

/**
 * The host the conformance vectors call ({@code conformance/README.md}, "The conformance host"):
 * {@code test.id} (any signature whose results equal its arguments), {@code test.add_i64},
 * {@code test.fail}, {@code test.charge} and {@code test.sum_tuple2}. Any other symbol resolves to
 * nothing, so calling it traps {@code host_call_failed}.
 */
public final class ConformanceHost implements Host {
    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        switch (symbol) {
            case "test.id":
                if (!args.equals(rets)) {
                    return null;
                }
                return (a, out, ctx) -> System.arraycopy(a, 0, out, 0, a.length);
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
                return (a, out, ctx) -> ctx.chargeFuel(((Value.U64) a[0]).value() < 0 ? Long.MAX_VALUE
                        : ((Value.U64) a[0]).value());
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
                return null;
        }
    }
}
