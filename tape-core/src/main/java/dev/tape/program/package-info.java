/**
 * The container model of a program, before verification (spec section "Container format
 * (sections)"): {@link dev.tape.program.Program} and its tables (symbols, constants, types,
 * functions, host and call signatures, argument shapes, names),
 * {@link dev.tape.program.ProgramDecoder} to read one from bytes (throwing
 * {@link dev.tape.format.DecodeException}), {@link dev.tape.program.ProgramEncoder} to write it back
 * exactly as the reference encoder does, {@link dev.tape.program.ProgramBuilder} to make one by
 * hand, and the type system's {@link dev.tape.program.ValueType} and
 * {@link dev.tape.program.ValueKind}.
 *
 * <p>In the pipeline ({@code vm -> verify -> program -> format}) this package imports only
 * {@code dev.tape.format}. Nothing here is checked beyond what decoding checks: a program must go
 * through {@link dev.tape.verify.Verifier} before it runs.
 */
package dev.tape.program;
