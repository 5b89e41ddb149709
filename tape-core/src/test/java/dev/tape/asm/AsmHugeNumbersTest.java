package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tape.program.ProgramEncoder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A number of a million digits or more, wherever the assembler reads one (a register, an integer
 * immediate, decimal or hex, an {@code i64:} or {@code dec:} literal, an {@code @N} index, a
 * {@code $N} symbol id), fails with the message the build before gave (kept here as templates, the
 * word put in), and is read in time linear in its length: each was parsed whole into a
 * {@link java.math.BigInteger} first, quadratic in its digits (a 1 MB source took 12 to 19 s, 10 MB
 * about half an hour). Leading zeros still count for nothing.
 */
class AsmHugeNumbersTest {
    private static final String W = "7".repeat(2_000_000);
    private static final String Z = "0".repeat(2_000_000);

    /** source template, the answer the build before gave for it ({W} the word's digits) */
    private static final String[][] OUT_OF_RANGE = {
        {"func f() -> () {\n    const.i64 r{W}, 1\n    ret r0, []\n}\n",
            "t.tasm:2:15: expected a register (r0 to r4294967295) for operand 'dst' of const.i64, found 'r{W}',"
                + " which is out of range"},
        {"func f() -> () {\n    ret r0, [r{W}]\n}\n",
            "t.tasm:2:14: expected a register (r0 to r4294967295) in operand 'rets' of ret, found 'r{W}', which is"
                + " out of range"},
        {"func f() -> () {\n    const.u64 r0, {W}\n    ret r0, []\n}\n",
            "t.tasm:2:19: expected an unsigned 64-bit integer for operand 'imm' of const.u64, found '{W}', which is"
                + " out of range"},
        {"func f() -> () {\n    const.u64 r0, 0x{W}\n    ret r0, []\n}\n",
            "t.tasm:2:19: expected an unsigned 64-bit integer for operand 'imm' of const.u64, found '0x{W}', which"
                + " is out of range"},
        {"func f() -> () {\n    const.i64 r0, -{W}\n    ret r0, []\n}\n",
            "t.tasm:2:19: expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) for"
                + " operand 'imm' of const.i64, found '-{W}', which is out of range"},
        {"func f() -> () {\n    const.i64 r0, 0x{W}\n    ret r0, []\n}\n",
            "t.tasm:2:19: expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) for"
                + " operand 'imm' of const.i64, found '0x{W}', which is out of range"},
        {"func f() -> () {\n    const.decimal r0, {W}, 2\n    ret r0, []\n}\n",
            "t.tasm:2:23: expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) for"
                + " operand 'mantissa' of const.decimal, found '{W}', which is out of range"},
        {"const c = dec:-{W}.5\n",
            "t.tasm:1:15: expected a decimal whose digits fit a signed 64-bit mantissa, found '-{W}.5', which is"
                + " out of range"},
        {"const c = i64:{W}\n",
            "t.tasm:1:15: expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) after"
                + " i64:, found '{W}', which is out of range"},
        {"func @{W}() -> () {\n    ret r0, []\n}\n", "t.tasm:1:6: expected an index @0 to @4294967295, found '@{W}'"},
        {"func ${W}() -> () {\n    ret r0, []\n}\n",
            "t.tasm:1:6: expected a symbol id $0 to $2147483647, found '${W}'"},
    };

    /** sources with numbers behind a million leading zeros ({Z}), each as the one without them */
    private static final String[] LEADING_ZEROS = {
        "func f() -> () {\n    const.i64 r{Z}5, 1\n    ret r5, []\n}\n",
        "func f() -> () {\n    const.u64 r0, 0x{Z}ff\n    ret r0, []\n}\n",
        "func f() -> () {\n    const.u64 r0, {Z}18446744073709551615\n    ret r0, []\n}\n",
        "func f() -> () {\n    const.i64 r0, -{Z}9223372036854775808\n    ret r0, []\n}\n",
        "func f() -> () {\n    const.i64 r0, 0x{Z}8000000000000000\n    ret r0, []\n}\n",
        "const c = dec:-{Z}1.5\n",
        "const c = dec:{Z}0.000\n",
        "func @{Z}0() -> () {\n    ret r0, []\n}\n",
    };

    @Test
    void hugeNumbersFailAsBeforeInLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String[] c : OUT_OF_RANGE) {
                String source = c[0].replace("{W}", W);
                AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(source, "t.tasm"), c[0]);
                assertEquals(c[1].replace("{W}", W), e.getMessage(), c[0]);
            }
        });
    }

    @Test
    void leadingZerosCountForNothing() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String t : LEADING_ZEROS) {
                byte[] without = ProgramEncoder.encode(Assembler.assemble(t.replace("{Z}", ""), "t.tasm"));
                byte[] with = ProgramEncoder.encode(Assembler.assemble(t.replace("{Z}", Z), "t.tasm"));
                assertArrayEquals(without, with, t);
            }
        });
    }
}
