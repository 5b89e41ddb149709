package dev.tape.format;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the primitive encodings of the format (spec section "Canonical integer encoding") from a
 * window of a byte array. Every read checks bounds and throws {@link DecodeException} with the
 * absolute byte offset; nothing else escapes.
 *
 * <p>LEB128 reads accept non-canonical (padded) encodings as the spec requires, and reject values
 * that do not fit the target width.
 */
public final class ByteReader {
    /** the bytes and the end of the window ({@link #restart} moves a reader to another array) */
    private byte[] data;
    private int end;
    private final long baseOffset;
    private int pos;
    private String section;

    /**
     * Makes a reader over {@code data[start..end)}.
     *
     * @param data the bytes to read
     * @param start the first index to read
     * @param end one past the last index to read
     * @param baseOffset the absolute offset of {@code data[0]} in the whole input, for messages
     * @param section the section name used in error messages
     */
    public ByteReader(byte[] data, int start, int end, long baseOffset, String section) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.baseOffset = baseOffset;
        this.section = section;
    }

    /**
     * Reads all of {@code data}, with offsets relative to its start.
     *
     * @param data the bytes to read (not copied)
     * @param section the section name used in error messages
     */
    public ByteReader(byte[] data, String section) {
        this(data, 0, data.length, 0, section);
    }

    /**
     * Makes this reader read all of {@code data} from its start, as a new
     * {@link #ByteReader(byte[], String)} would with this reader's section name, so that a decoder
     * that reads many arrays needs one reader; only for a reader made with base offset 0.
     *
     * @param data the bytes to read (not copied)
     */
    void restart(byte[] data) {
        restart(data, data.length);
    }

    /** As {@link #restart(byte[])}, reading only the first {@code end} bytes. */
    void restart(byte[] data, int end) {
        this.data = data;
        this.pos = 0;
        this.end = end;
    }

    /**
     * Changes the section name that later error messages give.
     *
     * @param section the section name to use in later error messages
     */
    public void section(String section) {
        this.section = section;
    }

    /**
     * The index of the next byte to read, from {@code start} to {@code end}.
     *
     * @return the current index into the array
     */
    public int position() {
        return pos;
    }

    /**
     * The position of the next byte in the whole input, for error messages.
     *
     * @return the absolute offset of the next byte in the whole input
     */
    public long offset() {
        return baseOffset + pos;
    }

    /**
     * The end of the readable range, one past its last index.
     *
     * @return the index one past the last readable byte
     */
    public int end() {
        return end;
    }

    /**
     * The number of bytes left between the position and the end.
     *
     * @return how many bytes are left, 0 or more
     */
    public int remaining() {
        return end - pos;
    }

    /**
     * Tells whether the reader has consumed every byte of its range.
     *
     * @return whether no bytes are left
     */
    public boolean atEnd() {
        return pos >= end;
    }

    /**
     * Makes a decode error that points at the current position.
     *
     * @param reason what is wrong
     * @return an exception for the current position
     */
    public DecodeException error(String reason) {
        return new DecodeException(section, offset(), reason);
    }

    /**
     * Makes a decode error that points at a given index.
     *
     * @param at an index into the array
     * @param reason what is wrong
     * @return an exception for that position
     */
    public DecodeException errorAt(int at, String reason) {
        return new DecodeException(section, baseOffset + at, reason);
    }

    /**
     * Reads one unsigned byte.
     *
     * @return the next byte, 0 to 255
     * @throws DecodeException at the end of input
     */
    public int u8() throws DecodeException {
        if (pos >= end) {
            throw error("unexpected end of input");
        }
        return data[pos++] & 0xFF;
    }

    /**
     * Reads one byte as a boolean, refusing any byte other than 0 and 1.
     *
     * @return a byte that must be 0 or 1
     * @throws DecodeException at the end or on another byte
     */
    public boolean bool() throws DecodeException {
        int at = pos;
        int b = u8();
        if (b > 1) {
            throw errorAt(at, "boolean byte must be 0 or 1, found " + b);
        }
        return b == 1;
    }

    /**
     * Reads an unsigned 16-bit little-endian number (two bytes).
     *
     * @return a 16-bit little-endian value, 0 to 65535
     * @throws DecodeException at the end
     */
    public int u16le() throws DecodeException {
        int lo = u8();
        return lo | (u8() << 8);
    }

    /**
     * Reads a 64-bit little-endian number (eight bytes).
     *
     * @return eight bytes as a little-endian 64-bit value
     * @throws DecodeException at the end
     */
    public long u64le() throws DecodeException {
        if (end - pos < 8) {
            throw error("unexpected end of input: need 8 bytes, have " + (end - pos));
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) (data[pos + i] & 0xFF) << (8 * i);
        }
        pos += 8;
        return v;
    }

    /**
     * Reads an unsigned LEB128 value of at most 64 bits: at most 10 bytes, non-canonical (padded)
     * forms accepted, the tenth byte's payload 0 or 1.
     *
     * @return the value, as the two's-complement bits of an unsigned 64-bit number
     * @throws DecodeException at the end of input, or when the value needs more than 64 bits
     */
    public long uleb64() throws DecodeException {
        int start = pos;
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) {
                throw errorAt(start, "truncated LEB128 value");
            }
            int b = data[pos++] & 0xFF;
            if (i == 9 && (b & 0x7E) != 0) {
                throw errorAt(start, "LEB128 value does not fit in 64 bits");
            }
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw errorAt(start, "LEB128 value longer than 10 bytes");
    }

    /**
     * Reads an unsigned LEB128 value of at most 32 bits.
     *
     * @return the value, 0 to 4294967295
     * @throws DecodeException at the end of input, or when the value needs more than 32 bits
     */
    public long uleb32() throws DecodeException {
        int start = pos;
        long v = uleb64();
        if ((v >>> 32) != 0) {
            throw errorAt(start, "LEB128 value " + Long.toUnsignedString(v) + " does not fit in 32 bits");
        }
        return v;
    }

    /**
     * Reads an unsigned LEB128 count or index that this implementation keeps in an {@code int}.
     *
     * @param what what the value is, for the error message
     * @return the value, 0 to {@link Integer#MAX_VALUE}
     * @throws DecodeException when the value does not fit 32 bits or exceeds {@code Integer.MAX_VALUE}
     */
    public int index(String what) throws DecodeException {
        return index(what, "");
    }

    /** {@link #index(String)} naming the value {@code what + suffix}, joined only for an error. */
    private int index(String what, String suffix) throws DecodeException {
        int start = pos;
        long v = uleb32();
        if (v > Integer.MAX_VALUE) {
            throw errorAt(start, what + suffix + " " + v + " is too large");
        }
        return (int) v;
    }

    /**
     * Reads a count of items that each take at least {@code minBytesEach} bytes, and rejects a count
     * the remaining input cannot hold (so a hostile count cannot make the decoder allocate).
     *
     * @param what what is counted, for the error message
     * @param minBytesEach the fewest bytes one item can take, 0 or more
     * @return the count
     * @throws DecodeException when the count is malformed or larger than the input allows
     */
    public int count(String what, int minBytesEach) throws DecodeException {
        int start = pos;
        int n = index(what, " count");
        if (minBytesEach > 0 && (long) n * minBytesEach > remaining()) {
            throw errorAt(start, what + " count " + n + " exceeds the " + remaining() + " bytes left");
        }
        return n;
    }

    /**
     * Reads a signed LEB128 value of at most 64 bits: at most 10 bytes, non-canonical forms
     * accepted, the tenth byte exactly 0x00 or 0x7f.
     *
     * @return the value
     * @throws DecodeException at the end of input, or when the value does not fit in 64 bits
     */
    public long sleb64() throws DecodeException {
        int start = pos;
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) {
                throw errorAt(start, "truncated LEB128 value");
            }
            int b = data[pos++] & 0xFF;
            if (i == 9) {
                if (b != 0x00 && b != 0x7F) {
                    throw errorAt(start, "signed LEB128 value does not fit in 64 bits");
                }
                return result | ((long) (b & 1) << 63);
            }
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                int shift = 7 * (i + 1);
                if ((b & 0x40) != 0) {
                    result |= -1L << shift;
                }
                return result;
            }
        }
        throw errorAt(start, "signed LEB128 value longer than 10 bytes");
    }

    /**
     * Reads {@code n} raw bytes.
     *
     * @param n how many, 0 or more
     * @return a new array
     * @throws DecodeException when fewer than {@code n} bytes are left
     */
    public byte[] bytes(int n) throws DecodeException {
        if (n < 0 || n > end - pos) {
            throw error("length " + n + " exceeds the " + (end - pos) + " bytes left");
        }
        byte[] out = new byte[n];
        System.arraycopy(data, pos, out, 0, n);
        pos += n;
        return out;
    }

    /**
     * Skips {@code n} bytes, with the checks and error of {@link #bytes(int)} but no copy.
     *
     * @param n how many, 0 or more
     * @throws DecodeException when fewer than {@code n} bytes are left
     */
    public void skip(int n) throws DecodeException {
        if (n < 0 || n > end - pos) {
            throw error("length " + n + " exceeds the " + (end - pos) + " bytes left");
        }
        pos += n;
    }

    /** The strings of one ASCII char, shared by every decoded string of one char. */
    private static final String[] ONE_CHAR = new String[128];

    static {
        for (int c = 0; c < 128; c++) {
            ONE_CHAR[c] = String.valueOf((char) c);
        }
    }

    /**
     * The strings of two ASCII chars, made when first decoded and then shared (a race makes at
     * most an equal copy: strings are immutable).
     */
    private static final String[] TWO_CHARS = new String[128 * 128];

    private static String twoChars(byte a, byte b) {
        int i = a * 128 + b;
        String s = TWO_CHARS[i];
        if (s == null) {
            s = new String(new char[] {(char) a, (char) b});
            TWO_CHARS[i] = s;
        }
        return s;
    }

    private boolean ascii(int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (data[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads and checks a string as {@link #utf8()} does, with the same errors, without making it
     * when it is ASCII.
     *
     * @return the {@link #position()} where the string's bytes start; they end at the position
     *     after the call
     * @throws DecodeException as {@link #utf8()}
     */
    public int utf8Bytes() throws DecodeException {
        int begin = pos;
        int n = index("string length");
        int at = pos;
        if (n <= end - pos && ascii(pos, n)) {
            pos += n;
            return at;
        }
        // not ASCII (or too long): read it again as utf8() does, for its checks and errors
        pos = begin;
        utf8();
        return at;
    }

    /**
     * Reads a ULEB128 length followed by that many bytes of UTF-8.
     *
     * @return the decoded string
     * @throws DecodeException when the bytes are truncated or not valid UTF-8
     */
    public String utf8() throws DecodeException {
        int n = index("string length");
        int at = pos;
        if (n <= end - pos && ascii(pos, n)) {
            // the common case, without a decoder: one copy, and none for strings of 0 or 1 chars
            pos += n;
            return n == 0 ? "" : n == 1 ? ONE_CHAR[data[at]] : n == 2 ? twoChars(data[at], data[at + 1])
                    : new String(data, at, n, StandardCharsets.ISO_8859_1);
        }
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw errorAt(at, "string is not valid UTF-8");
        }
    }
}
