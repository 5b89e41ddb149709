package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A run made with {@code Vm.start} ({@code dev.tape.vm.Run}) paused: why, where (the next
 * instruction's function and byte pc), and the fuel used and host calls made so far. An instant
 * event; {@link ResumeEvent} marks the run going on.
 */
@Name("dev.tape.Pause")
@Label("Tape Pause")
@Category("Tape")
@Description("A tape run paused (fuel, interrupt, deadline, host suspension or a step budget)")
@StackTrace(false)
public final class PauseEvent extends RunPlaceEvent {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public PauseEvent() {}

    /**
     * why: {@code fuel}, {@code interrupt}, {@code deadline}, {@code steps} (a step budget ran out),
     * or {@code host:SYMBOL} (suspended in a call of host function SYMBOL)
     */
    @Label("Reason")
    public String reason;

    /** host calls made so far */
    @Label("Host Calls")
    public long hostCalls;
}
