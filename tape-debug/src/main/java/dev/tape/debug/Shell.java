package dev.tape.debug;

import dev.tape.asm.LineTable;
import dev.tape.vm.Trap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * The line-oriented debugger of {@code tape debug}: reads one command per line and prints what it
 * did, one message per line, every piece of program or user text escaped ({@link Text}). Commands
 * are named as in gdb (see {@link #HELP}); for a given program and script the output is always the
 * same, so scripted sessions can be compared whole. An error is one line starting with
 * {@code error: }; the shell goes on with the next command. End of input quits.
 *
 * <p>With {@code echo} on (for scripts), each command is printed after the prompt
 * {@code (tape) } before its output, so a transcript reads as a terminal session would.
 */
public final class Shell {
    /** The most characters of one value printed (a longer literal ends in {@code ...}). */
    public static final int MAX_VALUE_CHARS = 200;

    /**
     * Frames {@code backtrace} shows at each end of a deeper stack: 64 innermost and 64 outermost,
     * with one line counting the frames between ({@code backtrace N} and {@code backtrace -N} show
     * others).
     */
    public static final int BACKTRACE_EDGE = 64;

    /** Lines shown before and after the current one by {@code list}. */
    public static final int LIST_CONTEXT = 4;

    /** The commands, one per line, printed by {@code help}. */
    public static final List<String> HELP = List.of(
            "break LOCATION (b)        stop at LINE, FILE:LINE, FUNCTION, FUNCTION:PC, FUNCTION:LABEL, LABEL or span ID",
            "delete [N...] (d)         delete breakpoints N..., or all",
            "info breakpoints          list breakpoints and watchpoints",
            "run (r)                   start the program (again) and run to a breakpoint",
            "continue (c)              run to the next breakpoint, watchpoint or the end",
            "step [N] (s, stepi, si)   run one instruction (or N)",
            "next (n, nexti, ni)       run one instruction, over calls",
            "finish (fin)              run until the selected frame returns",
            "reverse-step (rs)         go back one instruction",
            "reverse-continue (rc)     go back to the previous breakpoint or watchpoint",
            "backtrace [N|-N] (bt)     show the call stack (64 innermost and outermost frames; N innermost, -N outermost)",
            "frame [N] (f)             select frame N and show it",
            "registers (info registers) show the selected frame's registers",
            "print REG (p)             show register rN or a named argument",
            "watch REG                 stop when a register of the selected frame changes",
            "list (l)                  show the disassembly around the selected frame's pc",
            "fuel                      show instructions run, fuel left and host calls",
            "quit (q)                  leave the debugger");

    private final Session session;
    private final BufferedReader in;
    private final PrintWriter out;
    private final boolean echo;

    /**
     * Makes a command shell over a debugging session.
     *
     * @param session the debugger
     * @param in where commands come from, one per line
     * @param out where output goes (the program's own output from the std host goes there too)
     * @param echo whether to print each command after the prompt (for scripts) instead of the
     *     prompt alone (for a terminal)
     */
    public Shell(Session session, BufferedReader in, PrintWriter out, boolean echo) {
        this.session = session;
        this.in = in;
        this.out = out;
        this.echo = echo;
    }

    /**
     * Reads and runs commands until {@code quit} or the end of input.
     *
     * @throws IOException when reading the input fails
     */
    public void run() throws IOException {
        while (true) {
            if (!echo) {
                out.print("(tape) ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null) {
                return;
            }
            if (echo) {
                out.println("(tape) " + Text.escape(line));
            }
            boolean more;
            try {
                more = execute(line.strip());
            } catch (DebugException e) {
                out.println("error: " + e.getMessage());
                more = true;
            } catch (RuntimeException | StackOverflowError e) {
                out.println("error: internal error: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + Text.escape(e.getMessage())));
                more = true;
            }
            out.flush();
            if (!more) {
                return;
            }
        }
    }

    /**
     * Runs one command.
     *
     * @param line the command line, stripped
     * @return whether to read another command ({@code false} after {@code quit})
     * @throws DebugException when the command cannot be done as asked
     */
    boolean execute(String line) throws DebugException {
        if (line.isEmpty() || line.startsWith("#")) {
            return true;
        }
        int sp = line.indexOf(' ');
        String cmd = sp < 0 ? line : line.substring(0, sp);
        String arg = sp < 0 ? "" : line.substring(sp + 1).strip();
        switch (cmd) {
            case "break", "b", "br" -> breakpoint(arg);
            case "delete", "d" -> delete(arg);
            case "info", "i" -> info(arg);
            case "run", "r" -> show(session.run());
            case "continue", "c", "cont" -> show(session.cont());
            case "step", "s", "stepi", "si" -> show(session.step(count(arg)));
            case "next", "n", "nexti", "ni" -> show(session.next());
            case "finish", "fin" -> finish();
            case "reverse-step", "rs", "reverse-stepi", "rsi" -> show(session.reverseStep());
            case "reverse-continue", "rc" -> show(session.reverseContinue());
            case "backtrace", "bt", "where" -> backtrace(arg);
            case "frame", "f" -> frame(arg);
            case "registers" -> registers();
            case "print", "p" -> print(arg);
            case "watch" -> watch(arg);
            case "list", "l" -> list();
            case "fuel" -> fuel();
            case "help", "h" -> HELP.forEach(out::println);
            case "quit", "q", "exit" -> {
                return false;
            }
            default -> throw new DebugException("Undefined command: \"" + Text.escape(cmd) + "\".  Try \"help\".");
        }
        return true;
    }

    private static long count(String arg) throws DebugException {
        if (arg.isEmpty()) {
            return 1;
        }
        try {
            long n = Long.parseLong(arg);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new DebugException("A step count is a number from 1 to 9223372036854775807, not \"" + Text.escape(arg) + "\".");
    }

    private void breakpoint(String arg) throws DebugException {
        Breakpoint b = session.breakAt(arg);
        out.println("Breakpoint " + b.id() + " at " + b.what());
    }

    private void delete(String arg) throws DebugException {
        if (arg.isEmpty()) {
            session.deleteAll();
            out.println("Deleted all breakpoints.");
            return;
        }
        for (String n : arg.split("\\s+")) {
            int id;
            try {
                id = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new DebugException("A breakpoint number, not \"" + Text.escape(n) + "\".");
            }
            if (!session.delete(id)) {
                throw new DebugException("No breakpoint number " + id + ".");
            }
            out.println("Deleted breakpoint " + id + ".");
        }
    }

    private void info(String arg) throws DebugException {
        switch (arg) {
            case "breakpoints", "break", "b", "watchpoints" -> {
                if (session.breakpoints().isEmpty()) {
                    out.println("No breakpoints or watchpoints.");
                }
                for (Breakpoint b : session.breakpoints()) {
                    out.println(b.id() + "  " + (b.kind() == Breakpoint.Kind.WATCH ? "watchpoint " : "breakpoint ")
                            + b.what() + ", hit " + b.hits() + (b.hits() == 1 ? " time" : " times"));
                }
            }
            case "registers", "r" -> registers();
            case "frame" -> frame("");
            default -> throw new DebugException("Undefined info command: \"" + Text.escape(arg)
                    + "\".  Try \"info breakpoints\" or \"info registers\".");
        }
    }

    private void finish() throws DebugException {
        if (session.paused()) {
            int f = session.selectedFrame();
            out.println("Run till exit from #" + f + "  " + session.place(session.frameFunc(f), session.framePc(f)));
        }
        show(session.finish());
    }

    /** Prints a stop: why, then where (or how the run ended). */
    private void show(Session.Stop s) {
        Breakpoint b = s.breakpoint();
        switch (s.reason()) {
            case BREAKPOINT -> out.println("Breakpoint " + b.id() + ", " + here());
            case WATCH -> {
                out.println("Watchpoint " + b.id() + ": " + b.what());
                out.println("Old value = " + Session.valueText(s.oldValue()));
                out.println("New value = " + Session.valueText(s.newValue()));
                out.println(here());
            }
            case WATCH_SCOPE -> {
                out.println("Watchpoint " + b.id() + " deleted because the program has left the frame of " + b.what() + ".");
                out.println(here());
            }
            case HISTORY_START -> {
                out.println("No more reverse-execution history.");
                out.println(here());
            }
            case RETURNED -> {
                out.println(session.returnedLine());
                return;
            }
            case TRAPPED -> {
                trap(session.trap());
                return;
            }
            default -> out.println(here());
        }
        sourceLine(0);
    }

    /** The selected place of the paused run, as stops print it. */
    private String here() {
        return session.place(session.frameFunc(0), session.framePc(0));
    }

    /** Prints the source line of a frame, {@code 7  i64.lt r3, r1, r2}, when the source is known. */
    private void sourceLine(int frame) {
        int line = session.frameLine(frame);
        String text = session.target().sourceLine(line);
        if (text != null) {
            out.println(line + "  " + Text.escape(text.strip()));
        }
    }

    private void trap(Trap t) {
        out.println("Program trapped: " + t.label() + " at " + where(t.func(), t.pc(), t.span())
                + (t.hostSymbol() == null ? "" : " host " + Text.escape(t.hostSymbol()))
                + (t.detail() == null ? "" : ": " + Text.escape(t.detail())));
        List<Trap.Frame> stack = t.stack();
        for (int i = 0; i < stack.size(); i++) {
            if (i == Trap.STACK_EDGE && t.elidedFrames() > 0) {
                out.println("  ... " + t.elidedFrames() + " frames elided");
            }
            Trap.Frame f = stack.get(i);
            out.println("  at " + where(f.func(), f.pc(), f.span()));
        }
    }

    private String where(int func, int pc, long span) {
        return session.place(func, pc) + (span == Trap.NO_SPAN ? "" : " span " + Long.toUnsignedString(span));
    }

    /**
     * {@code backtrace}: every frame of a stack at most 2 x {@link #BACKTRACE_EDGE} deep, else the
     * innermost and outermost {@link #BACKTRACE_EDGE} around a line counting the others;
     * {@code backtrace N}: the innermost N frames; {@code backtrace -N}: the outermost N.
     */
    private void backtrace(String arg) throws DebugException {
        requirePaused();
        int depth = session.depth();
        int inner;
        int outer;
        if (arg.isEmpty()) {
            boolean all = depth <= 2 * BACKTRACE_EDGE;
            inner = all ? depth : BACKTRACE_EDGE;
            outer = all ? 0 : BACKTRACE_EDGE;
        } else {
            long n;
            try {
                n = Long.parseLong(arg);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n == 0 || n == Long.MIN_VALUE) {
                throw new DebugException("A frame count is N (the innermost N frames) or -N (the outermost N), "
                        + "not \"" + Text.escape(arg) + "\".");
            }
            inner = n > 0 ? (int) Math.min(n, depth) : 0;
            outer = n < 0 ? (int) Math.min(-n, depth) : 0;
        }
        for (int f = 0; f < inner; f++) {
            frameLine(f);
        }
        int skipped = depth - inner - outer;
        if (skipped > 0) {
            out.println("... " + skipped + (skipped == 1 ? " frame" : " frames") + " elided (backtrace N shows the "
                    + "innermost N, backtrace -N the outermost N)");
        }
        for (int f = depth - outer; f < depth; f++) {
            frameLine(f);
        }
    }

    private void frameLine(int f) {
        out.println("#" + f + "  " + session.place(session.frameFunc(f), session.framePc(f)));
    }

    private void frame(String arg) throws DebugException {
        requirePaused();
        if (!arg.isEmpty()) {
            int f;
            try {
                f = Integer.parseInt(arg);
            } catch (NumberFormatException e) {
                throw new DebugException("A frame number, not \"" + Text.escape(arg) + "\".");
            }
            session.selectFrame(f);
        }
        int f = session.selectedFrame();
        out.println("#" + f + "  " + session.place(session.frameFunc(f), session.framePc(f)));
        sourceLine(f);
    }

    private void registers() throws DebugException {
        for (Session.Register r : session.registers(session.selectedFrame())) {
            out.println(Session.regName(r) + " " + r.type() + " = " + Session.valueText(r.value()));
        }
    }

    private void print(String arg) throws DebugException {
        if (arg.isEmpty()) {
            throw new DebugException("Argument required (a register: rN or an argument's name).");
        }
        Session.Register r = session.register(session.selectedFrame(), arg);
        out.println(Session.regName(r) + " = " + Session.valueText(r.value()));
    }

    private void watch(String arg) throws DebugException {
        if (arg.isEmpty()) {
            throw new DebugException("Argument required (a register: rN or an argument's name).");
        }
        requirePaused();
        Breakpoint b = session.watch(arg);
        out.println("Watchpoint " + b.id() + ": " + b.what() + " = " + Session.valueText(b.last));
    }

    private void list() throws DebugException {
        requirePaused();
        int f = session.selectedFrame();
        int func = session.frameFunc(f);
        int pc = session.framePc(f);
        List<String> text = session.target().disassembly();
        LineTable table = session.target().disassemblyLines();
        int at = table.lineOf(func, pc);
        if (at < 0) {
            throw new DebugException("No disassembly for " + session.place(func, pc) + ".");
        }
        int from = Math.max(1, at - LIST_CONTEXT);
        int to = Math.min(text.size(), at + LIST_CONTEXT);
        for (int line = from; line <= to; line++) {
            String src = text.get(line - 1);
            int lpc = -1;
            LineTable.Entry e = table.atOrAfter(line);
            if (e != null && e.line() == line) {
                lpc = e.pc();
            }
            String pcText = lpc < 0 ? "" : Integer.toString(lpc);
            out.println(((line == at ? "=> " : "   ") + " ".repeat(Math.max(0, 5 - pcText.length())) + pcText + "  "
                    + Text.escape(src)).stripTrailing());
        }
    }

    private void fuel() {
        out.println("instructions " + session.instructions() + ", fuel left "
                + Long.toUnsignedString(session.fuelRemaining()) + " of " + Long.toUnsignedString(session.target().limits().fuel())
                + ", host calls " + session.hostCalls());
    }

    private void requirePaused() throws DebugException {
        if (!session.paused()) {
            throw new DebugException("The program is not being run.");
        }
    }
}
