package dev.tape.host;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.List;

/**
 * A host function whose arguments and results are all word values ({@code i64}, {@code u64},
 * {@code f64}, {@code bool}), bound to one {@link Signature} and called by both tiers of the VM
 * with plain {@code long}s: no {@link Value} is made per call. Make one with {@code of} or
 * {@link #ofArrays} (or register one with {@code HostRegistry.registerWords} or
 * {@link HostRegistry#registerWordArrays}); the shape of the Java function must fit
 * the signature, which is checked then, once.
 *
 * <p><b>Words.</b> Each argument and result is one {@code long}:
 * <ul>
 *   <li>{@code i64}: the value;</li>
 *   <li>{@code u64}: the value's 64 bits, unsigned (read it with {@link Long#toUnsignedString(long)},
 *       {@link Long#compareUnsigned}, {@link Long#divideUnsigned});</li>
 *   <li>{@code f64}: the IEEE 754 bits ({@link Double#longBitsToDouble} to read,
 *       {@link Double#doubleToRawLongBits} to write; NaN payloads are kept as they are);</li>
 *   <li>{@code bool}: 1 for true and 0 for false as an argument; as a result, 0 is false and any
 *       other word is true.</li>
 * </ul>
 *
 * <p><b>Shapes.</b> {@link Of1}, {@link Of2} and {@link Of3} take one, two or three words and
 * return one; {@link Words} takes any number of words and gives any number of results through
 * borrowed arrays, and sees the call's {@link HostContext} (to charge fuel or to suspend the run).
 *
 * <p><b>Errors.</b> Any exception the function throws, checked or not, traps
 * {@code host_call_failed} exactly as it does for a {@link HostFunction} (a
 * {@link HostFailedException}'s message, else the exception's simple class name and message),
 * with the call's symbol and signature hash; a {@link HostReturnArityException} it throws itself
 * traps {@code host_return_arity_mismatch}, again as for a {@link HostFunction}. Bound to its own
 * signature, a typed function cannot return a value of the wrong type or the wrong number of
 * results, so it never traps {@code type_mismatch} (bound to another one, see below, it can).
 *
 * <p>A {@code WordFunction} is itself a {@link HostFunction}: called through
 * {@link #call(Value[], Value[], HostContext)} it unboxes its arguments and boxes its results, so
 * that hosts that wrap host functions ({@link RecordingHost}, JFR's {@code dev.tape.HostCall}
 * events) see and record its calls as any other. The VM calls it without boxing only when a
 * program's host import has exactly this function's {@link #signature()}; bound to another
 * signature by a custom {@link Host}, it is called as a plain {@link HostFunction}.
 */
public final class WordFunction implements HostFunction {
    /** {@code (w) -> w}: one word argument, one word result. */
    @FunctionalInterface
    public interface Of1 {
        /**
         * Computes the result word from one argument word.
         *
         * @param a the argument's word
         * @return the result's word
         * @throws Exception to fail the call ({@code host_call_failed})
         */
        long apply(long a) throws Exception;
    }

    /** {@code (w, w) -> w}: two word arguments, one word result. */
    @FunctionalInterface
    public interface Of2 {
        /**
         * Computes the result word from two argument words.
         *
         * @param a the first argument's word
         * @param b the second argument's word
         * @return the result's word
         * @throws Exception to fail the call ({@code host_call_failed})
         */
        long apply(long a, long b) throws Exception;
    }

    /** {@code (w, w, w) -> w}: three word arguments, one word result. */
    @FunctionalInterface
    public interface Of3 {
        /**
         * Computes the result word from three argument words.
         *
         * @param a the first argument's word
         * @param b the second argument's word
         * @param c the third argument's word
         * @return the result's word
         * @throws Exception to fail the call ({@code host_call_failed})
         */
        long apply(long a, long b, long c) throws Exception;
    }

    /**
     * Any number of word arguments and word results. The {@code args} and {@code results} arrays
     * and the {@code ctx} are borrowed for the duration of one call, as {@link HostFunction}'s are:
     * the VM reuses them for later calls, so the function must not keep them or modify
     * {@code args}. {@code results} comes filled with 0 (a result the function does not write is
     * 0: {@code false}, {@code 0} or {@code +0.0}).
     */
    @FunctionalInterface
    public interface Words {
        /**
         * Computes the result words from the argument words; the context is the call's.
         *
         * @param args the arguments' words, one per declared argument
         * @param results the result slots, one per declared result, each 0 on entry
         * @param ctx the call's context; valid only during the call
         * @throws Exception to fail the call ({@code host_call_failed})
         */
        void call(long[] args, long[] results, HostContext ctx) throws Exception;
    }

    /** {@link #shape()} of an {@link Of1}. */
    public static final int OF1 = 1;
    /** {@link #shape()} of an {@link Of2}. */
    public static final int OF2 = 2;
    /** {@link #shape()} of an {@link Of3}. */
    public static final int OF3 = 3;
    /** {@link #shape()} of a {@link Words}. */
    public static final int WORDS = 0;

    private final Signature signature;
    private final int shape;
    private final Object function;
    private final ValueKind[] argKinds;
    private final ValueKind[] retKinds;

    private WordFunction(Signature signature, int shape, Object function) {
        if (signature == null || function == null) {
            throw new IllegalArgumentException("a word function needs a signature and a function");
        }
        this.signature = signature;
        this.shape = shape;
        this.function = function;
        this.argKinds = kinds(signature, signature.args(), "argument");
        this.retKinds = kinds(signature, signature.rets(), "result");
        if (shape != WORDS && (argKinds.length != shape || retKinds.length != 1)) {
            throw new IllegalArgumentException("a word function of " + shape + " argument" + (shape == 1 ? "" : "s")
                    + " and one result cannot be bound to " + signature + ": it has " + argKinds.length
                    + " argument" + (argKinds.length == 1 ? "" : "s") + " and " + retKinds.length + " result"
                    + (retKinds.length == 1 ? "" : "s"));
        }
    }

    private static ValueKind[] kinds(Signature sig, List<ValueType> types, String what) {
        ValueKind[] out = new ValueKind[types.size()];
        for (int i = 0; i < out.length; i++) {
            ValueType t = types.get(i);
            ValueKind k = t.kind();
            if ((k != ValueKind.I64 && k != ValueKind.U64 && k != ValueKind.F64 && k != ValueKind.BOOL)
                    || !t.equals(ValueType.of(k))) {
                throw new IllegalArgumentException("a word function cannot be bound to " + sig + ": " + what + " "
                        + i + " is " + t + ", not a word type (i64, u64, f64, bool)");
            }
            out[i] = k;
        }
        return out;
    }

    /**
     * Binds a one-argument, one-result function of words to a signature.
     *
     * @param signature one word argument, one word result
     * @param fn the function
     * @return the word function
     * @throws IllegalArgumentException when the signature is not one word argument and one word
     *     result (naming the signature and what does not fit), or an argument is null
     */
    public static WordFunction of(Signature signature, Of1 fn) {
        return new WordFunction(signature, OF1, fn);
    }

    /**
     * Binds a two-argument, one-result function of words to a signature.
     *
     * @param signature two word arguments, one word result
     * @param fn the function
     * @return the word function
     * @throws IllegalArgumentException when the signature does not fit, or an argument is null
     */
    public static WordFunction of(Signature signature, Of2 fn) {
        return new WordFunction(signature, OF2, fn);
    }

    /**
     * Binds a three-argument, one-result function of words to a signature.
     *
     * @param signature three word arguments, one word result
     * @param fn the function
     * @return the word function
     * @throws IllegalArgumentException when the signature does not fit, or an argument is null
     */
    public static WordFunction of(Signature signature, Of3 fn) {
        return new WordFunction(signature, OF3, fn);
    }

    /**
     * Binds a function of word arrays to a signature with any number of word arguments and results.
     *
     * @param signature any number of word arguments and word results
     * @param fn the function
     * @return the word function
     * @throws IllegalArgumentException when a type of the signature is not a word type, or an
     *     argument is null
     */
    public static WordFunction ofArrays(Signature signature, Words fn) {
        return new WordFunction(signature, WORDS, fn);
    }

    /**
     * The signature the function was bound to.
     *
     * @return the signature this function was made for
     */
    public Signature signature() {
        return signature;
    }

    /**
     * Which of the four function shapes this is, which says how the VM calls it.
     *
     * @return {@link #OF1}, {@link #OF2}, {@link #OF3} or {@link #WORDS}
     */
    public int shape() {
        return shape;
    }

    /**
     * The function this object binds to its signature.
     *
     * @return the bound function: an {@link Of1}, {@link Of2}, {@link Of3} or {@link Words} by {@link #shape()}
     */
    public Object function() {
        return function;
    }

    /**
     * Calls the function with boxed values: unboxes the arguments, boxes the results (the
     * {@link HostFunction} view, for hosts and tools that wrap host functions).
     *
     * @param args one value per declared argument, of the declared types
     * @param results one slot per declared result; each receives a value of its declared type
     * @param ctx the call's context
     * @throws IllegalArgumentException when an argument is not a word value (any word kind, and a
     *     func value as its id, passes as its word, whatever the signature declares)
     * @throws NullPointerException when an argument is null
     * @throws ArrayIndexOutOfBoundsException when {@code args} or {@code results} is shorter than
     *     this function's signature
     * @throws Exception what the function throws
     */
    @Override
    public void call(Value[] args, Value[] results, HostContext ctx) throws Exception {
        switch (shape) {
            case OF1 -> results[0] = Aggregate.fromWord(retKinds[0],
                    ((Of1) function).apply(Aggregate.wordOf(args[0])));
            case OF2 -> results[0] = Aggregate.fromWord(retKinds[0],
                    ((Of2) function).apply(Aggregate.wordOf(args[0]), Aggregate.wordOf(args[1])));
            case OF3 -> results[0] = Aggregate.fromWord(retKinds[0], ((Of3) function).apply(
                    Aggregate.wordOf(args[0]), Aggregate.wordOf(args[1]), Aggregate.wordOf(args[2])));
            default -> {
                long[] a = new long[argKinds.length];
                for (int i = 0; i < a.length; i++) {
                    a[i] = Aggregate.wordOf(args[i]);
                }
                long[] r = new long[retKinds.length];
                ((Words) function).call(a, r, ctx);
                for (int i = 0; i < r.length; i++) {
                    results[i] = Aggregate.fromWord(retKinds[i], r[i]);
                }
            }
        }
    }

    /**
     * Tells whether the VM may call this function, with words, for a program's host signature.
     *
     * @param args a program's host signature's argument types
     * @param rets its result types
     * @return whether the VM may call this function with words for that signature: it is this
     *     function's own
     */
    public boolean fits(List<ValueType> args, List<ValueType> rets) {
        return signature.args().equals(args) && signature.rets().equals(rets);
    }

    /** @return {@code WordFunction[(i64) -> (i64)]} */
    @Override
    public String toString() {
        return "WordFunction[" + signature + "]";
    }
}
