/**
 * Run-time values as an embedder passes them to a run, receives them from a run and sees them in
 * a host call (spec section "Value kinds"): the sealed {@link dev.tape.value.Value} with one record
 * per kind, deep read-only {@link dev.tape.value.Aggregate}s (tuples, structs, arrays), and
 * {@link dev.tape.value.ValueLiteral}, the text form shared by conformance manifests, command-line
 * arguments and printed results. Every value is immutable; deep equality, hashing and literal
 * output work with explicit heap stacks, never by recursion on the Java stack.
 *
 * <p>This package imports only {@code dev.tape.program} (for value kinds and types), below it in
 * the pipeline ({@code vm -> verify -> program -> format}); {@code dev.tape.host},
 * {@code dev.tape.verify} and {@code dev.tape.vm} use it.
 */
package dev.tape.value;
