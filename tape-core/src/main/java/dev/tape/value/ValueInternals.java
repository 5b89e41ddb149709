package dev.tape.value;

import java.lang.invoke.MethodHandles;
import java.util.Set;

/**
 * Internal: the no-copy construction and reading of values that the interpreter, the verifier's
 * lowering and the compiled tier need for speed (wrapping an array a run has just filled, reading
 * a string's UTF-8 bytes without copying them). Not for embedders: {@link #get(MethodHandles.Lookup)}
 * refuses every caller outside the packages {@code dev.tape.vm} and {@code dev.tape.verify}, so the arrays
 * inside a value can be reached, or handed over, only by code that never changes them afterwards.
 * Embedders use the factories of {@link Value} and {@link Aggregate}, which copy, and the
 * accessors, which copy out.
 */
public final class ValueInternals {
    private static final ValueInternals INSTANCE = new ValueInternals();
    private static final Set<String> ALLOWED = Set.of("dev.tape.vm", "dev.tape.verify");

    private ValueInternals() {}

    /**
     * Gives the accessor to the library's own packages; call it once, into a static final field,
     * as {@code ValueInternals.get(MethodHandles.lookup())}. The caller is the class of the lookup,
     * which must have full privilege access ({@link MethodHandles.Lookup#hasFullPrivilegeAccess()})
     * and {@link MethodHandles.Lookup#ORIGINAL} access: only the class's own
     * {@link MethodHandles#lookup()} has both; a lookup moved to another class with
     * {@link MethodHandles.Lookup#in(Class)}, one from {@link MethodHandles#privateLookupIn}, or
     * the public one, has not. A lookup, not a
     * {@link StackWalker}, for a cold start: the first stack walk of a JVM costs about 0.7 ms of CPU
     * (docs/PERFORMANCE-LOG.md, "Cold start, thirteenth round").
     *
     * @param caller the calling class's own lookup, {@code MethodHandles.lookup()}
     * @return the accessor
     * @throws IllegalCallerException when the lookup is not its class's own (full privilege and
     *     original access) or its class is outside {@code dev.tape.vm} and {@code dev.tape.verify}
     * @throws NullPointerException when {@code caller} is null
     */
    public static ValueInternals get(MethodHandles.Lookup caller) {
        Class<?> c = caller.lookupClass();
        boolean own = caller.hasFullPrivilegeAccess() && (caller.lookupModes() & MethodHandles.Lookup.ORIGINAL) != 0;
        if (!own || !ALLOWED.contains(c.getPackageName())) {
            throw new IllegalCallerException("ValueInternals is internal to the library; " + c.getName()
                    + (own ? "" : " (through a lookup that is not its own)")
                    + " may not use it (use the factories of Value and Aggregate)");
        }
        return INSTANCE;
    }

    /**
     * Builds an aggregate from its element storage without copying: the caller gives up the arrays.
     *
     * @param kind the aggregate kind
     * @param typeId the struct type id or array element type id (0 for tuples)
     * @param tags each element's {@link dev.tape.program.ValueKind#tag()}
     * @param bits the 64-bit words of word-stored elements (same length as tags)
     * @param refs the {@link Value} references of reference elements, or {@code null} when none
     * @return the aggregate
     */
    public Aggregate aggregate(Aggregate.Kind kind, int typeId, byte[] tags, long[] bits, Object[] refs) {
        return new Aggregate(kind, typeId, tags, bits, refs);
    }

    /**
     * Builds a two-element aggregate whose elements are both stored as words, with the words in the
     * object itself (one allocation); it behaves exactly as
     * {@code aggregate(kind, typeId, tags, new long[] {a, b}, null)}.
     *
     * @param kind the aggregate kind
     * @param typeId the struct type id or array element type id (0 for tuples)
     * @param tags two tags, each a word kind's {@link dev.tape.program.ValueKind#tag()}
     * @param a the first element's word
     * @param b the second element's word
     * @return the aggregate
     */
    public Aggregate pair(Aggregate.Kind kind, int typeId, byte[] tags, long a, long b) {
        return new WordPair(kind, typeId, tags, a, b);
    }

    /**
     * Wraps an array as a {@code bytes} value without copying it.
     *
     * @param data bytes the caller will never change again
     * @return a bytes value wrapping them
     */
    public Value.Bytes adoptBytes(byte[] data) {
        return new Value.Bytes(data);
    }

    /**
     * Wraps a UTF-8 array as a {@code str} value without copying or checking it.
     *
     * @param utf8 valid UTF-8 the caller will never change again (not checked)
     * @return a str value wrapping it
     */
    public Value.Str adoptUtf8(byte[] utf8) {
        return new Value.Str(utf8);
    }

    /**
     * Gives a {@code bytes} value's own array, without copying it.
     *
     * @param b a bytes value
     * @return its array itself, which the caller must not change
     */
    public byte[] array(Value.Bytes b) {
        return b.data;
    }

    /**
     * Gives a {@code str} value's own UTF-8 buffer, without copying it.
     *
     * @param s a str value
     * @return its UTF-8 buffer itself, which the caller must not change; only its first
     *     {@link Value.Str#length()} bytes are the string's (the buffer may be longer)
     */
    public byte[] utf8(Value.Str s) {
        return s.utf8;
    }

    /**
     * {@code str.concat} without the heap charge (see {@link Value.Str} on appending in place).
     *
     * @param s the left string
     * @param t the right string
     * @param spare the most bytes of spare room a new buffer may get beyond the result's length
     * @return the concatenation
     * @throws IllegalArgumentException when the result would be longer than
     *     {@code Integer.MAX_VALUE - 16} bytes (callers check first)
     */
    public Value.Str append(Value.Str s, Value.Str t, long spare) {
        return Value.Str.append(s, t, spare);
    }
}
