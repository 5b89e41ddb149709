package dev.tape.vm;

import dev.tape.program.ValueKind;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.util.Arrays;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ids of a snapshot's reference values, by value, for {@link Snapshots#write}: two equal values
 * (equal strings, byte strings, decimals or host objects; closures of one function over equal
 * environments; aggregates of one kind, type id and element kinds whose elements are equal, f64
 * elements by their bits) are one entry, whichever Java objects they are. A program cannot tell
 * two equal values apart, and which of them a run holds as one object is not part of its state: a
 * restored run holds copies of its values while a pool constant loaded again, or a host's value
 * returned again, is the original object; a replayed host gives a new object for every answer;
 * compiled code boxes a new decimal where the interpreter may keep one. So sharing by identity
 * made the snapshot of a run restored (or replayed) earlier differ in bytes, and in what a restore
 * ceiling counts, from the run's own; by value, a snapshot is a function of the values alone.
 *
 * <p>Ids are given in the order values are first {@linkplain #add added} (the writer adds children
 * before parents), so they, and the snapshot's bytes, depend neither on the hash key nor on where a
 * value lands in a table. Each object is looked up by identity first, in an open-addressing table
 * of objects and ids (once listed, an object is never hashed again). A new object comes with its
 * children's ids, which are kept with it, in order, so that hashing, comparing and writing it read
 * them in sequence. It is hashed by its content with SipHash-1-3 under a 128-bit key drawn per
 * writer ({@link ThreadLocalRandom}; a program sees neither the key nor the time a write takes), and
 * looked up in a second open-addressing table whose slots hold an id and 32 bits of its value's
 * hash; a candidate with the same 32 bits is compared with the new value in place ({@link
 * #compare}). No object is made per value.
 *
 * <p>Bounds, whatever the values and the key: a lookup in the table probes at most {@link
 * #MAX_PROBES} slots and compares at most {@link #MAX_SAME_HASH} candidates of its hash bits; a value
 * that would need more is kept in a red-black tree ordered by {@link #compare} (found or put there by
 * one search, at most 2 log2(n + 1) comparisons), which a lookup the table misses also searches when
 * it is not empty. So values whose hashes all collide cost at most 8 + 2 log2(n + 1) comparisons
 * each to list, plus 2 log2(n + 1) for one that a table growth moves to the tree (once at most): the
 * order of the ceiling of the hash map of ordered keys this replaced, whose tree bins began at 8 too.
 * A comparison reads at most the smaller value's content (its bytes, words, element kinds and
 * children's ids). With the keyed hash, unequal values compare only when 32 bits of their hashes
 * agree by chance, and the expected cost is linear. Transient memory: 16 to 32 bytes a distinct
 * object in the identity table, 16 to 32 a distinct value in the value table, 8 to 16 in the list of
 * values, 4 to 8 per reference child of a distinct value; a tree entry (about 40 bytes and a boxed
 * id) only for values past the table's bounds. Measured (docs/PERFORMANCE-LOG.md, "Snapshot ids
 * without a key per value"): 800,000 tuples charged about 54 MB, whose content keys all had one
 * hash in the map this replaced, written in 0.33 s of CPU with a peak of 184 MB of heap beside the
 * values, garbage included (the map: 2.2 to 2.4 s and 562 MB; the identity writer before the
 * seventeenth round: 0.26 to 0.28 s and 220 MB).
 */
final class SnapshotIds {
    /** The candidates of one hash a lookup compares in the table before it goes to the tree. */
    static final int MAX_SAME_HASH = 8;
    /** The slots a lookup probes in the table before it goes to the tree. */
    static final int MAX_PROBES = 64;
    /**
     * The longest of the identity and value tables, a power of two: 2^30 slots, so at most 2^29
     * distinct objects (the tables stay at most half full). A run holding more (only with a JVM
     * heap of tens of GB) cannot be written: {@link #doubled} refuses with a {@link
     * SnapshotException}, rather than let an {@code int} overflow to a negative array size.
     */
    static final int MAX_TABLE = 1 << 30;
    /** The longest array of ids this class or the writer makes: the largest a JVM can allocate. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The kinds' ranks: the first order {@link #compare} applies, and the low byte of a hash's first word. */
    private static final int STR = 1;
    private static final int BYTES = 2;
    private static final int DECIMAL = 3;
    private static final int OBJ = 4;
    private static final int CLOSURE = 5;
    private static final int AGG = 6;

    private final long k0;
    private final long k1;
    /** ANDed into every hash: all ones, except in tests that force collisions */
    private final long hashMask;

    /** identity table: objects and their ids, at most half full */
    private Object[] idKeys = new Object[16];
    private int[] idVals = new int[16];
    private int idSize;

    /** the distinct values, by id, and where each one's children's ids start in {@link #kids} */
    private Object[] values = new Object[8];
    private int[] kidStart = new int[8];
    private int count;
    /** the ids of the distinct values' reference children, value after value, each in element order */
    private int[] kids = new int[8];
    private int kidLen;

    /** value table: per slot, the 32 high bits of a value's hash and its id + 1; 0 when empty; at most half full */
    private long[] slots = new long[16];
    private int slotSize;
    /** the ids of the values past the table's bounds, ordered by {@link #compare}; null while there are none */
    private TreeMap<Integer, Integer> tree;
    /** where {@link #find} saw the first empty slot in bounds, else -1 */
    private int emptySlot;

    /** SipHash state of the hash being computed */
    private long v0;
    private long v1;
    private long v2;
    private long v3;

    /** content comparisons made (for tests: the bound on collisions) */
    private long comparisons;

    /** A table whose hash key is drawn from {@link ThreadLocalRandom}. */
    SnapshotIds() {
        this(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong(), -1L);
    }

    /**
     * A table with a given hash key (for tests: the ids do not depend on it).
     *
     * @param k0 the first half of the SipHash key
     * @param k1 the second half
     * @param hashMask ANDed into every value's hash: -1 for the hash itself; 0 makes every value
     *     collide with every other, a mask of high bits makes values collide in the table's slots
     *     but not in the stored bits
     */
    SnapshotIds(long k0, long k1, long hashMask) {
        this.k0 = k0;
        this.k1 = k1;
        this.hashMask = hashMask;
    }

    /** @return the number of distinct values listed */
    int size() {
        return count;
    }

    /**
     * @param id an id, 0 to {@link #size()} - 1
     * @return the first object listed with that id
     */
    Object value(int id) {
        return values[id];
    }

    /**
     * @param id an id, 0 to {@link #size()} - 1
     * @param j a reference child's index among the value's reference children (an aggregate's
     *     reference elements in order; a closure's environment is 0)
     * @return that child's id
     */
    int child(int id, int j) {
        return kids[kidStart[id] + j];
    }

    /** @return the objects added (each distinct object once, whether or not an equal value was listed before) */
    int objects() {
        return idSize;
    }

    /** @return the content comparisons made so far */
    long comparisons() {
        return comparisons;
    }

    /**
     * @param o an object
     * @return its id, or -1 when it has not been added
     */
    int get(Object o) {
        Object[] keys = idKeys;
        int mask = keys.length - 1;
        int i = System.identityHashCode(o) & mask;
        while (true) {
            Object k = keys[i];
            if (k == o) {
                return idVals[i];
            }
            if (k == null) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    /** @return whether {@code o} has been added */
    boolean contains(Object o) {
        return get(o) >= 0;
    }

    /**
     * Lists {@code o}, which has not been added and whose children have: it gets the id of an
     * equal value listed before, else the next id.
     *
     * @param o a string, byte string, decimal, host object, closure or aggregate
     * @param ids the ids of its reference children (an aggregate's reference elements in order, a
     *     closure's environment), at {@code from}
     * @param from where they start
     * @param n how many there are
     * @return the id it gets
     */
    int add(Object o, int[] ids, int from, int n) {
        int pending = count;
        if (pending + 1 >= values.length) {
            values = Arrays.copyOf(values, doubled(values.length));
            kidStart = Arrays.copyOf(kidStart, values.length);
        }
        if ((long) kidLen + n > kids.length) {
            kids = Arrays.copyOf(kids, capacity(kids.length, (long) kidLen + n));
        }
        // listed tentatively as the next id, so that hashing and comparing read it as any other
        values[pending] = o;
        kidStart[pending] = kidLen;
        System.arraycopy(ids, from, kids, kidLen, n);
        kidLen += n;
        int tag = (int) (hash(pending) >>> 32);
        int id = find(pending, tag);
        if (id >= 0) {
            values[pending] = null;
            kidLen = kidStart[pending];
        } else {
            id = pending;
            count++;
            if (emptySlot >= 0) {
                slots[emptySlot] = (long) tag << 32 | (id + 1L);
                if (++slotSize * 2 > slots.length) {
                    growSlots();
                }
            }
        }
        putIdentity(o, id);
        return id;
    }

    /**
     * Looks for a value equal to value {@code pending} (listed tentatively), of hash bits {@code
     * tag}: in the table, within its bounds, then in the tree. Sets {@link #emptySlot}.
     *
     * @return its id, or -1
     */
    private int find(int pending, int tag) {
        long[] s = slots;
        int mask = s.length - 1;
        int i = tag & mask;
        int same = 0;
        emptySlot = -1;
        for (int p = 0; p < MAX_PROBES; p++) {
            long slot = s[i];
            if (slot == 0) {
                emptySlot = i;
                break;
            }
            if ((int) (slot >>> 32) == tag) {
                int id = (int) slot - 1;
                if (compare(pending, id) == 0) {
                    return id;
                }
                if (++same == MAX_SAME_HASH) {
                    break;
                }
            }
            i = (i + 1) & mask;
        }
        if (emptySlot < 0) {
            // past the table's bounds: found in the tree, or put there by the same search
            Integer id = tree().putIfAbsent(pending, pending);
            return id == null ? -1 : id;
        }
        if (tree != null) {
            Integer id = tree.get(pending);
            if (id != null) {
                return id;
            }
        }
        return -1;
    }

    private TreeMap<Integer, Integer> tree() {
        if (tree == null) {
            tree = new TreeMap<>(new Comparator<Integer>() {
                @Override
                public int compare(Integer a, Integer b) {
                    return SnapshotIds.this.compare(a, b);
                }
            });
        }
        return tree;
    }

    /**
     * The length a table of {@code length} slots doubles to.
     *
     * @param length a power of two
     * @return twice it
     * @throws SnapshotException when that would pass {@link #MAX_TABLE}
     */
    static int doubled(int length) {
        if (length >= MAX_TABLE) {
            throw tooMany();
        }
        return length * 2;
    }

    /**
     * The length an array of ids of {@code length} entries grows to when it must hold {@code need}:
     * twice its length or {@code need}, whichever is more, at most {@link #MAX_ARRAY}.
     *
     * @param length the array's length
     * @param need the entries it must hold, as a {@code long} (a sum of two ints does not overflow)
     * @return the new length, at least {@code need}
     * @throws SnapshotException when {@code need} passes {@link #MAX_ARRAY}
     */
    static int capacity(int length, long need) {
        if (need > MAX_ARRAY) {
            throw tooMany();
        }
        return (int) Math.min(MAX_ARRAY, Math.max(2L * length, need));
    }

    private static SnapshotException tooMany() {
        return new SnapshotException(-1, "the run holds more objects (or references among them) than a snapshot"
                + " can list: 2^29 objects, 2^31 - 9 references");
    }

    /**
     * Doubles the value table, placing each entry within {@link #MAX_PROBES} slots of its home, as
     * {@link #find} does; one past them goes to the tree (the growth walks the old table in slot
     * order, not in the order the values came, so a value whose home run wrapped past the old
     * table's end can be placed before values that came before it: {@code SnapshotIdsModelTest}).
     * Only {@link #MAX_PROBES} bounds it, not {@link #MAX_SAME_HASH}: the table holds at most that
     * many values of one hash bits (they share a home slot, so a lookup meets all that are placed
     * before it meets an empty slot, and the next goes to the tree), so a growth meets at most
     * {@code MAX_SAME_HASH - 1} of an entry's bits before placing it.
     */
    private void growSlots() {
        long[] old = slots;
        long[] s = new long[doubled(old.length)];
        int mask = s.length - 1;
        int n = 0;
        for (long slot : old) {
            if (slot == 0) {
                continue;
            }
            int i = (int) (slot >>> 32) & mask;
            boolean placed = false;
            for (int p = 0; p < MAX_PROBES; p++) {
                if (s[i] == 0) {
                    s[i] = slot;
                    placed = true;
                    n++;
                    break;
                }
                i = (i + 1) & mask;
            }
            if (!placed) {
                tree().put((int) slot - 1, (int) slot - 1);
            }
        }
        slots = s;
        slotSize = n;
    }

    private void putIdentity(Object o, int id) {
        if (++idSize * 2 > idKeys.length) {
            Object[] oldKeys = idKeys;
            int[] oldVals = idVals;
            int length = doubled(oldKeys.length);
            idKeys = new Object[length];
            idVals = new int[length];
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != null) {
                    placeIdentity(oldKeys[j], oldVals[j]);
                }
            }
        }
        placeIdentity(o, id);
    }

    private void placeIdentity(Object o, int id) {
        int mask = idKeys.length - 1;
        int i = System.identityHashCode(o) & mask;
        while (idKeys[i] != null) {
            i = (i + 1) & mask;
        }
        idKeys[i] = o;
        idVals[i] = id;
    }

    private static int rank(Object o) {
        if (o instanceof Value.Str) {
            return STR;
        }
        if (o instanceof Value.Bytes) {
            return BYTES;
        }
        if (o instanceof Value.Decimal) {
            return DECIMAL;
        }
        if (o instanceof Value.Obj) {
            return OBJ;
        }
        return o instanceof Value.Closure ? CLOSURE : AGG;
    }

    /**
     * Orders two listed values by content, their children by id: 0 exactly when they are equal
     * (one entry). Kind first, then a string's or byte string's length and bytes; a decimal's
     * mantissa and scale (so 1.0 and 1 differ); a host object's type and handle; a closure's
     * function and environment; an aggregate's kind, type id, size, element kinds, and elements
     * (words by their bits, so +0.0 and -0.0 differ; references by id).
     *
     * @param a an id (or the one being listed)
     * @param b another
     * @return negative, 0 or positive as value {@code a} is before, equal to or after value {@code b}
     */
    int compare(int a, int b) {
        comparisons++;
        Object x = values[a];
        Object y = values[b];
        if (x == y) {
            return 0;
        }
        int c = Integer.compare(rank(x), rank(y));
        if (c != 0) {
            return c;
        }
        if (x instanceof Value.Str s) {
            Value.Str t = (Value.Str) y;
            return compareBytes(Texts.V.utf8(s), s.length(), Texts.V.utf8(t), t.length());
        }
        if (x instanceof Value.Bytes e) {
            Value.Bytes f = (Value.Bytes) y;
            return compareBytes(Texts.V.array(e), e.length(), Texts.V.array(f), f.length());
        }
        if (x instanceof Value.Decimal d) {
            Value.Decimal e = (Value.Decimal) y;
            c = Long.compare(d.mantissa(), e.mantissa());
            return c != 0 ? c : Integer.compare(d.scale(), e.scale());
        }
        if (x instanceof Value.Obj ob) {
            Value.Obj p = (Value.Obj) y;
            c = Long.compare(ob.hostType(), p.hostType());
            return c != 0 ? c : Long.compare(ob.handle(), p.handle());
        }
        if (x instanceof Value.Closure cl) {
            c = Integer.compare(cl.func(), ((Value.Closure) y).func());
            return c != 0 ? c : Integer.compare(kids[kidStart[a]], kids[kidStart[b]]);
        }
        return compareAggregates((Aggregate) x, kidStart[a], (Aggregate) y, kidStart[b]);
    }

    private static int compareBytes(byte[] x, int n, byte[] y, int m) {
        int c = Integer.compare(n, m);
        return c != 0 ? c : Arrays.compare(x, 0, n, y, 0, n);
    }

    /** Compares aggregates {@code a} and {@code b}, whose children's ids start at {@code ka} and {@code kb}. */
    private int compareAggregates(Aggregate a, int ka, Aggregate b, int kb) {
        int c = Integer.compare(a.aggKind().ordinal(), b.aggKind().ordinal());
        if (c == 0) {
            c = Integer.compare(a.typeId(), b.typeId());
        }
        int n = a.size();
        if (c == 0) {
            c = Integer.compare(n, b.size());
        }
        for (int i = 0; i < n && c == 0; i++) {
            c = Integer.compare(a.tag(i), b.tag(i));
        }
        for (int i = 0, j = 0; i < n && c == 0; i++) {
            ValueKind k = ValueKind.fromTag(a.tag(i));
            if (Aggregate.isWord(k)) {
                c = Long.compare(a.word(i), b.word(i));
            } else if (k != ValueKind.UNIT) {
                c = Integer.compare(kids[ka + j], kids[kb + j]);
                j++;
            }
        }
        return c;
    }

    /**
     * The keyed hash of a value's content, as {@link #compare} reads it, as one injective sequence of
     * 64-bit words (the first holds the kind and the length, so no value's words are a prefix of
     * another's), with SipHash-1-3; then ANDed with the test mask.
     */
    private long hash(int id) {
        Object o = values[id];
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
        if (o instanceof Value.Str s) {
            absorbBytes(STR, Texts.V.utf8(s), s.length());
        } else if (o instanceof Value.Bytes b) {
            absorbBytes(BYTES, Texts.V.array(b), b.length());
        } else if (o instanceof Value.Decimal d) {
            absorb(DECIMAL | (long) d.scale() << 8);
            absorb(d.mantissa());
        } else if (o instanceof Value.Obj ob) {
            absorb(OBJ);
            absorb(ob.hostType());
            absorb(ob.handle());
        } else if (o instanceof Value.Closure cl) {
            absorb(CLOSURE | (long) cl.func() << 32);
            absorb(kids[kidStart[id]]);
        } else {
            absorbAggregate((Aggregate) o, kidStart[id]);
        }
        v2 ^= 0xff;
        round();
        round();
        round();
        return (v0 ^ v1 ^ v2 ^ v3) & hashMask;
    }

    private void absorbBytes(int rank, byte[] b, int n) {
        absorb(rank | (long) n << 8);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            absorb((b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                    | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48
                    | (b[i + 7] & 0xFFL) << 56);
        }
        if (i < n) {
            long w = 0;
            for (int j = 0; i + j < n; j++) {
                w |= (b[i + j] & 0xFFL) << (8 * j);
            }
            absorb(w);
        }
    }

    private void absorbAggregate(Aggregate a, int kid) {
        int n = a.size();
        absorb(AGG | (long) a.aggKind().ordinal() << 8 | (long) n << 16);
        absorb(a.typeId());
        for (int i = 0; i < n; i += 8) {
            long w = 0;
            for (int j = 0; j < 8 && i + j < n; j++) {
                w |= (a.tag(i + j) & 0xFFL) << (8 * j);
            }
            absorb(w);
        }
        for (int i = 0; i < n; i++) {
            ValueKind k = ValueKind.fromTag(a.tag(i));
            absorb(Aggregate.isWord(k) ? a.word(i) : k == ValueKind.UNIT ? 0 : kids[kid++]);
        }
    }

    /** One word of the message: SipHash's compression, one round. */
    private void absorb(long m) {
        v3 ^= m;
        round();
        v0 ^= m;
    }

    private void round() {
        long a = v0;
        long b = v1;
        long c = v2;
        long d = v3;
        a += b;
        b = Long.rotateLeft(b, 13);
        b ^= a;
        a = Long.rotateLeft(a, 32);
        c += d;
        d = Long.rotateLeft(d, 16);
        d ^= c;
        a += d;
        d = Long.rotateLeft(d, 21);
        d ^= a;
        c += b;
        b = Long.rotateLeft(b, 17);
        b ^= c;
        c = Long.rotateLeft(c, 32);
        v0 = a;
        v1 = b;
        v2 = c;
        v3 = d;
    }
}
