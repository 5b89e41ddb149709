package dev.tape.program;

import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each malformed container is rejected with a {@link DecodeException} naming the section and the
 * absolute byte offset of the problem.
 *
 * <p>Layout of {@link TapeBytes#minimal()} (53 bytes): header 0-11; symbols tag 12, payload
 * 14-15; const_pool tag 16, payload 18; types tag 19, payload 21-23; bytecode_blobs tag 24,
 * payload 26-30; span_tables tag 31, payload 33-34; function_table tag 35, payload 37-42;
 * function_sigs tag 43, payload 45-49; host_sigs tag 50, payload 52. Payloads changed below keep
 * one-byte section lengths, so later offsets only move where a test says so.
 */
class DecodeErrorTest {
    private static void assertError(byte[] file, String section, long offset, String reason) {
        DecodeException e = assertThrows(DecodeException.class, () -> ProgramDecoder.decode(file));
        assertEquals(section, e.section(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.reason().contains(reason), () -> "reason \"" + e.reason() + "\" lacks \"" + reason + "\"");
    }

    private static byte[] consts(String payload) {
        return minimal(SYMBOLS, payload, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS);
    }

    @Test
    void theMinimalProgramDecodes() throws DecodeException {
        assertEquals(53, minimal().length);
        assertEquals(1, ProgramDecoder.decode(minimal()).functions().size());
    }

    @Test
    void badMagic() {
        byte[] f = minimal();
        f[3] = 'X';
        assertError(f, "header", 3, "bad magic");
        assertError(TapeBytes.hex("45 58 54 41 50"), "header", 0, "shorter than the 8-byte magic");
    }

    @Test
    void wrongVersion() {
        byte[] major = minimal();
        major[8] = 1;
        assertError(major, "header", 8, "unsupported version 1.1");
        byte[] minor = minimal();
        minor[10] = 2;
        assertError(minor, "header", 8, "unsupported version 0.2");
        assertError(Arrays.copyOf(minimal(), 10), "header", 10, "unexpected end");
    }

    @Test
    void duplicateSection() {
        byte[] f = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(8, "00"));
        assertError(f, "section header", 53, "duplicate section host_sigs");
    }

    @Test
    void missingRequiredSectionIsReportedAtTheEndInTheReferenceOrder() {
        // function_sigs (7) and function_table (4) both missing: 7 is checked first.
        String file = String.join(" ", section(1, SYMBOLS), section(2, CONSTS), section(3, TYPES), section(5, BLOBS),
                section(6, SPANS), section(8, HOSTS));
        byte[] f = TapeBytes.file(file);
        assertError(f, "function_sigs", f.length, "required section function_sigs (tag 7) is missing");
    }

    @Test
    void truncatedSectionPayload() {
        assertError(Arrays.copyOf(minimal(), 49), "section header", 43, "declares 5 bytes but only 4 remain");
    }

    @Test
    void truncatedValueInsideAPayload() {
        assertError(consts("01 02"), "const_pool", 20, "truncated LEB128");
        assertError(consts("05"), "const_pool", 18, "constant count 5 exceeds");
        assertError(consts("01 04 00 00"), "const_pool", 20, "need 8 bytes");
    }

    @Test
    void strayBytesAfterTheLastSection() {
        byte[] f = Arrays.copyOf(minimal(), 54);
        f[53] = 0x0c;
        assertError(f, "section header", 54, "truncated LEB128");
    }

    @Test
    void unknownSectionsAreSkipped() throws DecodeException {
        byte[] f = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, "0c 02 aa bb", "00 00");
        assertEquals(ProgramDecoder.decode(minimal()), ProgramDecoder.decode(f));
    }

    @Test
    void hugeSectionLength() {
        byte[] f = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, "0c ff ff ff ff ff ff ff ff ff 01");
        assertError(f, "section header", 53, "declares 18446744073709551615 bytes");
    }

    @Test
    void leb128Overflow() {
        assertError(consts("01 03 ff ff ff ff ff ff ff ff ff 02"), "const_pool", 20, "does not fit in 64 bits");
        // 11-byte encodings are rejected even when they encode 0 (ten 0x80 bytes then 0x00).
        assertError(consts("01 03 80 80 80 80 80 80 80 80 80 80 00"), "const_pool", 20, "longer than 10 bytes");
        assertError(consts("01 02 ff ff ff ff ff ff ff ff ff 01"), "const_pool", 20, "does not fit in 64 bits");
        assertError(consts("01 02 80 80 80 80 80 80 80 80 80 80 00"), "const_pool", 20, "does not fit in 64 bits");
        // A u32 field (here a function's arg_count) holding 2^32.
        byte[] f = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 80 80 80 80 10 00 01 00 00", SIGS, HOSTS);
        assertError(f, "function_table", 38, "does not fit in 32 bits");
    }

    @Test
    void badUtf8() {
        assertError(minimal("02 00 01 ff", CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS), "symbols", 17,
                "not valid UTF-8");
        assertError(consts("01 07 02 c3 28"), "const_pool", 21, "not valid UTF-8");
        // An unpaired surrogate encoded in UTF-8 (ed a0 80) is not valid UTF-8 either.
        assertError(minimal(SYMBOLS, CONSTS, "01 03 ed a0 80 00 00", BLOBS, SPANS, FUNCS, SIGS, HOSTS), "types", 23,
                "not valid UTF-8");
    }

    @Test
    void unknownTags() {
        assertError(consts("01 08"), "const_pool", 19, "unknown constant tag 8");
        assertError(minimal(SYMBOLS, CONSTS, "00 00 01 0c", BLOBS, SPANS, FUNCS, SIGS, HOSTS), "types", 24,
                "unknown value type tag 12");
    }

    @Test
    void symbolTableRules() {
        assertError(minimal("01 01 61", CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS), "symbols", 15,
                "symbol 0 is reserved");
        assertError(minimal("00", CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS), "symbols", 15,
                "at least symbol 0");
    }

    @Test
    void crossSectionIndexChecks() {
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, "00", HOSTS), "function_sigs", 45,
                "0 function signatures for 1 functions");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 00 00 01 01 00", SIGS, HOSTS),
                "function_table", 38, "bytecode index 1 is out of range");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, "01 00 00 01 00 02", SIGS, HOSTS),
                "function_table", 38, "span table index 2 is out of range");
        assertError(minimal(SYMBOLS, CONSTS, "01 01 61 01 01 05 02 00", BLOBS, SPANS, FUNCS, SIGS, HOSTS), "types",
                26, "field name id 5 is out of range");
    }

    @Test
    void zeroIdsAndFlagBytes() {
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, "01 01 00 00", FUNCS, SIGS, HOSTS), "span_tables", 36,
                "span id 0");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, "01 00 0000000000000000 00 00"),
                "host_sigs", 53, "uses symbol 0");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, "01 00 02 00 00", HOSTS), "function_sigs",
                47, "has_arg_names must be 0 or 1, found 2");
    }

    @Test
    void namesSection() throws DecodeException {
        byte[] base = minimal();
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, "00 00 00 ff")),
                "names", 58, "1 unexpected bytes");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, "02")), "names", 55,
                "has_program_name must be 0 or 1");
        // With symbol 1 = "a" the file is 2 bytes longer: the names payload starts at 57.
        String syms = "02 00 01 61";
        assertError(minimal(syms, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, "00 00 01 00 04 01")),
                "names", 61, "label pc 4 is past the end of function 0");
        assertError(minimal(syms, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, "01 02 00 00")),
                "names", 58, "symbol id 2 is out of range");
        assertError(minimal(syms, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(9, "00 01 01 01 00")),
                "names", 59, "function id 1 is out of range");
        // A label at the end of the code is allowed (pc <= length).
        Program p = ProgramDecoder.decode(minimal(syms, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS,
                section(9, "00 00 01 00 03 01")));
        assertEquals(3, p.names().labels().get(0).pc());
        assertEquals(53, base.length);
    }

    @Test
    void argumentShapesSection() {
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS, HOSTS, section(11, "01 00 00 03 00")),
                "function_arg_agg_shapes", 56, "argument 0 is out of range");
        // One Agg argument: the signature is one byte longer, so the section 11 payload starts at 56.
        String oneArg = "01 01 00 02 00 00";
        String oneArgSig = "01 01 09 00 00 00";
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, oneArg, oneArgSig, HOSTS,
                section(11, "01 00 00 04 00")), "function_arg_agg_shapes", 59, "unknown aggregate shape tag 4");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, oneArg, oneArgSig, HOSTS,
                section(11, "01 00 00 01 01 02")), "function_arg_agg_shapes", 61, "has-type flag must be 0 or 1");
        assertError(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, oneArg, oneArgSig, HOSTS,
                section(11, "01 00 00 03 00 00")), "function_arg_agg_shapes", 61, "1 unexpected bytes");
    }
}
