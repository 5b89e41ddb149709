package dev.tape.host;

import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * A {@link Host} that binds Java functions to (symbol, signature) pairs:
 *
 * <pre>
 * HostRegistry host = new HostRegistry()
 *     .registerLong("math.add", (a, b) -&gt; a + b)                  // (i64, i64) -&gt; i64
 *     .registerDouble("math.sqrt", Math::sqrt)                     // (f64) -&gt; f64
 *     .registerString("text.upper", s -&gt; s.toUpperCase())         // (str) -&gt; str
 *     .register("math.minmax", Signature.of(List.of(I64, I64), List.of(I64, I64)),
 *         args -&gt; new Value[] {Value.of(Math.min(args[0].asLong(), args[1].asLong())),
 *                              Value.of(Math.max(args[0].asLong(), args[1].asLong()))});
 * </pre>
 *
 * The typed {@code register...} methods cover common shapes ({@code registerLong} and
 * {@code registerDouble} bind {@link WordFunction}s, which both tiers call without boxing, as
 * {@code registerWords} and {@link #registerWordArrays} do for any word signature); {@link #register(String, Signature,
 * HostFunction)} any signature. A program's host signature resolves when its symbol and signature
 * hash both match a registration; when only the symbol matches, {@link #offered} tells linking the
 * signatures registered, so the error says "signature mismatch" with both. Registering is not thread-safe; resolving (done when a VM is made) is, once
 * registration is over.
 */
public final class HostRegistry implements Host {
    private record Key(String symbol, long hash) {
        // written out: the record's generated methods are bootstrapped by invokedynamic on first
        // use, some ten method-handle classes spun in every cold `tape run` (docs/PERFORMANCE-LOG.md,
        // "Cold start, third round"); the same formula as the generated hashCode
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.hash == hash && Objects.equals(k.symbol, symbol);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hashCode(symbol) + Long.hashCode(hash);
        }
    }

    private final Map<Key, HostFunction> functions = new HashMap<>();
    private final Map<String, List<Signature>> bySymbol = new HashMap<>();

    /** Makes an empty registry: it provides nothing until functions are registered. */
    public HostRegistry() {}

    /**
     * Binds a function that sees the call context.
     *
     * @param symbol the symbol
     * @param sig its signature
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol, signature or function is null, or the
     *     same symbol and signature are already registered
     */
    public HostRegistry register(String symbol, Signature sig, HostFunction fn) {
        requireAll(symbol, sig, fn);
        Key key = new Key(symbol, sig.hash());
        if (functions.putIfAbsent(key, fn) != null) {
            throw new IllegalArgumentException(symbol + " " + sig + " is already registered");
        }
        bySymbol.computeIfAbsent(symbol, k -> new ArrayList<>()).add(sig);
        return this;
    }

    /**
     * Binds a function from arguments to results.
     *
     * @param symbol the symbol
     * @param sig its signature
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol, signature or function is null, or the
     *     same symbol and signature are already registered
     */
    public HostRegistry register(String symbol, Signature sig, HostFunction.Simple fn) {
        requireAll(symbol, sig, fn);
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

    /** Refuses a null symbol, signature or function, naming which. */
    private static void requireAll(String symbol, Signature sig, Object fn) {
        if (symbol == null || sig == null || fn == null) {
            throw new IllegalArgumentException("a host function needs a symbol, a signature and a function; the "
                    + (symbol == null ? "symbol" : sig == null ? "signature" : "function") + " is null");
        }
    }

    // Typed registration: the common shapes, each under the one signature its Java type implies.
    // Linking checks it against what the program declares: another declared signature is a
    // signature mismatch (dev.tape.vm.LinkException), naming both.

    private static final Signature I64_0 = Signature.of(List.of(), List.of(ValueType.I64));
    private static final Signature I64_1 = Signature.of(List.of(ValueType.I64), List.of(ValueType.I64));
    private static final Signature I64_2 = Signature.of(List.of(ValueType.I64, ValueType.I64), List.of(ValueType.I64));
    private static final Signature F64_1 = Signature.of(List.of(ValueType.F64), List.of(ValueType.F64));
    private static final Signature F64_2 = Signature.of(List.of(ValueType.F64, ValueType.F64), List.of(ValueType.F64));
    private static final Signature STR_1 = Signature.of(List.of(ValueType.STR), List.of(ValueType.STR));
    private static final Signature STR_0 = Signature.of(List.of(ValueType.STR), List.of());

    /**
     * Binds {@code () -> i64}.
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerLong(String symbol, LongSupplier fn) {
        return register(symbol, I64_0, (HostFunction) WordFunction.ofArrays(I64_0,
                (WordFunction.Words) (a, out, ctx) -> out[0] = fn.getAsLong()));
    }

    /**
     * Binds {@code (i64) -> i64}.
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerLong(String symbol, LongUnaryOperator fn) {
        return register(symbol, I64_1, (HostFunction) WordFunction.of(I64_1, (WordFunction.Of1) fn::applyAsLong));
    }

    /**
     * Binds {@code (i64, i64) -> i64}, for example {@code registerLong("math.add", Math::addExact)}
     * (an {@code ArithmeticException} it throws traps {@code host_call_failed}).
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerLong(String symbol, LongBinaryOperator fn) {
        return register(symbol, I64_2, (HostFunction) WordFunction.of(I64_2, (WordFunction.Of2) fn::applyAsLong));
    }

    /**
     * Binds {@code (f64) -> f64}, for example {@code registerDouble("math.sqrt", Math::sqrt)}.
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerDouble(String symbol, DoubleUnaryOperator fn) {
        return register(symbol, F64_1, (HostFunction) WordFunction.of(F64_1, (WordFunction.Of1) a ->
                Double.doubleToRawLongBits(fn.applyAsDouble(Double.longBitsToDouble(a)))));
    }

    /**
     * Binds {@code (f64, f64) -> f64}, for example {@code registerDouble("math.hypot", Math::hypot)}.
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerDouble(String symbol, DoubleBinaryOperator fn) {
        return register(symbol, F64_2, (HostFunction) WordFunction.of(F64_2, (WordFunction.Of2) (a, b) ->
                Double.doubleToRawLongBits(fn.applyAsDouble(Double.longBitsToDouble(a), Double.longBitsToDouble(b)))));
    }

    /**
     * Binds {@code (str) -> str}. The function gets the string decoded from UTF-8 and returns a
     * string (a {@code null} result traps {@code host_call_failed}).
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerString(String symbol, UnaryOperator<String> fn) {
        return register(symbol, STR_1, (HostFunction) (a, out, ctx) -> out[0] = Value.str(fn.apply(a[0].asString())));
    }

    /**
     * Binds {@code (str) -> ()}, for example a log line.
     *
     * @param symbol the symbol
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the symbol is already registered with that signature
     */
    public HostRegistry registerConsumer(String symbol, Consumer<String> fn) {
        return register(symbol, STR_0, (HostFunction) (a, out, ctx) -> fn.accept(a[0].asString()));
    }

    /**
     * Binds a word function of one argument ({@link WordFunction}: both tiers call it with
     * {@code long}s, no boxing), for example
     * {@code registerWords("math.abs", Signature.of(List.of(I64), List.of(I64)), Math::abs)}.
     *
     * @param symbol the symbol
     * @param sig its signature: one word argument and one word result (i64, u64, f64, bool)
     * @param fn the function, over words as {@link WordFunction} describes them
     * @return this registry
     * @throws IllegalArgumentException when the signature is not one word argument and one word
     *     result, or the same symbol and signature are already registered, or {@code symbol},
     *     {@code sig} or {@code fn} is null
     */
    public HostRegistry registerWords(String symbol, Signature sig, WordFunction.Of1 fn) {
        return register(symbol, sig, (HostFunction) WordFunction.of(sig, fn));
    }

    /**
     * Binds a word function of two arguments ({@link WordFunction}).
     *
     * @param symbol the symbol
     * @param sig its signature: two word arguments and one word result
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the signature does not fit, or the same symbol and
     *     signature are already registered, or {@code symbol}, {@code sig} or {@code fn} is null
     */
    public HostRegistry registerWords(String symbol, Signature sig, WordFunction.Of2 fn) {
        return register(symbol, sig, (HostFunction) WordFunction.of(sig, fn));
    }

    /**
     * Binds a word function of three arguments ({@link WordFunction}).
     *
     * @param symbol the symbol
     * @param sig its signature: three word arguments and one word result
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when the signature does not fit, or the same symbol and
     *     signature are already registered, or {@code symbol}, {@code sig} or {@code fn} is null
     */
    public HostRegistry registerWords(String symbol, Signature sig, WordFunction.Of3 fn) {
        return register(symbol, sig, (HostFunction) WordFunction.of(sig, fn));
    }

    /**
     * Binds a word function of any number of word arguments and results, over borrowed arrays
     * ({@link WordFunction.Words}).
     *
     * @param symbol the symbol
     * @param sig its signature: word types only
     * @param fn the function
     * @return this registry
     * @throws IllegalArgumentException when a type of the signature is not a word type, or the same
     *     symbol and signature are already registered, or {@code symbol}, {@code sig} or {@code fn} is null
     */
    public HostRegistry registerWordArrays(String symbol, Signature sig, WordFunction.Words fn) {
        return register(symbol, sig, (HostFunction) WordFunction.ofArrays(sig, fn));
    }

    /**
     * @param symbol a symbol
     * @return the signatures registered under it, in no particular order
     */
    @Override
    public List<Signature> offered(String symbol) {
        return List.copyOf(bySymbol.getOrDefault(symbol, List.of()));
    }

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        return functions.get(new Key(symbol, sigHash));
    }
}
