package dev.tape.value;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A value of the v1 value model (spec section "Value kinds"), as an embedder passes it to a run,
 * receives it from a run, and sees it in a host call. Every value is immutable.
 *
 * <p>Bytes and strings wrap arrays that are never mutated after construction; the factory methods
 * copy what they are given. Aggregates ({@link Aggregate}) are deep and read-only.
 */
public sealed interface Value permits Value.Unit, Value.Bool, Value.I64, Value.U64, Value.F64, Value.Decimal,
        Value.Bytes, Value.Str, Value.Obj, Value.Func, Value.Closure, Aggregate {

    /**
     * The value's type.
     *
     * @return the value's type; {@code agg} for every aggregate
     */
    ValueType type();

    /**
     * The value's kind: its type without the host type of an {@code obj}.
     *
     * @return the value's kind
     */
    default ValueKind kind() {
        return type().kind();
    }

    /**
     * Reads an {@code i64} value.
     *
     * @return this i64's value
     * @throws ClassCastException when this is not an i64; the message names this value's type
     */
    default long asLong() {
        if (this instanceof I64 v) {
            return v.value();
        }
        throw wrongKind(this, "i64");
    }

    /**
     * Reads a {@code u64} value.
     *
     * @return this u64's value as its two's-complement bits (read it with
     *     {@link Long#toUnsignedString(long)})
     * @throws ClassCastException when this is not a u64; the message names this value's type
     */
    default long asUnsignedLong() {
        if (this instanceof U64 v) {
            return v.value();
        }
        throw wrongKind(this, "u64");
    }

    /**
     * Reads a {@code bool} value.
     *
     * @return this bool's value
     * @throws ClassCastException when this is not a bool; the message names this value's type
     */
    default boolean asBoolean() {
        if (this instanceof Bool v) {
            return v.value();
        }
        throw wrongKind(this, "bool");
    }

    /**
     * Reads an {@code f64} value.
     *
     * @return this f64's number (its exact bits)
     * @throws ClassCastException when this is not an f64; the message names this value's type
     */
    default double asDouble() {
        if (this instanceof F64 v) {
            return v.value();
        }
        throw wrongKind(this, "f64");
    }

    /**
     * Reads a {@code decimal} value as a {@link BigDecimal}.
     *
     * @return this decimal as {@code mantissa * 10^-scale}, exactly
     * @throws ClassCastException when this is not a decimal; the message names this value's type
     */
    default BigDecimal asDecimal() {
        if (this instanceof Decimal v) {
            return BigDecimal.valueOf(v.mantissa(), v.scale());
        }
        throw wrongKind(this, "decimal");
    }

    /**
     * Reads a {@code str} value as a Java string.
     *
     * @return this str's text, decoded from its UTF-8 bytes
     * @throws ClassCastException when this is not a str; the message names this value's type
     */
    default String asString() {
        if (this instanceof Str v) {
            return v.value();
        }
        throw wrongKind(this, "str");
    }

    /**
     * Reads a {@code bytes} value.
     *
     * @return a copy of this bytes value's bytes (changing it changes nothing here)
     * @throws ClassCastException when this is not a bytes value; the message names this value's type
     */
    default byte[] asBytes() {
        if (this instanceof Bytes v) {
            return v.toByteArray();
        }
        throw wrongKind(this, "bytes");
    }

    /**
     * Reads an aggregate value.
     *
     * @return this aggregate (tuple, struct or array)
     * @throws ClassCastException when this is not an aggregate; the message names this value's type
     */
    default Aggregate asAggregate() {
        if (this instanceof Aggregate v) {
            return v;
        }
        throw wrongKind(this, "agg");
    }

    /**
     * Reads a {@code func} value.
     *
     * @return this function reference's function id
     * @throws ClassCastException when this is not a func; the message names this value's type
     */
    default int asFunction() {
        if (this instanceof Func v) {
            return v.id();
        }
        throw wrongKind(this, "func");
    }

    private static ClassCastException wrongKind(Value v, String wanted) {
        return new ClassCastException("expected " + wanted + ", the value is " + v.type());
    }

    /**
     * Makes an {@code i64} value; a short name for {@link #i64(long)}.
     *
     * @param v the integer
     * @return an i64 value (the same as {@link #i64(long)})
     */
    static I64 of(long v) {
        return new I64(v);
    }

    /**
     * Makes an {@code f64} value; a short name for {@link #f64(double)}.
     *
     * @param v the number
     * @return an f64 value with {@code v}'s exact bits (the same as {@link #f64(double)})
     */
    static F64 of(double v) {
        return f64(v);
    }

    /**
     * Makes a {@code bool} value; a short name for {@link #bool(boolean)}.
     *
     * @param v the boolean
     * @return a bool value (the same as {@link #bool(boolean)})
     */
    static Bool of(boolean v) {
        return bool(v);
    }

    /**
     * Makes a {@code str} value; a short name for {@link #str(String)}.
     *
     * @param s the string, encoded as UTF-8 (a lone surrogate becomes {@code ?})
     * @return a str value (the same as {@link #str(String)})
     * @throws NullPointerException when {@code s} is null
     */
    static Str of(String s) {
        return str(s);
    }

    /**
     * Makes a tuple of the given values.
     *
     * @param elements the elements, in order (the array is copied)
     * @return a tuple of them (spec section "Aggregates (Agg)")
     * @throws IllegalArgumentException when an element is null
     */
    static Aggregate tuple(Value... elements) {
        return Aggregate.of(Aggregate.Kind.TUPLE, 0, Arrays.asList(elements));
    }

    /**
     * A struct of a type id of the program's type table. The VM checks a struct a host returns only
     * as an {@code agg}; a program reads its fields by index, so give them in the order and of the
     * types of the struct type ({@link dev.tape.program.TypeTable#structId(String...)} finds the id by
     * field names).
     *
     * @param typeId the struct type id, 0 or more
     * @param fields the field values, in the struct type's order (the array is copied)
     * @return the struct
     * @throws IllegalArgumentException when {@code typeId} is negative or a field is null
     */
    static Aggregate struct(int typeId, Value... fields) {
        if (typeId < 0) {
            throw new IllegalArgumentException("struct type id must be 0 or more, got " + typeId);
        }
        return Aggregate.of(Aggregate.Kind.STRUCT, typeId, Arrays.asList(fields));
    }

    /**
     * An array of an element type id of the program's type table
     * ({@link dev.tape.program.TypeTable#arrayElemId(ValueType)} finds it by type).
     *
     * @param elemTypeId the element type id, 0 or more
     * @param elements the elements, all of one type (the array is copied)
     * @return the array
     * @throws IllegalArgumentException when {@code elemTypeId} is negative, an element is null, or
     *     two elements differ in type
     */
    static Aggregate array(int elemTypeId, Value... elements) {
        if (elemTypeId < 0) {
            throw new IllegalArgumentException("array element type id must be 0 or more, got " + elemTypeId);
        }
        for (int i = 1; i < elements.length; i++) {
            if (elements[i] != null && elements[0] != null && !elements[i].type().equals(elements[0].type())) {
                throw new IllegalArgumentException("array element " + i + " is " + elements[i].type()
                        + ", element 0 is " + elements[0].type());
            }
        }
        return Aggregate.of(Aggregate.Kind.ARRAY, elemTypeId, Arrays.asList(elements));
    }

    /** The unit value. */
    Unit UNIT = new Unit();

    /**
     * The one {@code unit} value.
     *
     * @return the unit value
     */
    static Unit unit() {
        return UNIT;
    }

    /**
     * Makes a {@code bool} value.
     *
     * @param v the boolean
     * @return a bool value
     */
    static Bool bool(boolean v) {
        return v ? Bool.TRUE : Bool.FALSE;
    }

    /**
     * Makes an {@code i64} value.
     *
     * @param v the integer
     * @return an i64 value
     */
    static I64 i64(long v) {
        return new I64(v);
    }

    /**
     * Makes a {@code u64} value from the unsigned number's bits.
     *
     * @param v the unsigned integer as two's-complement bits
     * @return a u64 value
     */
    static U64 u64(long v) {
        return new U64(v);
    }

    /**
     * Makes an {@code f64} value.
     *
     * @param v the number
     * @return an f64 value with {@code v}'s exact bits
     */
    static F64 f64(double v) {
        return new F64(Double.doubleToRawLongBits(v));
    }

    /**
     * Makes an {@code f64} value from its IEEE-754 bits.
     *
     * @param bits IEEE-754 bits
     * @return the f64 value with those bits (NaN payloads kept)
     */
    static F64 f64Bits(long bits) {
        return new F64(bits);
    }

    /**
     * Makes a {@code decimal} value: {@code mantissa * 10^-scale}.
     *
     * @param mantissa the mantissa
     * @param scale decimal places, 0 to 255
     * @return a decimal value
     * @throws IllegalArgumentException when the scale is out of range
     */
    static Decimal decimal(long mantissa, int scale) {
        return new Decimal(mantissa, scale);
    }

    /**
     * Makes a {@code bytes} value from a copy of the array.
     *
     * @param b the bytes (copied)
     * @return a bytes value
     */
    static Bytes bytes(byte[] b) {
        return new Bytes(b.clone());
    }

    /**
     * Makes a {@code str} value from a Java string, encoded as UTF-8.
     *
     * @param s the string
     * @return a str value
     */
    static Str str(String s) {
        return new Str(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Makes a {@code func} value that refers to a function of the program.
     *
     * @param id a function id
     * @return a func value
     */
    static Func func(int id) {
        return new Func(id);
    }

    /** The unit value. */
    final class Unit implements Value {
        private Unit() {}

        @Override
        public ValueType type() {
            return ValueType.UNIT;
        }

        @Override
        public String toString() {
            return "unit";
        }
    }

    /**
     * A boolean.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements Value {
        static final Bool TRUE = new Bool(true);
        static final Bool FALSE = new Bool(false);

        @Override
        public ValueType type() {
            return ValueType.BOOL;
        }

        /** @return the value literal: {@code bool:true} or {@code bool:false} */
        @Override
        public String toString() {
            return ValueLiteral.format(this);
        }
    }

    /**
     * A signed 64-bit integer.
     *
     * @param value the integer
     */
    record I64(long value) implements Value {
        @Override
        public ValueType type() {
            return ValueType.I64;
        }

        /** @return the value literal, for example {@code i64:5} */
        @Override
        public String toString() {
            return ValueLiteral.format(this);
        }
    }

    /**
     * An unsigned 64-bit integer.
     *
     * @param value its two's-complement bits
     */
    record U64(long value) implements Value {
        @Override
        public ValueType type() {
            return ValueType.U64;
        }

        /** @return the value literal, for example {@code u64:5} */
        @Override
        public String toString() {
            return ValueLiteral.format(this);
        }
    }

    /**
     * An f64. Equality compares bits.
     *
     * @param bits the IEEE-754 bits
     */
    record F64(long bits) implements Value {
        /**
         * The value as a Java double, bit for bit.
         *
         * @return the number
         */
        public double value() {
            return Double.longBitsToDouble(bits);
        }

        @Override
        public ValueType type() {
            return ValueType.F64;
        }

        /** @return the value literal: the f64's bits, exact for every NaN payload */
        @Override
        public String toString() {
            return ValueLiteral.format(this);
        }
    }

    /**
     * A decimal: {@code mantissa * 10^-scale}.
     *
     * @param mantissa the mantissa
     * @param scale decimal places, 0 to 255
     */
    record Decimal(long mantissa, int scale) implements Value {
        /**
         * Checks the scale.
         *
         * @param mantissa the mantissa
         * @param scale decimal places, 0 to 255
         * @throws IllegalArgumentException when the scale is not 0 to 255
         */
        public Decimal {
            if (scale < 0 || scale > 255) {
                throw new IllegalArgumentException("decimal scale must be 0 to 255, got " + scale);
            }
        }

        @Override
        public ValueType type() {
            return ValueType.DECIMAL;
        }

        /** @return the value literal */
        @Override
        public String toString() {
            return ValueLiteral.format(this);
        }
    }

    /**
     * A byte string. Made by {@link Value#bytes(byte[])}, which copies; {@link #toByteArray()} and
     * {@link Value#asBytes()} copy out, so the bytes never change after construction.
     */
    final class Bytes implements Value {
        final byte[] data;

        /** Wraps an array the caller will not mutate (package-level trust; use {@link Value#bytes}). */
        Bytes(byte[] data) {
            this.data = data;
        }

        /** Wraps an array without copying; the caller never changes it afterwards. */
        static Bytes wrap(byte[] data) {
            return new Bytes(Objects.requireNonNull(data));
        }

        /**
         * Copies out the bytes.
         *
         * @return a copy of the bytes
         */
        public byte[] toByteArray() {
            return data.clone();
        }

        /**
         * The number of bytes.
         *
         * @return the length in bytes
         */
        public int length() {
            return data.length;
        }

        /**
         * Reads one byte, unsigned.
         *
         * @param i an index, 0 to length - 1
         * @return the byte, 0 to 255
         */
        public int get(int i) {
            return data[i] & 0xFF;
        }

        @Override
        public ValueType type() {
            return ValueType.BYTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(data, b.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        /** @return the value literal, cut after 4,096 chars */
        @Override
        public String toString() {
            return ValueLiteral.format(this, 4096);
        }
    }

    /**
     * A UTF-8 string, held as its UTF-8 bytes (lengths and slices count bytes).
     *
     * <p>Internally a string is the first {@code len} bytes of a buffer that may be longer: a
     * string made by appending to a string that was itself made by {@code str.concat} gets spare
     * room, and appending to the longest string of a buffer (the one whose length equals the
     * buffer's shared {@code used} mark) copies only the appended bytes into that room, claiming it
     * with a compare-and-set, so that building a string by repeated appends costs amortised O(1)
     * per appended byte (see {@link #append}). The bytes {@code [0, len)} of a buffer never change
     * once a string covers them, so strings stay immutable values, safe to share across threads
     * and runs.
     */
    final class Str implements Value {
        /**
         * The mark of a string made by {@code str.concat} into an exact-length buffer: never
         * changed, and never equal to a length, so no append claims room through it; appending to
         * such a string gives the result room.
         */
        private static final AtomicInteger APPENDED = new AtomicInteger(-1);

        final byte[] utf8;
        final int len;
        /**
         * The buffer's used mark, shared by all strings over it; {@link #APPENDED} or null (not made
         * by {@code str.concat}) when the buffer has no spare room.
         */
        final AtomicInteger used;

        Str(byte[] utf8) {
            this(utf8, utf8.length, null);
        }

        private Str(byte[] utf8, int len, AtomicInteger used) {
            this.utf8 = utf8;
            this.len = len;
            this.used = used;
        }

        /** Wraps UTF-8 bytes without copying or validating; the caller never changes them afterwards. */
        static Str wrapUtf8(byte[] utf8) {
            return new Str(Objects.requireNonNull(utf8));
        }

        /**
         * The string {@code s} followed by {@code t}. When {@code s} is the longest string over a
         * buffer with room for {@code t}, and {@code t} is not empty, copies only t's bytes into the room and claims it with a
         * compare-and-set (a concurrent append that loses the race copies instead); otherwise
         * copies both into a new buffer: of exactly n bytes (n the result's length) when s was
         * not made by an append (a one-off concatenation gets no room), else of at most
         * {@code 2 * n} and at most {@code n + spare} bytes, so a buffer never holds more than
         * twice the bytes its shortest string was charged for. (The room is the length, with no
         * fixed slack: a short string with room then costs the JVM at most about 4 times its
         * charge of 16 + n bytes, object headers included, where a slack of 32 bytes made it 6.)
         *
         * @param s the left string
         * @param t the right string
         * @param spare the most bytes of spare room a new buffer may get (0 or more)
         * @return the concatenation
         * @throws IllegalArgumentException when the result would be longer than
         *     {@code Integer.MAX_VALUE - 16} bytes (callers check first)
         */
        static Str append(Str s, Str t, long spare) {
            int xl = s.len;
            int yl = t.len;
            long total = (long) xl + yl;
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a string of " + total + " bytes is too large");
            }
            int n = (int) total;
            byte[] x = s.utf8;
            AtomicInteger mark = s.used;
            // not for an empty t: no two strings over one buffer have the same length (an empty
            // append copies, as it did before strings appended in place)
            if (yl > 0 && mark != null && n <= x.length && mark.get() == xl && mark.compareAndSet(xl, n)) {
                // the room [xl, n) is ours alone; no string covers it yet
                System.arraycopy(t.utf8, 0, x, xl, yl);
                return new Str(x, n, mark);
            }
            long room = mark == null ? 0 : n;
            room = Math.max(0, Math.min(Math.min(room, spare), Integer.MAX_VALUE - 16L - n));
            byte[] out = Arrays.copyOf(x, n + (int) room);
            System.arraycopy(t.utf8, 0, out, xl, yl);
            return new Str(out, n, room > 0 ? new AtomicInteger(n) : APPENDED);
        }

        /**
         * Makes a {@code str} value from UTF-8 bytes, after checking them.
         *
         * @param utf8 bytes that must be valid UTF-8 (copied)
         * @return the string value
         * @throws IllegalArgumentException when the bytes are not valid UTF-8
         */
        public static Str fromUtf8(byte[] utf8) {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("not valid UTF-8");
            }
            return new Str(utf8.clone());
        }

        /**
         * The value as a Java string.
         *
         * @return the string
         */
        public String value() {
            return new String(utf8, 0, len, StandardCharsets.UTF_8);
        }

        /**
         * Copies out the string's UTF-8 bytes.
         *
         * @return a copy of the UTF-8 bytes
         */
        public byte[] toUtf8() {
            return Arrays.copyOf(utf8, len);
        }

        /**
         * The length of the string in UTF-8 bytes (not in chars).
         *
         * @return the length in UTF-8 bytes
         */
        public int length() {
            return len;
        }

        @Override
        public ValueType type() {
            return ValueType.STR;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Str s && Arrays.equals(utf8, 0, len, s.utf8, 0, s.len);
        }

        /** @return the hash of the bytes, the same as {@code Arrays.hashCode(toUtf8())} */
        @Override
        public int hashCode() {
            int h = 1;
            for (int i = 0; i < len; i++) {
                h = 31 * h + utf8[i];
            }
            return h;
        }

        /** @return the value literal (quoted and escaped), cut after 4,096 chars */
        @Override
        public String toString() {
            return ValueLiteral.format(this, 4096);
        }
    }

    /**
     * An opaque host object (spec section "Host objects (Obj)").
     *
     * @param hostType the host type id (unsigned 64-bit)
     * @param handle the embedder's handle (unsigned 64-bit)
     */
    record Obj(long hostType, long handle) implements Value {
        @Override
        public ValueType type() {
            return ValueType.obj(hostType);
        }

        /** @return the value literal */
        @Override
        public String toString() {
            return ValueLiteral.format(this, 4096);
        }
    }

    /**
     * A first-class function reference.
     *
     * @param id the function id
     */
    record Func(int id) implements Value {
        @Override
        public ValueType type() {
            return ValueType.FUNC;
        }

        /** @return the value literal */
        @Override
        public String toString() {
            return ValueLiteral.format(this, 4096);
        }
    }

    /**
     * A function paired with a captured environment aggregate (spec section "Functions and
     * closures"); {@code call.indirect} passes {@code env} as the callee's first argument.
     *
     * @param func the function id
     * @param env the environment aggregate
     */
    record Closure(int func, Aggregate env) implements Value {
        /**
         * Checks the environment.
         *
         * @param func the function id
         * @param env the environment aggregate
         * @throws IllegalArgumentException when env is null
         */
        public Closure {
            if (env == null) {
                throw new IllegalArgumentException("closure environment is null");
            }
        }

        @Override
        public ValueType type() {
            return ValueType.CLOSURE;
        }

        /** @return the value literal */
        @Override
        public String toString() {
            return ValueLiteral.format(this, 4096);
        }
    }

    /**
     * Makes a tuple of the values of a list (the list is copied).
     *
     * @param values values
     * @return a tuple of them
     */
    static Aggregate tuple(List<Value> values) {
        return Aggregate.of(Aggregate.Kind.TUPLE, 0, values);
    }
}
