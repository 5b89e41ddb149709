package dev.tape.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the primitive encodings of the format into a growable buffer. LEB128 output is always
 * canonical (minimal), as the reference encoder writes it. The buffer holds at most
 * {@link #MAX_BYTES}: a write past it throws {@link OutOfMemoryError}, as the JDK's own growable
 * buffers do, never a negative size or an index error from an overflowed length.
 */
public final class ByteWriter {
    private byte[] buf;
    private int len;
    /** the most bytes this writer holds: {@link #MAX_BYTES} or a smaller bound */
    private final int max;

    /** Creates an empty writer that holds at most {@link #MAX_BYTES}. */
    public ByteWriter() {
        this(MAX_BYTES);
    }

    /**
     * Creates an empty writer that holds at most {@code maxBytes} bytes: a write past them throws
     * {@link OutOfMemoryError}, as one past {@link #MAX_BYTES} does (for tests of what a caller
     * does then, without writing 2 GiB).
     *
     * @param maxBytes the bound, 0 to {@link #MAX_BYTES}
     * @throws IllegalArgumentException when {@code maxBytes} is outside that range
     */
    public ByteWriter(int maxBytes) {
        if (maxBytes < 0 || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("a writer's bound is 0 to " + MAX_BYTES + " bytes, not " + maxBytes);
        }
        this.max = maxBytes;
        buf = new byte[Math.min(64, maxBytes)];
    }

    /** The most bytes a writer holds: the largest byte array a JVM allocates, 2^31 - 9. */
    public static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private void ensure(int extra) {
        long need = (long) len + extra;
        if (need > buf.length) {
            if (need > max) {
                throw new OutOfMemoryError("more than " + max + " bytes to write");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(2L * buf.length, need)));
        }
    }

    /**
     * The number of bytes written so far.
     *
     * @return the number of bytes written so far
     */
    public int size() {
        return len;
    }

    /**
     * Appends one byte.
     *
     * @param b a byte, only the low 8 bits are written
     */
    public void u8(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    /**
     * Appends a 16-bit number as two little-endian bytes.
     *
     * @param v a 16-bit value written little-endian
     */
    public void u16le(int v) {
        u8(v);
        u8(v >>> 8);
    }

    /**
     * Appends a 64-bit number as eight little-endian bytes.
     *
     * @param v a 64-bit value written as eight little-endian bytes
     */
    public void u64le(long v) {
        for (int i = 0; i < 8; i++) {
            u8((int) (v >>> (8 * i)));
        }
    }

    /**
     * Appends an unsigned number in its shortest ULEB128 form (1 to 10 bytes).
     *
     * @param v an unsigned 64-bit value (two's-complement bits) written as canonical ULEB128
     */
    public void uleb(long v) {
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            u8(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }

    /**
     * Writes an unsigned value as ULEB128 padded to exactly {@code width} bytes (a non-canonical
     * encoding the format allows, used for patchable branch targets).
     *
     * @param v the value, non-negative
     * @param width the number of bytes, 1 to 10, large enough for {@code v}
     */
    public void ulebPadded(long v, int width) {
        for (int i = 0; i < width; i++) {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            u8(i + 1 < width ? b | 0x80 : b);
        }
    }

    /**
     * Appends a signed number in its shortest SLEB128 form (1 to 10 bytes).
     *
     * @param v a signed 64-bit value written as canonical SLEB128
     */
    public void sleb(long v) {
        while (true) {
            int b = (int) (v & 0x7F);
            v >>= 7;
            boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            u8(done ? b : b | 0x80);
            if (done) {
                return;
            }
        }
    }

    /**
     * Appends a byte array, unchanged.
     *
     * @param b bytes written as they are
     */
    public void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    /**
     * Appends a string as the format writes strings: its UTF-8 length as ULEB128, then the UTF-8 bytes.
     *
     * @param s a string written as a ULEB128 byte length followed by its UTF-8 bytes
     */
    public void utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        uleb(b.length);
        bytes(b);
    }

    /**
     * Copies out everything written so far.
     *
     * @return a copy of the bytes written
     */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /**
     * Computes the size of a number's shortest ULEB128 encoding without writing it.
     *
     * @param v an unsigned value
     * @return how many bytes its canonical ULEB128 encoding takes, 1 to 10
     */
    public static int ulebSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }
}
