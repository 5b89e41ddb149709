package dev.tape.asm;

import dev.tape.format.DecodeException;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TapeBytes;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.TapeBytes.BLOBS;
import static dev.tape.program.TapeBytes.CONSTS;
import static dev.tape.program.TapeBytes.FUNCS;
import static dev.tape.program.TapeBytes.HOSTS;
import static dev.tape.program.TapeBytes.SIGS;
import static dev.tape.program.TapeBytes.SPANS;
import static dev.tape.program.TapeBytes.SYMBOLS;
import static dev.tape.program.TapeBytes.TYPES;
import static dev.tape.program.TapeBytes.funcs;
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
import static dev.tape.program.TapeBytes.uleb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The u32 container fields the decoder reads up to 2^32-1 and leaves to the verifier (a
 * function's counts, a host symbol id, an argument shape's argument index and type ids; see
 * {@code U32FieldStageTest}) at 2^31-1, 2^31 and 2^32-1, alone and together: each such program
 * decodes, the verifier refuses it with the reference's error, its re-encoding decodes to the same
 * program, and its disassembly assembles back to the same bytes ({@link Disassembler}'s promise
 * for every program the decoder produces).
 */
class U32FieldRoundTripTest {
    private static final long[] EDGES = {(1L << 31) - 1, 1L << 31, (1L << 32) - 1};
    /** one function taking one agg argument, in 2 registers */
    private static final String AGG_SIG = "01 01 09 00 00 00";



    /** decodes, checks the verifier's error, the re-encoding and the disassembly's round trip */
    private static void check(String what, byte[] file, String verifyError) throws DecodeException {
        Program p = ProgramDecoder.decode(file);
        assertEquals(verifyError, assertThrows(VerifyException.class, () -> Verifier.verify(p), what).kind(), what);
        byte[] encoded = ProgramEncoder.encode(p);
        assertEquals(p, ProgramDecoder.decode(encoded), what + ": the re-encoding decodes to another program");
        String text = Disassembler.disassemble(p);
        Program back;
        try {
            back = Assembler.assemble(text, "u32.tasm");
        } catch (AsmException e) {
            throw new AssertionError(what + ": the disassembly does not assemble: " + e.getMessage() + "\n" + text, e);
        }
        assertArrayEquals(encoded, ProgramEncoder.encode(back), what + ": the disassembly assembles to other bytes");
    }

    @Test
    void functionCountsHostSymbolsAndShapeTypeIdsAtTheEdges() throws DecodeException {
        for (long v : EDGES) {
            check("reg_count " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, 0, v), SIGS, HOSTS),
                    "RegCountTooLarge");
            check("arg_count " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(v, 0, 1), SIGS, HOSTS),
                    "FunctionSigCountMismatch");
            check("ret_count " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, v, 1), SIGS, HOSTS),
                    "FunctionSigCountMismatch");
            check("all counts " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(v, v, v), SIGS, HOSTS),
                    "RegCountTooLarge");
            check("host symbol " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS,
                    "01 " + uleb(v) + " 00 00 00 00 00 00 00 00 00 00"), "HostSigMalformed");
            check("struct shape " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG, HOSTS,
                    section(11, "01 00 00 02 " + uleb(v))), "FunctionArgAggShapeStructTypeOutOfBounds");
            check("array shape " + v, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG, HOSTS,
                    section(11, "01 00 00 03 " + uleb(v))), "FunctionArgAggShapeArrayElemTypeOutOfBounds");
        }
    }

    /**
     * An argument index of 2^31-1 or more under a declared count above it: the decoder keeps
     * both as {@code int}s, and the index must stay below the count it keeps (it checked it against
     * the declared one), or the disassembly names an argument its own function does not take and
     * the re-encoding is refused at decode.
     */
    @Test
    void aShapeArgumentIndexAtTheEdgesUnderALargerDeclaredCount() throws DecodeException {
        List<String> failures = new ArrayList<>();
        for (long arg : EDGES) {
            for (long argc : EDGES) {
                if (arg >= argc) {
                    continue;
                }
                String what = "argument " + arg + " of " + argc;
                try {
                    check(what, minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(argc, 0, 2), AGG_SIG, HOSTS,
                            section(11, "01 00 " + uleb(arg) + " 01 00")), "FunctionArgAggShapeArgOutOfBounds");
                } catch (AssertionError | DecodeException e) {
                    failures.add(what + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
        // two shapes whose indexes differ above 2^31-1
        try {
            check("arguments 2^31 and 2^31+1", minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(EDGES[2], 0, 2),
                    AGG_SIG, HOSTS, section(11, "02 00 " + uleb(1L << 31) + " 01 00 00 " + uleb((1L << 31) + 1)
                            + " 01 00")), "FunctionArgAggShapeArgOutOfBounds");
        } catch (AssertionError | DecodeException e) {
            failures.add("two shapes: " + e.getMessage().lines().findFirst().orElse(""));
        }
        assertEquals(List.of(), failures);
    }

    /** {@code v} as unsigned LEB128 in exactly {@code n} bytes (padded with continuation bytes) */
    private static String padded(long v, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = (int) ((v >>> (7 * i)) & 0x7F) | (i < n - 1 ? 0x80 : 0);
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /** each field, its value given as LEB128 hex: the file, and the verifier's error for an edge value */
    private record Field(String name, java.util.function.Function<String, byte[]> file, String verifyError) {}

    private static List<Field> fields() {
        String funcsTail = " 00 00";
        return List.of(
                new Field("reg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 00 00 " + v + funcsTail,
                        SIGS, HOSTS), "RegCountTooLarge"),
                new Field("arg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 " + v + " 00 01" + funcsTail,
                        SIGS, HOSTS), "FunctionSigCountMismatch"),
                new Field("ret_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 00 " + v + " 01" + funcsTail,
                        SIGS, HOSTS), "FunctionSigCountMismatch"),
                new Field("host symbol", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS,
                        "01 " + v + " 00 00 00 00 00 00 00 00 00 00"), "HostSigMalformed"),
                new Field("struct shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 02 " + v)), "FunctionArgAggShapeStructTypeOutOfBounds"),
                new Field("array shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 03 " + v)), "FunctionArgAggShapeArrayElemTypeOutOfBounds"),
                new Field("shape argument", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                        "01 " + padded((1L << 32) - 1, 5) + " 00 02" + funcsTail, AGG_SIG, HOSTS,
                        section(11, "01 00 " + v + " 01 00")), "FunctionArgAggShapeArgOutOfBounds"));
    }

    /**
     * Padded LEB128 forms (5 and 10 bytes; the reference reads at most 10) of each edge value in
     * each field decode to the program the canonical form does, with the same verifier error.
     */
    @Test
    void paddedFormsDecodeAsTheCanonicalOnes() throws DecodeException {
        for (Field f : fields()) {
            for (long v : EDGES) {
                if (f.name().equals("shape argument") && v == EDGES[2]) {
                    continue; // not below the declared count 2^32-1: refused at decode (the next test's kind)
                }
                byte[] canonical = f.file().apply(uleb(v));
                check(f.name() + " " + v, canonical, f.verifyError());
                Program expected = ProgramDecoder.decode(canonical);
                for (int n : new int[] {5, 10}) {
                    assertEquals(expected, ProgramDecoder.decode(f.file().apply(padded(v, n))),
                            f.name() + " " + v + " in " + n + " bytes");
                }
            }
        }
    }

    /**
     * 2^32 and 2^64-1 (canonical, and 2^32 padded to 10 bytes) in each field: a decode error at
     * the field's byte offset, as the reference's {@code read_uleb128_u32} refuses them at decode.
     */
    @Test
    void valuesAbove32BitsAreDecodeErrorsAtTheFieldsOffset() {
        for (Field f : fields()) {
            for (String v : new String[] {padded(1L << 32, 5), padded(1L << 32, 10), padded(-1L, 10)}) {
                byte[] file = f.file().apply(v);
                byte[] field = TapeBytes.hex(v);
                int at = indexOf(file, field);
                DecodeException e = assertThrows(DecodeException.class, () -> ProgramDecoder.decode(file),
                        f.name() + " " + v);
                assertEquals(at, e.offset(), f.name() + " " + v + ": " + e.getMessage());
            }
        }
    }

    private static int indexOf(byte[] in, byte[] part) {
        int found = -1;
        for (int i = 0; i + part.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
                if (found >= 0) {
                    throw new AssertionError("the field's bytes occur twice in the file");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new AssertionError("the field's bytes are not in the file");
        }
        return found;
    }
}
