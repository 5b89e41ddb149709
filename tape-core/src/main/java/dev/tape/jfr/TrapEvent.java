package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/** A run that ended with a trap: where (function, byte pc, span) and why. An instant event. */
@Name("dev.tape.Trap")
@Label("Tape Trap")
@Category("Tape")
@Description("A tape run ended with a trap")
@StackTrace(false)
public final class TrapEvent extends jdk.jfr.Event {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public TrapEvent() {}

    /** the trap's label, as in the conformance manifests ({@code div_by_zero}) */
    @Label("Kind")
    public String kind;

    /** the trapping function's id */
    @Label("Function")
    public int function;

    /** its name from the names section, or null */
    @Label("Function Name")
    public String functionName;

    /** the trapping instruction's byte pc */
    @Label("PC")
    public int pc;

    /** the span id in force (unsigned 64-bit), 0 for none */
    @Label("Span")
    @Unsigned
    public long span;

    /** the host symbol of a host-call trap, or null */
    @Label("Host Symbol")
    public String hostSymbol;

    /** why, in words */
    @Label("Detail")
    public String detail;
}
