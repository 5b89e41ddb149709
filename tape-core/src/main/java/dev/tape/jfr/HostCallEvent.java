package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Unsigned;
import jdk.jfr.Threshold;

/**
 * One host call: the host function's own time (from the VM handing it the arguments to its return
 * or throw). One per call, so it is <b>off by default</b> ({@code @Enabled(false)}): a recording
 * whose settings do not name it (the JDK's {@code default} and {@code profile} settings, plain
 * {@code -XX:StartFlightRecording}, {@code new Recording()}) records none, as the JDK's own
 * per-operation events are off or thresholded in its {@code default.jfc}, and keeps the
 * interpreter's quick word host call. Turn it on with
 * {@code -XX:StartFlightRecording:+dev.tape.HostCall#enabled=true}, a {@code .jfc} file that
 * enables it, or {@code recording.enable("dev.tape.HostCall")}. Once on, its threshold is 0 ns (one
 * event per call); a busy embedder sets one ({@code threshold} in the {@code .jfc} file) to keep the
 * slow calls only. (Until the twenty-first round of issue 14 it was on by default.)
 */
@Name("dev.tape.HostCall")
@Label("Tape Host Call")
@Category("Tape")
@Description("A host function called by a tape program")
@StackTrace(false)
@Enabled(false)
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
