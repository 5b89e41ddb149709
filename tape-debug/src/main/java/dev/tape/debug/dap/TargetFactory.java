package dev.tape.debug.dap;

import dev.tape.debug.DebugException;
import dev.tape.debug.Target;

import java.io.PrintWriter;
import java.util.List;

/**
 * Makes the program a DAP {@code launch} request names: the {@code tape} command reads the launch
 * arguments with its own {@code run} options, so a launch configuration says what a command line
 * would.
 */
@FunctionalInterface
public interface TargetFactory {
    /**
     * Makes the target a DAP launch request names.
     *
     * @param runArgs the launch request as {@code tape run} arguments: the program file first, then
     *     options such as {@code --entry fib}, {@code --arg i64:20}, {@code --fuel 1000}
     *     ({@link DapServer#runArgs(java.util.Map)})
     * @param programOut where the program's host prints (the server turns each line into an
     *     {@code output} event)
     * @return the target
     * @throws DebugException with a one-line message when the program cannot be loaded, verified or
     *     bound, or an option is wrong
     */
    Target create(List<String> runArgs, PrintWriter programOut) throws DebugException;
}
