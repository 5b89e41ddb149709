/**
 * Running verified programs, the top of the pipeline ({@code vm -> verify -> program -> format})
 * (spec section "Execution model (v1)"): a {@link dev.tape.vm.Vm} binds a
 * {@link dev.tape.verify.VerifiedProgram} to a {@link dev.tape.host.Host} and runs entry functions
 * within {@link dev.tape.vm.Limits}, by id or through a {@link dev.tape.vm.FunctionHandle} found by
 * name. Making a VM links the program's host imports ({@link dev.tape.vm.LinkException},
 * {@link dev.tape.vm.VmOptions}). A run either returns its values or ends with a
 * {@link dev.tape.vm.Trap} (why: {@link dev.tape.vm.TrapKind}; where: function, pc, span and call
 * stack). A run's mutable state lives in an {@link dev.tape.vm.ExecutionContext}, reusable by later
 * runs on one thread; a {@code Vm} holds none and may be shared between threads.
 *
 * <p>The interpreter lives here. The compiled tier, {@code tape-jit}, adds its classes to this
 * package (its entry is {@code Jit.compile(VerifiedProgram, Host)}, which makes a {@code Vm} that
 * runs JVM bytecode generated with ASM) and plugs in through the package-private
 * {@code CompiledTier}, with the same results, traps and fuel as the interpreter. This comment is
 * the package's description for both modules: a second {@code package-info} in {@code tape-jit}
 * would be the same class twice in the shaded command-line jar.
 *
 * <p>This package may import every package below it: {@code dev.tape.verify},
 * {@code dev.tape.program}, {@code dev.tape.format}, {@code dev.tape.value},
 * {@code dev.tape.host} and {@code dev.tape.trace}; none of them imports it.
 */
package dev.tape.vm;
