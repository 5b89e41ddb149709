package dev.tape.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of the program being assembled that also finds the first entry equal to a value: the
 * symbols ({@link AsmSymbols}) and the constants ({@link AsmParser}). A declared entry is appended
 * even when an equal one is there (the file may repeat one); a referenced value is interned,
 * getting the first equal entry's index.
 *
 * @param <T> the entries' type, with value equality
 */
final class AsmPool<T> {
    private final List<T> entries = new ArrayList<>();
    private final Map<T, Integer> first = new HashMap<>();

    /**
     * Appends a declared entry.
     *
     * @param v the entry
     */
    void add(T v) {
        first.putIfAbsent(v, entries.size());
        entries.add(v);
    }

    /**
     * @param v a value
     * @return the index of the first equal entry, appending {@code v} when there is none
     */
    int intern(T v) {
        Integer id = first.get(v);
        if (id == null) {
            id = entries.size();
            entries.add(v);
            first.put(v, id);
        }
        return id;
    }

    /** @return the number of entries */
    int size() {
        return entries.size();
    }

    /**
     * @param i an index below {@link #size()}
     * @return the entry
     */
    T get(int i) {
        return entries.get(i);
    }

    /** @return the entries, in order (the list itself, not a copy) */
    List<T> list() {
        return entries;
    }
}
