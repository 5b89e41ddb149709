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
