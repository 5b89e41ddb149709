package dev.tape.program;

import java.io.Serializable;
import java.util.AbstractList;
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
 * An unmodifiable list kept in packed arrays, making each element on access, that behaves as the
 * list it stands for, {@code List.copyOf} of its elements: every mutator throws
 * {@link UnsupportedOperationException} whatever its arguments, even when nothing would change,
 * and so do its iterators' and sublists'; null queries ({@code contains(null)},
 * {@code indexOf(null)}) throw {@link NullPointerException} (subclasses' {@code indexOf} and
 * {@code lastIndexOf} must); and it serializes as {@code List.copyOf} of its elements.
 * {@code get} out of range throws {@link ArrayIndexOutOfBoundsException}.
 *
 * @param <E> the element type
 */
abstract class PackedList<E> extends AbstractList<E> implements RandomAccess, Serializable {
    private static final long serialVersionUID = 1L;

    /** @return the exception every mutator throws */
    abstract UnsupportedOperationException unmodifiable();

    /**
     * @param fromIndex the first element, checked: 0 to {@code toIndex}
     * @param toIndex past the last, checked: up to {@link #size()}
     * @return a list of the same kind holding those elements
     */
    abstract List<E> range(int fromIndex, int toIndex);

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public final List<E> subList(int fromIndex, int toIndex) {
        // the checks and exceptions of the JDK's lists (AbstractList.subListRangeCheck)
        if (fromIndex < 0) {
            throw new IndexOutOfBoundsException("fromIndex = " + fromIndex);
        }
        if (toIndex > size()) {
            throw new IndexOutOfBoundsException("toIndex = " + toIndex);
        }
        if (fromIndex > toIndex) {
            throw new IllegalArgumentException("fromIndex(" + fromIndex + ") > toIndex(" + toIndex + ")");
        }
        return range(fromIndex, toIndex);
    }

    @Override
    public Iterator<E> iterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<E> listIterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<E> listIterator(int index) {
        Objects.checkIndex(index, size() + 1);
        return new ListIterator<>() {
            private int cursor = index;

            @Override
            public boolean hasNext() {
                return cursor < size();
            }

            @Override
            public E next() {
                if (cursor >= size()) {
                    throw new NoSuchElementException();
                }
                return get(cursor++);
            }

            @Override
            public boolean hasPrevious() {
                return cursor > 0;
            }

            @Override
            public E previous() {
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
            public void set(E e) {
                throw unmodifiable();
            }

            @Override
            public void add(E e) {
                throw unmodifiable();
            }
        };
    }

    @Override
    public boolean add(E e) {
        throw unmodifiable();
    }

    @Override
    public void add(int index, E e) {
        throw unmodifiable();
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        throw unmodifiable();
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> c) {
        throw unmodifiable();
    }

    @Override
    public E set(int index, E e) {
        throw unmodifiable();
    }

    @Override
    public E remove(int index) {
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
    public boolean removeIf(Predicate<? super E> filter) {
        throw unmodifiable();
    }

    @Override
    public void replaceAll(UnaryOperator<E> operator) {
        throw unmodifiable();
    }

    @Override
    public void sort(Comparator<? super E> c) {
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

    /** @return {@code List.copyOf} of the elements, written in this list's place */
    final Object writeReplace() {
        return List.copyOf(this);
    }
}
