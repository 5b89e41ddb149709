package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.program.Constant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error path of the assembler's value readers ({@code AsmValues}: value literals of each
 * kind, unsigned, signed and f64 numbers, {@code @N} indexes, types and type lists) as operands,
 * constants, declarations and directives, with its message, line and column. The expected
 * diagnostics are those of the assembler before {@code AsmParser} was split (6e0fa9b^, as built into
 * the session's start jar); a differential run of about 113,000 sources (the examples and the
 * disassembled conformance vectors, mangled, and every literal form in every place) against that
 * build found no difference in any diagnostic, line table or output byte, and this stays as a
 * regression test. The accepted edge forms give the constants the spec's literal grammar says.
 */
class AsmValuesDiagnosticsTest {
    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("const c = \n", 1, 11,
                        "expected a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff "
                                + "or str:\"hi\"), found end of line"),
                Arguments.of("const c = foo\n", 1, 11,
                        "expected a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff "
                                + "or str:\"hi\"), found 'foo'"),
                Arguments.of("const c = bool:\n", 1, 16,
                        "expected true or false after bool:, found ''"),
                Arguments.of("const c = i64:-0x8000000000000001\n", 1, 15,
                        "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) after "
                                + "i64:, found '-0x8000000000000001', which is out of range"),
                Arguments.of("const c = i64:9223372036854775808\n", 1, 15,
                        "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) after "
                                + "i64:, found '9223372036854775808', which is out of range"),
                Arguments.of("const c = i64:0x\n", 1, 15,
                        "expected a signed 64-bit integer after i64:, found '0x'"),
                Arguments.of("const c = u64:18446744073709551616\n", 1, 15,
                        "expected an unsigned 64-bit integer after u64:, found '18446744073709551616', which is "
                                + "out of range"),
                Arguments.of("const c = u64:0xG\n", 1, 15,
                        "expected an unsigned 64-bit integer after u64:, found '0xG'"),
                Arguments.of("const c = u64:-1\n", 1, 15,
                        "expected an unsigned 64-bit integer after u64:, found '-1'"),
                Arguments.of("const c = f64:1e999\n", 1, 15,
                        "expected a finite f64 after f64: (write inf or -inf for infinity), found '1e999', which "
                                + "is out of range"),
                Arguments.of("const c = f64:1.5.5\n", 1, 15,
                        "expected an f64 (like 1.5, -2e10, inf, nan or 16 hex digits of bits like "
                                + "0x3ff8000000000000) after f64:, found '1.5.5'"),
                Arguments.of("const c = dec:1.\n", 1, 15,
                        "expected a decimal like -1.50 after dec:, found '1.'"),
                Arguments.of("const c = dec:9223372036854775808\n", 1, 15,
                        "expected a decimal whose digits fit a signed 64-bit mantissa, found "
                                + "'9223372036854775808', which is out of range"),
                Arguments.of("const c = dec:0." + "0".repeat(255) + "1\n", 1, 15,
                        "expected at most 255 digits after the point (the scale is a byte), found 256"),
                Arguments.of("const c = bytes:0\n", 1, 17,
                        "expected hex digits in pairs after bytes: (like bytes:00ff10), found '0'"),
                Arguments.of("const c = bytes:zz\n", 1, 17,
                        "expected hex digits in pairs after bytes: (like bytes:00ff10), found 'zz'"),
                Arguments.of("const c = str:hi\n", 1, 15,
                        "expected a string in double quotes right after str:, found 'hi'"),
                Arguments.of("const c = chr:5\n", 1, 11,
                        "expected a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff "
                                + "or str:\"hi\"), found 'chr:' (constants can only be unit, bool, i64, u64, "
                                + "f64, dec, bytes or str)"),
                Arguments.of("const c = i64 :5\n", 1, 11,
                        "expected a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff "
                                + "or str:\"hi\"), found 'i64'"),
                Arguments.of("array A = obj<\n", 1, 15,
                        "expected a host type id, found end of line"),
                Arguments.of("array A = obj<0x>\n", 1, 15,
                        "expected a host type id (an unsigned 64-bit number), found '0x'"),
                Arguments.of("array A = obj<5\n", 1, 16,
                        "expected '>' after the host type id, found end of line"),
                Arguments.of("array A = obj 5\n", 1, 15,
                        "expected '<' and a host type id after obj, found '5'"),
                Arguments.of("array A = \n", 1, 11,
                        "expected a type (unit, bool, i64, u64, f64, dec, bytes, str, agg, func, closure or "
                                + "obj<N>), found end of line"),
                Arguments.of("callsig c = (i64 i64) -> ()\n", 1, 18,
                        "expected ',' or ')' in the argument types, found 'i64'"),
                Arguments.of("callsig c = i64 -> ()\n", 1, 13,
                        "expected '(' to start the argument types, found 'i64'"),
                Arguments.of("func @1() -> () {\n}\n", 1, 6,
                        "expected @0 (this is function number 0), found '@1'"),
                Arguments.of("func @x() -> () {\n}\n", 1, 6,
                        "expected @0, found '@x'"),
                Arguments.of("struct S = { a: i64 }\nfunc main(x: i64) -> () {\n    struct.new r1, @4294967296, [r2]\n"
                        + "}\n", 3, 20,
                        "expected an index @0 to @4294967295, found '@4294967296'"),
                Arguments.of("func main(x: i64) -> () {\n    const.i64 r1, 0x10000000000000000\n}\n", 2, 19,
                        "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) for "
                                + "operand 'imm' of const.i64, found '0x10000000000000000', which is out of range"),
                Arguments.of("func main(x: i64) -> () {\n    const.i64 r1, -0x\n}\n", 2, 19,
                        "expected a signed 64-bit integer for operand 'imm' of const.i64, found '-0x'"),
                Arguments.of("func main(x: i64) -> () {\n    const.f64 r1, 0x3ff800000000000\n}\n", 2, 19,
                        "expected an f64 (like 1.5, -2e10, inf, nan or 16 hex digits of bits like "
                                + "0x3ff8000000000000) for operand 'bits' of const.f64, found '0x3ff800000000000'"),
                Arguments.of("func main(x: i64) -> () {\n    const.bool r1, 256\n}\n", 2, 20,
                        "expected true, false or a raw byte 0 to 255 for operand 'imm' of const.bool, found '256', "
                                + "which is out of range"),
                Arguments.of("func main(x: i64) -> () {\n    bytes.get_imm r2, r3, 4294967296\n}\n", 2, 27,
                        "expected an unsigned 32-bit integer (0 to 4294967295) for operand 'index' of "
                                + "bytes.get_imm, found '4294967296', which is out of range"),
                Arguments.of("func main(x: i64) -> () {\n    jmp 4294967296\n}\n", 2, 9,
                        "expected a byte offset (0 to 4294967295) for operand 'pc_target' of jmp, found "
                                + "'4294967296', which is out of range"),
                Arguments.of("func main(x: i64) -> () {\n    jmp/0 L\nL:\n}\n", 2, 8,
                        "expected operand 'pc_target' (a label or byte offset) of jmp, found '/'"),
                Arguments.of("func main(x: i64) -> () {\n    jmp/11 L\nL:\n}\n", 2, 8,
                        "expected operand 'pc_target' (a label or byte offset) of jmp, found '/'"),
                Arguments.of("func main(x: i64) -> () {\n    jmp/x L\nL:\n}\n", 2, 8,
                        "expected operand 'pc_target' (a label or byte offset) of jmp, found '/'"),
                Arguments.of("func main(x: i64) -> () {\n    const.u64 r1, 18446744073709551616\n}\n", 2, 19,
                        "expected an unsigned 64-bit integer for operand 'imm' of const.u64, found "
                                + "'18446744073709551616', which is out of range"),
                Arguments.of("func main(x: i64) -> () {\n    trap 4294967296\n}\n", 2, 10,
                        "expected an unsigned 32-bit integer (0 to 4294967295) for operand 'code' of trap, found "
                                + "'4294967296', which is out of range"),
                Arguments.of("host h = \"x\" () -> () hash 0x10000000000000000\n", 1, 28,
                        "expected a 64-bit hash like 0x6410ca15195c619a, found '0x10000000000000000', which is out "
                                + "of range"),
                // a count is a u32 as the function table declares it (2^31 and more: a verify error)
                Arguments.of("func f() -> () regs 4294967296 {\n}\n", 1, 21,
                        "expected a count (0 to 4294967295) after regs, found '4294967296', which is out of range"),
                Arguments.of("shape @0 arg 4294967296 = tuple()\n", 1, 14,
                        "expected an argument index (0 is the first argument), found '4294967296', which is out of"
                                + " range"),
                Arguments.of("host h = $4294967296 () -> ()\n", 1, 10,
                        "expected a symbol id $0 to $4294967295, found '$4294967296'"),
                Arguments.of("func f() -> () {\n    .span 0\n}\n", 2, 11,
                        "expected a span id (1 to 18446744073709551615), found '0' (span id 0 is reserved)"),
                Arguments.of("func main(x: i64) -> () {\n    const.pool r1, dec:1.2.3\n}\n", 2, 24,
                        "expected a decimal like -1.50 after dec:, found '1.2.3'"),
                Arguments.of("const c = dec:-922337203685477580.9\n", 1, 15,
                        "expected a decimal whose digits fit a signed 64-bit mantissa, found "
                                + "'-922337203685477580.9', which is out of range"));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void reportsTheMistakeWhereItIs(String source, int line, int column, String message) {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(source, "t.tasm"));
        assertEquals(message, e.message(), source);
        assertEquals(line, e.line(), source + ": line");
        assertEquals(column, e.column(), source + ": column");
    }

    private static Constant only(String literal) {
        List<Constant> c = Assembler.assemble("const c = " + literal + "\n", "t.tasm").constants();
        assertEquals(1, c.size(), literal);
        return c.get(0);
    }

    @Test
    void acceptedEdgeFormsGiveTheirValues() {
        assertEquals(new Constant.I64(-1), only("i64:0xffffffffffffffff"));
        assertEquals(new Constant.I64(Long.MIN_VALUE), only("i64:-0x8000000000000000"));
        assertEquals(new Constant.I64(Long.MIN_VALUE), only("i64:-9223372036854775808"));
        assertEquals(new Constant.I64(5), only("i64:+5"));
        assertEquals(new Constant.U64(-1), only("u64:18446744073709551615"));
        assertEquals(new Constant.U64(-1), only("u64:0XFFFFFFFFFFFFFFFF"));
        assertEquals(new Constant.F64(Double.doubleToRawLongBits(0.5)), only("f64:.5"));
        assertEquals(new Constant.F64(Double.doubleToRawLongBits(5.0)), only("f64:5."));
        assertEquals(new Constant.F64(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY)), only("f64:-inf"));
        assertEquals(new Constant.F64(0x7ff8000000000001L), only("f64:0x7ff8000000000001"));
        assertEquals(new Constant.F64(Double.doubleToRawLongBits(-0.0)), only("f64:-0.0"));
        assertEquals(new Constant.Decimal(-50, 2), only("dec:-0.50"));
        assertEquals(new Constant.Decimal(Long.MIN_VALUE, 0), only("dec:-9223372036854775808"));
        assertEquals(new Constant.Decimal(1, 255), only("dec:0." + "0".repeat(254) + "1"));
        assertEquals(new Constant.Bool(false), only("bool:false"));
        assertEquals(new Constant.Str("a\u00e9"), only("str:\"a\u00e9\""));
        assertEquals(new Constant.Unit(), only("unit"));
    }
}
