/**
 * The debugger of {@code tape debug} and {@code tape dap}: a {@link dev.tape.debug.Session} holds a
 * program ({@link dev.tape.debug.Target}), its breakpoints and watchpoints and the run being
 * debugged, and moves the run forward (by instructions, over calls, out of frames, to breakpoints)
 * and backward (by going on from the nearest of its periodic in-memory copies of the run, or the
 * program's start, replaying the host's recorded answers, so the earlier state is reached exactly). {@link dev.tape.debug.Shell} is its
 * line-oriented front end; {@link dev.tape.debug.dap} serves it over the Debug Adapter Protocol.
 *
 * <p>A run pauses through the VM's run API ({@code dev.tape.vm.Run}); the debugger reaches it only
 * through the {@link dev.tape.debug.Debuggee} interface.
 */
package dev.tape.debug;
