package dev.tape.program;

import dev.tape.format.DecodeException;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import static dev.tape.program.TapeBytes.BLOBS;
import static dev.tape.program.TapeBytes.CONSTS;
import static dev.tape.program.TapeBytes.HOSTS;
import static dev.tape.program.TapeBytes.SIGS;
import static dev.tape.program.TapeBytes.SPANS;
import static dev.tape.program.TapeBytes.SYMBOLS;
import static dev.tape.program.TapeBytes.TYPES;
import static dev.tape.program.TapeBytes.funcs;
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
import static dev.tape.program.TapeBytes.uleb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Container fields the reference decodes as {@code u32} (its {@code read_uleb128_u32}): a value
 * from 2^31 to 2^32-1 decodes, and the reference's verifier refuses the program, so the refusal
 * is at the verify stage, as a conformance case's {@code "reject": "verify"} expects, not at
 * decode. The fields: a function's {@code arg_count}, {@code ret_count} and {@code reg_count}
 * (program.rs {@code decode_function_table}; verifier.rs {@code verify_function_container}:
 * {@code RegCountTooLarge} above {@code max_regs_per_function} 65,536, then
 * {@code FunctionSigCountMismatch} when the counts differ from the signature's), a host
 * signature's symbol id ({@code decode_host_sigs}, {@code read_uleb128_u32_nz}; verifier.rs
 * {@code verify_host_sigs}: {@code HostSigMalformed} past the symbol table), and an argument
 * shape's struct type id and array element type id ({@code decode_agg_shape}; verifier.rs
 * {@code verify_function_arg_agg_shapes}). An argument shape's argument index is checked at
 * decode against the function table's {@code arg_count} as declared (u32), so an index of 2^31 or
 * more under a larger declared count decodes too.
 */
class U32FieldStageTest {
    private static final long TWO_31 = 1L << 31;
    private static final long U32_MAX = (1L << 32) - 1;



    private static String verifyErrorOf(byte[] file) throws DecodeException {
        Program p = ProgramDecoder.decode(file);
        return assertThrows(VerifyException.class, () -> Verifier.verify(p)).kind();
    }

    @Test
    void registerCountsFrom2To31DecodeAndTheVerifierRefusesThem() throws DecodeException {
        for (long regs : new long[] {TWO_31, U32_MAX}) {
            assertEquals("RegCountTooLarge", verifyErrorOf(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                    funcs(0, 0, regs), SIGS, HOSTS)), "reg_count " + regs);
        }
    }

    @Test
    void registerCountsFrom2To31AreTooLargeForEveryRegisterLimit() throws DecodeException {
        // a count of 2^31 or more is kept as 2^31-1: a verifier allowing Integer.MAX_VALUE registers
        // must still refuse it as too large (it ran out of analysis budget instead)
        for (long regs : new long[] {TWO_31, U32_MAX, TWO_31 - 1}) {
            Program p = ProgramDecoder.decode(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, 0, regs), SIGS,
                    HOSTS));
            for (int max : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 1}) {
                VerifyException e = assertThrows(VerifyException.class, () -> new Verifier(max).check(p));
                assertEquals("RegCountTooLarge", e.kind(), "reg_count " + regs + ", maxRegs " + max);
            }
        }
    }

    @Test
    void argumentAndResultCountsFrom2To31DecodeAndDisagreeWithTheSignature() throws DecodeException {
        for (long n : new long[] {TWO_31, U32_MAX}) {
            assertEquals("FunctionSigCountMismatch", verifyErrorOf(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                    funcs(n, 0, 1), SIGS, HOSTS)), "arg_count " + n);
            assertEquals("FunctionSigCountMismatch", verifyErrorOf(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                    funcs(0, n, 1), SIGS, HOSTS)), "ret_count " + n);
        }
    }

    @Test
    void aHostSymbolIdFrom2To31DecodesAndTheVerifierFindsNoSuchSymbol() throws DecodeException {
        for (long symbol : new long[] {TWO_31, U32_MAX}) {
            // symbol id, sig hash (u64le, any: the symbol is checked first), no args, no results
            String hosts = "01 " + uleb(symbol) + " 00 00 00 00 00 00 00 00 00 00";
            assertEquals("HostSigMalformed", verifyErrorOf(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                    funcs(0, 0, 1), SIGS, hosts)), "symbol " + symbol);
        }
    }

    /** function 0 takes one agg argument (regs 2); section 11 gives it {@code shapeHex} */
    private static byte[] shaped(String shapeHex) {
        return minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), "01 01 09 00 00 00", HOSTS,
                section(11, "01 00 00 " + shapeHex));
    }

    @Test
    void shapeTypeIdsFrom2To31DecodeAndTheVerifierFindsNoSuchType() throws DecodeException {
        for (long id : new long[] {TWO_31, U32_MAX}) {
            assertEquals("FunctionArgAggShapeStructTypeOutOfBounds", verifyErrorOf(shaped("02 " + uleb(id))),
                    "struct " + id);
            assertEquals("FunctionArgAggShapeArrayElemTypeOutOfBounds", verifyErrorOf(shaped("03 " + uleb(id))),
                    "array " + id);
        }
        // the same ids below 2^31 were refused there before too
        assertEquals("FunctionArgAggShapeStructTypeOutOfBounds", verifyErrorOf(shaped("02 05")));
    }

    @Test
    void aShapeArgumentIndexIsCheckedAgainstTheDeclaredCount() throws DecodeException {
        long declared = TWO_31 + 5;
        String sigs = "01 01 09 00 00 00";
        // below the declared count: decodes; the verifier finds no such argument in the signature
        byte[] under = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(declared, 0, 2), sigs, HOSTS,
                section(11, "01 00 " + uleb(TWO_31 + 1) + " 01 00"));
        assertEquals("FunctionArgAggShapeArgOutOfBounds", verifyErrorOf(under));
        // at the declared count: the reference's decoder refuses it (arg >= arg_count)
        byte[] at = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(declared, 0, 2), sigs, HOSTS,
                section(11, "01 00 " + uleb(declared) + " 01 00"));
        assertThrows(DecodeException.class, () -> ProgramDecoder.decode(at));
    }
}
