package dev.tape.host;

import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.List;
import java.util.Set;

/**
 * The host the reference's conformance vectors call ({@code ../shared/conformance/README.md}, "The
 * conformance host"):
 *
 * <ul>
 *   <li>{@code test.id}: any signature whose results equal its arguments; returns them unchanged;
 *   <li>{@code test.add_i64}: {@code (i64, i64) -> i64}, the wrapping sum;
 *   <li>{@code test.fail}: any signature; always throws, so the call traps
 *       {@code host_call_failed};
 *   <li>{@code test.charge}: {@code (u64) -> ()}, charges that many extra fuel units (an unsigned
 *       64-bit number, as {@link HostContext#chargeFuel} takes it); the fuel left saturates at 0, so an over-charge
 *       makes the run trap {@code fuel_exceeded} at its next instruction;
 *   <li>{@code test.sum_tuple2}: {@code (agg) -> i64}, the sum of a 2-tuple's two i64 elements; any
 *       other aggregate (not a tuple, another size, an element that is not an i64) makes it throw,
 *       so the call traps {@code host_call_failed}.
 * </ul>
 *
 * <p>A symbol it does not know, or a known one with another signature, resolves to null, so
 * calling it traps {@code host_call_failed}. Stateless and thread-safe. Used by
 * {@code tape conformance}, by {@code tape run --host=test} and by the tests.
 */
public final class ConformanceHost implements Host {
    /** The symbols this host provides (each with the signatures above). */
    public static final Set<String> SYMBOLS = Set.of("test.id", "test.add_i64", "test.fail", "test.charge",
            "test.sum_tuple2");

    /** Creates the host; it has no state, so any number of VMs may share one. */
    public ConformanceHost() {}

    /**
     * @param symbol the host symbol
     * @param sigHash the signature hash (not checked here: the VM checks it)
     * @param args the argument types
     * @param rets the result types
     * @return the function, or null when the symbol or its signature is not one of the above
     */
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
                return (a, out, ctx) -> ctx.chargeFuel(((Value.U64) a[0]).value());
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
