package dev.tape.asm;

import dev.tape.format.ByteWriter;
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
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
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

    private static String uleb(long... values) {
        ByteWriter w = new ByteWriter();
        for (long v : values) {
            w.uleb(v);
        }
        return TapeBytes.hex(w.toByteArray());
    }

    private static String funcs(long argc, long retc, long regs) {
        return "01 " + uleb(argc, retc, regs) + " 00 00";
    }

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
}
