package dev.tape.format;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InstructionCodecTest {
    private static final byte[] RET_R0 = {0x51, 0x00, 0x00};

    @Test
    void pcOutsideTheCodeIsADecodeException() {
        DecodeException neg = assertThrows(DecodeException.class, () -> InstructionCodec.decode(RET_R0, -1));
        assertEquals("bytecode", neg.section());
        assertEquals(-1, neg.offset());
        DecodeException past = assertThrows(DecodeException.class, () -> InstructionCodec.decode(RET_R0, 3));
        assertEquals(3, past.offset());
        assertThrows(DecodeException.class, () -> InstructionCodec.decode(new byte[0], 0));
    }

    @Test
    void unknownOpcodeAndTruncatedOperandAreReportedAtTheirOffsets() {
        // The two hand-made reject vectors: blob "ee 51 00 00" and "12 80".
        DecodeException unknown = assertThrows(DecodeException.class,
                () -> InstructionCodec.decode(new byte[] {(byte) 0xee, 0x51, 0, 0}, 0));
        assertEquals(0, unknown.offset());
        DecodeException truncated = assertThrows(DecodeException.class,
                () -> InstructionCodec.decodeAll(new byte[] {0x12, (byte) 0x80}));
        assertEquals(1, truncated.offset());
    }

    @Test
    void aListCountPastTheEndNamesItsOperand() {
        // call r0, f0, r0, args count 5 with no bytes left; ret r0, rets count 3 likewise (the
        // labels are made on first use, per opcode)
        byte[] call = {0x50, 0, 0, 0, 5};
        byte[] ret = {0x51, 0, 3};
        for (int round = 0; round < 2; round++) {
            DecodeException a = assertThrows(DecodeException.class, () -> InstructionCodec.decode(call, 0));
            assertEquals("call.args count 5 exceeds the 0 bytes left", a.reason());
            DecodeException b = assertThrows(DecodeException.class, () -> new DecodedCode().decode(call));
            assertEquals("call.args count 5 exceeds the 0 bytes left", b.reason());
            DecodeException c = assertThrows(DecodeException.class, () -> new DecodedCode().decode(ret));
            assertEquals("ret.rets count 3 exceeds the 0 bytes left", c.reason());
        }
    }

    @Test
    void paddedOperandsAreKeptOnReEncode() throws DecodeException {
        byte[] jmp = {0x41, (byte) 0x8f, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00};
        List<Instruction> ins = InstructionCodec.decodeAll(jmp);
        assertEquals(1, ins.size());
        assertEquals(15, ins.get(0).value(0));
        assertEquals(5, ins.get(0).width(0));
        assertArrayEquals(jmp, InstructionCodec.encodeAll(ins));
    }

    @Test
    void paddedAndLargeRegistersInListsAreKeptOnReEncode() throws DecodeException {
        // ret r0, [r0 as "80 00", r2^31 as a 5-byte ULEB]
        byte[] ret = {0x51, 0x00, 0x02, (byte) 0x80, 0x00, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        Instruction ins = InstructionCodec.decode(ret, 0);
        assertEquals(ret.length, ins.length());
        assertArrayEquals(new int[] {0, -1}, ins.list(1), "a register above Integer.MAX_VALUE reads as -1");
        assertArrayEquals(ret, InstructionCodec.encodeAll(List.of(ins)));
        assertEquals(ins, InstructionCodec.decode(InstructionCodec.encodeAll(List.of(ins)), 0));
    }

    @Test
    void instructionsMadeInCodeEqualTheirDecoding() throws DecodeException {
        Instruction made = Instruction.of(Opcode.CALL, 0, 3, 0, new int[] {1, 200}, new int[] {5});
        byte[] bytes = InstructionCodec.encodeAll(List.of(made));
        assertEquals("50 00 03 00 02 01 c8 01 01 05", java.util.HexFormat.ofDelimiter(" ").formatHex(bytes));
        assertEquals(bytes.length, made.length());
        assertEquals(made, InstructionCodec.decode(bytes, 0));
    }

    /** A register list given as a {@code long[]} takes every u32, as a decoded one holds, and no more. */
    @Test
    void aLongRegisterListTakesEveryU32() throws DecodeException {
        Instruction made = Instruction.of(Opcode.TUPLE_NEW, 1, new long[] {0xFFFF_FFFFL, 2});
        byte[] bytes = InstructionCodec.encodeAll(List.of(made));
        assertEquals("60 01 02 ff ff ff ff 0f 02", java.util.HexFormat.ofDelimiter(" ").formatHex(bytes));
        assertEquals(made, InstructionCodec.decode(bytes, 0));
        assertEquals(0xFFFF_FFFFL, made.listValue(1, 0));
        assertEquals(-1, made.listReg(1, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Instruction.of(Opcode.TUPLE_NEW, 1, new long[] {1L << 32}));
        assertEquals("tuple.new.values: register 4294967296 is out of range (0 to 4294967295)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Instruction.of(Opcode.TUPLE_NEW, 1, new long[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> Instruction.of(Opcode.TUPLE_NEW, 1, List.of(1)));
    }

    /**
     * One message for an operand out of its range, whichever way it is given: a register negative
     * in an {@code int[]} list (before: "negative register", with no value or range), past 2^32-1 or
     * negative in a {@code long[]} list (before: "register N is not a u32"), a scalar register (before:
     * "N is not a u32", not naming it a register), another u32 operand, a u8, a boolean byte (before:
     * "not a boolean byte"), and a value given to {@link Instruction#withOperand}.
     */
    @Test
    void anOperandOutOfRangeHasOneMessageOnEveryPath() {
        String reg = "register %d is out of range (0 to 4294967295)";
        Object[][] cases = {
            {Opcode.TUPLE_NEW, new Object[] {1, new int[] {2, -1}}, "tuple.new.values: " + reg.formatted(-1)},
            {Opcode.TUPLE_NEW, new Object[] {1, new long[] {1L << 32}}, "tuple.new.values: " + reg.formatted(1L << 32)},
            {Opcode.TUPLE_NEW, new Object[] {1, new long[] {-1}}, "tuple.new.values: " + reg.formatted(-1)},
            {Opcode.MOV, new Object[] {-1, 0}, "mov.dst: " + reg.formatted(-1)},
            {Opcode.MOV, new Object[] {0, 1L << 32}, "mov.src: " + reg.formatted(1L << 32)},
            {Opcode.CONST_POOL, new Object[] {0, -1}, "const.pool.const: -1 is out of range (0 to 4294967295)"},
        };
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Instruction.of((Opcode) c[0], (Object[]) c[1]));
            assertEquals(c[2], e.getMessage());
        }
        Instruction mov = Instruction.of(Opcode.MOV, 0, 1);
        assertEquals("mov.src: " + reg.formatted(1L << 32), assertThrows(IllegalArgumentException.class,
                () -> mov.withOperand(1, 1L << 32, 5)).getMessage());
        for (Opcode op : Opcode.values()) {
            for (int i = 0; i < op.operands().size(); i++) {
                Operand o = op.operands().get(i);
                if (o.encoding() == OperandEncoding.U8 || o.encoding() == OperandEncoding.U8_BOOL) {
                    Object[] args = new Object[op.operands().size()];
                    for (int k = 0; k < args.length; k++) {
                        args[k] = op.operands().get(k).kind() == OperandKind.REG_LIST ? new int[0] : (Object) 0L;
                    }
                    args[i] = 256L;
                    assertEquals(op.mnemonic() + "." + o.name() + ": 256 is out of range (0 to 255)",
                            assertThrows(IllegalArgumentException.class, () -> Instruction.of(op, args)).getMessage());
                }
            }
        }
    }
}
