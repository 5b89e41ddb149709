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
 * memory 8 bytes per name), so {@link #functionNameSymbol(int, int)}, and with it
 * {@link Program#functionName(int)}, costs O(log n) instead of a scan of the section: printing every
 * function's name of a program with 160,000 names stays linear.
 */
public final class Names {
    /** No names at all. */
    public static final Names NONE = new Names(-1, List.of(), List.of());

    private final int programName;
    private final List<FunctionName> functions;
    private final List<LabelName> labels;
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
        this.programName = programName;
        this.functions = List.copyOf(functions);
        this.labels = List.copyOf(labels);
        int n = this.functions.size();
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) this.functions.get(i).funcId() << 32) | i;
        }
        Arrays.sort(keys);
        this.sortedIds = new int[n];
        this.sortedSymbols = new int[n];
        for (int i = 0; i < n; i++) {
            sortedIds[i] = (int) (keys[i] >> 32);
            sortedSymbols[i] = this.functions.get((int) keys[i]).nameSymbol();
        }
    }

    /** @return the symbol id of the program's name, or -1 when absent */
    public int programName() {
        return programName;
    }

    /** @return the function names, in section order */
    public List<FunctionName> functions() {
        return functions;
    }

    /** @return the label names, in section order */
    public List<LabelName> labels() {
        return labels;
    }

    /** @return whether there is nothing to encode (the section is then omitted) */
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
     * @param funcId a function id
     * @param nameSymbol the symbol id of its name
     */
    public record FunctionName(int funcId, int nameSymbol) {}

    /**
     * @param funcId a function id
     * @param pc a byte offset in that function's bytecode
     * @param nameSymbol the symbol id of the label's name
     */
    public record LabelName(int funcId, int pc, int nameSymbol) {}
}
