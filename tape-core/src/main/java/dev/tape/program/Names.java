package dev.tape.program;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Optional debug names (spec section "Names (optional)"): the program's name, function names and
 * label names, as symbol ids. An immutable value with record semantics ({@link #equals(Object)}
 * compares the three components).
 *
 * <p>The function names are indexed by function id when the value is made (time O(n log n),
 * memory 8 bytes per name, none when the section lists them in function-id order), so {@link #functionNameSymbol(int, int)}, and with it
 * {@link Program#functionName(int)}, costs O(log n) instead of a scan of the section: printing every
 * function's name of a program with 160,000 names stays linear.
 *
 * <p>"Section order" is the order the value was made with. {@link ProgramDecoder} makes it in the
 * order {@link ProgramEncoder} writes (sorted, whatever the file's order) when no key repeats, so a
 * decoded program's names equal those decoded from its re-encoding, and in the file's order when
 * one does (a function named twice: its first entry in the file names it, as in the reference);
 * a value made with this class's constructor keeps
 * the order given, which the encoder sorts.
 */
public final class Names {
    /** No names at all. */
    public static final Names NONE = new Names(-1, List.of(), List.of());

    private final int programName;
    /** the function names, in section order, as a view of {@link #funcIds} and {@link #symbols} */
    private final List<FunctionName> functions;
    private final List<LabelName> labels;
    /** The function id of each function-name entry, in section order. */
    private final int[] funcIds;
    /** The name symbol of each function-name entry, in section order. */
    private final int[] symbols;
    /** The function ids of {@link #functions}, sorted; ties keep the section's order. */
    private final int[] sortedIds;
    /** The name symbol of each entry of {@link #sortedIds}. */
    private final int[] sortedSymbols;

    /**
     * Copies the lists and indexes the function names.
     *
     * @param programName the symbol id of the program's name, or -1 when absent
     * @param functions function names, in section order (a function may be named more than once)
     * @param labels label names
     * @throws NullPointerException when a list or an element is null
     */
    public Names(int programName, List<FunctionName> functions, List<LabelName> labels) {
        this(programName, ids(functions, true), ids(functions, false), functions.size(), labels);
    }

    private static int[] ids(List<FunctionName> functions, boolean func) {
        int[] out = new int[functions.size()];
        for (int i = 0; i < out.length; i++) {
            FunctionName f = functions.get(i);
            out[i] = func ? f.funcId() : f.nameSymbol();
        }
        return out;
    }

    /**
     * For the decoder: function names as two arrays, kept without copying (a program keeps 8 bytes
     * a name instead of an object each; {@link #functions()} makes the records on access).
     *
     * @param programName the symbol id of the program's name, or -1 when absent
     * @param funcIds the function id of each function-name entry, in section order, in the first
     *     {@code n} entries (kept when exactly {@code n} long, else copied)
     * @param symbols the name symbol of each entry, likewise
     * @param n the number of function-name entries
     * @param labels label names
     */
    Names(int programName, int[] funcIds, int[] symbols, int n, List<LabelName> labels) {
        this.programName = programName;
        this.funcIds = funcIds.length == n ? funcIds : Arrays.copyOf(funcIds, n);
        this.symbols = symbols.length == n ? symbols : Arrays.copyOf(symbols, n);
        this.functions = new FunctionNameList(this.funcIds, this.symbols);
        this.labels = List.copyOf(labels);
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = this.funcIds[i - 1] <= this.funcIds[i];
        }
        if (sorted) {
            // the usual section, in function order already: the index is the section (never modified)
            this.sortedIds = this.funcIds;
            this.sortedSymbols = this.symbols;
            return;
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) this.funcIds[i] << 32) | i;
        }
        Arrays.sort(keys);
        this.sortedIds = new int[n];
        this.sortedSymbols = new int[n];
        for (int i = 0; i < n; i++) {
            sortedIds[i] = (int) (keys[i] >> 32);
            sortedSymbols[i] = this.symbols[(int) keys[i]];
        }
    }

    /**
     * The program's name, as a symbol id.
     *
     * @return the symbol id of the program's name, or -1 when absent
     */
    public int programName() {
        return programName;
    }

    /**
     * The names given to functions.
     *
     * @return the function names, in section order: an unmodifiable list (as {@code List.copyOf}'s:
     *     every mutator throws, null queries throw) whose elements are made on access, equal to
     *     those the names were made from
     */
    public List<FunctionName> functions() {
        return functions;
    }

    /**
     * The names given to labels (pcs within functions).
     *
     * @return the label names, in section order
     */
    public List<LabelName> labels() {
        return labels;
    }

    /**
     * Tells whether the section names nothing at all.
     *
     * @return whether there is nothing to encode (the section is then omitted)
     */
    public boolean isEmpty() {
        return programName < 0 && functions.isEmpty() && labels.isEmpty();
    }

    /**
     * The name symbol of a function: that of its first entry in section order whose symbol id is a
     * valid index, {@code 0 <= id < symbolCount}. O(log n), plus one step per earlier entry for the
     * same function with an invalid symbol (a decoded program has none: the decoder checks them).
     *
     * @param funcId a function id
     * @param symbolCount the number of symbols in the program
     * @return the symbol id, or -1 when no entry names the function with a valid symbol
     */
    public int functionNameSymbol(int funcId, int symbolCount) {
        int lo = 0;
        int hi = sortedIds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedIds[mid] < funcId) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (int i = lo; i < sortedIds.length && sortedIds[i] == funcId; i++) {
            int sym = sortedSymbols[i];
            if (sym >= 0 && sym < symbolCount) {
                return sym;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Names other && programName == other.programName && functions.equals(other.functions)
                && labels.equals(other.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(programName, functions, labels);
    }

    @Override
    public String toString() {
        return "Names[programName=" + programName + ", functions=" + functions + ", labels=" + labels + "]";
    }

    /**
     * A function's name: one entry of the names section.
     *
     * @param funcId a function id
     * @param nameSymbol the symbol id of its name
     */
    public record FunctionName(int funcId, int nameSymbol) {}

    /**
     * A label's name: one entry of the names section, naming a pc of a function.
     *
     * @param funcId a function id
     * @param pc a byte offset in that function's bytecode
     * @param nameSymbol the symbol id of the label's name
     */
    public record LabelName(int funcId, int pc, int nameSymbol) {}
}
