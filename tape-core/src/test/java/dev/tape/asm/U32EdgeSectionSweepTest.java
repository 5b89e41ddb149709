package dev.tape.asm;

import dev.tape.format.ByteWriter;
import dev.tape.format.DecodeException;
import dev.tape.program.ConformanceFiles;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TapeBytes;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every LEB128 value outside the bytecode (counts, ids, type ids, symbol ids, argument positions,
 * name entries, string lengths: every section but the blobs) of a program using every section,
 * of the examples and of every sixth conformance vector, replaced one at a time by a u32 at an
 * edge (0, 1, 2^31-2, 2^31-1, 2^31, 2^31+1, 2^32-2, 2^32-1), the section's length fixed: the file
 * decodes or gives a {@link DecodeException}; a decoded program verifies or gives a
 * {@link VerifyException} (nothing else is thrown); no message shows a negative number or the kept
 * 2147483647 (2147483646 for an argument position) for a value declared otherwise; the program
 * re-encodes to a stable form (to the same program when the file was in that form) and its
 * disassembly assembles to those bytes.
 */
class U32EdgeSectionSweepTest {
    private static final long[] EDGES = {0, 1, (1L << 31) - 2, (1L << 31) - 1, 1L << 31, (1L << 31) + 1,
        (1L << 32) - 2, (1L << 32) - 1};
    private static final int BLOBS = 5;
    private static final Pattern NEGATIVE = Pattern.compile("(?<![\\w.#])-[1-9][0-9]{4,}");
    /** every section: symbols, a struct type, an array type, a host and a call signature, shapes, names */
    private static final String RICH = """
            program rich
            struct Point = { x: i64, y: i64 }
            array Nums = i64
            host print_i64 = "std.print_i64" (i64) -> ()
            callsig unary = (i64) -> (i64)

            func main(x: i64) -> (result: i64) {
                const.i64 r2, 3
                struct.new r3, Point, [r1, r2]
                call r0, manhattan, r0, [r3] -> [r4]
                host_call r0, print_i64, r0, [r4] -> []
                ret r0, [r4]
            }

            func manhattan(p: agg struct Point) -> (i64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                i64.add r4, r2, r3
                ret r0, [r4]
            }

            func sum(a: agg array Nums, t: agg tuple(i64, _)) -> (i64) {
                const.u64 r4, 0
                array.get r3, r1, r4
                ret r0, [r3]
            }
            """;

    @Test
    void everyEdgeOfEveryFieldOutsideTheBytecodeIsDecodedVerifiedAndRoundTrippedCleanly() throws Exception {
        List<byte[]> templates = new ArrayList<>();
        templates.add(ProgramEncoder.encode(Assembler.assemble(RICH, "rich.tasm")));
        try (Stream<Path> s = Files.list(ExamplesTest.examplesDir())) {
            for (Path p : s.filter(p -> p.toString().endsWith(".tasm")).sorted().toList()) {
                templates.add(ProgramEncoder.encode(Assembler.assemble(Files.readString(p), p.toString())));
            }
        }
        List<Path> tapes = ConformanceFiles.tapes();
        for (int i = 0; i < tapes.size(); i += 6) {
            templates.add(Files.readAllBytes(tapes.get(i)));
        }
        int cases = 0;
        int verifyErrors = 0;
        for (int t = 0; t < templates.size(); t++) {
            byte[] f = templates.get(t);
            int at = 12;
            while (at < f.length) {
                int tag = f[at] & 0xFF;
                long[] len = TapeBytes.readUleb(f, at + 1);
                int from = at + 1 + (int) len[1];
                int to = from + (int) len[0];
                for (int i = from; tag != BLOBS && i < to; i++) {
                    int n = TapeBytes.ulebLength(f, i, to);
                    for (long v = 0; n > 0 && v < EDGES.length; v++) {
                        byte[] m = replace(f, at, from, to, i, n, EDGES[(int) v]);
                        String what = "template " + t + " section " + tag + " byte " + (i - from) + " = " + EDGES[(int) v];
                        verifyErrors += check(m, EDGES[(int) v], what);
                        cases++;
                    }
                }
                at = to;
            }
        }
        assertTrue(cases > 15_000, "cases: " + cases);
        assertTrue(verifyErrors > 2_000, "verify errors: " + verifyErrors);
    }

    /** @return 1 when the program decodes and the verifier refuses it, else 0 */
    private static int check(byte[] m, long v, String what) throws Exception {
        Program p;
        try {
            p = ProgramDecoder.decode(m);
        } catch (DecodeException e) {
            clean(e.getMessage(), v, what);
            return 0;
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": the decoder threw " + e, e);
        }
        byte[] enc = ProgramEncoder.encode(p);
        Program back = ProgramDecoder.decode(enc);
        assertArrayEquals(enc, ProgramEncoder.encode(back), what + ": the re-encoding is not stable");
        if (Arrays.equals(enc, m)) {
            assertEquals(p, back, what);
            assertEquals(p.hashCode(), back.hashCode(), what);
        }
        int refused = 0;
        try {
            Verifier.verify(p);
        } catch (VerifyException e) {
            clean(e.getMessage(), v, what);
            refused = 1;
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": the verifier threw " + e, e);
        }
        String text = Disassembler.disassemble(p);
        clean(text, v, what);
        try {
            assertArrayEquals(enc, ProgramEncoder.encode(Assembler.assemble(text, "sweep.tasm")),
                    what + ": the disassembly assembles to other bytes:\n" + text);
        } catch (AsmException e) {
            fail(what + ": the disassembly does not assemble: " + e.getMessage() + "\n" + text);
        }
        return refused;
    }

    /** no negative number, and the kept value only when it is the declared one */
    private static void clean(String message, long v, String what) {
        assertFalse(NEGATIVE.matcher(message).find(), what + ": " + message);
        if (v != (1L << 31) - 1) {
            assertFalse(message.contains("2147483647"), what + ": " + message);
        }
        if (v != (1L << 31) - 1 && v != (1L << 31) - 2) {
            assertFalse(message.contains("2147483646"), what + ": " + message);
        }
    }

    private static byte[] replace(byte[] f, int sec, int from, int to, int i, int n, long v) {
        ByteWriter payload = new ByteWriter();
        payload.bytes(Arrays.copyOfRange(f, from, i));
        payload.uleb(v);
        payload.bytes(Arrays.copyOfRange(f, i + n, to));
        ByteWriter file = new ByteWriter();
        file.bytes(Arrays.copyOfRange(f, 0, sec));
        file.u8(f[sec] & 0xFF);
        file.uleb(payload.size());
        file.bytes(payload.toByteArray());
        file.bytes(Arrays.copyOfRange(f, to, f.length));
        return file.toByteArray();
    }
}
