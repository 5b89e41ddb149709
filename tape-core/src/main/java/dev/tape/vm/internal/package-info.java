/**
 * <strong>Not API.</strong> The narrow interface between the interpreter ({@code dev.tape.vm}) and
 * the compiled tier ({@code tape-jit}, module {@code dev.tape.jit}): what the code generator reads
 * of a VM ({@link dev.tape.vm.internal.CompileView}), what it hands back
 * ({@link dev.tape.vm.internal.Generated}), the generator itself as tape-core sees it
 * ({@link dev.tape.vm.internal.Codegen}), and the one entry through which {@code tape-jit} makes and
 * inspects compiled-tier VMs ({@link dev.tape.vm.internal.CompilerAccess}).
 *
 * <p>The module {@code dev.tape.core} exports this package to {@code dev.tape.jit} alone (a JPMS
 * qualified export), so on the module path no other code can reach it; on the class path it is
 * visible but unsupported: it changes without notice between any two versions. The implementations
 * of these interfaces live in {@code dev.tape.vm} as package-private classes (the JDK's
 * {@code SharedSecrets} pattern), so none of the interpreter's state becomes public; the two
 * packages refer to each other for that reason alone. The generated classes are defined through a
 * {@code dev.tape.vm} lookup, so the code they contain keeps its access to the interpreter's
 * package-private state while the generator ({@code dev.tape.jit}) has none.
 */
package dev.tape.vm.internal;
