package dev.tape.vm;

import dev.tape.program.ValueKind;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link SnapshotIds} against a model: random values that differ only where a program can tell them
 * apart (f64 NaN payloads and signed zeros by their bits, i64 against u64 words of one bit pattern,
 * decimals of one numeric value at other scales, a string against a byte string of one text, strings
 * that share one appended buffer, closures of two functions, aggregates of other kinds, type ids,
 * lengths, element kinds, or differing only deep down), each built again as other objects, are added
 * children first, under the keyed hash and under masks that make every hash or every slot collide
 * (so values go through the tree and through table growth). Two objects get one id exactly when
 * their model keys (nested lists written here, not by the code under test) are equal; ids are given
 * in the order of first appearance of each key (the writer's rule before, so the bytes are the old
 * writer's); and {@link SnapshotIds#compare} is a total order consistent with that equality.
 */
class SnapshotIdsModelTest {
    static final long[] MASKS = {-1L, 0L, 0xFF00_0000_0000_0000L, 0xFFFF_FFFF_0000_0000L, 0x0000_0001_0000_0000L,
        0xFFFF_FFFE_0000_0000L, 0xFFFF_FFC0_0000_0000L, 0xFFFF_FC00_0000_0000L};

    static final long[] WORDS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Double.doubleToRawLongBits(0.0),
        Double.doubleToRawLongBits(-0.0), 0x7FF8_0000_0000_0000L, 0x7FF8_0000_0000_0001L, 0xFFF8_0000_0000_0000L,
        0x7FF0_0000_0000_0001L, Double.doubleToRawLongBits(1.0)};
    static final ValueKind[] WORD_KINDS = {ValueKind.BOOL, ValueKind.I64, ValueKind.U64, ValueKind.F64, ValueKind.FUNC};
    static final String[] TEXTS = {"", "a", "ab", "b", "\u00e9", "e\u0301", "text", "tex", "texu"};

    /** A random value; small alphabets, so that equal values recur as other objects. */
    static Object value(Random r, int depth) {
        int what = depth <= 0 ? r.nextInt(5) : r.nextInt(8);
        switch (what) {
            case 0:
                return str(r);
            case 1:
                return Value.bytes(TEXTS[r.nextInt(TEXTS.length)].getBytes(StandardCharsets.UTF_8));
            case 2: {
                long[] m = {0, 1, 10, 100, -1, Long.MIN_VALUE, Long.MAX_VALUE};
                return Value.decimal(m[r.nextInt(m.length)], r.nextInt(3));
            }
            case 3:
                return new Value.Obj(1 + r.nextInt(2), r.nextInt(3) - 1);
            case 4:
                return Value.decimal(r.nextInt(3), 0);
            case 5:
                return new Value.Closure(r.nextInt(2), (Aggregate) aggregate(r, depth - 1));
            case 6:
                return chain(r, depth);
            default:
                return aggregate(r, depth - 1);
        }
    }

    /** A string, half the time one of two sharing an appended buffer (each with its own length). */
    static Value.Str str(Random r) {
        Value.Str s = Value.str(TEXTS[r.nextInt(TEXTS.length)]);
        if (r.nextBoolean()) {
            return s;
        }
        Value.Str a = Texts.V.append(s, Value.str("x"), 1 << 20);
        Value.Str b = Texts.V.append(a, Value.str(TEXTS[r.nextInt(TEXTS.length)]), 1 << 20);
        return r.nextBoolean() ? a : b;
    }

    /** Tuples nested 20 to 40 deep around a leaf that varies, so that unequal chains differ only deep down. */
    static Object chain(Random r, int depth) {
        Object v = r.nextBoolean() ? Value.decimal(r.nextInt(2), 0) : aggregate(r, 0);
        int n = 20 + r.nextInt(2) * 20;
        for (int i = 0; i < n; i++) {
            v = Value.tuple(Value.i64(7), (Value) v);
        }
        return v;
    }

    static Object aggregate(Random r, int depth) {
        Aggregate.Kind kind = Aggregate.Kind.values()[r.nextInt(3)];
        int typeId = kind == Aggregate.Kind.TUPLE ? 0 : r.nextInt(2);
        int n = r.nextInt(4);
        if (n == 2 && r.nextBoolean()) {
            // the two-word form beside the general one
            ValueKind a = WORD_KINDS[r.nextInt(WORD_KINDS.length)];
            ValueKind b = WORD_KINDS[r.nextInt(WORD_KINDS.length)];
            long x = WORDS[r.nextInt(WORDS.length)];
            long y = WORDS[r.nextInt(WORDS.length)];
            byte[] tags = {(byte) a.tag(), (byte) b.tag()};
            return r.nextBoolean() ? Texts.V.pair(kind, typeId, tags, x, y)
                    : Texts.V.aggregate(kind, typeId, tags, new long[] {x, y}, null);
        }
        byte[] tags = new byte[n];
        long[] bits = new long[n];
        Object[] refs = new Object[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(4);
            if (pick == 0) {
                tags[i] = (byte) ValueKind.UNIT.tag();
            } else if (pick == 1 || depth < 0) {
                tags[i] = (byte) WORD_KINDS[r.nextInt(WORD_KINDS.length)].tag();
                bits[i] = WORDS[r.nextInt(WORDS.length)];
            } else {
                Object e = value(r, depth);
                refs[i] = e;
                tags[i] = (byte) ((Value) e).kind().tag();
            }
        }
        return Texts.V.aggregate(kind, typeId, tags, bits, refs);
    }

    /** The model key: what a program can tell apart, as nested lists. */
    static Object key(Object o, Map<Object, Object> memo) {
        Object k = memo.get(o);
        if (k != null) {
            return k;
        }
        if (o instanceof Value.Str s) {
            k = List.of("str", Arrays.toString(Arrays.copyOf(Texts.V.utf8(s), s.length())));
        } else if (o instanceof Value.Bytes b) {
            k = List.of("bytes", Arrays.toString(b.toByteArray()));
        } else if (o instanceof Value.Decimal d) {
            k = List.of("dec", d.mantissa(), d.scale());
        } else if (o instanceof Value.Obj ob) {
            k = List.of("obj", ob.hostType(), ob.handle());
        } else if (o instanceof Value.Closure c) {
            k = List.of("closure", c.func(), key(c.env(), memo));
        } else {
            Aggregate a = (Aggregate) o;
            List<Object> l = new ArrayList<>(List.of("agg", a.aggKind().name(), a.typeId(), a.size()));
            for (int i = 0; i < a.size(); i++) {
                ValueKind kind = ValueKind.fromTag(a.tag(i));
                l.add(kind.name());
                l.add(kind == ValueKind.UNIT ? "unit" : Aggregate.isWord(kind) ? (Object) a.word(i) : key(a.ref(i), memo));
            }
            k = l;
        }
        memo.put(o, k);
        return k;
    }

    /** Adds {@code o} and what it reaches, children first, as the writer does; returns its id. */
    static int add(SnapshotIds ids, Object o, List<Object> order) {
        int id = ids.get(o);
        if (id >= 0) {
            return id;
        }
        int[] kids = new int[8];
        int n = 0;
        if (o instanceof Value.Closure c) {
            kids[n++] = add(ids, c.env(), order);
        } else if (o instanceof Aggregate a) {
            kids = new int[a.size()];
            for (int i = 0; i < a.size(); i++) {
                ValueKind k = ValueKind.fromTag(a.tag(i));
                if (k != ValueKind.UNIT && !Aggregate.isWord(k)) {
                    kids[n++] = add(ids, a.ref(i), order);
                }
            }
        }
        order.add(o);
        return ids.add(o, kids, 0, n);
    }

    static void check(long seed, long mask, int roots) {
        Random r = new Random(seed);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < roots; i++) {
            values.add(value(r, 3));
        }
        SnapshotIds ids = new SnapshotIds(r.nextLong(), r.nextLong(), mask);
        List<Object> order = new ArrayList<>();
        for (Object v : values) {
            add(ids, v, order);
        }
        Map<Object, Object> memo = new IdentityHashMap<>();
        Map<Object, Integer> model = new HashMap<>();
        for (Object o : order) {
            int want = model.computeIfAbsent(key(o, memo), x -> model.size());
            if (ids.get(o) != want) {
                fail("seed " + seed + ", mask " + Long.toHexString(mask) + ": " + o + " has id " + ids.get(o)
                        + ", the model's first-appearance id is " + want);
            }
        }
        assertEquals(model.size(), ids.size(), "distinct values, seed " + seed);
        // a total order, 0 only for one id
        int n = ids.size();
        int[] sorted = new int[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = i;
            assertEquals(model.get(key(ids.value(i), memo)), i, "value " + i + " is its key's");
        }
        int pairs = Math.min(n, 400);
        for (int i = 0; i < pairs; i++) {
            for (int j = 0; j < pairs; j++) {
                int c = Integer.signum(ids.compare(i, j));
                assertEquals(-c, Integer.signum(ids.compare(j, i)), "antisymmetric " + i + ", " + j);
                assertEquals(i == j, c == 0, "0 only for one value: " + i + ", " + j);
            }
        }
        Integer[] boxed = Arrays.stream(sorted).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, ids::compare);
        for (int i = 0; i + 1 < n; i++) {
            assertTrue(ids.compare(boxed[i], boxed[i + 1]) < 0, "sorted strictly");
            for (int j = i + 1; j < Math.min(n, i + 40); j++) {
                assertTrue(ids.compare(boxed[i], boxed[j]) < 0, "transitive: " + boxed[i] + " before " + boxed[j]);
            }
        }
    }

    @Test
    void equalValuesOneIdUnequalValuesDistinctInFirstAppearanceOrder() {
        for (long seed = 1; seed <= 16; seed++) {
            for (long mask : MASKS) {
                check(seed, mask, 150);
            }
        }
    }

    /** Many values through table growth with every slot colliding: still one id per model key. */
    @Test
    void growthWithCollidingSlots() {
        for (long mask : new long[] {0xFFF0_0000_0000_0000L, 0, 0xFFFF_FFC0_0000_0000L, 0xFFFF_FC00_0000_0000L}) {
            SnapshotIds ids = new SnapshotIds(3, 4, mask);
            int n = 20_000;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < n; i++) {
                    Value.Decimal d = Value.decimal(i, 0);
                    int id = ids.add(d, new int[0], 0, 0);
                    assertEquals(i, id, "decimal " + i + ", round " + round);
                }
            }
            assertEquals(n, ids.size());
            long bound = (long) ids.objects() * (8 + 4L * SnapshotIdsTest.log2(ids.size()));
            assertTrue(ids.comparisons() <= bound, ids.comparisons() + " comparisons, bound " + bound);
        }
    }

    /** The 32 hash bits {@link SnapshotIds} keeps for value {@code id} (its private hash, by reflection). */
    static int tag(SnapshotIds ids, int id) throws ReflectiveOperationException {
        java.lang.reflect.Method hash = SnapshotIds.class.getDeclaredMethod("hash", int.class);
        hash.setAccessible(true);
        return (int) ((long) hash.invoke(ids, id) >>> 32);
    }

    /**
     * With the key known (the bounds must hold then too): 65 values chosen to have one home slot in
     * the 128-slot table fill a run of 64 slots, so the 65th goes to the tree; one more value grows
     * the table, which spreads the run over two homes, so an equal copy of the 65th finds an empty
     * slot in bounds and must still find it in the tree. And a value equal to each of them, as
     * another object, gets its id.
     */
    @Test
    void aValuePutInTheTreeIsFoundAfterGrowthSpreadsItsRun() throws ReflectiveOperationException {
        long k0 = 0x0706050403020100L;
        long k1 = 0x0F0E0D0C0B0A0908L;
        SnapshotIds probe = new SnapshotIds(k0, k1, -1L);
        List<Long> home0 = new ArrayList<>();
        long other = -1;
        for (long m = 0; home0.size() < 65 || other < 0; m++) {
            int t = tag(probe, probe.add(Value.decimal(m, 0), new int[0], 0, 0));
            if ((t & 127) == 0 && home0.size() < 65) {
                home0.add(m);
            } else if ((t & 127) == 64 && other < 0) {
                other = m;
            }
        }
        SnapshotIds ids = new SnapshotIds(k0, k1, -1L);
        for (int i = 0; i < 65; i++) {
            assertEquals(i, ids.add(Value.decimal(home0.get(i), 0), new int[0], 0, 0), "value " + i);
        }
        assertEquals(65, ids.add(Value.decimal(other, 0), new int[0], 0, 0));
        for (int i = 64; i >= 0; i--) {
            assertEquals(i, ids.add(Value.decimal(home0.get(i), 0), new int[0], 0, 0), "value " + i + " again");
        }
        assertEquals(66, ids.size());
    }

    /** Over 2^20 distinct values under the keyed hash (the tables grow 15 times): one id each, and few comparisons. */
    @Test
    void aMillionDistinctValuesGrowTheTables() {
        SnapshotIds ids = new SnapshotIds(0x243F6A8885A308D3L, 0x13198A2E03707344L, -1L);
        int n = (1 << 20) + 50_000;
        for (int i = 0; i < n; i++) {
            assertEquals(i, ids.add(Value.decimal(i, i & 1), new int[0], 0, 0));
        }
        for (int i = 0; i < n; i += 97) {
            assertEquals(i, ids.add(Value.decimal(i, i & 1), new int[0], 0, 0), "decimal " + i + " again");
        }
        assertEquals(n, ids.size());
        long duplicates = ids.objects() - ids.size();
        // beside one per duplicate, one per pair of distinct values whose 32 kept hash bits agree
        // (expected n^2 / 2^33, about 140 here: they share a home slot); bounded by twice that
        long chance = (long) n * n >>> 32;
        assertTrue(ids.comparisons() >= duplicates && ids.comparisons() <= duplicates + chance,
                ids.comparisons() + " comparisons for " + duplicates + " duplicates");
    }
}
