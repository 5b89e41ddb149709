/**
 * <strong>Not API.</strong> The lowered execution form that the verifier makes and both tiers run:
 * {@link dev.tape.verify.internal.LoweredFunction} (one function's pre-decoded code),
 * {@link dev.tape.verify.internal.CodeImage} (all functions laid end to end),
 * {@link dev.tape.verify.internal.LOp} (the lowered opcodes),
 * {@link dev.tape.verify.internal.SpanIndex} (span lookup by pc), and
 * {@link dev.tape.verify.internal.Lowered}, through which the interpreter and the compiled tier get
 * a {@link dev.tape.verify.VerifiedProgram}'s lowered form (the program does not expose it).
 *
 * <p>The module {@code dev.tape.core} exports this package to {@code dev.tape.jit} alone (a JPMS
 * qualified export), so on the module path no other code can reach it; on the class path it is
 * visible but unsupported: its layout changes without notice between any two versions. Embedders
 * and tools read what they need through {@code VerifiedProgram}'s public methods (instruction and
 * register counts, register types, spans).
 */
package dev.tape.verify.internal;
