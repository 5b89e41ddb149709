/**
 * <strong>Not API.</strong> {@link dev.tape.classinit.ClassInit}: tape's classes that have static
 * initialisers, initialised up front on a thread of their own with a full stack, before an
 * embedder's first call reaches them. A package of its own so that the packages whose entries call
 * it ({@code program}, {@code asm}, {@code jfr}, {@code vm}, and tape-jit) import one way: it names
 * no class of tape's (its lists are binary names in strings, loaded by {@code Class.forName}), and
 * {@code AttackPackageImportsTest} keeps it so.
 *
 * <p>The module {@code dev.tape.core} exports this package to {@code dev.tape.jit} alone (a JPMS
 * qualified export: tape-jit initialises its own classes through it, {@code ClassInitList}); on the
 * class path it is visible but unsupported: it changes without notice between any two versions.
 */
package dev.tape.classinit;
