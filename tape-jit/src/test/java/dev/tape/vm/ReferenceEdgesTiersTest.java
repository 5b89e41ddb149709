package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Edges of single instructions that the conformance vectors leave out, with the expected result
 * or trap read off the reference's interpreter (execution_tape vm.rs), on both tiers:
 * <ul>
 *   <li>{@code f64.to_i64}/{@code f64.to_u64}: NaN and infinities trap {@code float_to_int_invalid};
 *   then a value below {@code i64::MIN as f64} (below 0.0 for u64) or above {@code i64::MAX as f64}
 *   (2^63; {@code u64::MAX as f64}, 2^64) traps {@code int_cast_overflow}; anything else is the
 *   truncating cast, which saturates, so exactly 2^63 gives i64::MAX and -0.0 and -0.99 give 0
 *   for i64 (while -0.5 traps for u64: it is below 0.0).</li>
 *   <li>{@code i64.to_dec}/{@code u64.to_dec}: 10^scale is computed first with checked i64
 *   multiplication, so scale 19 or more traps {@code decimal_overflow} even for 0; scale 18 holds
 *   9 but not 10.</li>
 *   <li>{@code dec.mul}: the mantissa product is checked first, then the scale sum must fit a
 *   u8, so 0 at scale 200 times 0 at scale 56 traps {@code decimal_overflow} and scale 255 is
 *   fine.</li>
 *   <li>{@code str.slice}: {@code start > end} or {@code end > len} traps
 *   {@code index_out_of_bounds} before the UTF-8 boundary check ({@code str_not_char_boundary});
 *   {@code bytes.slice}: {@code get(start..end)}, so start > end is out of bounds too.</li>
 *   <li>{@code f64.min}/{@code f64.max} return {@code f64::NAN} (0x7ff8000000000000) when either
 *   operand is a NaN, whatever its sign and payload; {@code f64.min_num}/{@code f64.max_num} return
 *   the other operand, or {@code f64::NAN} when both are NaNs; {@code f64.abs} clears and
 *   {@code f64.neg} flips the sign bit of a NaN, keeping its payload.</li>
 * </ul>
 * The expectations come from that source, not from running this implementation.
 */
class ReferenceEdgesTiersTest {
    private static final String PROGRAM = """
            func f2i(a: f64) -> (i64) {
                f64.to_i64 r2, r1
                ret r0, [r2]
            }
            func f2u(a: f64) -> (u64) {
                f64.to_u64 r2, r1
                ret r0, [r2]
            }
            func i2d19(a: i64) -> (dec) {
                i64.to_dec r2, r1, 19
                ret r0, [r2]
            }
            func u2d19(a: u64) -> (dec) {
                u64.to_dec r2, r1, 19
                ret r0, [r2]
            }
            func i2d18(a: i64) -> (dec) {
                i64.to_dec r2, r1, 18
                ret r0, [r2]
            }
            func u2d18(a: u64) -> (dec) {
                u64.to_dec r2, r1, 18
                ret r0, [r2]
            }
            func mulScale(b: bool) -> (dec) {
                const.decimal r2, 0, 200
                const.decimal r4, 0, 56
                const.decimal r5, 0, 55
                br r1, wide, fits
            wide:
                dec.mul r6, r2, r4
                ret r0, [r6]
            fits:
                dec.mul r6, r2, r5
                ret r0, [r6]
            }
            func strSlice(a: u64, b: u64) -> (str) {
                const.pool r3, str:"aé"
                str.slice r4, r3, r1, r2
                ret r0, [r4]
            }
            func fmin(a: f64, b: f64) -> (f64) {
                f64.min r3, r1, r2
                ret r0, [r3]
            }
            func fmax(a: f64, b: f64) -> (f64) {
                f64.max r3, r1, r2
                ret r0, [r3]
            }
            func fminNum(a: f64, b: f64) -> (f64) {
                f64.min_num r3, r1, r2
                ret r0, [r3]
            }
            func fmaxNum(a: f64, b: f64) -> (f64) {
                f64.max_num r3, r1, r2
                ret r0, [r3]
            }
            func fabs(a: f64) -> (f64) {
                f64.abs r2, r1
                ret r0, [r2]
            }
            func fneg(a: f64) -> (f64) {
                f64.neg r2, r1
                ret r0, [r2]
            }
            func bytesSlice(a: u64, b: u64) -> (bytes) {
                const.pool r3, bytes:616263
                bytes.slice r4, r3, r1, r2
                ret r0, [r4]
            }
            """;

    private static final int F2I = 0;
    private static final int F2U = 1;
    private static final int I2D19 = 2;
    private static final int U2D19 = 3;
    private static final int I2D18 = 4;
    private static final int U2D18 = 5;
    private static final int MUL_SCALE = 6;
    private static final int STR_SLICE = 7;
    private static final int FMIN = 8;
    private static final int FMAX = 9;
    private static final int FMIN_NUM = 10;
    private static final int FMAX_NUM = 11;
    private static final int FABS = 12;
    private static final int FNEG = 13;
    private static final int BYTES_SLICE = 14;

    /** the returned value as a literal, or "trap KIND at pc P" */
    private static String outcome(Tiers t, int entry, String... args) {
        List<Value> values = new ArrayList<>();
        for (String a : args) {
            values.add(ValueLiteral.parse(a));
        }
        Tiers.Outcome o = t.check(entry, values, Limits.DEFAULT, "entry " + entry + " " + List.of(args));
        return o.trapped() ? "trap " + o.trap().label() + " at pc " + o.trap().pc() : String.join(", ", o.literals());
    }

    @Test
    void floatToIntegerEdges() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "edges.tasm"), Host.NONE);
        assertEquals("i64:9223372036854775807", outcome(t, F2I, "f64:0x43e0000000000000"), "2^63 saturates");
        assertEquals("i64:-9223372036854775808", outcome(t, F2I, "f64:0xc3e0000000000000"), "-2^63");
        assertEquals("trap int_cast_overflow at pc 0", outcome(t, F2I, "f64:0xc3e0000000000001"), "below -2^63");
        assertEquals("trap int_cast_overflow at pc 0", outcome(t, F2I, "f64:0x43e0000000000001"), "above 2^63");
        assertEquals("i64:0", outcome(t, F2I, "f64:0x8000000000000000"), "-0.0");
        assertEquals("i64:0", outcome(t, F2I, "f64:0xbfefae147ae147ae"), "-0.99");
        assertEquals("trap float_to_int_invalid at pc 0", outcome(t, F2I, "f64:0xfff0000000000000"), "-inf");
        assertEquals("trap float_to_int_invalid at pc 0", outcome(t, F2I, "f64:0xfff8000000000001"), "a NaN");
        assertEquals("u64:0", outcome(t, F2U, "f64:0x8000000000000000"), "-0.0");
        assertEquals("trap int_cast_overflow at pc 0", outcome(t, F2U, "f64:0xbfefae147ae147ae"), "-0.99");
        assertEquals("trap int_cast_overflow at pc 0", outcome(t, F2U, "f64:0x8010000000000000"),
                "the smallest negative normal");
        assertEquals("trap int_cast_overflow at pc 0", outcome(t, F2U, "f64:0x43f0000000000001"), "above 2^64");
        assertEquals("u64:18446744073709549568", outcome(t, F2U, "f64:0x43efffffffffffff"), "below 2^64");
        assertEquals("trap float_to_int_invalid at pc 0", outcome(t, F2U, "f64:0xfff0000000000000"), "-inf");
    }

    @Test
    void integerToDecimalComputesTheFactorFirst() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "edges.tasm"), Host.NONE);
        assertEquals("trap decimal_overflow at pc 0", outcome(t, I2D19, "i64:0"));
        assertEquals("trap decimal_overflow at pc 0", outcome(t, U2D19, "u64:0"));
        assertEquals("dec:9.000000000000000000", outcome(t, I2D18, "i64:9"));
        assertEquals("dec:-9.000000000000000000", outcome(t, I2D18, "i64:-9"));
        assertEquals("trap decimal_overflow at pc 0", outcome(t, I2D18, "i64:10"));
        assertEquals("dec:9.000000000000000000", outcome(t, U2D18, "u64:9"));
        assertEquals("trap decimal_overflow at pc 0", outcome(t, U2D18, "u64:10"));
    }

    @Test
    void decimalProductScalesMustFitAByte() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "edges.tasm"), Host.NONE);
        String wide = outcome(t, MUL_SCALE, "bool:true");
        String fits = outcome(t, MUL_SCALE, "bool:false");
        assertEquals("trap decimal_overflow", wide.substring(0, wide.indexOf(" at pc")), "scale 200 + 56 = 256");
        assertEquals("dec:0." + "0".repeat(255), fits, "scale 200 + 55 = 255");
    }

    @Test
    void nanResultsOfMinMaxAreTheCanonicalNan() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "edges.tasm"), Host.NONE);
        String negPayload = "f64:0xfff8000000000123";
        String signaling = "f64:0x7ff0000000000abc";
        String one = "f64:0x3ff0000000000000";
        for (int op : new int[] {FMIN, FMAX}) {
            assertEquals("f64:0x7ff8000000000000", outcome(t, op, negPayload, one), "op " + op);
            assertEquals("f64:0x7ff8000000000000", outcome(t, op, one, signaling), "op " + op);
            assertEquals("f64:0x7ff8000000000000", outcome(t, op, negPayload, signaling), "op " + op);
        }
        for (int op : new int[] {FMIN_NUM, FMAX_NUM}) {
            assertEquals(one, outcome(t, op, negPayload, one), "op " + op);
            assertEquals(one, outcome(t, op, one, signaling), "op " + op);
            assertEquals("f64:0x7ff8000000000000", outcome(t, op, negPayload, signaling), "op " + op);
        }
        assertEquals("f64:0x7ff8000000000123", outcome(t, FABS, negPayload));
        assertEquals("f64:0x7ff8000000000123", outcome(t, FNEG, negPayload));
        assertEquals("f64:0xfff0000000000abc", outcome(t, FNEG, signaling));
    }

    @Test
    void slicesCheckTheRangeBeforeTheCharacterBoundary() {
        Tiers t = Tiers.of(Assembler.assemble(PROGRAM, "edges.tasm"), Host.NONE);
        // "aé" is 61 c3 a9: byte 2 is inside é; const.pool is 3 bytes, so str.slice is at pc 3
        assertEquals("trap str_not_char_boundary at pc 3", outcome(t, STR_SLICE, "u64:0", "u64:2"));
        assertEquals("trap str_not_char_boundary at pc 3", outcome(t, STR_SLICE, "u64:2", "u64:3"));
        assertEquals("trap index_out_of_bounds at pc 3", outcome(t, STR_SLICE, "u64:2", "u64:1"), "start > end first");
        assertEquals("trap index_out_of_bounds at pc 3", outcome(t, STR_SLICE, "u64:2", "u64:4"), "end > len first");
        assertEquals("trap index_out_of_bounds at pc 3",
                outcome(t, STR_SLICE, "u64:18446744073709551615", "u64:18446744073709551615"));
        assertEquals("str:\"\"", outcome(t, STR_SLICE, "u64:3", "u64:3"));
        assertEquals("str:\"é\"", outcome(t, STR_SLICE, "u64:1", "u64:3"));
        assertEquals("trap index_out_of_bounds at pc 3", outcome(t, BYTES_SLICE, "u64:2", "u64:1"));
        assertEquals("trap index_out_of_bounds at pc 3", outcome(t, BYTES_SLICE, "u64:0", "u64:4"));
        assertEquals("bytes:", outcome(t, BYTES_SLICE, "u64:3", "u64:3"));
        assertEquals("bytes:6263", outcome(t, BYTES_SLICE, "u64:1", "u64:3"));
    }
}
