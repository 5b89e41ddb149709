package dev.tape.asm;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.CallSig;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.TypeTable;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attack-a18: every opcode with a register list, its lists holding registers at the edges of the
 * u32 (2^31-1, 2^31, 2^32-1, and 0 and empty lists): encode, decode, disassemble, assemble gives the
 * same bytes, the text has no {@code .bytes}, and the verifier refuses such a program with a
 * {@link VerifyException} (a register past the function's count), never another exception.
 */
class AttackListRegistersTest {
    private static final long[][] LISTS = {
        {}, {0}, {0x7FFF_FFFFL}, {0x8000_0000L}, {0xFFFF_FFFFL}, {1, 0x8000_0000L, 0xFFFF_FFFFL, 0x7FFF_FFFFL},
    };

    private static List<Opcode> listOpcodes() {
        List<Opcode> out = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            if (op.operands().stream().anyMatch(o -> o.kind() == OperandKind.REG_LIST)) {
                out.add(op);
            }
        }
        return out;
    }

    private static Instruction make(Opcode op, long[] list) {
        List<Operand> schema = op.operands();
        Object[] args = new Object[schema.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (schema.get(i).kind()) {
                case REG_LIST -> list;
                case REG -> 1;
                default -> 0;
            };
        }
        return Instruction.of(op, args);
    }

    private static Program program(byte[] code) {
        Function f = new Function(0, 0, 2, code, List.of(), FunctionSig.of(List.of(), List.of()));
        return new Program(List.of("", "h"), List.of(), TypeTable.EMPTY, List.of(f),
                List.of(new HostSig(1, 0, List.of(), List.of())), List.of(new CallSig(List.of(), List.of())), List.of(),
                Names.NONE);
    }

    @Test
    void everyListOpcodeRoundTripsAtTheU32Edges() throws Exception {
        List<Opcode> ops = listOpcodes();
        assertEquals(7, ops.size(), ops.toString());
        int checked = 0;
        for (Opcode op : ops) {
            for (long[] list : LISTS) {
                Instruction in = make(op, list);
                byte[] code = InstructionCodec.encodeAll(List.of(in, Instruction.of(Opcode.RET, 0, new long[0])));
                Program p = ProgramDecoder.decode(ProgramEncoder.encode(program(code)));
                String text = Disassembler.disassemble(p);
                assertFalse(text.contains(".bytes"), text);
                Program back = Assembler.assemble(text, "t.tasm");
                assertArrayEquals(ProgramEncoder.encode(p), ProgramEncoder.encode(back), text);
                Instruction again = InstructionCodec.decodeAll(back.functions().get(0).code()).get(0);
                assertEquals(in, again, text);
                for (int i = 0; i < op.operands().size(); i++) {
                    if (op.operands().get(i).kind() == OperandKind.REG_LIST) {
                        for (int k = 0; k < list.length; k++) {
                            assertEquals(list[k], again.listValue(i, k));
                        }
                    }
                }
                boolean far = false;
                for (long r : list) {
                    far |= r >= 2;
                }
                if (far) {
                    VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(p), text);
                    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
                }
                checked++;
            }
        }
        assertEquals(42, checked);
    }

    @Test
    void theAssemblerRefusesListRegistersPastTheU32AndNegativeOnes() {
        for (String reg : new String[] {"r4294967296", "r18446744073709551616", "r-1", "r+1", "r0x10", "r"}) {
            AsmException e = assertThrows(AsmException.class, () -> Assembler.assemble(
                    "func f() -> () {\n    tuple.new r1, [r0, " + reg + "]\n    ret r0, []\n}\n", "t.tasm"), reg);
            assertTrue(e.getMessage().contains("expected a register (r0 to r4294967295) in operand 'values' of"
                    + " tuple.new"), e.getMessage());
        }
    }

    @Test
    void instructionOfRefusesBadListsWithAClearError() {
        for (Object bad : new Object[] {new long[] {-1}, new long[] {1L << 32}, new long[] {Long.MIN_VALUE},
                new int[] {-1}, null, List.of(1L), new Integer[] {1}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Instruction.of(Opcode.TUPLE_NEW, 1, bad), String.valueOf(bad));
            assertTrue(e.getMessage().startsWith("tuple.new.values"), e.getMessage());
        }
        // the caller's array is copied: changing it after does not change the instruction
        long[] regs = {5, 6};
        Instruction in = Instruction.of(Opcode.TUPLE_NEW, 1, regs);
        regs[0] = 0xFFFF_FFFFL;
        assertEquals(5, in.listValue(1, 0));
    }
}
