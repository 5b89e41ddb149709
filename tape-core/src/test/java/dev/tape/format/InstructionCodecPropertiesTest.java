package dev.tape.format;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Instruction decoding of arbitrary bytes only ever fails with DecodeException. */
class InstructionCodecPropertiesTest {
    @Property(tries = 5000)
    void decodingRandomBytesThrowsOnlyDecodeException(@ForAll @Size(max = 40) byte[] code,
                                                      @ForAll @IntRange(min = -2, max = 42) int pc) {
        Instruction ins;
        try {
            ins = InstructionCodec.decode(code, pc);
        } catch (DecodeException e) {
            assertEquals("bytecode", e.section());
            return;
        }
        assertEquals(pc, ins.pc());
        assertTrue(ins.length() >= 1 && pc + ins.length() <= code.length);
    }

    @Property(tries = 5000)
    void decodedInstructionsReEncodeToTheSameBytes(@ForAll @Size(max = 40) byte[] code) {
        List<Instruction> all;
        try {
            all = InstructionCodec.decodeAll(code);
        } catch (DecodeException e) {
            return;
        }
        assertArrayEquals(code, InstructionCodec.encodeAll(all), () -> Arrays.toString(code) + " -> " + all);
    }

    /**
     * Byte strings that start with a valid opcode and continue with bytes likely to form padded or
     * long LEB128 values (continuation bytes, 0x00, 0x7f, 0xff), so that multi-byte and padded
     * operands are common.
     */
    @Provide
    Arbitrary<byte[]> lebHeavyCode() {
        Arbitrary<Byte> opcode = Arbitraries.of(Opcode.values()).map(op -> (byte) op.toByte());
        Arbitrary<Byte> body = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of((byte) 0x80, (byte) 0x81, (byte) 0xff)),
                Tuple.of(3, Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x02, (byte) 0x7f)),
                Tuple.of(2, Arbitraries.bytes()));
        return Combinators.combine(opcode, body.list().ofMaxSize(24))
                .as((op, rest) -> {
                    byte[] b = new byte[rest.size() + 1];
                    b[0] = op;
                    for (int i = 0; i < rest.size(); i++) {
                        b[i + 1] = rest.get(i);
                    }
                    return b;
                });
    }

    @Property(tries = 5000)
    void paddedOperandsReEncodeToTheSameBytes(@ForAll("lebHeavyCode") byte[] code) {
        Instruction ins;
        try {
            ins = InstructionCodec.decode(code, 0);
        } catch (DecodeException e) {
            return;
        }
        byte[] consumed = Arrays.copyOf(code, ins.length());
        assertArrayEquals(consumed, InstructionCodec.encodeAll(List.of(ins)), () -> ins.toString());
    }
}
