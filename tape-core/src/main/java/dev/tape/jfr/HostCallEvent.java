package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;
import jdk.jfr.Threshold;

/**
 * One host call: the host function's own time (from the VM handing it the arguments to its return
 * or throw). One per call, so its default threshold is 0 ns; a busy embedder sets one
 * ({@code threshold} in a {@code .jfc} file) to keep the slow calls only.
 */
@Name("dev.tape.HostCall")
@Label("Tape Host Call")
@Category("Tape")
@Description("A host function called by a tape program")
@StackTrace(false)
@Threshold("0 ns")
public final class HostCallEvent extends jdk.jfr.Event {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public HostCallEvent() {}

    /** the symbol called */
    @Label("Symbol")
    public String symbol;

    /** its signature hash */
    @Label("Signature Hash")
    @Unsigned
    public long sigHash;

    /** whether the host function threw (the run traps) */
    @Label("Failed")
    public boolean failed;
}
