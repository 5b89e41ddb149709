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
 * <p>The interpreter lives here, and so does the compiled tier's runtime ({@code JitTier}: its
 * budgets, call sites and the hand-over to the interpreter), package-private, plugged in through
 * {@code CompiledTier}. The code generator is in {@code tape-jit} (package {@code dev.tape.jit}, entry
 * {@code Jit.compile(VerifiedProgram, Host)}), which reaches this package only through the internal
 * interface {@code dev.tape.vm.internal} that the module exports to it alone; this package defines
 * the classes it generates, so compiled code has the same results, traps and fuel as the
 * interpreter without any of its state being public.
 *
 * <p>This package may import every package below it: {@code dev.tape.verify},
 * {@code dev.tape.program}, {@code dev.tape.format}, {@code dev.tape.value},
 * {@code dev.tape.host}, {@code dev.tape.trace} and {@code dev.tape.jfr}; none of them imports it. It
 * and {@code dev.tape.vm.internal} refer to each other by design: that package declares the
 * interfaces, this one implements them in package-private classes and registers them.
 */
package dev.tape.vm;
