package dev.tape.format;

/** Whether an instruction reads or writes a register operand; {@link #NONE} for the rest. */
public enum Access {
    /** The instruction reads the register. */
    READ,
    /** The instruction writes the register. */
    WRITE,
    /** The operand is not a register. */
    NONE
}
