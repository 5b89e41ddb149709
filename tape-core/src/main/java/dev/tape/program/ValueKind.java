package dev.tape.program;

/**
 * The closed set of value kinds of the v1 value model, with their {@code ValueType} tags (spec
 * section "ValueType encoding (v1)").
 */
public enum ValueKind {
    /** The unit value (also the run-time form of the effect token). Tag 0. */
    UNIT(0, "unit"),
    /** A boolean. Tag 1. */
    BOOL(1, "bool"),
    /** A signed 64-bit integer. Tag 2. */
    I64(2, "i64"),
    /** An unsigned 64-bit integer. Tag 3. */
    U64(3, "u64"),
    /** An IEEE-754 binary64 number. Tag 4. */
    F64(4, "f64"),
    /** A decimal: i64 mantissa and u8 scale. Tag 5. */
    DECIMAL(5, "dec"),
    /** A byte string. Tag 6. */
    BYTES(6, "bytes"),
    /** A UTF-8 string. Tag 7. */
    STR(7, "str"),
    /** An opaque host object with a host type id. Tag 8. */
    OBJ(8, "obj"),
    /** An aggregate: tuple, struct or array. Tag 9. */
    AGG(9, "agg"),
    /** A first-class function reference. Tag 10. */
    FUNC(10, "func"),
    /** A function reference paired with a captured environment aggregate. Tag 11. */
    CLOSURE(11, "closure");

    private static final ValueKind[] BY_TAG = values();

    private final int tag;
    private final String keyword;

    ValueKind(int tag, String keyword) {
        this.tag = tag;
        this.keyword = keyword;
    }

    /**
     * The kind's tag in the encoding of value types.
     *
     * @return the encoding tag, 0 to 11
     */
    public int tag() {
        return tag;
    }

    /**
     * The kind's name in value literals and assembly text.
     *
     * @return the lower-case name used in literals and assembly, for example {@code "i64"}
     */
    public String keyword() {
        return keyword;
    }

    /**
     * Looks a kind up by its encoding tag.
     *
     * @param tag a {@code ValueType} tag
     * @return the kind, or {@code null} when the tag is not 0 to 11
     */
    public static ValueKind fromTag(int tag) {
        return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
    }

    /**
     * Looks a kind up by its name in value literals and assembly text.
     *
     * @param keyword a keyword such as {@code "i64"}
     * @return the kind, or {@code null} when none has that keyword
     */
    public static ValueKind fromKeyword(String keyword) {
        for (ValueKind k : BY_TAG) {
            if (k.keyword.equals(keyword)) {
                return k;
            }
        }
        return null;
    }
}
