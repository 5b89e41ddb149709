package dev.tape.asm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each instruction of an assembled program came from: the {@code .tasm} source line of every
 * instruction (as a function id and byte pc), both ways, and every label of every function. A
 * debugger uses it to set a breakpoint on a source line or a label, and to show the source line of
 * a paused frame. {@link Assembler#assembleWithLines(String, String)} makes one.
 *
 * <p>Lines are numbered from 1, as in the assembler's error messages; pcs are byte offsets in the
 * function's code, as in traps. An instruction belongs to the line its mnemonic is on; a line holds
 * at most one instruction (the assembly language has one statement per line), and a {@code .bytes}
 * directive has no entry (its bytes are not instructions the assembler knows). Immutable; lookups
 * by line are O(log instructions), by (function, pc) O(log instructions of the function), by label
 * or by (function, pc) of a label O(1) expected.
 */
public final class LineTable {
    /** A table with no entries: a program that did not come from text, or whose text has no code. */
    public static final LineTable EMPTY = new Builder().build();

    /**
     * One instruction's place.
     *
     * @param line the source line, 1 or more
     * @param func the function id
     * @param pc the instruction's byte pc in the function
     */
    public record Entry(int line, int func, int pc) {}

    /**
     * A label of a function: every label written in the text ({@code name:}), whether or not the
     * names section records it.
     *
     * @param func the function id
     * @param name the label's name as written
     * @param pc the byte pc it marks (the function's code length when it ends the body)
     * @param line the source line it is written on
     */
    public record Label(int func, String name, int pc, int line) {}

    /** By line. */
    private final Entry[] byLine;
    /** Per function, by pc. */
    private final Entry[][] byPc;
    private final List<Label> labels;
    private final Map<String, Label> labelIndex;
    private final Map<Long, List<Label>> labelsByPc;
    private final int[] funcLines;

    private LineTable(List<Entry> entries, List<Label> labels, int[] funcLines) {
        this.byLine = entries.toArray(new Entry[0]);
        // plain lambdas, not Comparator.comparingInt: its lambda is spun at run time in every cold
        // `tape run` (docs/PERFORMANCE-LOG.md, "Cold start, third round"); these come from the archive
        Arrays.sort(byLine, (a, b) -> Integer.compare(a.line(), b.line()));
        int funcs = funcLines.length;
        for (Entry e : byLine) {
            funcs = Math.max(funcs, e.func() + 1);
        }
        List<List<Entry>> per = new ArrayList<>();
        for (int i = 0; i < funcs; i++) {
            per.add(new ArrayList<>());
        }
        for (Entry e : byLine) {
            per.get(e.func()).add(e);
        }
        this.byPc = new Entry[funcs][];
        for (int i = 0; i < funcs; i++) {
            byPc[i] = per.get(i).toArray(new Entry[0]);
            Arrays.sort(byPc[i], (a, b) -> Integer.compare(a.pc(), b.pc()));
        }
        this.labels = Collections.unmodifiableList(new ArrayList<>(labels));
        this.labelIndex = new HashMap<>();
        this.labelsByPc = new HashMap<>();
        for (Label l : labels) {
            labelIndex.putIfAbsent(l.func() + ":" + l.name(), l);
            labelsByPc.computeIfAbsent(((long) l.func() << 32) | (l.pc() & 0xffffffffL), k -> new ArrayList<>(1)).add(l);
        }
        this.funcLines = funcLines.clone();
    }

    /**
     * Every instruction's source position, ordered by line.
     *
     * @return every instruction's entry, by line
     */
    public List<Entry> entries() {
        return List.of(byLine);
    }

    /**
     * Every label the source declares, in the order of the text.
     *
     * @return every label, in the order of the text
     */
    public List<Label> labels() {
        return labels;
    }

    /**
     * Finds where a function is declared in the source.
     *
     * @param func a function id
     * @return the line of its {@code func} declaration, or -1 when the table does not know it
     */
    public int functionLine(int func) {
        return func >= 0 && func < funcLines.length ? funcLines[func] : -1;
    }

    /**
     * The instruction a breakpoint on a source line stops at: the instruction on that line, or when
     * the line has none (a comment, a label, a blank line), the first instruction on a later line,
     * as a debugger moves a breakpoint to the next line with code.
     *
     * @param line a source line, 1 or more
     * @return the entry, or {@code null} when no instruction is on that line or after it
     */
    public Entry atOrAfter(int line) {
        int lo = 0;
        int hi = byLine.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (byLine[mid].line() < line) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < byLine.length ? byLine[lo] : null;
    }

    /**
     * The source line of an instruction.
     *
     * @param func a function id
     * @param pc a byte pc in the function
     * @return the line of the instruction at exactly that pc, or -1 when no instruction of the
     *     table starts there
     */
    public int lineOf(int func, int pc) {
        if (func < 0 || func >= byPc.length) {
            return -1;
        }
        Entry[] es = byPc[func];
        int lo = 0;
        int hi = es.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int p = es[mid].pc();
            if (p < pc) {
                lo = mid + 1;
            } else if (p > pc) {
                hi = mid - 1;
            } else {
                return es[mid].line();
            }
        }
        return -1;
    }

    /**
     * Looks a label up by function and name.
     *
     * @param func a function id
     * @param name a label name as written in that function
     * @return the label, or {@code null} when the function has no such label
     */
    public Label label(int func, String name) {
        return labelIndex.get(func + ":" + name);
    }

    /**
     * Lists the labels placed at one pc of a function.
     *
     * @param func a function id
     * @param pc a byte pc
     * @return the labels of that function at that pc, in the order of the text (often none)
     */
    public List<Label> labelsAt(int func, int pc) {
        List<Label> at = labelsByPc.get(((long) func << 32) | (pc & 0xffffffffL));
        return at == null ? List.of() : Collections.unmodifiableList(at);
    }

    /** Collects a table while the assembler lays out functions. */
    static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private final List<Label> labels = new ArrayList<>();
        private final List<Integer> funcLines = new ArrayList<>();

        /** Records function {@code func}'s declaration line; called in function id order. */
        void function(int func, int line) {
            while (funcLines.size() <= func) {
                funcLines.add(-1);
            }
            funcLines.set(func, line);
        }

        /** Records the instruction at {@code pc} of {@code func}, written on {@code line}. */
        void instruction(int func, int pc, int line) {
            entries.add(new Entry(line, func, pc));
        }

        /** Records a label. */
        void label(int func, String name, int pc, int line) {
            labels.add(new Label(func, name, pc, line));
        }

        LineTable build() {
            int[] fl = new int[funcLines.size()];
            for (int i = 0; i < fl.length; i++) {
                fl[i] = funcLines.get(i);
            }
            return new LineTable(entries, labels, fl);
        }
    }
}
