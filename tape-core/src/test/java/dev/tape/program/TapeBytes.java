package dev.tape.program;

import dev.tape.format.ByteWriter;

import java.util.HexFormat;

/** Builds {@code .tape} files byte by byte for tests, from hex text. */
public final class TapeBytes {
    /** The 12-byte header: magic {@code EXTAPE\0\0}, version 0.1. */
    public static final String HEADER = "45 58 54 41 50 45 00 00 00 00 01 00";

    /** The payloads of the minimal program {@code ret r0} (one function, no args or results). */
    public static final String SYMBOLS = "01 00";
    /** Empty constant pool. */
    public static final String CONSTS = "00";
    /** Empty type table. */
    public static final String TYPES = "00 00 00";
    /** One blob: {@code ret r0}. */
    public static final String BLOBS = "01 03 51 00 00";
    /** One empty span table. */
    public static final String SPANS = "01 00";
    /** One function: no args, no rets, 1 register, blob 0, span table 0. */
    public static final String FUNCS = "01 00 00 01 00 00";
    /** One signature: no args, no names, no rets, no names. */
    public static final String SIGS = "01 00 00 00 00";
    /** No host signatures. */
    public static final String HOSTS = "00";

    private TapeBytes() {}

    /**
     * @param hex bytes as hex, spaces allowed
     * @return the bytes
     */
    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /**
     * @param values unsigned values (a negative one is read as its 64-bit two's complement)
     * @return their canonical ULEB128 encodings, one after another, as hex
     */
    public static String uleb(long... values) {
        ByteWriter w = new ByteWriter();
        for (long v : values) {
            w.uleb(v);
        }
        return hex(w.toByteArray());
    }

    /**
     * @param argc the function's {@code arg_count}
     * @param retc its {@code ret_count}
     * @param regs its {@code reg_count}
     * @return a function table section's payload as hex: one row with these counts, bytecode blob 0
     *     and span table 0
     */
    public static String funcs(long argc, long retc, long regs) {
        return "01 " + uleb(argc, retc, regs) + " 00 00";
    }

    /**
     * Reads a ULEB128 the caller knows to be complete (a file that decoded, or bytes it checked
     * with {@link #ulebLength(byte[], int, int)}).
     *
     * @param b the bytes
     * @param at where the LEB128 starts
     * @return its value (the low 64 bits) and its length in bytes
     */
    public static long[] readUleb(byte[] b, int at) {
        long v = 0;
        int n = 0;
        while (true) {
            int x = b[at + n] & 0xFF;
            v |= (long) (x & 0x7F) << (7 * n);
            n++;
            if ((x & 0x80) == 0) {
                return new long[] {v, n};
            }
        }
    }

    /**
     * @param b the bytes
     * @param i where a LEB128 would start
     * @param end the end of the bytes it may take
     * @return the length of the LEB128 of at most 10 bytes starting at {@code i} and ending
     *     before {@code end}, or 0 when there is none
     */
    public static int ulebLength(byte[] b, int i, int end) {
        for (int k = i; k < end && k < i + 10; k++) {
            if ((b[k] & 0x80) == 0) {
                return k - i + 1;
            }
        }
        return 0;
    }

    /**
     * @param bytes some bytes
     * @return them as lower-case hex separated by spaces
     */
    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    /**
     * @param tag the section tag
     * @param payloadHex the payload as hex
     * @return the section as hex: tag, canonical ULEB length, payload
     */
    public static String section(int tag, String payloadHex) {
        byte[] payload = hex(payloadHex);
        ByteWriter w = new ByteWriter();
        w.u8(tag);
        w.uleb(payload.length);
        w.bytes(payload);
        return hex(w.toByteArray());
    }

    /**
     * @param sectionsHex sections as hex, in file order
     * @return the header followed by the sections
     */
    public static byte[] file(String... sectionsHex) {
        return hex(HEADER + " " + String.join(" ", sectionsHex));
    }

    /**
     * The minimal program with some sections replaced or added.
     *
     * @param symbols the symbols payload
     * @param consts the const pool payload
     * @param types the types payload
     * @param blobs the bytecode blobs payload
     * @param spans the span tables payload
     * @param funcs the function table payload
     * @param sigs the function sigs payload
     * @param hosts the host sigs payload
     * @param extra further sections (already framed), appended at the end
     * @return the file
     */
    public static byte[] minimal(String symbols, String consts, String types, String blobs, String spans, String funcs,
                                 String sigs, String hosts, String... extra) {
        String base = String.join(" ", section(1, symbols), section(2, consts), section(3, types), section(5, blobs),
                section(6, spans), section(4, funcs), section(7, sigs), section(8, hosts));
        return file(extra.length == 0 ? base : base + " " + String.join(" ", extra));
    }

    /** @return the 49-byte minimal program {@code ret r0} */
    public static byte[] minimal() {
        return minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS);
    }
}
