/**
 * The compiled tier ({@code tape-jit}): {@link dev.tape.vm.Jit#compile} makes a
 * {@link dev.tape.vm.Vm} whose runs execute JVM bytecode, generated with ASM from the program's
 * verified functions (one hidden class per VM), instead of interpreting them, with the same
 * results, traps (function, pc, span) and fuel as the interpreter; a compiled run hands over to the
 * interpreter where compiled code stops. {@link dev.tape.vm.Jit#compiledFunctions} tells how many
 * functions were compiled.
 *
 * <p>The classes here share the package {@code dev.tape.vm} with {@code tape-core} to reach the
 * interpreter's run state; like the interpreter, they may import {@code dev.tape.verify},
 * {@code dev.tape.program}, {@code dev.tape.format}, {@code dev.tape.value},
 * {@code dev.tape.host} and {@code dev.tape.trace} (the pipeline order is
 * {@code vm -> verify -> program -> format}), and ASM.
 */
package dev.tape.vm;
