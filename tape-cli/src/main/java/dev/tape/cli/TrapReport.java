package dev.tape.cli;

import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;

import java.io.PrintWriter;
import java.util.List;

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
 * byte pc and the span id (1 to 18446744073709551615, or {@code none} when no span covers the pc);
 * a {@code host_call_failed} trap ends it with {@code host SYMBOL: DETAIL}, the host symbol and what
 * went wrong. Then one line per frame of the VM call stack, innermost (the trapping frame) first,
 * each at the instruction being executed. Names, symbols and details come from the program or the
 * host and are printed through {@link Escape#text(String)}, so each line stays one line. A stack
 * deeper than {@code 2 * STACK_EDGE} frames shows its innermost and outermost {@link #STACK_EDGE}
 * frames with one line between them for the rest:
 *
 * <pre>
 *   ... 99968 frames elided
 * </pre>
 *
 * The count includes the frames the trap itself left out ({@link Trap#elidedFrames()}).
 */
final class TrapReport {
    private TrapReport() {}

    /**
     * @param err where to print
     * @param t the trap
     */
    static void print(PrintWriter err, Trap t) {
        err.println("trap: " + t.label() + " at " + where(t.func(), t.funcName(), t.pc(), t.span()) + cause(t));
        List<Trap.Frame> stack = t.stack();
        int n = stack.size();
        // the whole stack has `depth` frames: stack's first STACK_EDGE (at least), the trap's elided
        // frames, then the rest of stack; show the first and last STACK_EDGE of the whole
        long depth = (long) n + t.elidedFrames();
        long hidden = depth > 2 * STACK_EDGE ? depth - 2 * STACK_EDGE : 0;
        for (int i = 0; i < n; i++) {
            if (hidden > 0 && i == STACK_EDGE) {
                err.println("  ... " + hidden + " frames elided");
                i = n - STACK_EDGE - 1;
                continue;
            }
            Trap.Frame f = stack.get(i);
            err.println("  at " + where(f.func(), f.name(), f.pc(), f.span()));
        }
    }

    /**
     * Frames shown at each end of a long call stack; at most {@link Trap#STACK_EDGE}, so the
     * frames shown are always among those the trap keeps.
     */
    static final int STACK_EDGE = 16;

    private static String where(int func, String name, int pc, long span) {
        return place(func, name, pc) + " span " + Trap.spanText(span);
    }

    /**
     * @param f a frame of a trap or of a paused run ({@link dev.tape.vm.Run#frames()})
     * @return {@code FUNC (NAME) pc P}, the name (escaped) only when the program has one
     */
    static String place(Trap.Frame f) {
        return place(f.func(), f.name(), f.pc());
    }

    private static String place(int func, String name, int pc) {
        return func + (name == null ? "" : " (" + Escape.text(name) + ")") + " pc " + pc;
    }

    /**
     * Reports a trap as a command does before exiting 1: what the run printed is flushed first, then
     * the report goes to stderr.
     *
     * @param out the command's stdout
     * @param err the command's stderr
     * @param t the trap
     * @return {@link ExitCodes#FAILED}
     */
    static int failed(PrintWriter out, PrintWriter err, Trap t) {
        out.flush();
        print(err, t);
        return ExitCodes.FAILED;
    }

    /**
     * @return for a {@code host_call_failed} trap, {@code " host SYMBOL"} and {@code ": DETAIL"}
     *     when it has one (the host's words, such as the output limit's), escaped; else {@code ""}
     */
    private static String cause(Trap t) {
        if (t.kind() != TrapKind.HOST_CALL_FAILED || t.hostSymbol() == null) {
            return "";
        }
        return " host " + Escape.text(t.hostSymbol()) + (t.detail() == null ? "" : ": " + Escape.text(t.detail()));
    }
}
