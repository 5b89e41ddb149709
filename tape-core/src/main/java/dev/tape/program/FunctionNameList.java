package dev.tape.program;

import java.io.Serializable;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

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
final class FunctionNameList extends AbstractList<Names.FunctionName> implements RandomAccess, Serializable {
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

    private static UnsupportedOperationException unmodifiable() {
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
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public List<Names.FunctionName> subList(int fromIndex, int toIndex) {
        // the checks and exceptions of the JDK's lists (AbstractList.subListRangeCheck)
        if (fromIndex < 0) {
            throw new IndexOutOfBoundsException("fromIndex = " + fromIndex);
        }
        if (toIndex > funcIds.length) {
            throw new IndexOutOfBoundsException("toIndex = " + toIndex);
        }
        if (fromIndex > toIndex) {
            throw new IllegalArgumentException("fromIndex(" + fromIndex + ") > toIndex(" + toIndex + ")");
        }
        return new FunctionNameList(Arrays.copyOfRange(funcIds, fromIndex, toIndex),
                Arrays.copyOfRange(symbols, fromIndex, toIndex));
    }

    @Override
    public Iterator<Names.FunctionName> iterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Names.FunctionName> listIterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Names.FunctionName> listIterator(int index) {
        Objects.checkIndex(index, funcIds.length + 1);
        return new ListIterator<>() {
            private int cursor = index;

            @Override
            public boolean hasNext() {
                return cursor < funcIds.length;
            }

            @Override
            public Names.FunctionName next() {
                if (cursor >= funcIds.length) {
                    throw new NoSuchElementException();
                }
                return get(cursor++);
            }

            @Override
            public boolean hasPrevious() {
                return cursor > 0;
            }

            @Override
            public Names.FunctionName previous() {
                if (cursor <= 0) {
                    throw new NoSuchElementException();
                }
                return get(--cursor);
            }

            @Override
            public int nextIndex() {
                return cursor;
            }

            @Override
            public int previousIndex() {
                return cursor - 1;
            }

            @Override
            public void remove() {
                throw unmodifiable();
            }

            @Override
            public void set(Names.FunctionName e) {
                throw unmodifiable();
            }

            @Override
            public void add(Names.FunctionName e) {
                throw unmodifiable();
            }
        };
    }

    @Override
    public boolean add(Names.FunctionName e) {
        throw unmodifiable();
    }

    @Override
    public void add(int index, Names.FunctionName e) {
        throw unmodifiable();
    }

    @Override
    public boolean addAll(Collection<? extends Names.FunctionName> c) {
        throw unmodifiable();
    }

    @Override
    public boolean addAll(int index, Collection<? extends Names.FunctionName> c) {
        throw unmodifiable();
    }

    @Override
    public Names.FunctionName set(int index, Names.FunctionName e) {
        throw unmodifiable();
    }

    @Override
    public Names.FunctionName remove(int index) {
        throw unmodifiable();
    }

    @Override
    public boolean remove(Object o) {
        throw unmodifiable();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw unmodifiable();
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw unmodifiable();
    }

    @Override
    public boolean removeIf(Predicate<? super Names.FunctionName> filter) {
        throw unmodifiable();
    }

    @Override
    public void replaceAll(UnaryOperator<Names.FunctionName> operator) {
        throw unmodifiable();
    }

    @Override
    public void sort(Comparator<? super Names.FunctionName> c) {
        throw unmodifiable();
    }

    @Override
    public void clear() {
        throw unmodifiable();
    }

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        throw unmodifiable();
    }

    /** @return {@code List.copyOf} of the records, written in this list's place */
    private Object writeReplace() {
        return List.copyOf(this);
    }
}
