package dev.tape.program;

/**
 * A value type as the container encodes it: a kind, and for {@link ValueKind#OBJ} the host type
 * id (spec section "ValueType encoding (v1)").
 *
 * @param kind the value kind
 * @param hostType the host type id (an unsigned 64-bit number) for {@code OBJ}; 0 otherwise
 */
public record ValueType(ValueKind kind, long hostType) {
    /** The unit type. */
    public static final ValueType UNIT = new ValueType(ValueKind.UNIT, 0);
    /** The bool type. */
    public static final ValueType BOOL = new ValueType(ValueKind.BOOL, 0);
    /** The i64 type. */
    public static final ValueType I64 = new ValueType(ValueKind.I64, 0);
    /** The u64 type. */
    public static final ValueType U64 = new ValueType(ValueKind.U64, 0);
    /** The f64 type. */
    public static final ValueType F64 = new ValueType(ValueKind.F64, 0);
    /** The decimal type. */
    public static final ValueType DECIMAL = new ValueType(ValueKind.DECIMAL, 0);
    /** The bytes type. */
    public static final ValueType BYTES = new ValueType(ValueKind.BYTES, 0);
    /** The str type. */
    public static final ValueType STR = new ValueType(ValueKind.STR, 0);
    /** The aggregate type. */
    public static final ValueType AGG = new ValueType(ValueKind.AGG, 0);
    /** The function reference type. */
    public static final ValueType FUNC = new ValueType(ValueKind.FUNC, 0);
    /** The closure type. */
    public static final ValueType CLOSURE = new ValueType(ValueKind.CLOSURE, 0);

    /**
     * Checks the kind and the host type.
     *
     * @param kind the value kind
     * @param hostType the host type id (an unsigned 64-bit number) for {@code OBJ}; 0 otherwise
     * @throws IllegalArgumentException when {@code kind} is null, or a non-OBJ type has a host type
     */
    public ValueType {
        if (kind == null) {
            throw new IllegalArgumentException("kind is null");
        }
        if (kind != ValueKind.OBJ && hostType != 0) {
            throw new IllegalArgumentException("only obj types have a host type id");
        }
    }

    /**
     * The type of a kind that needs no host type; every call for a kind gives an equal type.
     *
     * @param kind a kind other than {@code OBJ}
     * @return the type of that kind
     * @throws IllegalArgumentException for {@code OBJ}, which needs a host type: use {@link #obj(long)}
     */
    public static ValueType of(ValueKind kind) {
        return switch (kind) {
            case UNIT -> UNIT;
            case BOOL -> BOOL;
            case I64 -> I64;
            case U64 -> U64;
            case F64 -> F64;
            case DECIMAL -> DECIMAL;
            case BYTES -> BYTES;
            case STR -> STR;
            case AGG -> AGG;
            case FUNC -> FUNC;
            case CLOSURE -> CLOSURE;
            case OBJ -> throw new IllegalArgumentException("obj needs a host type id");
        };
    }

    /**
     * The {@code obj} type of one host type.
     *
     * @param hostType the host type id, an unsigned 64-bit number
     * @return the {@code obj} type of that host type
     */
    public static ValueType obj(long hostType) {
        return new ValueType(ValueKind.OBJ, hostType);
    }

    /**
     * Written out rather than left to the record's generated method: that one is bootstrapped by
     * {@code invokedynamic} on its first call, which in a cold {@code tape run} spins some thirty
     * method-handle classes (docs/PERFORMANCE-LOG.md, "Cold start, third round").
     *
     * @param other any object, or null
     * @return whether {@code other} is a {@code ValueType} of the same kind and host type id
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ValueType t && t.kind == kind && t.hostType == hostType;
    }

    /**
     * {@code 31 * kind.ordinal() + Long.hashCode(hostType)}: the record's formula with the kind's
     * ordinal in place of the enum constant's identity hash, so that a type hashes the same in every
     * JVM (the decoder's signature cache, which shares equal signatures, then shares the same ones
     * in every run: a program's retained heap does not depend on identity hashes); written out for
     * the reason given at {@link #equals(Object)}.
     *
     * @return a hash code consistent with {@link #equals(Object)}, the same in every JVM
     */
    @Override
    public int hashCode() {
        return 31 * kind.ordinal() + Long.hashCode(hostType);
    }

    /** @return {@code i64}, {@code obj<7>} and so on, as the assembler writes types */
    @Override
    public String toString() {
        return kind == ValueKind.OBJ ? "obj<" + Long.toUnsignedString(hostType) + ">" : kind.keyword();
    }
}
