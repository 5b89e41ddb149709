package dev.tape.value;

import dev.tape.program.ValueKind;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Deep equality and hashing of aggregates ({@link Aggregate#equals}, {@link Aggregate#hashCode}),
 * walked with explicit heap stacks, never by recursion on the Java stack, so any depth the heap holds
 * works (a closure's environment is walked as a child of the element that holds the closure).
 *
 * <p>A program can share one aggregate many times ({@code t = (t, t)} sixty times makes 2^60
 * leaves from 61 objects), so neither walks the leaves: hashing remembers each aggregate's hash for
 * the duration of the call (each distinct object is visited once), and equality treats identical
 * references as equal without a look inside and remembers every pair of aggregates it has proved
 * equal, so it looks inside each distinct pair at most once (two separately built copies of such a
 * tuple compare in 61 steps; the work is at most the number of distinct pairs times their width).
 */
final class DeepValues {
    private DeepValues() {}

    private static boolean isRef(int tag) {
        return tag != ValueKind.UNIT.tag() && !Aggregate.isWord(ValueKind.fromTag(tag));
    }

    /** Compares kind, type id, element kinds and word elements; not reference elements. */
    private static boolean shallowEqual(Aggregate a, Aggregate b) {
        int n = a.size();
        if (a.aggKind() != b.aggKind() || a.typeId() != b.typeId() || n != b.size()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int tag = a.tag(i);
            if (tag != b.tag(i) || (Aggregate.isWord(ValueKind.fromTag(tag)) && a.word(i) != b.word(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param x an aggregate
     * @param y another
     * @return whether they have the same kind, type id and elements, compared deeply (strings and
     *     bytes by content, f64 by bits)
     */
    static boolean equal(Aggregate x, Aggregate y) {
        return equal(x, y, new long[1]);
    }

    /**
     * {@link #equal(Aggregate, Aggregate)}, counting in {@code work[0]} the pairs of aggregates it
     * looks inside (for tests: the count is bounded by the distinct pairs, whatever the sharing).
     */
    static boolean equal(Aggregate x, Aggregate y, long[] work) {
        if (x == y) {
            return true;
        }
        if (!shallowEqual(x, y)) {
            return false;
        }
        Aggregate[] as = {x, null, null, null, null, null, null, null};
        Aggregate[] bs = {y, null, null, null, null, null, null, null};
        int[] next = new int[8];
        int depth = 1;
        // every pair proved equal, by identity: each distinct pair is looked inside at most once, so
        // the work is bounded by the pairs of distinct objects, never by the (shared) leaves
        IdentityHashMap<Aggregate, Set<Aggregate>> proved = null;
        while (depth > 0) {
            Aggregate a = as[depth - 1];
            Aggregate b = bs[depth - 1];
            int n = a.size();
            int i = next[depth - 1];
            if (i == 0) {
                work[0]++;
            }
            Aggregate ca = null;
            Aggregate cb = null;
            while (i < n && ca == null) {
                int tag = a.tag(i);
                Object p = a.ref(i);
                Object q = b.ref(i);
                i++;
                if (!isRef(tag) || p == q) {
                    continue;
                }
                if (p instanceof Value.Closure pc) {
                    if (!(q instanceof Value.Closure qc) || pc.func() != qc.func()) {
                        return false;
                    }
                    p = pc.env();
                    q = qc.env();
                }
                if (p instanceof Aggregate pa) {
                    if (!(q instanceof Aggregate qa)) {
                        return false;
                    }
                    if (pa == qa || (proved != null && proved.getOrDefault(pa, Set.of()).contains(qa))) {
                        continue;
                    }
                    if (!shallowEqual(pa, qa)) {
                        return false;
                    }
                    ca = pa;
                    cb = qa;
                } else if (p == null || !p.equals(q)) {
                    return false;
                }
            }
            next[depth - 1] = i;
            if (ca != null) {
                if (depth == as.length) {
                    as = Arrays.copyOf(as, depth * 2);
                    bs = Arrays.copyOf(bs, depth * 2);
                    next = Arrays.copyOf(next, depth * 2);
                }
                as[depth] = ca;
                bs[depth] = cb;
                next[depth] = 0;
                depth++;
            } else {
                depth--;
                as[depth] = null;
                bs[depth] = null;
                if (depth > 0) {
                    if (proved == null) {
                        proved = new IdentityHashMap<>();
                    }
                    proved.computeIfAbsent(a, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(b);
                }
            }
        }
        return true;
    }

    /**
     * @param root an aggregate
     * @return a hash of its kind, type id and elements, deeply, consistent with {@link #equal}
     */
    static int hash(Aggregate root) {
        IdentityHashMap<Aggregate, Integer> done = new IdentityHashMap<>();
        Aggregate[] stack = new Aggregate[8];
        int[] next = new int[8];
        stack[0] = root;
        int depth = 1;
        while (depth > 0) {
            Aggregate a = stack[depth - 1];
            int n = a.size();
            int i = next[depth - 1];
            Aggregate child = null;
            for (; i < n; i++) {
                Aggregate c = child(a, i);
                if (c != null && !done.containsKey(c)) {
                    child = c;
                    break;
                }
            }
            next[depth - 1] = i;
            if (child != null) {
                if (depth == stack.length) {
                    stack = Arrays.copyOf(stack, depth * 2);
                    next = Arrays.copyOf(next, depth * 2);
                }
                stack[depth] = child;
                next[depth] = 0;
                depth++;
            } else {
                done.put(a, combine(a, done));
                stack[--depth] = null;
            }
        }
        return done.get(root);
    }

    /** @return the aggregate element {@code i} holds (itself, or a closure's environment), or null */
    private static Aggregate child(Aggregate a, int i) {
        Object r = isRef(a.tag(i)) ? a.ref(i) : null;
        if (r instanceof Value.Closure c) {
            return c.env();
        }
        return r instanceof Aggregate x ? x : null;
    }

    /** The hash of {@code a}, whose aggregate children are all in {@code done}. */
    private static int combine(Aggregate a, IdentityHashMap<Aggregate, Integer> done) {
        int h = a.aggKind().ordinal() * 31 + a.typeId();
        for (int i = 0; i < a.size(); i++) {
            int tag = a.tag(i);
            h = h * 31 + tag;
            if (Aggregate.isWord(ValueKind.fromTag(tag))) {
                h = h * 31 + Long.hashCode(a.word(i));
            } else if (isRef(tag)) {
                Object r = a.ref(i);
                int e;
                if (r instanceof Aggregate x) {
                    e = done.get(x);
                } else if (r instanceof Value.Closure c) {
                    e = c.func() * 31 + done.get(c.env());
                } else {
                    e = r == null ? 0 : r.hashCode();
                }
                h = h * 31 + e;
            }
        }
        return h;
    }
}
