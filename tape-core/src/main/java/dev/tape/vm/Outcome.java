package dev.tape.vm;

import dev.tape.value.Value;

import java.util.List;

/**
 * What a {@link Run} gave when it stopped: it returned ({@link Done}), trapped ({@link Trapped})
 * or paused ({@link Paused}) and can be resumed. {@code Done} and {@code Trapped} are final: the
 * run gives the same outcome again to any later {@link Run#resume()}.
 */
public sealed interface Outcome permits Outcome.Done, Outcome.Trapped, Outcome.Paused {
    /**
     * The entry function returned.
     *
     * @param values its results, in order (what {@link Vm#run} returns)
     */
    record Done(List<Value> values) implements Outcome {
        /**
         * Copies the results.
         *
         * @param values the results; copied
         */
        public Done {
            values = List.copyOf(values);
        }
    }

    /**
     * The run trapped: the same trap, in every field, as {@link Vm#run} throws for the same run
     * given the same total fuel.
     *
     * @param trap the trap
     */
    record Trapped(Trap trap) implements Outcome {}

    /**
     * The run paused and can go on: {@link Run#resume()} (or {@link Run#resumeWith} for a host
     * suspension) continues it exactly where it stopped.
     *
     * @param reason why it paused
     */
    record Paused(PauseReason reason) implements Outcome {}
}
