/**
 * The build-time generator of the opcode tables: {@link dev.tape.codegen.OpcodeGenerator} turns
 * {@code spec/opcodes.json} into {@code tape-core}'s {@code dev.tape.format.Opcode} and
 * {@code dev.tape.format.Op}, deterministically, so a test can fail when the checked-in sources are
 * stale. It also copies the word cases of {@code spec/word-cases.txt} into the marked regions of
 * the interpreter's run loops ({@code Interpreter.execute}, {@code WordRun}, {@code FloatRun},
 * {@code TupleRun}, {@code DecimalRun}, {@code HostRun}), one definition for several compile units. It uses the Java standard library
 * only and imports no {@code dev.tape} package, so it also runs straight from its source file.
 */
package dev.tape.codegen;
