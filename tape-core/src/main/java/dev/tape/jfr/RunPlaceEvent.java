package dev.tape.jfr;

import jdk.jfr.Label;
import jdk.jfr.Unsigned;

/**
 * The fields {@link PauseEvent} and {@link ResumeEvent} share: where a paused run stands and the
 * fuel it has used (JFR records an event's inherited fields as its own).
 */
public abstract class RunPlaceEvent extends jdk.jfr.Event {
    /** For the subclasses. */
    protected RunPlaceEvent() {}

    /** the function id of the instruction the run goes on with */
    @Label("Function")
    public int function;

    /** its name from the names section, or null */
    @Label("Function Name")
    public String functionName;

    /** that instruction's byte pc */
    @Label("PC")
    public int pc;

    /** fuel used so far, in fuel units (unsigned 64-bit) */
    @Label("Fuel Used")
    @Unsigned
    public long fuelUsed;
}
