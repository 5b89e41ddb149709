package dev.tape.program;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link Names#functions()}: the function names as two int arrays (8 bytes a name instead of an
 * object each), a list making each {@link Names.FunctionName} on access. It behaves as the list it
 * stands for, {@code List.copyOf} of the records: unmodifiable (every mutator throws
 * {@link UnsupportedOperationException} whatever its arguments, even when nothing would change,
 * and so do its iterators' and sublists'), null queries ({@code contains(null)},
 * {@code indexOf(null)}) throw {@link NullPointerException}, and it serializes as
 * {@code List.copyOf} of its records. {@code contains} and {@code indexOf} compare the ints,
 * making no record. The arrays are never modified.
 */
final class FunctionNameList extends PackedList<Names.FunctionName> {
    private static final long serialVersionUID = 1L;

    /** the function id of each entry, in section order */
    private final int[] funcIds;
    /** the name symbol of each entry */
    private final int[] symbols;

    /**
     * @param funcIds the function id of each entry (kept, not copied)
     * @param symbols the name symbol of each entry, as long as {@code funcIds} (kept)
     */
    FunctionNameList(int[] funcIds, int[] symbols) {
        this.funcIds = funcIds;
        this.symbols = symbols;
    }

    @Override
    UnsupportedOperationException unmodifiable() {
        return new UnsupportedOperationException("the function names are unmodifiable");
    }

    @Override
    public Names.FunctionName get(int index) {
        // out of range: ArrayIndexOutOfBoundsException, as List.copyOf's lists of 0 or 3 and more
        // elements (an IndexOutOfBoundsException, so also what those of 1 or 2 throw is caught)
        return new Names.FunctionName(funcIds[index], symbols[index]);
    }

    @Override
    public int size() {
        return funcIds.length;
    }

    @Override
    public int indexOf(Object o) {
        Names.FunctionName f = Objects.requireNonNull(o) instanceof Names.FunctionName n ? n : null;
        if (f != null) {
            for (int i = 0; i < funcIds.length; i++) {
                if (funcIds[i] == f.funcId() && symbols[i] == f.nameSymbol()) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    public int lastIndexOf(Object o) {
        Names.FunctionName f = Objects.requireNonNull(o) instanceof Names.FunctionName n ? n : null;
        if (f != null) {
            for (int i = funcIds.length - 1; i >= 0; i--) {
                if (funcIds[i] == f.funcId() && symbols[i] == f.nameSymbol()) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    List<Names.FunctionName> range(int fromIndex, int toIndex) {
        return new FunctionNameList(Arrays.copyOfRange(funcIds, fromIndex, toIndex),
                Arrays.copyOfRange(symbols, fromIndex, toIndex));
    }
}
