/**
 * The byte level of the {@code execution_tape} v1 format, the bottom of the pipeline
 * ({@code vm -> verify -> program -> format}): the primitive encodings (spec section "Canonical
 * integer encoding") read by {@link dev.tape.format.ByteReader} and written by
 * {@link dev.tape.format.ByteWriter}, the instruction set generated from {@code spec/opcodes.json}
 * ({@link dev.tape.format.Opcode} with its operand schemas, {@link dev.tape.format.Op} as
 * {@code switch} constants), single instructions ({@link dev.tape.format.Instruction},
 * {@link dev.tape.format.InstructionCodec}), and {@link dev.tape.format.DecodeException}, the
 * error every malformed input becomes, with its section and byte offset.
 *
 * <p>This package imports no other {@code dev.tape} package; every other package may use it.
 * {@code Opcode.java} and {@code Op.java} are generated: change {@code spec/opcodes.json} and run
 * the generator in {@code tape-codegen} instead of editing them.
 */
package dev.tape.format;
