package dev.tape.cli;

import dev.tape.vm.Trap;

import java.io.PrintWriter;

/**
 * Prints a trap the way every command reports it on stderr:
 *
 * <pre>
 * trap: div_by_zero at 1 (divide) pc 3 span 42
 *   at 1 (divide) pc 3 span 42
 *   at 0 (main) pc 17 span none
 * </pre>
 *
 * The first line gives the trap kind (its manifest label, such as {@code trap_code(7)}), the
 * trapping function's id and name (the name only when the program's names section has one), the
 * byte pc and the span id ({@code none} when no span covers the pc). Then one line per frame of
 * the VM call stack, innermost (the trapping frame) first, each at the instruction being executed.
 */
final class TrapReport {
    private TrapReport() {}

    /**
     * @param err where to print
     * @param t the trap
     */
    static void print(PrintWriter err, Trap t) {
        err.println("trap: " + t.label() + " at " + where(t.func(), t.funcName(), t.pc(), t.span()));
        for (Trap.Frame f : t.stack()) {
            err.println("  at " + where(f.func(), f.name(), f.pc(), f.span()));
        }
    }

    private static String where(int func, String name, int pc, long span) {
        return func + (name == null ? "" : " (" + name + ")") + " pc " + pc + " span "
                + (span < 0 ? "none" : Long.toUnsignedString(span));
    }
}
