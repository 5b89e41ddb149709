package dev.tape.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One function compiled by the compiled tier (tape-jit): generating its JVM class and defining it.
 * Its duration is the compilation's.
 */
@Name("dev.tape.Compile")
@Label("Tape Compilation")
@Category("Tape")
@Description("A tape function compiled to a JVM class")
@StackTrace(false)
public final class CompileEvent extends jdk.jfr.Event {
    /** Creates an event; {@link TapeEvents} fills it in. */
    public CompileEvent() {}

    /** the function id */
    @Label("Function")
    public int function;

    /** its name from the names section, or null */
    @Label("Function Name")
    public String functionName;

    /** the class file's size, in bytes (0 when it was not generated) */
    @Label("Class Bytes")
    @DataAmount
    public int bytes;

    /** whether the function got a compiled method (else it stays interpreted) */
    @Label("Compiled")
    public boolean compiled;
}
