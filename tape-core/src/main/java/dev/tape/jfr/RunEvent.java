package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;

/**
 * One run of a program, from its start to its result or trap. For {@code Vm.run} its duration is
 * the run's, on the thread that ran it; for a run made with {@code Vm.start} ({@code dev.tape.vm.Run})
 * it begins when the run is made and ends when it returns or traps, pauses included, and is
 * committed on the thread that ends it.
 */
@Name("dev.tape.Run")
@Label("Tape Run")
@Category("Tape")
@Description("A run of a tape program, from its start to its result or trap")
@StackTrace(false)
public final class RunEvent extends jdk.jfr.Event {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public RunEvent() {}

    /** the entry function id */
    @Label("Entry")
    public int entry;

    /** the entry function's name from the names section, or null */
    @Label("Entry Name")
    public String entryName;

    /** fuel used, in fuel units (unsigned 64-bit, like the limit) */
    @Label("Fuel Used")
    @Unsigned
    public long fuelUsed;

    /** host calls made */
    @Label("Host Calls")
    public long hostCalls;

    /** {@code ok}, or the trap's label ({@code fuel_exceeded}, {@code trap_code(7)}) */
    @Label("Outcome")
    public String outcome;
}
