package dev.tape.vm;

/**
 * Why a run trapped. Names follow the conformance manifest's trap kinds
 * ({@code conformance/README.md}); the last three are this implementation's additions.
 */
public enum TrapKind {
    /** The fuel budget ran out before an instruction. */
    FUEL_EXCEEDED("fuel_exceeded"),
    /** A call would exceed the maximum call depth. */
    CALL_DEPTH_EXCEEDED("call_depth_exceeded"),
    /** A host call would exceed the maximum number of host calls. */
    HOST_CALL_LIMIT_EXCEEDED("host_call_limit_exceeded"),
    /** A value had the wrong type at run time (call.indirect callee, host result, run argument). */
    TYPE_MISMATCH("type_mismatch"),
    /** An aggregate was of the wrong kind or an index was out of range. */
    AGG_ERROR("agg_error"),
    /** A call.indirect callee, or a run, had the wrong number of arguments or results. */
    ARITY_MISMATCH("arity_mismatch"),
    /** A host function failed, threw, or is not provided by the host. */
    HOST_CALL_FAILED("host_call_failed"),
    /** A host function returned another number of results than declared. */
    HOST_RETURN_ARITY_MISMATCH("host_return_arity_mismatch"),
    /** An integer conversion overflowed (u64/i64 casts, f64 to integer out of range). */
    INT_CAST_OVERFLOW("int_cast_overflow"),
    /** Decimal scales differ, or a scale-0 decimal was required. */
    DECIMAL_SCALE_MISMATCH("decimal_scale_mismatch"),
    /** A decimal operation overflowed. */
    DECIMAL_OVERFLOW("decimal_overflow"),
    /** Integer division or remainder by zero. */
    DIV_BY_ZERO("div_by_zero"),
    /** {@code i64::MIN / -1} or {@code i64::MIN % -1}. */
    INT_DIV_OVERFLOW("int_div_overflow"),
    /** f64 to integer conversion of NaN or an infinity. */
    FLOAT_TO_INT_INVALID("float_to_int_invalid"),
    /** A bytes or string index or range was out of bounds. */
    INDEX_OUT_OF_BOUNDS("index_out_of_bounds"),
    /** A string slice would split a UTF-8 character. */
    STR_NOT_CHAR_BOUNDARY("str_not_char_boundary"),
    /** Bytes were not valid UTF-8. */
    INVALID_UTF8("invalid_utf8"),
    /** The {@code trap} instruction ran; see {@link Trap#code()}. */
    TRAP_CODE("trap_code"),
    /** The run's memory (heap bytes or registers) exceeded its limit. */
    HEAP_LIMIT_EXCEEDED("heap_limit_exceeded"),
    /**
     * The entry function id does not exist, or a function whose bytecode is empty (0 bytes, which
     * the verifier accepts as the reference does) was run: as the entry or through a call, at pc 0
     * of that function.
     */
    INVALID_ENTRY("invalid_entry"),
    /** A fault inside the VM or a trace sink; reported instead of letting a Java exception escape. */
    INTERNAL_ERROR("internal_error");

    private final String label;

    TrapKind(String label) {
        this.label = label;
    }

    /**
     * The kind's name as the conformance manifest writes it.
     *
     * @return the manifest's name, for example {@code "div_by_zero"}
     */
    public String label() {
        return label;
    }
}
