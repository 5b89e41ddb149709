package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each mistake a person can make is an {@link AsmException} at the right line and column. */
class AssemblerErrorTest {
    private static final String MAIN = "func main() -> () {\n";

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("unknown mnemonic", MAIN + "    i64.addd r1, r2, r3\n}\n", 2, 5,
                        "expected an instruction mnemonic, found 'i64.addd' (did you mean 'i64.add'?)"),
                Arguments.of("too few operands", MAIN + "    i64.add r1, r2\n}\n", 2, 19,
                        "expected ',' and operand 'b' (a register) of i64.add, found end of line"),
                Arguments.of("too many operands", MAIN + "    mov r1, r2, r3\n}\n", 2, 15,
                        "expected end of line after the 2 operands of mov, found ','"),
                Arguments.of("operand on an opcode without any", MAIN + "    nop r1\n}\n", 2, 9,
                        "expected end of line (nop takes no operands), found 'r1'"),
                Arguments.of("immediate where a register goes", MAIN + "    i64.add r1, 5, r2\n}\n", 2, 17,
                        "expected a register (r0 to r4294967295) for operand 'a' of i64.add, found '5'"),
                Arguments.of("missing arrow before results", "func f() -> () {\n    call r0, f, r0, [r1], [r2]\n}\n",
                        2, 25, "expected '->' and operand 'rets' (a register list) of call, found ','"),
                Arguments.of("register list without commas", MAIN + "    ret r0, [r1 r2]\n}\n", 2, 17,
                        "expected ',' or ']' in operand 'rets' of ret, found 'r2'"),
                Arguments.of("undefined label", MAIN + "loop:\n    jmp lop\n}\n", 3, 9,
                        "undefined label 'lop' in function 'main' (did you mean 'loop'?)"),
                Arguments.of("duplicate label", MAIN + "loop:\n    nop\nloop:\n    jmp loop\n}\n", 4, 1,
                        "duplicate label 'loop' (first defined at line 2)"),
                Arguments.of("undefined function", MAIN + "    call r0, fob, r0, [] -> []\n}\n"
                        + "func fib() -> () {\n    ret r0, []\n}\n", 2, 14, "undefined function 'fob' (did you mean 'fib'?)"),
                Arguments.of("ambiguous function", "func a() -> () {\n    call r0, b, r0, [] -> []\n}\n"
                        + "func b() -> () {\n}\nfunc b() -> () {\n}\n", 2, 14,
                        "function name 'b' is ambiguous (functions @1 and @2 both have it): refer to one by index"),
                Arguments.of("undefined struct", "struct Point = { x: i64 }\n" + MAIN
                        + "    struct.new r1, Pont, [r2]\n}\n", 3, 20, "undefined struct 'Pont' (did you mean 'Point'?)"),
                Arguments.of("unknown type", "func f(x: int) -> () {\n}\n", 1, 11,
                        "expected a type (unit, bool, i64, u64, f64, dec, bytes, str, agg, func, closure or obj<N>),"
                                + " found 'int'"),
                Arguments.of("bad integer literal", MAIN + "    const.pool r1, i64:12a\n}\n", 2, 24,
                        "expected a signed 64-bit integer after i64:, found '12a'"),
                Arguments.of("bad bool literal", "const c = bool:yes\n", 1, 16,
                        "expected true or false after bool:, found 'yes'"),
                Arguments.of("constant of a kind the pool cannot hold", MAIN + "    const.pool r1, agg:1\n}\n", 2, 20,
                        "expected a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff or"
                                + " str:\"hi\"), found 'agg:' (constants can only be unit, bool, i64, u64, f64, dec,"
                                + " bytes or str)"),
                Arguments.of("unterminated string", "const s = str:\"abc\n" + MAIN + "}\n", 1, 19,
                        "expected '\"' to close the string opened at column 15, found end of line"),
                Arguments.of("negative unsigned", MAIN + "    const.u64 r1, -1\n}\n", 2, 19,
                        "expected an unsigned 64-bit integer for operand 'imm' of const.u64, found '-1'"),
                Arguments.of("i64 out of range", MAIN + "    const.i64 r1, 9223372036854775808\n}\n", 2, 19,
                        "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) for operand"
                                + " 'imm' of const.i64, found '9223372036854775808', which is out of range"),
                Arguments.of("byte out of range", MAIN + "    const.decimal r1, 5, 300\n}\n", 2, 26,
                        "expected an integer 0 to 255 for operand 'scale' of const.decimal, found '300', which is out"
                                + " of range"),
                Arguments.of("register out of range", MAIN + "    mov r4294967296, r1\n}\n", 2, 9,
                        "expected a register (r0 to r4294967295) for operand 'dst' of mov, found 'r4294967296', which"
                                + " is out of range"),
                // a listed register is a u32 too: the same range, in the same words
                Arguments.of("listed register out of range", MAIN + "    ret r0, [r1, r4294967296]\n}\n", 2, 18,
                        "expected a register (r0 to r4294967295) in operand 'rets' of ret, found 'r4294967296', which"
                                + " is out of range"),
                Arguments.of("f64 overflow", MAIN + "    const.f64 r1, 1e999\n}\n", 2, 19,
                        "expected a finite f64 for operand 'bits' of const.f64 (write inf or -inf for infinity), found"
                                + " '1e999', which is out of range"),
                Arguments.of("width too small", MAIN + "    const.i64 r1, 300/1\n}\n", 2, 23,
                        "expected a width of at least 2 bytes for the value 300, found '1'"),
                Arguments.of("width on a fixed-size operand", MAIN + "    const.f64 r1, 1.5/2\n}\n", 2, 23,
                        "expected no width after operand 'bits' of const.f64 (it has a fixed size), found '/'"),
                Arguments.of("label too far for its width", MAIN + "    jmp end/1\n    .bytes " + "00 ".repeat(200)
                        + "\nend:\n    ret r0, []\n}\n", 2, 13,
                        "expected a width of at least 2 bytes for label 'end' at pc 202, found '1'"),
                Arguments.of("missing } at end of file", MAIN + "    ret r0, []\n", 3, 1,
                        "expected '}' to close function 'main' (opened at line 1), found end of file"),
                Arguments.of("missing } before the next function", MAIN + "    ret r0, []\nfunc other() -> () {\n"
                        + "    ret r0, []\n}\n", 3, 1,
                        "expected '}' to close function 'main' (opened at line 1) before the next function, found 'func'"),
                Arguments.of("stray }", MAIN + "    ret r0, []\n}\n}\n", 4, 1,
                        "expected a declaration (program, symbols, const, struct, array, host, callsig, shape or"
                                + " func), found '}'"),
                Arguments.of("text after }", MAIN + "    ret r0, []\n} extra\n", 3, 3,
                        "expected end of line after '}', found 'extra'"),
                Arguments.of("unclosed parameter list", "func main(x: i64 -> () {\n}\n", 1, 18,
                        "expected ',' or ')', found '->'"),
                Arguments.of("misspelt keyword", "fun main() -> () {\n}\n", 1, 1,
                        "expected a declaration (program, symbols, const, struct, array, host, callsig, shape or"
                                + " func), found 'fun'"),
                Arguments.of("wrong index in a declaration", "struct @1 = { x: i64 }\n", 1, 8,
                        "expected @0 (this is struct number 0), found '@1'"),
                Arguments.of("duplicate struct name", "struct P = { x: i64 }\nstruct P = { y: i64 }\n", 2, 8,
                        "duplicate struct name 'P' (first declared at line 1)"),
                Arguments.of("unknown directive", MAIN + "    .spam 3\n}\n", 2, 5,
                        "expected a directive (.span, .label, .name or .bytes), found '.spam'"),
                Arguments.of("span before the previous one", MAIN + "    .span 1 delta 10\n    const.i64 r1, 1\n"
                        + "    .span 2\n}\n", 4, 5,
                        "expected a span at or after pc 10 (where the previous span entry is), found one at pc 3"),
                Arguments.of("shape of a missing argument", "shape main arg 2 = tuple(i64)\nfunc main(agg) -> () {\n}\n",
                        1, 16, "expected an argument index below 1 (function 'main' takes 1 argument), found 2"),
                Arguments.of("bad hash", "host h = \"x\" () -> () hash xyz\n", 1, 28,
                        "expected a 64-bit hash like 0x6410ca15195c619a, found 'xyz'"),
                Arguments.of("empty name", "program \"\"\n", 1, 9,
                        "expected the program's name (a string, an identifier or $N), found the empty symbol 0 (names"
                                + " must not be empty)"),
                Arguments.of("symbols block too late", "program p\nsymbols { \"a\" }\n", 2, 1,
                        "expected the symbols block before anything that names a symbol (put it first), found it after"
                                + " symbol \"p\""),
                Arguments.of("columns count characters", "const s = str:\"héllo\" x\n", 1, 23,
                        "expected end of line, found 'x'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void reportsTheMistakeWhereItIs(String name, String source, int line, int column, String message) {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(source, "t.tasm"));
        assertEquals(message, e.message(), name);
        assertEquals(line, e.line(), name + ": line");
        assertEquals(column, e.column(), name + ": column");
        assertEquals("t.tasm", e.file());
        assertEquals("t.tasm:" + line + ":" + column + ": " + message, e.getMessage());
    }

    @Test
    void aMissingFileNameReadsAsInput() {
        AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble("nonsense\n", null));
        assertEquals("<input>:1:1: expected a declaration (program, symbols, const, struct, array, host, callsig, shape"
                + " or func), found 'nonsense'", e.getMessage());
    }
}
