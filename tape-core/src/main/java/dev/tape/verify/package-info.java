/**
 * The verifier (spec section "Verification (normative)"): {@link dev.tape.verify.Verifier} checks a
 * decoded {@link dev.tape.program.Program} (structure, control flow, register classes and types,
 * within a bounded analysis budget) and lowers every function once into the execution form that
 * both tiers run, giving a {@link dev.tape.verify.VerifiedProgram}: immutable, thread-safe, and the
 * only thing a VM runs. A refused program is a {@link dev.tape.verify.VerifyException} with the
 * reference's error name, function, pc and reason.
 *
 * <p>The execution form itself (lowered functions, the code image, lowered opcodes) lives in
 * {@code dev.tape.verify.internal}, which the module exports to the compiled tier alone: it is no
 * part of the API, and its layout may change in any release. What tools need of it (instruction and
 * register counts, register types, spans) {@link dev.tape.verify.VerifiedProgram} answers publicly.
 *
 * <p>In the pipeline ({@code vm -> verify -> program -> format}) this package imports
 * {@code dev.tape.program}, {@code dev.tape.format} and {@code dev.tape.value} (for constant
 * values), and its own {@code dev.tape.verify.internal}, never {@code dev.tape.vm}.
 */
package dev.tape.verify;
