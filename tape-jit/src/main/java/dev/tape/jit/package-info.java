/**
 * The compiled tier: {@link dev.tape.jit.Jit} makes a {@link dev.tape.vm.Vm} whose runs execute JVM
 * bytecode generated (with ASM) from the program's verified functions, with the same results,
 * traps, pcs and fuel as the interpreter. This package owns the code generator only; the tier's
 * runtime lives in tape-core ({@code dev.tape.vm}) and the two meet at tape-core's internal
 * interface {@code dev.tape.vm.internal}, exported to this module alone.
 */
package dev.tape.jit;
