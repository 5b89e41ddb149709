package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.value.ValueInternals;

import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Byte-string and string instructions ({@code bytes.*}, {@code str.*}). */
final class Texts {
    private Texts() {}

    /** No-copy access to the arrays of bytes and str values, and to aggregate construction. */
    static final ValueInternals V = ValueInternals.get(MethodHandles.lookup());

    /**
     * The array of a bytes or str value; only its first {@link #lengthOf} bytes are the value's (a
     * string's buffer may have spare room past them).
     */
    static byte[] bytesOf(Object o) {
        return o instanceof Value.Bytes b ? V.array(b) : V.utf8((Value.Str) o);
    }

    /** {@code bytes.len}/{@code str.len}: the length in bytes of a bytes or str value. */
    static int lengthOf(Object o) {
        return o instanceof Value.Bytes b ? b.length() : ((Value.Str) o).length();
    }

    /**
     * {@code bytes.eq}/{@code str.eq}. A comparison costs 1 fuel but reads up to the whole string,
     * so the bytes read by comparisons of equal-length strings count against the run's scan budget
     * ({@link ExecutionContext#scan}); otherwise a loop comparing two 16 MB strings would run for
     * hours on 10 million fuel. The count is the length of every comparison of equal lengths, also
     * when both values are one Java array (which is then not read): whether two equal values share
     * an array is not part of a run's state (a snapshot's restored run holds copies, while a pool
     * constant or a host's string is the original object), so a count that skipped them differed
     * between a run and its restored copy.
     */
    static boolean eq(ExecutionContext c, Object a, Object b) {
        int n = lengthOf(a);
        if (n != lengthOf(b)) {
            return false;
        }
        c.scan(n);
        byte[] x = bytesOf(a);
        byte[] y = bytesOf(b);
        return x == y || Arrays.equals(x, 0, n, y, 0, n);
    }

    /**
     * {@code bytes.concat}: the two byte strings' bytes in a new array, charged as
     * {@link #chargeConcat}. (Strings go through {@link #strConcat}, which may append in place.)
     */
    static byte[] concat(ExecutionContext c, Object a, Object b) {
        byte[] x = V.array((Value.Bytes) a);
        byte[] y = V.array((Value.Bytes) b);
        int n = chargeConcat(c, (long) x.length + y.length);
        byte[] out = Arrays.copyOf(x, n);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    /**
     * {@code str.concat}: charged as {@link #chargeConcat}, then appended in place when it can be
     * ({@link ValueInternals#append}), giving a new buffer no more spare room than the heap limit
     * still allows.
     */
    static Value.Str strConcat(ExecutionContext c, Object a, Object b) {
        Value.Str s = (Value.Str) a;
        Value.Str t = (Value.Str) b;
        chargeConcat(c, (long) s.length() + t.length());
        return V.append(s, t, c.limits.maxHeapBytes() - c.heapBytes);
    }

    /**
     * The charge of a concatenation of {@code n} bytes, the same for strings and byte strings on
     * both tiers: 16 + n heap bytes, then {@code heap_limit_exceeded} past what one Java array
     * holds.
     *
     * @return {@code n} as an int
     */
    private static int chargeConcat(ExecutionContext c, long n) {
        c.allocate(16 + n);
        if (n > Integer.MAX_VALUE - 16) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "a string of " + n + " bytes is too large");
        }
        return (int) n;
    }

    static long get(Object o, long index) {
        byte[] b = bytesOf(o);
        int len = lengthOf(o);
        if (Long.compareUnsigned(index, len) >= 0) {
            throw new VmTrap(TrapKind.INDEX_OUT_OF_BOUNDS, "index " + Long.toUnsignedString(index)
                    + " is out of range for " + len + " bytes");
        }
        return b[(int) index] & 0xFF;
    }

    private static void range(int len, long start, long end) {
        if (Long.compareUnsigned(start, end) > 0 || Long.compareUnsigned(end, len) > 0) {
            throw new VmTrap(TrapKind.INDEX_OUT_OF_BOUNDS, "range " + Long.toUnsignedString(start) + ".."
                    + Long.toUnsignedString(end) + " is out of bounds for " + len + " bytes");
        }
    }

    static Value.Bytes bytesSlice(ExecutionContext c, Object o, long start, long end) {
        byte[] b = bytesOf(o);
        range(lengthOf(o), start, end);
        c.allocate(16 + end - start);
        return V.adoptBytes(Arrays.copyOfRange(b, (int) start, (int) end));
    }

    private static boolean boundary(byte[] b, int len, long i) {
        return i == len || (b[(int) i] & 0xC0) != 0x80;
    }

    static Value.Str strSlice(ExecutionContext c, Object o, long start, long end) {
        byte[] b = bytesOf(o);
        int len = lengthOf(o);
        range(len, start, end);
        if (!boundary(b, len, start) || !boundary(b, len, end)) {
            throw new VmTrap(TrapKind.STR_NOT_CHAR_BOUNDARY, "range " + start + ".." + end
                    + " splits a UTF-8 character");
        }
        c.allocate(16 + end - start);
        return V.adoptUtf8(Arrays.copyOfRange(b, (int) start, (int) end));
    }

    static Value.Bytes toBytes(ExecutionContext c, Object o) {
        byte[] b = bytesOf(o);
        int len = lengthOf(o);
        c.allocate(16 + len);
        return V.adoptBytes(Arrays.copyOf(b, len));
    }

    /**
     * {@code bytes.to_str}: checks the bytes are UTF-8 ({@link #validUtf8}), then charges and copies
     * them.
     */
    static Value.Str toStr(ExecutionContext c, Object o) {
        byte[] b = bytesOf(o);
        int len = lengthOf(o);
        if (!validUtf8(b, len)) {
            throw new VmTrap(TrapKind.INVALID_UTF8, "bytes are not valid UTF-8");
        }
        c.allocate(16 + len);
        return V.adoptUtf8(Arrays.copyOf(b, len));
    }

    /** Chars {@link #validUtf8} decodes at a time. */
    static final int CHECK_CHARS = 8192;

    /**
     * Whether the first {@code len} bytes of {@code b} are UTF-8, by the JDK's strict decoder (no
     * overlong forms, surrogates or code points past U+10FFFF, as the reference's
     * {@code from_utf8}), decoded {@link #CHECK_CHARS} chars at a time into one small buffer: the
     * check allocates a few KiB whatever {@code len}. (Decoding whole took a {@code char[]} of
     * {@code len} chars, 2 bytes per byte that no limit charged: with the result's copy, a
     * {@code bytes.to_str} of n bytes held 3n JVM bytes for its charge of 16 + n.)
     */
    static boolean validUtf8(byte[] b, int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, 0, len);
        CharBuffer out = CharBuffer.allocate(CHECK_CHARS);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                return false;
            }
            if (r.isUnderflow()) {
                out.clear();
                return !d.flush(out).isError();
            }
            out.clear(); // overflow: the chars so far are not needed
        }
    }
}
