package dev.tape.program;

/**
 * The known section tags of the container (spec section "Section tags (v1)", plus section 11 from
 * {@code reference/README.md}). Decoders skip any other tag.
 */
public enum SectionTag {
    /** 1: the symbol table. */
    SYMBOLS(1, "symbols", true),
    /** 2: the constant pool. */
    CONST_POOL(2, "const_pool", true),
    /** 3: the type table. */
    TYPES(3, "types", true),
    /** 4: the function table. */
    FUNCTION_TABLE(4, "function_table", true),
    /** 5: the bytecode blobs. */
    BYTECODE_BLOBS(5, "bytecode_blobs", true),
    /** 6: the span tables. */
    SPAN_TABLES(6, "span_tables", true),
    /** 7: the function signatures. */
    FUNCTION_SIGS(7, "function_sigs", true),
    /** 8: the host signatures. */
    HOST_SIGS(8, "host_sigs", true),
    /** 9: debug names (optional). */
    NAMES(9, "names", false),
    /** 10: call signatures (optional). */
    CALL_SIGS(10, "call_sigs", false),
    /** 11: aggregate shapes of function arguments (optional). */
    FUNCTION_ARG_AGG_SHAPES(11, "function_arg_agg_shapes", false);

    private final int tag;
    private final String label;
    private final boolean required;

    SectionTag(int tag, String label, boolean required) {
        this.tag = tag;
        this.label = label;
        this.required = required;
    }

    /**
     * The byte that identifies the section in a file.
     *
     * @return the tag byte, 1 to 11
     */
    public int tag() {
        return tag;
    }

    /**
     * The section's name, for error messages.
     *
     * @return the section's name as error messages give it
     */
    public String label() {
        return label;
    }

    /**
     * Tells whether the section is required in every v1 file.
     *
     * @return whether every v1 file must contain the section
     */
    public boolean required() {
        return required;
    }

    /**
     * Looks a section up by its tag byte.
     *
     * @param tag a tag byte
     * @return the section, or {@code null} for an unknown tag
     */
    public static SectionTag fromTag(int tag) {
        for (SectionTag t : values()) {
            if (t.tag == tag) {
                return t;
            }
        }
        return null;
    }
}
