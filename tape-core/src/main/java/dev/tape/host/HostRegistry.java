package dev.tape.host;

import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Host} that binds Java functions to (symbol, signature) pairs:
 *
 * <pre>
 * HostRegistry host = new HostRegistry();
 * host.register("math.add", Signature.of(List.of(I64, I64), List.of(I64)),
 *     args -&gt; new Value[] {Value.i64(((Value.I64) args[0]).value() + ((Value.I64) args[1]).value())});
 * </pre>
 *
 * A program's host signature resolves when its symbol and signature hash both match a
 * registration. Registering is not thread-safe; resolving (done when a VM is made) is, once
 * registration is over.
 */
public final class HostRegistry implements Host {
    private record Key(String symbol, long hash) {}

    private final Map<Key, HostFunction> functions = new HashMap<>();

    /**
     * Binds a function that sees the call context.
     *
     * @param symbol the symbol
     * @param sig its signature
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the same symbol and signature are already registered
     */
    public HostRegistry register(String symbol, Signature sig, HostFunction fn) {
        if (functions.putIfAbsent(new Key(symbol, sig.hash()), fn) != null) {
            throw new IllegalArgumentException(symbol + " " + sig + " is already registered");
        }
        return this;
    }

    /**
     * Binds a function from arguments to results.
     *
     * @param symbol the symbol
     * @param sig its signature
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the same symbol and signature are already registered
     */
    public HostRegistry register(String symbol, Signature sig, HostFunction.Simple fn) {
        return register(symbol, sig, (HostFunction) (args, results, ctx) -> {
            Value[] out = fn.apply(args);
            int n = out == null ? 0 : out.length;
            if (n != results.length) {
                throw new HostReturnArityException(results.length, n);
            }
            if (n > 0) {
                System.arraycopy(out, 0, results, 0, n);
            }
        });
    }

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        return functions.get(new Key(symbol, sigHash));
    }
}
