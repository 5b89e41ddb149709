package dev.tape.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.program.ConformanceFiles;
import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.RandomPrograms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@link DecodedCode} decodes exactly as {@link InstructionCodec#decodeAll(byte[])}: the same
 * instructions (opcode, pc, length, every operand and list register) or the same error (section,
 * offset, reason), also when one object is refilled with bodies of different sizes.
 */
class DecodedCodeTest {
    /** One object for every body of a property run, so refilling a used object is what is checked. */
    private final DecodedCode shared = new DecodedCode();
    /** Another, decoding each body as a range of a larger array (its reused copy grows and shrinks). */
    private final DecodedCode ranged = new DecodedCode();

    /**
     * {@code code} inside a larger array, after 3 bytes and before 5, all {@code 0xff} (a LEB128
     * continuation and an invalid opcode: a read past either end would change a value or an error).
     */
    private static byte[] embedded(byte[] code) {
        byte[] out = new byte[code.length + 8];
        java.util.Arrays.fill(out, (byte) 0xff);
        System.arraycopy(code, 0, out, 3, code.length);
        return out;
    }

    /** Checks {@code dc}, just filled from {@code code}, against the object decoder. */
    static void assertSame(byte[] code, DecodedCode dc, List<Instruction> want) {
        assertEquals(want.size(), dc.count());
        assertEquals(code.length, dc.codeLength());
        for (int k = 0; k < want.size(); k++) {
            Instruction ins = want.get(k);
            assertEquals(ins.opcode(), dc.opcode(k));
            assertEquals(ins.pc(), dc.pc(k));
            assertEquals(ins.nextPc(), dc.nextPc(k));
            List<Operand> ops = ins.opcode().operands();
            for (int i = 0; i < ops.size(); i++) {
                assertEquals(ins.value(i), dc.value(k, i), ins + " operand " + i);
                if (ops.get(i).kind() == OperandKind.REG_LIST) {
                    assertArrayEquals(ins.list(i), dc.list(k, i), ins + " list " + i);
                    for (int e = 0; e < ins.value(i); e++) {
                        assertEquals(ins.listReg(i, e), dc.listReg(k, i, e));
                    }
                } else {
                    assertNull(ins.list(i));
                    assertEquals(ins.reg(i), dc.reg(k, i));
                }
            }
            assertEquals(ins, dc.instruction(k));
        }
    }

    private void agrees(byte[] code) {
        List<Instruction> want;
        try {
            want = InstructionCodec.decodeAll(code);
        } catch (DecodeException e) {
            DecodeException got = assertThrows(DecodeException.class, () -> shared.decode(code));
            assertEquals(e.section(), got.section());
            assertEquals(e.offset(), got.offset());
            assertEquals(e.reason(), got.reason());
            assertEquals(0, shared.count());
            DecodeException inRange = assertThrows(DecodeException.class,
                    () -> ranged.decode(embedded(code), 3, code.length));
            assertEquals(e.section(), inRange.section());
            assertEquals(e.offset(), inRange.offset());
            assertEquals(e.reason(), inRange.reason());
            assertEquals(0, ranged.count());
            return;
        }
        try {
            shared.decode(code);
            ranged.decode(embedded(code), 3, code.length);
        } catch (DecodeException e) {
            throw new AssertionError("DecodedCode refused what decodeAll took: " + e.getMessage(), e);
        }
        assertSame(code, shared, want);
        assertSame(code, ranged, want);
    }

    @Test
    void aRangeOutsideTheArrayIsRefused() {
        byte[] code = {(byte) Opcode.RET.toByte(), 0};
        assertThrows(IndexOutOfBoundsException.class, () -> ranged.decode(code, 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> ranged.decode(code, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ranged.decode(code, 0, -1));
    }

    @Property(tries = 3000)
    void randomBytesDecodeAlike(@ForAll @Size(max = 60) byte[] code) {
        agrees(code);
    }

    /** Valid opcodes followed by LEB-heavy bytes, so that lists, padded and long operands are common. */
    @Provide
    Arbitrary<byte[]> opcodeHeavy() {
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(Opcode.values()).map(op -> (byte) op.toByte())),
                net.jqwik.api.Tuple.of(3, Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x02, (byte) 0x7f)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of((byte) 0x80, (byte) 0x81, (byte) 0xff)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes()));
        return b.list().ofMaxSize(200).map(l -> {
            byte[] out = new byte[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = l.get(i);
            }
            return out;
        });
    }

    @Property(tries = 3000)
    void opcodeHeavyBytesDecodeAlike(@ForAll("opcodeHeavy") byte[] code) {
        agrees(code);
    }

    @Test
    void everyConformanceBodyDecodesAlike() throws Exception {
        int bodies = 0;
        for (Path p : ConformanceFiles.tapes()) {
            Program prog;
            try {
                prog = ProgramDecoder.decode(Files.readAllBytes(p));
            } catch (DecodeException e) {
                continue;
            }
            for (Function f : prog.functions()) {
                agrees(f.code());
                bodies++;
            }
        }
        assertEquals(true, bodies > 300, "bodies checked: " + bodies);
    }

    @Test
    void randomProgramsDecodeAlikeLargeThenSmall() throws Exception {
        for (long seed = 0; seed < 200; seed++) {
            for (Function f : RandomPrograms.program(seed).functions()) {
                agrees(f.code());
            }
            // a body shorter than the one before: nothing of the longer one may show through
            agrees(new byte[] {(byte) Opcode.RET.toByte(), 0});
        }
    }
}
