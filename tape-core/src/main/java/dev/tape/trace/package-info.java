/**
 * Tracing hooks (spec section "Tracing (hooks)"): a {@link dev.tape.trace.TraceSink} receives run,
 * instruction, call and host-call events from a run, and its {@link dev.tape.trace.TraceSink#mask()}
 * (a union of {@link dev.tape.trace.TraceMask} bits) says which groups the VM produces at all; a
 * run with no sink, or a mask of {@link dev.tape.trace.TraceMask#NONE}, pays nothing for tracing.
 *
 * <p>This package imports only {@code dev.tape.program}, below the VM in the pipeline
 * ({@code vm -> verify -> program -> format}); {@code dev.tape.vm} calls it.
 */
package dev.tape.trace;
