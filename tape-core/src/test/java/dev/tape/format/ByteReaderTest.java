package dev.tape.format;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LEB128 and fixed-width reads, against the reference rules (notes/container-format.md 1.2). */
class ByteReaderTest {
    private static ByteReader reader(String hex) {
        return new ByteReader(HexFormat.of().parseHex(hex.replace(" ", "")), "test");
    }

    private static long uleb(String hex) throws DecodeException {
        ByteReader r = reader(hex);
        long v = r.uleb64();
        assertTrue(r.atEnd(), "every byte consumed");
        return v;
    }

    private static long sleb(String hex) throws DecodeException {
        ByteReader r = reader(hex);
        long v = r.sleb64();
        assertTrue(r.atEnd(), "every byte consumed");
        return v;
    }

    private static DecodeException ulebFails(String hex) {
        return assertThrows(DecodeException.class, () -> reader(hex).uleb64());
    }

    private static DecodeException slebFails(String hex) {
        return assertThrows(DecodeException.class, () -> reader(hex).sleb64());
    }

    @Test
    void ulebCanonical() throws DecodeException {
        assertEquals(0, uleb("00"));
        assertEquals(127, uleb("7f"));
        assertEquals(128, uleb("80 01"));
        assertEquals(624485, uleb("e5 8e 26"));
        assertEquals(-1L, uleb("ff ff ff ff ff ff ff ff ff 01"), "u64 max");
        assertEquals(Long.MIN_VALUE, uleb("80 80 80 80 80 80 80 80 80 01"), "2^63");
    }

    @Test
    void ulebPaddedEncodingsAreAccepted() throws DecodeException {
        assertEquals(0, uleb("80 00"));
        assertEquals(0, uleb("80 80 80 80 00"));
        assertEquals(15, uleb("8f 80 80 80 00"));
        assertEquals(0, uleb("80 80 80 80 80 80 80 80 80 00"), "ten bytes is the limit");
        assertEquals(1, uleb("81 80 80 80 80 80 80 80 80 00"));
    }

    @Test
    void ulebTenthByteCarriesOnlyBit63() {
        assertTrue(ulebFails("ff ff ff ff ff ff ff ff ff 02").reason().contains("does not fit in 64 bits"));
        ulebFails("80 80 80 80 80 80 80 80 80 7f");
        ulebFails("80 80 80 80 80 80 80 80 80 03");
    }

    @Test
    void ulebElevenBytesAreRejectedEvenForZero() {
        assertTrue(ulebFails("80 80 80 80 80 80 80 80 80 80 00").reason().contains("longer than 10 bytes"));
        ulebFails("81 80 80 80 80 80 80 80 80 81 00");
    }

    @Test
    void ulebTruncationIsReportedAtTheValuesStart() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> new ByteReader(HexFormat.of().parseHex("0080"), 1, 2, 100, "sec").uleb64());
        assertEquals("sec", e.section());
        assertEquals(101, e.offset(), "base offset + index of the value's first byte");
        assertTrue(e.reason().contains("truncated"));
        ulebFails("");
    }

    @Test
    void uleb32ChecksTheValueNotTheLength() throws DecodeException {
        assertEquals(0xffff_ffffL, reader("ff ff ff ff 0f").uleb32());
        assertEquals(0, reader("80 80 80 80 80 80 80 80 80 00").uleb32());
        DecodeException e = assertThrows(DecodeException.class, () -> reader("80 80 80 80 10").uleb32());
        assertTrue(e.reason().contains("does not fit in 32 bits"));
        assertEquals(0, e.offset());
        assertThrows(DecodeException.class, () -> reader("80 80 80 80 10").index("thing"));
        assertThrows(DecodeException.class, () -> reader("80 80 80 80 08").index("thing"), "2^31 is not an int");
        assertEquals(Integer.MAX_VALUE, reader("ff ff ff ff 07").index("thing"));
    }

    @Test
    void slebCanonicalAndSignExtension() throws DecodeException {
        assertEquals(0, sleb("00"));
        assertEquals(-1, sleb("7f"));
        assertEquals(63, sleb("3f"));
        assertEquals(-64, sleb("40"));
        assertEquals(64, sleb("c0 00"));
        assertEquals(-65, sleb("bf 7f"));
        assertEquals(-123456, sleb("c0 bb 78"));
        assertEquals(-(1L << 62), sleb("80 80 80 80 80 80 80 80 40"), "nine bytes still sign-extend");
        assertEquals(Long.MIN_VALUE, sleb("80 80 80 80 80 80 80 80 80 7f"));
        assertEquals(Long.MAX_VALUE, sleb("ff ff ff ff ff ff ff ff ff 00"));
    }

    @Test
    void slebPaddedEncodingsAreAccepted() throws DecodeException {
        assertEquals(0, sleb("80 00"));
        assertEquals(-1, sleb("ff 7f"));
        assertEquals(-1, sleb("ff ff 7f"));
        assertEquals(0, sleb("80 80 80 80 80 80 80 80 80 00"));
        assertEquals(-1, sleb("ff ff ff ff ff ff ff ff ff 7f"));
        // Lenient ten-byte form: bit 63 comes from the tenth byte alone, bit 62 need not agree.
        assertEquals(Long.MIN_VALUE | 1, sleb("81 80 80 80 80 80 80 80 80 7f"));
        assertEquals(1L << 62, sleb("80 80 80 80 80 80 80 80 c0 00"));
    }

    @Test
    void slebTenthByteMustBeExactlyZeroOr7f() {
        assertTrue(slebFails("80 80 80 80 80 80 80 80 80 01").reason().contains("does not fit in 64 bits"));
        slebFails("80 80 80 80 80 80 80 80 80 7e");
        slebFails("80 80 80 80 80 80 80 80 80 40");
        slebFails("ff ff ff ff ff ff ff ff ff ff 7f");
        slebFails("80 80 80 80 80 80 80 80 80 80 00");
        slebFails("80");
    }

    @Test
    void fixedWidthAndBytes() throws DecodeException {
        ByteReader r = reader("01 02 03 04 05 06 07 08 09 0a");
        assertEquals(0x0201, r.u16le());
        assertEquals(0x0a09080706050403L, r.u64le());
        assertThrows(DecodeException.class, r::u8);
        ByteReader s = reader("02 c3 a9 03 61");
        assertEquals("é", s.utf8());
        DecodeException e = assertThrows(DecodeException.class, s::utf8);
        assertEquals(4, e.offset());
        assertArrayEquals(new byte[0], reader("").bytes(0));
        assertThrows(DecodeException.class, () -> reader("00").bytes(2));
        assertThrows(DecodeException.class, () -> reader("00").bytes(-1));
    }

    @Test
    void countsCannotExceedTheBytesLeft() throws DecodeException {
        assertEquals(3, reader("03 00 00 00").count("x", 1));
        DecodeException e = assertThrows(DecodeException.class, () -> reader("04 00 00 00").count("x", 1));
        assertEquals(0, e.offset());
        assertEquals(2, reader("02 00 00 00 00").count("x", 2));
        assertThrows(DecodeException.class, () -> reader("03 00 00 00 00").count("x", 2));
    }

    @Test
    void writerEmitsMinimalAndPaddedForms() {
        ByteWriter w = new ByteWriter();
        w.uleb(0);
        w.uleb(624485);
        w.sleb(-123456);
        w.sleb(64);
        w.ulebPadded(15, 5);
        w.ulebPadded(0xffff_ffffL, 5);
        assertEquals("00 e5 8e 26 c0 bb 78 c0 00 8f 80 80 80 00 ff ff ff ff 0f",
                HexFormat.ofDelimiter(" ").formatHex(w.toByteArray()));
        assertEquals(10, ByteWriter.ulebSize(-1L));
        assertEquals(1, ByteWriter.ulebSize(127));
        assertEquals(2, ByteWriter.ulebSize(128));
    }
}
