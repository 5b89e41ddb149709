package dev.tape.format;

/**
 * One operand in an opcode's schema, as listed in {@code spec/opcodes.json}.
 *
 * @param name the operand's name, for example {@code "dst"} or {@code "args"}
 * @param kind what the operand means
 * @param encoding how it is laid out in bytecode
 * @param access whether a register operand is read or written ({@link Access#NONE} otherwise)
 * @param regClass the class a register operand's registers must have ({@link OperandClass#NONE}
 *     for other operands)
 */
public record Operand(String name, OperandKind kind, OperandEncoding encoding, Access access,
                      OperandClass regClass) {}
