package dev.tape.format;

/**
 * What an instruction operand means, independent of how it is encoded (spec section "Opcode set
 * (v1)"). The kinds are named in {@code spec/opcodes.json}.
 */
public enum OperandKind {
    /** A register index, read or written. */
    REG,
    /** A count followed by that many register indices. */
    REG_LIST,
    /** An immediate boolean. */
    IMM_BOOL,
    /** An immediate signed 64-bit integer. */
    IMM_I64,
    /** An immediate unsigned 64-bit integer. */
    IMM_U64,
    /** The raw IEEE-754 bits of an immediate f64. */
    IMM_F64,
    /** An immediate unsigned byte (a decimal scale). */
    IMM_U8,
    /** An immediate unsigned 32-bit integer (an aggregate index). */
    IMM_U32,
    /** An index into the constant pool. */
    CONST_ID,
    /** An index into the function table. */
    FUNC_ID,
    /** An index into the host signature table. */
    HOST_SIG_ID,
    /** An index into the call signature table. */
    CALL_SIG_ID,
    /** An index into the struct types of the type table. */
    TYPE_ID,
    /** An index into the array element types of the type table. */
    ELEM_TYPE_ID,
    /** A byte offset into the function's bytecode (a branch target). */
    PC,
    /** The code of a {@code trap} instruction. */
    TRAP_CODE;

    /**
     * Tells whether an operand of this kind holds register indices.
     *
     * @return whether this operand names registers (a single register or a list)
     */
    public boolean isRegister() {
        return this == REG || this == REG_LIST;
    }
}
