/**
 * Java Flight Recorder events of the VM ({@code docs/DEBUGGING.md}, "JFR events"): a run
 * ({@link dev.tape.jfr.RunEvent}), a trap ({@link dev.tape.jfr.TrapEvent}), a host call
 * ({@link dev.tape.jfr.HostCallEvent}), a compilation by the compiled tier
 * ({@link dev.tape.jfr.CompileEvent}), and a pause and a resume of a {@code dev.tape.vm.Run}
 * ({@link dev.tape.jfr.PauseEvent}, {@link dev.tape.jfr.ResumeEvent}), all in the category {@code Tape}, named {@code dev.tape.*},
 * visible with {@code jfr print --events dev.tape.Run rec.jfr} and in JDK Mission Control.
 *
 * <p>{@code dev.tape.HostCall}, one event per host call, is off by default
 * ({@code @Enabled(false)}): a recording gets it only when its settings turn it on (for example
 * {@code -XX:StartFlightRecording:+dev.tape.HostCall#enabled=true}); the other events, one per run,
 * trap, compilation, pause or resume, are on in any recording that does not turn them off.
 *
 * <p>They cost nothing measurable when no recording is on: each hook makes an event object and asks
 * {@code isEnabled()}, which is {@code false} when no recording asks for the event, and then
 * does nothing more (the object does not escape); none is on the per-instruction path. {@code jdk.jfr} is a module of the JDK,
 * not a library, so tape-core still has no runtime dependency (a module descriptor for tape-core
 * would say {@code requires jdk.jfr}).
 *
 * <p>This package imports only {@code dev.tape.host} (to time host calls) and the JDK; the VM
 * ({@code dev.tape.vm}) and the compiled tier call it.
 */
package dev.tape.jfr;
