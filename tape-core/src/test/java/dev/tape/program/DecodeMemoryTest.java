package dev.tape.program;

import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding's memory stays a small multiple of the file, files over the size limit are refused
 * before decoding, and running out of memory while decoding is a {@link DecodeException} (issue
 * 12, hole 8).
 */
class DecodeMemoryTest {
    /** Unit constants in {@link #unitConstants}: 12 MiB of them, one byte each. */
    static final int UNITS = 12 << 20;

    /** The minimal program ({@code ret r0}) with {@code n} unit constants (tag 0, one byte each). */
    static byte[] unitConstants(int n) {
        byte[] before = TapeBytes.hex(TapeBytes.HEADER + " " + TapeBytes.section(1, TapeBytes.SYMBOLS));
        byte[] after = TapeBytes.hex(String.join(" ", TapeBytes.section(3, TapeBytes.TYPES),
                TapeBytes.section(5, TapeBytes.BLOBS), TapeBytes.section(6, TapeBytes.SPANS),
                TapeBytes.section(4, TapeBytes.FUNCS), TapeBytes.section(7, TapeBytes.SIGS),
                TapeBytes.section(8, TapeBytes.HOSTS)));
        byte[] count = leb(n);
        byte[] len = leb(count.length + n);
        byte[] file = new byte[before.length + 1 + len.length + count.length + n + after.length];
        int at = 0;
        System.arraycopy(before, 0, file, at, before.length);
        at += before.length;
        file[at++] = 2; // the constant pool
        System.arraycopy(len, 0, file, at, len.length);
        at += len.length;
        System.arraycopy(count, 0, file, at, count.length);
        at += count.length + n; // the constants: n zero bytes (unit)
        System.arraycopy(after, 0, file, at, after.length);
        return file;
    }

    private static byte[] leb(long v) {
        byte[] out = new byte[10];
        int n = 0;
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out[n++] = (byte) (v != 0 ? b | 0x80 : b);
        } while (v != 0);
        return java.util.Arrays.copyOf(out, n);
    }

    @Test
    void filesOverTheLimitAreRefusedBeforeDecoding() throws Exception {
        byte[] minimal = TapeBytes.minimal();
        assertEquals(1, ProgramDecoder.decode(minimal, minimal.length).functions().size());
        DecodeException e = assertThrows(DecodeException.class,
                () -> ProgramDecoder.decode(minimal, minimal.length - 1));
        assertEquals(minimal.length - 1, e.offset());
        assertTrue(e.reason().contains("more than the " + (minimal.length - 1)), e.reason());
        byte[] big = new byte[ProgramDecoder.DEFAULT_MAX_PROGRAM_BYTES + 1];
        DecodeException d = assertThrows(DecodeException.class, () -> ProgramDecoder.decode(big));
        assertEquals(ProgramDecoder.DEFAULT_MAX_PROGRAM_BYTES, d.offset());
        assertThrows(IllegalArgumentException.class, () -> ProgramDecoder.decode(minimal, -1));
    }

    @Test
    void theSmallestConstantsDecodeToEqualValues() throws Exception {
        byte[] file = unitConstants(1000);
        Program p = ProgramDecoder.decode(file);
        assertEquals(1000, p.constants().size());
        assertTrue(p.constants().stream().allMatch(c -> c.equals(new Constant.Unit())));
        assertEquals(file.length, ProgramEncoder.encode(p).length, "re-encodes to the same size");
    }

    /**
     * Run in a JVM with a small heap by {@link #twelveMegabytesOfUnitConstants}: decodes
     * {@link #UNITS} unit constants and prints how that ended.
     */
    public static void main(String[] args) {
        byte[] file = unitConstants(UNITS);
        try {
            Program p = ProgramDecoder.decode(file);
            System.out.println("decoded " + p.constants().size());
        } catch (DecodeException e) {
            System.out.println("DecodeException " + e.reason());
        } catch (Throwable e) {
            System.out.println("escaped " + e);
        }
    }

    private static String child(String heap) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(java, "-Xms" + heap, "-Xmx" + heap, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), DecodeMemoryTest.class.getName())
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.append(line).append('\n');
            }
        }
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        return out.toString().trim();
    }

    /**
     * 12 MiB of one-byte unit constants: they share one object, so decoding keeps about 4 bytes
     * of heap per constant and fits a 256 MiB heap (it kept about 20 and threw
     * {@code OutOfMemoryError} there). In a 48 MiB heap, which cannot hold even the list of
     * constants beside the file, decoding fails with a {@link DecodeException}, not an error.
     */
    @Test
    void twelveMegabytesOfUnitConstants() throws Exception {
        assertEquals("decoded " + UNITS, child("256m"));
        int size = unitConstants(UNITS).length;
        assertEquals("DecodeException decoding the " + size + "-byte file needs more memory than the JVM has",
                child("48m"));
    }
}
