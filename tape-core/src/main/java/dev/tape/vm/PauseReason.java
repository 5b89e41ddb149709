package dev.tape.vm;

import dev.tape.value.Value;

import java.util.List;

/** Why a {@link Run} paused ({@link Outcome.Paused}). */
public sealed interface PauseReason permits PauseReason.FuelExhausted, PauseReason.Interrupted,
        PauseReason.DeadlineReached, PauseReason.HostSuspended, PauseReason.StepsDone {
    /**
     * The fuel ran out, exactly where a one-shot run given the same total fuel traps
     * {@code fuel_exceeded} (before the instruction that has no fuel left). {@link Run#addFuel}
     * then {@link Run#resume()} goes on; {@code resume()} without adding fuel ends the run with that
     * trap ({@link Outcome.Trapped}).
     */
    record FuelExhausted() implements PauseReason {}

    /** {@link Run#interrupt()} was called (from any thread) while the run ran, or before it was resumed. */
    record Interrupted() implements PauseReason {}

    /**
     * The deadline set with {@link Run#deadline} passed (while the run ran, or before it was
     * resumed). The deadline is then cleared: a later resume runs on without one.
     */
    record DeadlineReached() implements PauseReason {}

    /**
     * A host function asked to suspend ({@link dev.tape.host.HostContext#suspend()}): the run is at
     * that {@code host_call}, and {@link Run#resumeWith} gives its results.
     *
     * @param symbol the host function's symbol, for example {@code "net.fetch"}
     * @param sigHash the call's signature hash
     * @param args the arguments the host function was called with
     */
    record HostSuspended(String symbol, long sigHash, List<Value> args) implements PauseReason {
        /**
         * Copies the arguments.
         *
         * @param symbol the host function's symbol
         * @param sigHash the call's signature hash
         * @param args the arguments; copied
         */
        public HostSuspended {
            args = List.copyOf(args);
        }
    }

    /** The instruction budget of {@link Run#step(long)} is spent: exactly that many instructions ran. */
    record StepsDone() implements PauseReason {}
}
