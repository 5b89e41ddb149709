package dev.tape.verify;

import dev.tape.program.ValueType;

import java.util.List;

/**
 * Two lists of value types (a signature's arguments and results, or a function's register types
 * and an empty list) as a hash-map key that is also ordered. {@link ValueType#hashCode()} is fixed,
 * so a file can name any number of distinct obj types of one hash code ({@code obj<k x 2^32 + k>}
 * for every k); a {@link java.util.HashMap} keeps colliding keys in a tree, which it can search in
 * O(log n) comparisons only when the keys are ordered ({@link Comparable} with their own class).
 * Unordered, every look-up compared all of them: 40,000 such call signatures took minutes.
 * Immutable; the lists must not change while the key is in use.
 */
final class TypesKey implements Comparable<TypesKey> {
    private final List<ValueType> first;
    private final List<ValueType> second;
    private final int hash;

    /**
     * For tests ({@code TypeHashCollisionTest}), null otherwise: told, on whatever thread, at most
     * how many elements each {@link #compareTo} and each {@link #equals} of two keys of one hash
     * code reads (the shorter lengths of the lists it compares), so that a test can count the work
     * of a whole verify's maps ({@code Verifier.key}, the {@code Lowerer}'s register-type arrays,
     * and {@code TypeChecker}'s obj type ids, whose keys report one element per compare).
     * A plain field, read once per such compare or equality test, which a {@code HashMap} makes
     * only between keys of one hash code.
     */
    static java.util.function.IntConsumer probe;

    /**
     * @param first the first list (not copied)
     * @param second the second list (not copied)
     */
    TypesKey(List<ValueType> first, List<ValueType> second) {
        this.first = first;
        this.second = second;
        this.hash = 31 * first.hashCode() + second.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TypesKey k) || k.hash != hash) {
            return false;
        }
        java.util.function.IntConsumer p = probe;
        if (p != null) {
            p.accept(Math.min(first.size(), k.first.size()) + Math.min(second.size(), k.second.size()));
        }
        return k.first.equals(first) && k.second.equals(second);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * Orders by the first lists, then the second; a list before another it is a proper prefix of;
     * types by kind, then host type id (unsigned). Consistent with {@link #equals}. Costs up to the
     * lists' length.
     */
    @Override
    public int compareTo(TypesKey o) {
        java.util.function.IntConsumer p = probe;
        if (p != null) {
            p.accept(Math.min(first.size(), o.first.size()) + Math.min(second.size(), o.second.size()));
        }
        int c = compare(first, o.first);
        return c != 0 ? c : compare(second, o.second);
    }

    private static int compare(List<ValueType> a, List<ValueType> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            ValueType x = a.get(i);
            ValueType y = b.get(i);
            int c = Integer.compare(x.kind().ordinal(), y.kind().ordinal());
            if (c == 0) {
                c = Long.compareUnsigned(x.hostType(), y.hostType());
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
