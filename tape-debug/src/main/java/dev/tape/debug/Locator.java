package dev.tape.debug;

import dev.tape.asm.LineTable;
import dev.tape.format.DecodeException;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.program.Names;
import dev.tape.program.Program;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the locations a breakpoint can be set on:
 *
 * <table>
 * <caption>Locations</caption>
 * <tr><th>form</th><th>means</th></tr>
 * <tr><td>{@code 12}, {@code fib.tasm:12}</td><td>source line 12: its instruction, or the first
 *     instruction on a later line</td></tr>
 * <tr><td>{@code fib}, {@code @0}</td><td>a function by name or by id: its first instruction</td></tr>
 * <tr><td>{@code fib:7}, {@code @0:7}</td><td>the instruction at byte pc 7 of a function</td></tr>
 * <tr><td>{@code fib:big}</td><td>a label of a function</td></tr>
 * <tr><td>{@code big}</td><td>a label, when one function alone has it</td></tr>
 * <tr><td>{@code span 42}</td><td>span 42 (an unsigned 64-bit id)</td></tr>
 * </table>
 *
 * Labels are those of the source's line table, or for a binary program those its names section
 * records. Resolving costs O(1) per function looked in: the names section's labels are indexed by
 * name once, on first use, so a bare label in a program of 50,000 functions each with a named label
 * is found (or not) in one pass over the functions, not one pass over every label per function.
 */
final class Locator {
    /**
     * A resolved location: an instruction, or a span.
     *
     * @param func the function id (-1 for a span)
     * @param pc the byte pc (-1 for a span)
     * @param span the span id, or 0 for an instruction
     */
    record Place(int func, int pc, long span) {}

    private final Target target;
    /** the names section's labels: name, then function id, then byte pc (the first per function); made on first use */
    private Map<String, Map<Integer, Integer>> namedLabels;

    Locator(Target target) {
        this.target = target;
    }

    /**
     * @param text a location in one of the forms above
     * @return the place
     * @throws DebugException when the text names no instruction or span
     */
    Place resolve(String text) throws DebugException {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new DebugException("Argument required (a location: LINE, FUNCTION, FUNCTION:PC, FUNCTION:LABEL, "
                    + "LABEL or span ID).");
        }
        if (t.startsWith("span ") || t.startsWith("span\t")) {
            String id = t.substring(5).strip();
            try {
                long span = Long.parseUnsignedLong(id);
                if (span == 0) {
                    throw new NumberFormatException();
                }
                return new Place(-1, -1, span);
            } catch (NumberFormatException e) {
                throw new DebugException("A span id is a number from 1 to 18446744073709551615, not \""
                        + Text.escape(id) + "\".");
            }
        }
        if (t.matches("[0-9]+")) {
            return line(t, t);
        }
        int colon = t.lastIndexOf(':');
        if (colon > 0) {
            String left = t.substring(0, colon);
            String right = t.substring(colon + 1);
            if (left.endsWith(".tasm") || left.equals(target.sourceName())) {
                if (!right.matches("[0-9]+")) {
                    throw new DebugException("\"" + Text.escape(t) + "\": a line number must follow the file name.");
                }
                return line(right, t);
            }
            int func = function(left);
            if (func < 0) {
                throw new DebugException("Function \"" + Text.escape(left) + "\" not defined.");
            }
            if (right.matches("[0-9]+")) {
                return pc(func, right);
            }
            int pc = label(func, right);
            if (pc < 0) {
                throw new DebugException("No label \"" + Text.escape(right) + "\" in " + Text.escape(target.functionName(func))
                        + ".");
            }
            return new Place(func, pc, 0);
        }
        int func = function(t);
        if (func >= 0) {
            return new Place(func, 0, 0);
        }
        List<Place> found = new ArrayList<>();
        for (int f = 0; f < target.program().functionCount(); f++) {
            int pc = label(f, t);
            if (pc >= 0) {
                found.add(new Place(f, pc, 0));
            }
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.size() > 1) {
            throw new DebugException("Label \"" + Text.escape(t) + "\" is in " + found.size()
                    + " functions; say which with FUNCTION:" + Text.escape(t) + ".");
        }
        throw new DebugException("Function or label \"" + Text.escape(t) + "\" not defined.");
    }

    private Place line(String digits, String text) throws DebugException {
        if (target.lines().entries().isEmpty()) {
            throw new DebugException("No source lines: the program is not .tasm text; break on FUNCTION or FUNCTION:PC.");
        }
        int line;
        try {
            line = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            line = Integer.MAX_VALUE;
        }
        LineTable.Entry e = target.lines().atOrAfter(line);
        if (e == null) {
            throw new DebugException("No instruction at or after line " + Text.escape(digits) + " of "
                    + Text.escape(target.sourceName()) + ".");
        }
        return new Place(e.func(), e.pc(), 0);
    }

    private Place pc(int func, String digits) throws DebugException {
        int pc;
        try {
            pc = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            pc = -1;
        }
        if (pc < 0 || !startsInstruction(func, pc)) {
            throw new DebugException("No instruction starts at pc " + Text.escape(digits) + " of "
                    + Text.escape(target.functionName(func)) + ".");
        }
        return new Place(func, pc, 0);
    }

    /** Whether an instruction of the function starts at {@code pc}: decodes the function's code, O(code). */
    private boolean startsInstruction(int func, int pc) {
        try {
            for (Instruction i : InstructionCodec.decodeAll(target.program().program().functions().get(func).code())) {
                if (i.pc() == pc) {
                    return true;
                }
            }
        } catch (DecodeException e) {
            return false;
        }
        return false;
    }

    /** @return the function named {@code name} (or {@code @ID}), or -1 */
    private int function(String name) {
        int n = target.program().functionCount();
        if (name.matches("@[0-9]{1,9}")) {
            int id = Integer.parseInt(name.substring(1));
            return id < n ? id : -1;
        }
        int id = target.program().program().functionId(name);
        return id >= 0 && id < n ? id : -1;
    }

    /** @return the pc of label {@code name} of function {@code func}, or -1 */
    private int label(int func, String name) {
        LineTable.Label l = target.lines().label(func, name);
        if (l != null) {
            return l.pc();
        }
        if (namedLabels == null) {
            namedLabels = new HashMap<>();
            Program p = target.program().program();
            for (Names.LabelName ln : p.names().labels()) {
                int s = ln.nameSymbol();
                if (s >= 0 && s < p.symbols().size()) {
                    namedLabels.computeIfAbsent(p.symbols().get(s), k -> new HashMap<>()).putIfAbsent(ln.funcId(), ln.pc());
                }
            }
        }
        Map<Integer, Integer> byFunc = namedLabels.get(name);
        Integer pc = byFunc == null ? null : byFunc.get(func);
        return pc == null ? -1 : pc;
    }
}
