/**
 * The embedder's side of the host-call ABI (spec section "Host ABI"): a
 * {@link dev.tape.host.Host} resolves each {@code (symbol, signature hash)} a program imports to a
 * {@link dev.tape.host.HostFunction} once, when a VM is made; {@link dev.tape.host.HostRegistry}
 * is the ready-made host that binds functions by symbol and {@link dev.tape.host.Signature};
 * {@link dev.tape.host.HostContext} tells a function which call it serves; and
 * {@link dev.tape.host.ConformanceHost} is the host the reference's conformance vectors call.
 * A {@link dev.tape.host.WordFunction} is a host function over {@code long} words (i64, u64, f64,
 * bool), which the VM calls without boxing a value.
 * Whatever a host function throws becomes a {@code host_call_failed} trap, never an exception in
 * the embedder.
 *
 * {@link dev.tape.host.RecordingHost} records what another host answers and
 * {@link dev.tape.host.ReplayHost} answers from a {@link dev.tape.host.HostRecording} without it
 * ({@code docs/RECORDING.md}).
 *
 * <p>This package imports only {@code dev.tape.program}, {@code dev.tape.value} and
 * {@code dev.tape.format} (the byte reader and writer of recordings), below the
 * VM in the pipeline ({@code vm -> verify -> program -> format}); {@code dev.tape.vm} calls it.
 */
package dev.tape.host;
