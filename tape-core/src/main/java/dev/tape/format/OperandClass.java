package dev.tape.format;

/**
 * The register class a register operand must have, as listed (field {@code "class"}) in
 * {@code spec/opcodes.json}. The verifier gives every register of a function one fixed class
 * (its value type's kind; every host object type is one class), and every instruction, reachable
 * or not, must fit the classes of its registers, else it is refused with
 * {@code UnstableRegTypeAt} (spec section "Verification (normative)", type discipline; the
 * reference applies the check when it lowers a function to its execution form).
 *
 * <p>The first twelve constants name one class each, in the order of the value kinds' tags; the
 * others describe operands whose class depends on something else.
 */
public enum OperandClass {
    /** The unit class (also every register that reachable code never writes). */
    UNIT,
    /** Booleans. */
    BOOL,
    /** Signed 64-bit integers. */
    I64,
    /** Unsigned 64-bit integers. */
    U64,
    /** 64-bit floats. */
    F64,
    /** Decimals. */
    DEC,
    /** Byte strings. */
    BYTES,
    /** UTF-8 strings. */
    STR,
    /** Host objects, whatever their host type. */
    OBJ,
    /** Aggregates (tuples, structs, arrays). */
    AGG,
    /** Function references. */
    FUNC,
    /** Closures. */
    CLOSURE,
    /** Any class: the operand is not checked ({@code call} arguments, projection results). */
    ANY,
    /** All operands of the instruction marked {@code SAME} have one class, whichever it is. */
    SAME,
    /** {@link #FUNC} or {@link #CLOSURE}: the callee of {@code call.indirect}. */
    CALLEE,
    /** The class of the constant-pool entry the instruction names ({@code const.pool}). */
    CONST,
    /** Not a register operand. */
    NONE;

    /**
     * Tells whether this constant stands for exactly one operand class rather than a group of them.
     *
     * @return whether this names one class (the first twelve constants)
     */
    public boolean isFixed() {
        return ordinal() <= CLOSURE.ordinal();
    }
}
