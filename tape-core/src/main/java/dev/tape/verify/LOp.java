package dev.tape.verify;

/**
 * Opcodes of the lowered execution form. Instructions whose semantics do not depend on register
 * classes keep their v1 opcode byte (0x00 to 0xFF, see {@link dev.tape.format.Opcode}); the ones
 * specialised by the class of their registers (64-bit word, reference, or unit) use numbers from
 * 0x100 up. Each instruction is the op followed by its operands in an {@code int[]}; the layouts
 * are documented on {@link LoweredFunction}.
 */
public final class LOp {
    private LOp() {}

    /** {@code mov} between word registers: [op, dst, src]. */
    public static final int MOV_W = 0x100;
    /** {@code mov} between reference registers: [op, dst, src]. */
    public static final int MOV_R = 0x101;
    /** A word constant: [op, dst, index into {@link LoweredFunction#words}]. */
    public static final int CONST_W = 0x102;
    /** A reference constant: [op, dst, index into {@link LoweredFunction#refs}]. */
    public static final int CONST_R = 0x103;
    /** {@code select} of words: [op, dst, cond, a, b]. */
    public static final int SELECT_W = 0x104;
    /** {@code select} of references: [op, dst, cond, a, b]. */
    public static final int SELECT_R = 0x105;
    /** {@code call.indirect} on a Func register: [op, callSig, callee, argc, args..., retc, rets...]. */
    public static final int CALL_INDIRECT_FUNC = 0x106;
    /** {@code call.indirect} on a Closure register: same layout. */
    public static final int CALL_INDIRECT_CLOSURE = 0x107;
    /** Aggregate projection into a word register: [op, dst, agg, index-or-index-reg, expected tag]. */
    public static final int TUPLE_GET_W = 0x108;
    /** Aggregate projection into a reference register: as {@link #TUPLE_GET_W}. */
    public static final int TUPLE_GET_R = 0x109;
    /** As {@link #TUPLE_GET_W}, for structs. */
    public static final int STRUCT_GET_W = 0x10A;
    /** As {@link #TUPLE_GET_R}, for structs. */
    public static final int STRUCT_GET_R = 0x10B;
    /** As {@link #TUPLE_GET_W}, for arrays with an index register. */
    public static final int ARRAY_GET_W = 0x10C;
    /** As {@link #TUPLE_GET_R}, for arrays with an index register. */
    public static final int ARRAY_GET_R = 0x10D;
    /** As {@link #TUPLE_GET_W}, for arrays with an immediate index. */
    public static final int ARRAY_GET_IMM_W = 0x10E;
    /** As {@link #TUPLE_GET_R}, for arrays with an immediate index. */
    public static final int ARRAY_GET_IMM_R = 0x10F;
    /** One past the largest lowered op. */
    public static final int LIMIT = 0x110;
}
