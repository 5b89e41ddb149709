/**
 * The verifier (spec section "Verification (normative)"): {@link dev.tape.verify.Verifier} checks a
 * decoded {@link dev.tape.program.Program} (structure, control flow, register classes and types,
 * within a bounded analysis budget) and lowers every function once into the execution form that
 * both tiers run, giving a {@link dev.tape.verify.VerifiedProgram}: immutable, thread-safe, and the
 * only thing a VM runs. A refused program is a {@link dev.tape.verify.VerifyException} with the
 * reference's error name, function, pc and reason.
 *
 * <p>The execution form itself ({@link dev.tape.verify.LoweredFunction},
 * {@link dev.tape.verify.CodeImage}, {@link dev.tape.verify.LOp}) is public for the VM and the
 * compiled tier, not for embedders: its layout may change in any release.
 *
 * <p>In the pipeline ({@code vm -> verify -> program -> format}) this package imports
 * {@code dev.tape.program}, {@code dev.tape.format} and {@code dev.tape.value} (for constant
 * values), never {@code dev.tape.vm}.
 */
package dev.tape.verify;
