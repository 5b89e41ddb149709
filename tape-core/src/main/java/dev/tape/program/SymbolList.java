package dev.tape.program;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decoded program's {@link Program#symbols()}: every symbol's UTF-8 bytes, as the file holds
 * them (already checked to be valid UTF-8), in one array with an end offset per symbol (about 4
 * bytes a symbol plus its bytes, instead of a {@code String} and its array, about 48 bytes for a
 * short one). A list making each {@code String} on access, equal to the one decoding made. It
 * behaves as {@code List.copyOf} of the strings ({@link PackedList}). {@code contains} and
 * {@code indexOf} compare bytes, making no string. The arrays are never modified.
 */
final class SymbolList extends PackedList<String> {
    private static final long serialVersionUID = 1L;

    /** the symbols' UTF-8 bytes, one after the other */
    private final byte[] bytes;
    /** where each symbol ends in {@link #bytes}; symbol {@code i} starts where {@code i - 1} ends */
    private final int[] ends;

    /**
     * @param bytes the symbols' valid UTF-8 bytes, one after the other (kept, not copied)
     * @param ends where each symbol ends, increasing (kept)
     */
    SymbolList(byte[] bytes, int[] ends) {
        this.bytes = bytes;
        this.ends = ends;
    }

    @Override
    UnsupportedOperationException unmodifiable() {
        return new UnsupportedOperationException("the symbols are unmodifiable");
    }

    private int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    @Override
    public String get(int index) {
        // out of range: ArrayIndexOutOfBoundsException, as List.copyOf's lists of 0 or 3 and more
        int end = ends[index];
        int start = start(index);
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    @Override
    public int size() {
        return ends.length;
    }

    /**
     * @return {@code o}'s UTF-8 bytes, or null when it is not a string or no symbol can equal it
     *     (a string with an unpaired surrogate: decoding valid UTF-8 never makes one)
     */
    private static byte[] utf8(Object o) {
        if (!(Objects.requireNonNull(o) instanceof String s)) {
            return null;
        }
        try {
            var b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * For each of some symbol ids, the least of them whose symbol has the same text, compared on
     * the bytes (no string made): time O(n log n) in the ids, plus the comparisons of a sort of
     * each run of ids whose texts' hashes collide, each reading at most the shorter text, so
     * O(b log r) bytes for b bytes of colliding texts in runs of at most r ids.
     *
     * @param ids symbol ids, each in range (a decoded names section's; repeats allowed)
     * @return for each id, the least id of {@code ids} with its text
     */
    int[] leastWithSameText(int[] ids) {
        int[] distinct = ids.clone();
        Arrays.sort(distinct);
        int n = 0;
        for (int i = 0; i < distinct.length; i++) {
            if (i == 0 || distinct[i] != distinct[i - 1]) {
                distinct[n++] = distinct[i];
            }
        }
        distinct = Arrays.copyOf(distinct, n);
        int[] least = distinct.clone();
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) textHash(distinct[i]) << 32) | distinct[i];
        }
        Arrays.sort(keys);
        for (int from = 0, to; from < n; from = to) {
            to = from + 1;
            while (to < n && keys[to] >> 32 == keys[from] >> 32) {
                to++;
            }
            if (to - from > 1) {
                Integer[] run = new Integer[to - from];
                for (int k = 0; k < run.length; k++) {
                    run[k] = (int) keys[from + k];
                }
                // by text, then id: each text's least id comes first
                Arrays.sort(run, (a, b) -> {
                    int c = compareText(a, b);
                    return c != 0 ? c : Integer.compare(a, b);
                });
                int first = run[0];
                for (int k = 1; k < run.length; k++) {
                    if (compareText(run[k], first) != 0) {
                        first = run[k];
                    } else {
                        least[Arrays.binarySearch(distinct, run[k])] = first;
                    }
                }
            }
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = least[Arrays.binarySearch(distinct, ids[i])];
        }
        return out;
    }

    private int textHash(int i) {
        int h = 1;
        for (int k = start(i); k < ends[i]; k++) {
            h = 31 * h + bytes[k];
        }
        return h;
    }

    private int compareText(int i, int j) {
        return Arrays.compare(bytes, start(i), ends[i], bytes, start(j), ends[j]);
    }

    private boolean matches(int i, byte[] want) {
        int start = start(i);
        return Arrays.equals(bytes, start, ends[i], want, 0, want.length);
    }

    @Override
    public int indexOf(Object o) {
        byte[] want = utf8(o);
        if (want != null) {
            for (int i = 0; i < ends.length; i++) {
                if (matches(i, want)) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    public int lastIndexOf(Object o) {
        byte[] want = utf8(o);
        if (want != null) {
            for (int i = ends.length - 1; i >= 0; i--) {
                if (matches(i, want)) {
                    return i;
                }
            }
        }
        return -1;
    }

    @Override
    List<String> range(int fromIndex, int toIndex) {
        int base = start(fromIndex);
        int[] e = new int[toIndex - fromIndex];
        for (int i = 0; i < e.length; i++) {
            e[i] = ends[fromIndex + i] - base;
        }
        return new SymbolList(Arrays.copyOfRange(bytes, base, start(toIndex)), e);
    }
}
