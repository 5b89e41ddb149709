package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.SpanEntry;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the disassembler writes for the less common parts of a program, and that it assembles back. */
class DisassemblerTest {
    private static Function fn(String hex, int regs, SpanEntry... spans) {
        return new Function(0, 0, regs, AssemblerBytesTest.hex(hex), List.of(spans),
                FunctionSig.of(List.of(), List.of()));
    }

    private static Program program(List<String> symbols, List<Function> fs, List<HostSig> hosts, Names names) {
        return new Program(symbols, List.of(), TypeTable.EMPTY, fs, hosts, List.of(), List.of(), names);
    }

    private static String roundTrip(Program p) throws AsmException {
        String text = Disassembler.disassemble(p);
        assertArrayEquals(ProgramEncoder.encode(p), ProgramEncoder.encode(Assembler.assemble(text, "t.tasm")), text);
        return text;
    }

    @Test
    void namesSpansHashesAndAnUnusedSymbol() throws Exception {
        Program p = program(List.of("", "demo", "main", "loop", "unused"),
                List.of(fn("41 80 80 80 80 00  51 00 00", 1, new SpanEntry(0, 5), new SpanEntry(100, 6))),
                List.of(new HostSig(2, 0x1234, List.of(), List.of())),
                new Names(1, List.of(new Names.FunctionName(0, 2)),
                        List.of(new Names.LabelName(0, 0, 3), new Names.LabelName(0, 1, 3))));
        assertEquals("""
                symbols {
                    "demo"
                    "main"
                    "loop"
                    "unused"
                }

                program demo

                host @0 = "main" () -> () hash 0x0000000000001234

                func main() -> () {
                loop::
                    .span 5
                    jmp loop
                    ret r0, []
                    .label loop at 1
                    .span 6 delta 100
                }
                """, roundTrip(p));
    }

    @Test
    void symbolsInFirstMentionOrderNeedNoBlock() throws Exception {
        Program p = program(List.of("", "main", "test.add_i64"),
                List.of(fn("51 00 00", 1)),
                List.of(HostSig.of(2, List.of(ValueType.I64), List.of())),
                new Names(-1, List.of(new Names.FunctionName(0, 1)), List.of()));
        // the program mentions "test.add_i64" (host) before "main" (function): the table says otherwise
        assertTrue(roundTrip(p).startsWith("symbols {\n    \"main\"\n    \"test.add_i64\"\n}\n"));
        Program q = program(List.of("", "test.add_i64", "main"),
                List.of(fn("51 00 00", 1)),
                List.of(HostSig.of(1, List.of(ValueType.I64), List.of())),
                new Names(-1, List.of(new Names.FunctionName(0, 2)), List.of()));
        assertEquals("""
                host @0 = "test.add_i64" (i64) -> ()

                func main() -> () {
                    ret r0, []
                }
                """, roundTrip(q));
    }

    @Test
    void aRepeatedSymbolIsReferredToById() throws Exception {
        Program p = program(List.of("", "f", "f"), List.of(fn("51 00 00", 1), fn("51 00 00", 1)), List.of(),
                new Names(-1, List.of(new Names.FunctionName(0, 1), new Names.FunctionName(1, 2)), List.of()));
        String text = roundTrip(p);
        assertTrue(text.contains("func f() -> () {"), text);
        assertTrue(text.contains("func $2() -> () {"), text);
    }

    @Test
    void codeTheTextCannotSpellIsWrittenAsBytes() throws Exception {
        // tuple.new r1, [r1] with the listed register padded to 2 bytes; then ret r0, []
        assertTrue(roundTrip(program(List.of(""), List.of(fn("60 01 01 81 00  51 00 00", 2)), List.of(), Names.NONE))
                .contains("    .bytes 60 01 01 81 00 51 00 00\n"));
        // the same with the list's count padded
        assertTrue(roundTrip(program(List.of(""), List.of(fn("60 01 81 00 01  51 00 00", 2)), List.of(), Names.NONE))
                .contains("    .bytes 60 01 81 00 01 51 00 00\n"));
    }

    /** A listed register is a u32, as a register operand is: r4294967295 is written and read back. */
    @Test
    void aListedRegisterAbove2To31IsWrittenAsAnInstruction() throws Exception {
        String text = roundTrip(program(List.of(""), List.of(fn("60 01 01 ff ff ff ff 0f  51 00 00", 2)), List.of(),
                Names.NONE));
        assertTrue(text.contains("    tuple.new r1, [r4294967295]\n"), text);
        assertTrue(text.contains(" regs 2 "), text);
        assertFalse(text.contains(".bytes"), text);
        Program p = Assembler.assemble("func f() -> () regs 2 {\n    tuple.new r1, [r2147483648, r4294967295]\n"
                + "    ret r0, []\n}\n", "t.tasm");
        Instruction in = InstructionCodec.decodeAll(p.functions().get(0).code()).get(0);
        assertEquals(2147483648L, in.listValue(1, 0));
        assertEquals(4294967295L, in.listValue(1, 1));
    }

    @Test
    void rawBytesAreSplitWhereSpansAndLabelsFall() throws Exception {
        byte[] code = new byte[20];
        code[0] = (byte) 0xEE;
        Function f = new Function(0, 0, 1, code, List.of(new SpanEntry(3, 9)), FunctionSig.of(List.of(), List.of()));
        Program p = new Program(List.of("", "here"), List.of(), TypeTable.EMPTY, List.of(f), List.of(), List.of(),
                List.of(), new Names(-1, List.of(), List.of(new Names.LabelName(0, 18, 1))));
        assertEquals("""
                func @0() -> () {
                    .bytes ee 00 00
                    .span 9
                    .bytes 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                here::
                    .bytes 00 00
                }
                """, roundTrip(p));
    }

    @Test
    void constantsThatCannotBeInlinedAreDeclared() throws Exception {
        // the same constant twice, and one that no instruction uses
        Function f = fn("16 01 01  51 00 00", 2);
        Program p = new Program(List.of(""), List.of(new Constant.I64(5), new Constant.I64(5), new Constant.Str("x")),
                TypeTable.EMPTY, List.of(f), List.of(), List.of(), List.of(), Names.NONE);
        assertEquals("""
                const @0 = i64:5
                const @1 = i64:5
                const @2 = str:"x"

                func @0() -> () {
                    const.pool r1, @1
                    ret r0, []
                }
                """, roundTrip(p));
    }

    @Test
    void aStructFieldWithoutAFieldNameIsRejected() {
        TypeTable t = new TypeTable(List.of("x"), List.of(new StructType(List.of(new StructType.Field(3,
                ValueType.I64)))), List.of());
        Program p = new Program(List.of(""), List.of(), t, List.of(), List.of(), List.of(), List.of(), Names.NONE);
        assertThrows(IllegalArgumentException.class, () -> Disassembler.disassemble(p));
    }
}
