package dev.tape.format;

/**
 * How an operand is laid out in the bytecode stream (spec section "Bytecode encoding").
 */
public enum OperandEncoding {
    /** Unsigned LEB128 of at most 32 significant bits. */
    ULEB32,
    /** Unsigned LEB128 of at most 64 significant bits. */
    ULEB64,
    /** Signed LEB128 of at most 64 significant bits. */
    SLEB64,
    /** Eight bytes, little-endian. */
    U64_LE,
    /** One raw byte. */
    U8,
    /** One raw byte: 0 is false, any other value true (the reference accepts any byte; encoders write 0 or 1). */
    U8_BOOL,
    /** A ULEB32 count followed by that many ULEB32 values. */
    ULEB32_COUNT_THEN_ULEB32
}
