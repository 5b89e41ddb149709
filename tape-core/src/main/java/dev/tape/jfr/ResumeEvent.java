package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A paused run ({@link PauseEvent}) going on: where (the next instruction's function and byte pc)
 * and the fuel used so far. An instant event, on the thread that resumes the run (which may not be
 * the one it paused on).
 */
@Name("dev.tape.Resume")
@Label("Tape Resume")
@Category("Tape")
@Description("A paused tape run going on")
@StackTrace(false)
public final class ResumeEvent extends RunPlaceEvent {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public ResumeEvent() {}
}
