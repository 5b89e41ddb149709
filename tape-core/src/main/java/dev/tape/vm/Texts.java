package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.value.ValueInternals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Byte-string and string instructions ({@code bytes.*}, {@code str.*}). */
final class Texts {
    private Texts() {}

    /** No-copy access to the arrays of bytes and str values, and to aggregate construction. */
    static final ValueInternals V = ValueInternals.get();

    static byte[] bytesOf(Object o) {
        return o instanceof Value.Bytes b ? V.array(b) : V.utf8((Value.Str) o);
    }

    /**
     * {@code bytes.eq}/{@code str.eq}. A comparison costs 1 fuel but reads up to the whole string,
     * so the bytes read by comparisons of equal-length strings count against the run's scan budget
     * ({@link ExecutionContext#scan}); otherwise a loop comparing two 16 MB strings would run for
     * hours on 10 million fuel.
     */
    static boolean eq(ExecutionContext c, Object a, Object b) {
        byte[] x = bytesOf(a);
        byte[] y = bytesOf(b);
        if (x == y) {
            return true;
        }
        if (x.length != y.length) {
            return false;
        }
        c.scan(x.length);
        return Arrays.equals(x, y);
    }

    static byte[] concat(ExecutionContext c, Object a, Object b) {
        byte[] x = bytesOf(a);
        byte[] y = bytesOf(b);
        long n = (long) x.length + y.length;
        c.allocate(16 + n);
        if (n > Integer.MAX_VALUE - 16) {
            throw new VmTrap(TrapKind.HEAP_LIMIT_EXCEEDED, "a string of " + n + " bytes is too large");
        }
        byte[] out = Arrays.copyOf(x, (int) n);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    static long get(Object o, long index) {
        byte[] b = bytesOf(o);
        if (Long.compareUnsigned(index, b.length) >= 0) {
            throw new VmTrap(TrapKind.INDEX_OUT_OF_BOUNDS, "index " + Long.toUnsignedString(index)
                    + " is out of range for " + b.length + " bytes");
        }
        return b[(int) index] & 0xFF;
    }

    private static void range(byte[] b, long start, long end) {
        if (Long.compareUnsigned(start, end) > 0 || Long.compareUnsigned(end, b.length) > 0) {
            throw new VmTrap(TrapKind.INDEX_OUT_OF_BOUNDS, "range " + Long.toUnsignedString(start) + ".."
                    + Long.toUnsignedString(end) + " is out of bounds for " + b.length + " bytes");
        }
    }

    static Value.Bytes bytesSlice(ExecutionContext c, Object o, long start, long end) {
        byte[] b = bytesOf(o);
        range(b, start, end);
        c.allocate(16 + end - start);
        return V.adoptBytes(Arrays.copyOfRange(b, (int) start, (int) end));
    }

    private static boolean boundary(byte[] b, long i) {
        return i == b.length || (b[(int) i] & 0xC0) != 0x80;
    }

    static Value.Str strSlice(ExecutionContext c, Object o, long start, long end) {
        byte[] b = bytesOf(o);
        range(b, start, end);
        if (!boundary(b, start) || !boundary(b, end)) {
            throw new VmTrap(TrapKind.STR_NOT_CHAR_BOUNDARY, "range " + start + ".." + end
                    + " splits a UTF-8 character");
        }
        c.allocate(16 + end - start);
        return V.adoptUtf8(Arrays.copyOfRange(b, (int) start, (int) end));
    }

    static Value.Bytes toBytes(ExecutionContext c, Object o) {
        byte[] b = bytesOf(o);
        c.allocate(16 + b.length);
        return V.adoptBytes(b.clone());
    }

    static Value.Str toStr(ExecutionContext c, Object o) {
        byte[] b = bytesOf(o);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
        } catch (CharacterCodingException e) {
            throw new VmTrap(TrapKind.INVALID_UTF8, "bytes are not valid UTF-8");
        }
        c.allocate(16 + b.length);
        return V.adoptUtf8(b.clone());
    }
}
