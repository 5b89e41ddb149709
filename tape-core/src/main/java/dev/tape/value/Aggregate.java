package dev.tape.value;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable aggregate (spec section "Aggregates (Agg)"): a tuple, a struct of a type id, or an
 * array of an element type id. Made by {@link #of}, {@link Value#tuple(Value...)},
 * {@link Value#struct(int, Value...)} or {@link Value#array(int, Value...)}, all of which copy what
 * they are given, so an aggregate never changes after construction. Elements are stored unboxed: bool, integer, f64 and func elements as
 * 64-bit words, the rest as {@link Value} references, with each element's {@link ValueKind}.
 * The class is sealed: its one subclass is the library's own two-word form (a pair of words kept in
 * the object itself), which behaves exactly as an aggregate does.
 */
public sealed class Aggregate implements Value permits WordPair {
    /** The aggregate kinds. */
    public enum Kind {
        /** A heterogeneous, fixed-arity tuple. */
        TUPLE,
        /** A struct whose layout is a type id of the program's type table. */
        STRUCT,
        /** A homogeneous array whose element type is an element type id. */
        ARRAY
    }

    private final Kind kind;
    private final int typeId;
    private final byte[] tags;
    /** the words of the elements, or {@code null} in a {@link WordPair}, which keeps its own */
    private final long[] bits;
    private final Object[] refs;

    /**
     * Builds an aggregate from its element storage without copying: the caller gives up the arrays
     * (this package, and the VM through {@link ValueInternals}). Embedders use {@link #of}, which
     * copies.
     */
    Aggregate(Kind kind, int typeId, byte[] tags, long[] bits, Object[] refs) {
        this.kind = kind;
        this.typeId = typeId;
        this.tags = tags;
        this.bits = bits;
        this.refs = refs;
    }

    /**
     * Makes an aggregate of any kind from its elements (the list is copied).
     *
     * @param kind the aggregate kind
     * @param typeId the struct type id or array element type id (0 for tuples)
     * @param values the elements
     * @return the aggregate
     * @throws IllegalArgumentException when an element is null
     */
    public static Aggregate of(Kind kind, int typeId, List<Value> values) {
        int n = values.size();
        byte[] tags = new byte[n];
        long[] bits = new long[n];
        Object[] refs = null;
        for (int i = 0; i < n; i++) {
            Value v = values.get(i);
            if (v == null) {
                throw new IllegalArgumentException("aggregate element " + i + " is null");
            }
            tags[i] = (byte) v.kind().tag();
            if (isWord(v.kind())) {
                bits[i] = wordOf(v);
            } else if (v.kind() != ValueKind.UNIT) {
                if (refs == null) {
                    refs = new Object[n];
                }
                refs[i] = v;
            }
        }
        return new Aggregate(kind, typeId, tags, bits, refs);
    }

    /**
     * Tells whether values of a kind are stored as one 64-bit word each.
     *
     * @param k a kind
     * @return whether values of that kind are stored as 64-bit words (bool, i64, u64, f64, func)
     */
    public static boolean isWord(ValueKind k) {
        return k == ValueKind.BOOL || k == ValueKind.I64 || k == ValueKind.U64 || k == ValueKind.F64
                || k == ValueKind.FUNC;
    }

    /**
     * Packs a value of a word kind into its 64-bit word.
     *
     * @param v a value of a word kind
     * @return its 64-bit word
     */
    public static long wordOf(Value v) {
        if (v instanceof Value.Bool b) {
            return b.value() ? 1 : 0;
        } else if (v instanceof Value.I64 i) {
            return i.value();
        } else if (v instanceof Value.U64 u) {
            return u.value();
        } else if (v instanceof Value.F64 f) {
            return f.bits();
        } else if (v instanceof Value.Func f) {
            return f.id();
        }
        throw new IllegalArgumentException(v.kind() + " is not stored as a word");
    }

    /**
     * Unpacks a value of a word kind from its 64-bit word.
     *
     * @param kind a word kind
     * @param word the 64-bit word
     * @return the value
     */
    public static Value fromWord(ValueKind kind, long word) {
        return switch (kind) {
            case BOOL -> Value.bool(word != 0);
            case I64 -> Value.i64(word);
            case U64 -> Value.u64(word);
            case F64 -> Value.f64Bits(word);
            case FUNC -> Value.func((int) word);
            default -> throw new IllegalArgumentException(kind + " is not stored as a word");
        };
    }

    /**
     * Whether this is a tuple, a struct or an array.
     *
     * @return the aggregate kind
     */
    public Kind aggKind() {
        return kind;
    }

    /**
     * The type id that says what this aggregate holds (none for a tuple).
     *
     * @return the struct type id or array element type id; 0 for tuples
     */
    public int typeId() {
        return typeId;
    }

    /**
     * The number of elements.
     *
     * @return the number of elements (fields for a struct)
     */
    public int size() {
        return tags.length;
    }

    /**
     * The kind of one element.
     *
     * @param i an index, 0 to size - 1
     * @return the element's kind
     */
    public ValueKind elementKind(int i) {
        return ValueKind.fromTag(tags[i]);
    }

    /**
     * The stored kind tag of one element, as the VM reads it.
     *
     * @param i an index
     * @return the raw tag (for the VM)
     */
    public int tag(int i) {
        return tags[i];
    }

    /**
     * The stored word of one element, as the VM reads it.
     *
     * @param i an index
     * @return the element's 64-bit word (meaningful for word kinds)
     */
    public long word(int i) {
        long[] b = bits;
        if (b != null) {
            return b[i];
        }
        return ((WordPair) this).pairWord(i);
    }

    /**
     * The stored reference of one element, as the VM reads it.
     *
     * @param i an index
     * @return the element's reference, or null for word and unit kinds
     */
    public Object ref(int i) {
        return refs == null ? null : refs[i];
    }

    /**
     * One element as a value.
     *
     * @param i an index, 0 to size - 1
     * @return the element as a value
     * @throws IndexOutOfBoundsException when {@code i} is out of range
     */
    public Value get(int i) {
        ValueKind k = ValueKind.fromTag(tags[i]);
        if (k == ValueKind.UNIT) {
            return Value.UNIT;
        }
        if (isWord(k)) {
            return fromWord(k, word(i));
        }
        return (Value) refs[i];
    }

    /**
     * All elements as values.
     *
     * @return the elements as values, in order
     */
    public List<Value> elements() {
        List<Value> out = new ArrayList<>(tags.length);
        for (int i = 0; i < tags.length; i++) {
            out.add(get(i));
        }
        return out;
    }

    @Override
    public ValueType type() {
        return ValueType.AGG;
    }

    /**
     * Deep equality: the same kind, type id and elements (strings and bytes by content, f64 by bits,
     * nested aggregates and closure environments deeply). Walked on a heap stack, so any nesting depth
     * is compared without overflowing the Java stack; shared sub-aggregates are compared once per
     * distinct pair.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Aggregate a && DeepValues.equal(this, a);
    }

    /** A deep hash consistent with {@link #equals}; like it, walked on a heap stack, once per distinct object. */
    @Override
    public int hashCode() {
        return DeepValues.hash(this);
    }

    /** @return the literal, cut after 4,096 chars (a program's aggregates can be huge to render) */
    @Override
    public String toString() {
        return ValueLiteral.format(this, 4096);
    }
}
