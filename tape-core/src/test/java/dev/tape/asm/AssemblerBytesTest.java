package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Hand-written programs against bytes worked out by hand from the spec (the layouts in
 * {@code notes/container-format.md}, the FNV-1a host hash of {@code reference/README.md}), not
 * from the code under test.
 */
class AssemblerBytesTest {
    private static final String HEADER = "45 58 54 41 50 45 00 00 00 00 01 00";

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    static Program asm(String src) throws AsmException {
        return Assembler.assemble(src, "test.tasm");
    }

    /** The payload of the section with this tag, walking the container by hand. */
    static byte[] section(byte[] file, int tag) {
        int pos = 12;
        while (pos < file.length) {
            int t = file[pos++] & 0xFF;
            long len = 0;
            int shift = 0;
            int b;
            do {
                b = file[pos++] & 0xFF;
                len |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if (t == tag) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(file, pos, (int) len);
                return out.toByteArray();
            }
            pos += (int) len;
        }
        return null;
    }

    @Test
    void sumLoopMatchesTheReferenceBytes() throws Exception {
        Program p = asm("""
                ; sum of 0..n-1
                func @0(i64) -> (i64) {
                    const.i64 r2, 0      ; i
                    const.i64 r3, 0      ; sum
                    const.i64 r4, 1
                    jmp head
                head:
                    i64.lt r5, r2, r1
                    br r5, body, done
                body:
                    i64.add r3, r3, r2
                    i64.add r2, r2, r4
                    jmp head
                done:
                    ret r0, [r3]
                }
                """);
        // notes/container-format.md 2.4, sum_loop.tape (101 bytes): br/jmp targets are 5-byte ULEB
        byte[] expected = hex(HEADER + """
                01 02 01 00
                02 01 00
                03 03 00 00 00
                05 33 01 31
                   12 02 00  12 03 00  12 04 01  41 8f 80 80 80 00  29 05 02 01
                   40 05 9f 80 80 80 00 ad 80 80 80 00  20 03 03 02  20 02 02 04
                   41 8f 80 80 80 00  51 00 01 03
                06 02 01 00
                04 06 01 01 01 06 00 00
                07 07 01 01 02 00 01 02 00
                08 01 00
                """);
        assertEquals(101, expected.length);
        assertArrayEquals(expected, ProgramEncoder.encode(p));
    }

    @Test
    void recursiveFibMatchesTheReferenceBytes() throws Exception {
        Program p = asm("""
                func @0(i64) -> (i64) {
                    const.i64 r2, 2
                    i64.lt r3, r1, r2
                    br r3, small, big
                small:
                    ret r0, [r1]
                big:
                    const.i64 r4, 1
                    i64.sub r5, r1, r4
                    call r0, @0, r0, [r5] -> [r6]
                    i64.sub r7, r1, r2
                    call r0, @0, r0, [r7] -> [r8]
                    i64.add r9, r6, r8
                    ret r0, [r9]
                }
                """);
        byte[] expected = hex(HEADER + """
                01 02 01 00  02 01 00  03 03 00 00 00
                05 3c 01 3a
                   12 02 02  29 03 01 02  40 03 93 80 80 80 00 97 80 80 80 00  51 00 01 01
                   12 04 01  21 05 01 04  50 00 00 00 01 05 01 06  21 07 01 02
                   50 00 00 00 01 07 01 08  20 09 06 08  51 00 01 09
                06 02 01 00
                04 06 01 01 01 0a 00 00
                07 07 01 01 02 00 01 02 00
                08 01 00
                """);
        assertEquals(110, expected.length);
        assertArrayEquals(expected, ProgramEncoder.encode(p));
    }

    @Test
    void everySectionOfASmallProgram() throws Exception {
        Program p = asm("""
                program demo
                host print = "std.print_i64" (i64) -> ()
                struct Pair = { a: i64, b: bool }
                array ints = i64
                callsig unary = (i64) -> (i64)

                func main(n: i64) -> (out: i64) {
                    .span 7
                    const.pool r2, str:"hi"
                    host_call r0, print, r0, [r1] -> []
                    jmp done
                done::
                    ret r0, [r1]
                }
                """);
        // symbols in order of first mention; the host hash is FNV-1a 64 of
        // "execution_tape:v1" NUL, u32le 1, tag 2, u32le 0 = 0xa1205c1b73725924
        byte[] expected = hex(HEADER + """
                01 25 07 00 04 64 65 6d 6f 0d 73 74 64 2e 70 72 69 6e 74 5f 69 36 34 04 6d 61 69 6e
                      01 6e 03 6f 75 74 04 64 6f 6e 65
                02 05 01 07 02 68 69
                03 0d 02 01 61 01 62 01 02 00 02 01 01 01 02
                05 16 01 14 16 02 00 52 00 00 00 01 01 00 41 90 80 80 80 00 51 00 01 01
                06 04 01 01 00 07
                04 06 01 01 01 03 00 00
                07 09 01 01 02 01 04 01 02 01 05
                08 0d 01 02 24 59 72 73 1b 5c 20 a1 01 02 00
                0a 05 01 01 02 01 02
                09 09 01 01 01 00 03 01 00 10 06
                """);
        assertArrayEquals(expected, ProgramEncoder.encode(p));
        assertEquals(0, p.functionId("main"));
    }

    @Test
    void constantLiteralsArePooledOnce() throws Exception {
        Program p = asm("""
                func @0() -> () {
                    const.pool r1, unit
                    const.pool r2, bool:true
                    const.pool r3, i64:-9223372036854775808
                    const.pool r4, u64:18446744073709551615
                    const.pool r5, f64:1.5
                    const.pool r6, dec:-1.50
                    const.pool r7, bytes:00ff
                    const.pool r8, str:"\\u00e9"
                    const.pool r9, f64:0x8000000000000000
                    const.pool r10, bool:true   # the same constant as r2's
                    ret r0, []
                }
                """);
        byte[] expected = hex(HEADER + """
                01 02 01 00
                02 38 09  00  01 01  02 80 80 80 80 80 80 80 80 80 7f  03 ff ff ff ff ff ff ff ff ff 01
                          04 00 00 00 00 00 00 f8 3f  05 ea 7e 02  06 02 00 ff  07 02 c3 a9
                          04 00 00 00 00 00 00 00 80
                03 03 00 00 00
                05 23 01 21 16 01 00 16 02 01 16 03 02 16 04 03 16 05 04 16 06 05 16 07 06 16 08 07
                            16 09 08 16 0a 01 51 00 00
                06 02 01 00
                04 06 01 00 00 0b 00 00
                07 05 01 00 00 00 00
                08 01 00
                """);
        assertArrayEquals(expected, ProgramEncoder.encode(p));
    }

    @Test
    void widthSuffixesPadOperandsAndNumericPcsStayNumbers() throws Exception {
        Program p = asm("""
                func @0() -> () {
                    const.i64 r1/2, -1/3
                    jmp 0/1
                    jmp 7
                    ret r0, []
                }
                """);
        Function f = p.functions().get(0);
        // r1 in 2 bytes (81 00), -1 in 3 bytes (ff ff 7f), pc 0 in 1 byte, pc 7 in the default 5
        assertArrayEquals(hex("12 81 00 ff ff 7f  41 00  41 87 80 80 80 00  51 00 00"), f.code());
        assertEquals(2, f.regCount());
    }

    @Test
    void rawBytesAndExplicitCounts() throws Exception {
        Program p = asm("""
                func @0(i64) -> (i64) regs 9 argc 3 retc 0 {
                    .bytes ee 51
                    .bytes 0000
                    .span 5 delta 100
                }
                """);
        Function f = p.functions().get(0);
        assertArrayEquals(hex("ee 51 00 00"), f.code());
        assertEquals(9, f.regCount());
        assertEquals(3, f.argCount());
        assertEquals(0, f.retCount());
        assertEquals(100, f.spans().get(0).pcDelta());
        byte[] file = ProgramEncoder.encode(p);
        assertArrayEquals(hex("01 03 00 09 00 00"), section(file, 4));
        assertArrayEquals(hex("01 01 64 05"), section(file, 6));
    }

    @Test
    void aVeryLongLineIsReadInLinearTime() throws Exception {
        String line = "    .bytes" + " 00".repeat(300_000);
        Program p = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> asm("func @0() -> () {\n" + line + "\n}\n"));
        assertEquals(300_000, p.functions().get(0).codeLength());
        AsmException e = assertThrows(AsmException.class, () -> asm("func @0() -> () {\n" + line + " zz\n}\n"));
        assertEquals(2, e.line());
        assertEquals(line.length() + 2, e.column());
    }

    @Test
    void shapesTypesAndNamesSections() throws Exception {
        Program p = asm("""
                struct A = { x: i64 }
                struct B = { y: bool, x: i64 }
                array ints = i64
                array flags = bool
                shape g arg 1 = array flags

                func f(e: agg tuple(i64, _), s: agg struct B) -> () {
                    ret r0, []
                }

                func g(i64, agg) -> () {
                    .name other
                    ret r0, []
                }
                """);
        byte[] file = ProgramEncoder.encode(p);
        // field names interned by first use: x, y
        assertArrayEquals(hex("02 01 78 01 79  02  01 00 02  02 01 01 00 02  02 02 01"), section(file, 3));
        // section 11 in text order: (g, 1, array 1), (f, 0, tuple [i64, ?]), (f, 1, struct 1)
        assertArrayEquals(hex("03  01 01 03 01  00 00 01 02 01 02 00  00 01 02 01"), section(file, 11));
        // symbols: "", f, e, s, g, other; f's args are named, g's are not
        assertArrayEquals(hex("02  02 09 09 01 02 03 00 00  02 02 09 00 00 00"), section(file, 7));
        // names: no program name; functions (0, f) (1, g) (1, other); no labels
        assertArrayEquals(hex("00 03 00 01 01 04 01 05 00"), section(file, 9));
        assertNull(section(file, 10));
    }

    @Test
    void namesAndIndicesAreInterchangeable() throws Exception {
        String byName = """
                host a = "x" () -> ()
                host b = "y" (i64) -> (i64)
                callsig c = () -> ()
                callsig d = (i64) -> (i64)
                struct S = { f: i64 }
                struct T = { g: i64 }
                array I = i64
                array J = bool
                const k = i64:1
                const m = i64:2
                func @0() -> () {
                    host_call r0, b, r0, [r1] -> [r2]
                    call.indirect r0, d, r3, r0, [r1] -> [r2]
                    struct.new r4, T, [r1]
                    array.new r5, J, []
                    const.pool r6, m
                    call r0, @1, r0, [] -> []
                    ret r0, []
                }
                func @1() -> () {
                    ret r0, []
                }
                """;
        String byIndex = byName.replace("host_call r0, b", "host_call r0, @1").replace(", d,", ", @1,")
                .replace(", T,", ", @1,").replace(", J,", ", @1,").replace(", m", ", @1");
        assertArrayEquals(ProgramEncoder.encode(asm(byName)), ProgramEncoder.encode(asm(byIndex)));
        assertArrayEquals(hex("52 00 01 00 01 01 01 02  54 00 01 03 00 01 01 01 02  62 04 01 01 01  64 05 01 00"
                + "  16 06 01  50 00 01 00 00 00  51 00 00"), asm(byName).functions().get(0).code());
    }
}
