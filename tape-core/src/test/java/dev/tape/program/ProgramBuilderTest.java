package dev.tape.program;

import dev.tape.format.DecodeException;
import dev.tape.format.Opcode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.STR;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgramBuilderTest {
    private static byte[] code(ProgramBuilder pb, int func) {
        return pb.build().functions().get(func).code();
    }

    // --- interning -------------------------------------------------------------------------------

    @Test
    void symbolsAreInternedFromOne() {
        ProgramBuilder pb = new ProgramBuilder();
        assertEquals(1, pb.symbol("a"));
        assertEquals(2, pb.symbol("b"));
        assertEquals(1, pb.symbol("a"));
        assertEquals(3, pb.symbol(""), "the empty string gets its own non-zero id, as in the reference");
        assertEquals(3, pb.symbol(""));
        pb.addFunction(List.of(), List.of()).ret(0);
        assertEquals(List.of("", "a", "b", ""), pb.build().symbols());
    }

    @Test
    void constantsAreInternedByValueWithF64ComparedByBits() {
        ProgramBuilder pb = new ProgramBuilder();
        assertEquals(0, pb.constant(new Constant.I64(7)));
        assertEquals(1, pb.constant(new Constant.U64(7)));
        assertEquals(0, pb.constant(new Constant.I64(7)));
        long nan = 0x7ff8_0000_0000_0001L;
        assertEquals(2, pb.constant(new Constant.F64(nan)));
        assertEquals(2, pb.constant(new Constant.F64(nan)));
        assertEquals(3, pb.constant(new Constant.F64(Double.doubleToRawLongBits(0.0))));
        assertEquals(4, pb.constant(new Constant.F64(Double.doubleToRawLongBits(-0.0))));
        assertEquals(5, pb.constant(new Constant.Bytes(new byte[] {1, 2})));
        assertEquals(5, pb.constant(new Constant.Bytes(new byte[] {1, 2})));
        assertEquals(6, pb.constant(new Constant.Str("héllo")));
        assertEquals(7, pb.constant(new Constant.Decimal(150, 2)));
        assertEquals(8, pb.constant(new Constant.Decimal(150, 1)));
        pb.addFunction(List.of(), List.of()).ret(0);
        assertEquals(9, pb.build().constants().size());
    }

    @Test
    void structTypesShareInternedFieldNames() {
        ProgramBuilder pb = new ProgramBuilder();
        int a = pb.structType(List.of(Map.entry("x", I64), Map.entry("flag", BOOL)));
        int b = pb.structType(List.of(Map.entry("flag", BOOL), Map.entry("name", STR)));
        int a2 = pb.structType(List.of(Map.entry("x", I64), Map.entry("flag", BOOL)));
        int c = pb.structType(List.of(Map.entry("x", U64), Map.entry("flag", BOOL)));
        assertEquals(0, a);
        assertEquals(1, b);
        assertEquals(0, a2);
        assertEquals(2, c);
        assertEquals(0, pb.arrayElem(I64));
        assertEquals(1, pb.arrayElem(ValueType.obj(7)));
        assertEquals(0, pb.arrayElem(I64));
        pb.addFunction(List.of(), List.of()).ret(0);
        TypeTable t = pb.build().types();
        assertEquals(List.of("x", "flag", "name"), t.fieldNames());
        assertEquals(List.of(new StructType.Field(1, BOOL), new StructType.Field(2, STR)), t.structs().get(1).fields());
        assertEquals(List.of(I64, ValueType.obj(7)), t.arrayElems());
    }

    @Test
    void hostAndCallSignaturesAreInterned() {
        ProgramBuilder pb = new ProgramBuilder();
        int s = pb.symbol("test.id");
        int h0 = pb.hostSig(s, List.of(I64), List.of(I64));
        int h1 = pb.hostSig("test.id", List.of(I64), List.of(I64));
        int h2 = pb.hostSig("test.id", List.of(U64), List.of(U64));
        assertEquals(0, h0);
        assertEquals(0, h1);
        assertEquals(1, h2);
        assertEquals(0, pb.callSig(List.of(I64), List.of()));
        assertEquals(1, pb.callSig(List.of(), List.of(I64)));
        assertEquals(0, pb.callSig(List.of(I64), List.of()));
        pb.addFunction(List.of(), List.of()).ret(0);
        Program p = pb.build();
        assertEquals(HostSig.hash(List.of(U64), List.of(U64)), p.hostSigs().get(1).sigHash());
        assertEquals(2, p.callSigs().size());
    }

    @Test
    void hostSignatureNeedsAnInternedSymbol() {
        ProgramBuilder pb = new ProgramBuilder();
        assertThrows(IllegalArgumentException.class, () -> pb.hostSig(0, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> pb.hostSig(1, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> pb.hostSig("x", Arrays.asList(I64, null), List.of()));
        assertThrows(IllegalArgumentException.class, () -> pb.callSig(null, List.of()));
    }

    // --- labels and branches ----------------------------------------------------------------------

    @Test
    void labelTargetsAreFiveBytePaddedAndRawTargetsCanonical() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label top = f.newLabel();
        f.place(top).jmp(top);
        f.emit(Opcode.JMP, 0);
        assertEquals("41 80 80 80 80 00 41 00", TapeBytes.hex(code(pb, 0)));
    }

    @Test
    void forwardAndBackwardLabelsResolve() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(BOOL), List.of());
        FunctionBuilder.Label back = f.newLabel();
        FunctionBuilder.Label fwd = f.newLabel();
        f.place(back).br(1, fwd, back);
        f.nop();
        f.place(fwd).ret(0);
        // br r1, 13, 0 ; nop ; ret r0
        assertEquals("40 01 8d 80 80 80 00 80 80 80 80 00 00 51 00 00", TapeBytes.hex(code(pb, 0)));
    }

    @Test
    void aLargeTargetUsesAllFiveBytes() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label end = f.newLabel();
        f.jmp(end);
        for (int i = 0; i < 300; i++) {
            f.nop();
        }
        f.place(end).ret(0);
        // 306 = 0b10_0110010: 0xb2, then 2 with the continuation bit, then padding
        assertEquals("41 b2 82 80 80 00", TapeBytes.hex(Arrays.copyOf(code(pb, 0), 6)));
    }

    @Test
    void unplacedLabelIsReportedAtBuild() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label nowhere = f.namedLabel("nowhere");
        f.jmp(nowhere);
        IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        assertTrue(e.getMessage().contains("jmp at pc 0"), e.getMessage());
        assertThrows(IllegalStateException.class, pb::buildUnchecked);
    }

    @Test
    void namedButUnusedLabelMustStillBePlaced() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.namedLabel("later");
        f.ret(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
        assertTrue(e.getMessage().contains("later"), e.getMessage());
    }

    @Test
    void labelMisuseIsRejectedAtTheCall() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder g = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label l = f.newLabel();
        f.place(l);
        assertThrows(IllegalStateException.class, () -> f.place(l));
        assertThrows(IllegalArgumentException.class, () -> g.jmp(l));
        assertThrows(IllegalArgumentException.class, () -> g.place(l));
        assertThrows(IllegalArgumentException.class, () -> f.jmp(null));
        assertThrows(IllegalArgumentException.class, () -> f.namedLabel(null));
        assertEquals(0, g.pc(), "a rejected instruction is not emitted");
    }

    @Test
    void branchIntoTheMiddleOfAnInstructionIsRejectedByBuildOnly() throws DecodeException {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).emit(Opcode.JMP, 1).ret(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
        assertTrue(e.getMessage().contains("not the start of an instruction"), e.getMessage());
        // The reference's reject vector reject_jump_mid_instruction has this shape.
        Program p = pb.buildUnchecked();
        assertEquals("41 01 51 00 00", TapeBytes.hex(p.functions().get(0).code()));
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }

    @Test
    void namedLabelsGoToTheNamesSectionSorted() throws DecodeException {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f0 = pb.addFunction(List.of(), List.of());
        FunctionBuilder f1 = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label exit = f1.namedLabel("exit");
        FunctionBuilder.Label entry = f1.namedLabel("entry");
        f1.place(entry).nop().place(exit).ret(0);
        FunctionBuilder.Label only = f0.namedLabel("only");
        f0.place(only).ret(0);
        Program p = pb.build();
        int sExit = pb.symbol("exit");
        int sEntry = pb.symbol("entry");
        int sOnly = pb.symbol("only");
        assertEquals(List.of(new Names.LabelName(0, 0, sOnly), new Names.LabelName(1, 0, sEntry),
                new Names.LabelName(1, 1, sExit)), p.names().labels());
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }

    // --- spans ------------------------------------------------------------------------------------

    @Test
    void spansAreDeltasAndASecondMarkAtTheSamePcReplacesTheFirst() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.nop().span(5).span(6).nop().nop().span(-1L).ret(0);
        assertEquals(List.of(new SpanEntry(1, 6), new SpanEntry(2, -1L)), pb.build().functions().get(0).spans());
        assertThrows(IllegalArgumentException.class, () -> f.span(0));
    }

    // --- register count ---------------------------------------------------------------------------

    @Test
    void registerCountIsInferred() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).constI64(7, 1).ret(0);
        pb.addFunction(List.of(I64, BOOL), List.of()).ret(0);
        pb.addFunction(List.of(), List.of()).nop().emit(Opcode.TRAP, 0);
        pb.addFunction(List.of(), List.of(I64)).tupleNew(1).ret(0, 12);
        Program p = pb.build();
        assertEquals(8, p.functions().get(0).regCount(), "highest register + 1");
        assertEquals(3, p.functions().get(1).regCount(), "argument count + 1");
        assertEquals(1, p.functions().get(2).regCount(), "at least 1");
        assertEquals(13, p.functions().get(3).regCount(), "registers in lists count too");
    }

    @Test
    void registerCountCanBeOverridden() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of()).ret(0);
        f.regCount(40);
        assertEquals(40, pb.build().functions().get(0).regCount());
        f.regCount(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
        assertTrue(e.getMessage().contains("register count 1"), e.getMessage());
        assertEquals(1, pb.buildUnchecked().functions().get(0).regCount());
        assertThrows(IllegalArgumentException.class, () -> f.regCount(-1));
    }

    // --- operands ---------------------------------------------------------------------------------

    @Test
    void badOperandsAreRejectedAtTheCall() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> f.emit(Opcode.I64_ADD, 1, 2));
        assertTrue(count.getMessage().contains("i64.add takes 3 operands (dst, a, b), got 2"), count.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.CONST_I64, 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.CONST_I64, 1, null));
        assertThrows(IllegalArgumentException.class, () -> f.emit(null));
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.RET, 0, List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.MOV, 0, f.newLabel()));
        assertThrows(IllegalArgumentException.class, () -> f.mov(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> f.ret(0, 1, -2));
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.MOV, 0, (long) Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> f.constDecimal(1, 5, 256));
        assertThrows(IllegalArgumentException.class, () -> f.constPool(1, -1));
        assertThrows(IllegalArgumentException.class, () -> f.emit(Opcode.TRAP, 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> f.unary(Opcode.I64_ADD, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> f.binary(Opcode.TUPLE_GET, 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> f.binary(Opcode.BR, 1, 2, 3));
        assertEquals(0, f.instructionCount());
    }

    @Test
    void immediatesAreCanonical() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.constI64(1, -1).constU64(2, -1L).constF64(3, 1.5).constBool(4, true).constDecimal(5, -150, 2)
                .emit(Opcode.CONST_BOOL, 6, 2).emit(Opcode.TRAP, 0xffff_ffffL);
        assertEquals("12 01 7f" + " 13 02 ff ff ff ff ff ff ff ff ff 01" + " 14 03 00 00 00 00 00 00 f8 3f"
                        + " 11 04 01" + " 15 05 ea 7e 02" + " 11 06 02" + " 02 ff ff ff ff 0f",
                TapeBytes.hex(code(pb, 0)));
    }

    @Test
    void genericUnaryAndBinaryHelpersCoverEveryRegisterShapedOpcode() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.binary(Opcode.STR_CONCAT, 1, 2, 3).unary(Opcode.F64_NEG, 4, 5);
        assertEquals("7b 01 02 03 8b 04 05", TapeBytes.hex(code(pb, 0)));
    }

    // --- ids --------------------------------------------------------------------------------------

    @Test
    void unknownIdsAreReportedByBuildButNotByBuildUnchecked() throws DecodeException {
        String[] expected = {"constant 0", "function 5", "host signature 0", "call signature 0", "struct type 0",
                "element type 0"};
        for (int i = 0; i < expected.length; i++) {
            ProgramBuilder pb = new ProgramBuilder();
            FunctionBuilder f = pb.addFunction(List.of(), List.of());
            switch (i) {
                case 0 -> f.constPool(1, 0);
                case 1 -> f.call(0, 5, 0, new int[0], new int[0]);
                case 2 -> f.hostCall(0, 0, 0, new int[0], new int[0]);
                case 3 -> f.callIndirect(0, 0, 1, 0, new int[0], new int[0]);
                case 4 -> f.structNew(1, 0);
                default -> f.arrayNew(1, 0);
            }
            f.ret(0);
            IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
            assertTrue(e.getMessage().contains("refers to " + expected[i]), e.getMessage());
            Program p = pb.buildUnchecked();
            assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
        }
    }

    @Test
    void functionsAreDeclaredBeforeTheirBodies() {
        ProgramBuilder pb = new ProgramBuilder();
        int caller = pb.declareFunction(List.of(), List.of(I64));
        int callee = pb.declareFunction(List.of(), List.of(I64));
        pb.function(caller).call(0, callee, 0, new int[0], new int[] {1}).ret(0, 1);
        assertThrows(IllegalStateException.class, pb::build, "callee has no body yet");
        Program unchecked = pb.buildUnchecked();
        assertEquals(0, unchecked.functions().get(callee).codeLength());
        assertEquals(1, unchecked.functions().get(callee).regCount());
        pb.function(callee).constI64(1, 7).ret(0, 1);
        Program p = pb.build();
        assertEquals(2, p.functions().size());
        assertEquals(List.of(I64), p.functions().get(callee).sig().rets());
        assertThrows(IllegalArgumentException.class, () -> pb.function(2));
        assertThrows(IllegalArgumentException.class, () -> pb.function(-1));
        assertEquals(pb.function(caller), pb.function(caller));
    }

    // --- names and section 11 ---------------------------------------------------------------------

    @Test
    void namesAreRecordedAndSurviveEncoding() throws DecodeException {
        ProgramBuilder pb = new ProgramBuilder();
        int f = pb.declareFunction(List.of(I64, I64, I64), List.of(I64));
        int g = pb.declareFunction(List.of(), List.of());
        pb.function(f).ret(0, 1);
        pb.function(g).ret(0);
        pb.programName("demo");
        pb.functionName(g, "gee");
        pb.functionName(f, "first");
        pb.functionName(f, "eff");
        int b = pb.argName(f, 1, "b");
        pb.retName(f, 0, "out");
        Program p = pb.build();
        assertEquals("demo", p.symbols().get(p.names().programName()));
        assertEquals("eff", p.functionName(f));
        assertEquals("gee", p.functionName(g));
        assertEquals(List.of(0, b, 0), p.functions().get(f).sig().argNames());
        assertEquals(List.of(pb.symbol("out")), p.functions().get(f).sig().retNames());
        assertNull(p.functions().get(g).sig().argNames());
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
        assertThrows(IllegalArgumentException.class, () -> pb.argName(f, 3, "x"));
        assertThrows(IllegalArgumentException.class, () -> pb.retName(g, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> pb.functionName(9, "x"));
        assertThrows(IllegalArgumentException.class, () -> pb.programName(null));
    }

    @Test
    void argumentShapesReplaceInPlaceAndAreChecked() throws DecodeException {
        ProgramBuilder pb = new ProgramBuilder();
        int f = pb.declareFunction(List.of(AGG, AGG), List.of());
        pb.function(f).ret(0);
        pb.argShape(f, 1, new AggShape.Array(0));
        pb.argShape(f, 0, new AggShape.Tuple(Arrays.asList(I64, null)));
        pb.argShape(f, 1, new AggShape.Struct(0));
        assertThrows(IllegalArgumentException.class, () -> pb.argShape(f, 2, new AggShape.Array(0)));
        assertThrows(IllegalArgumentException.class, () -> pb.argShape(f, 0, null));
        IllegalStateException e = assertThrows(IllegalStateException.class, pb::build);
        assertTrue(e.getMessage().contains("struct type 0"), e.getMessage());
        pb.structType(List.of(Map.entry("v", I64)));
        Program p = pb.build();
        assertEquals(List.of(new AggShape.ArgShape(f, 1, new AggShape.Struct(0)),
                new AggShape.ArgShape(f, 0, new AggShape.Tuple(Arrays.asList(I64, null)))), p.argShapes());
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }

    // --- build ------------------------------------------------------------------------------------

    @Test
    void buildDoesNotChangeTheBuilder() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        FunctionBuilder.Label l = f.namedLabel("l");
        f.place(l).span(3).ret(0);
        Program a = pb.build();
        Program b = pb.build();
        assertEquals(a, b);
        assertArrayEquals(ProgramEncoder.encode(a), ProgramEncoder.encode(b));
        f.nop();
        Program c = pb.build();
        assertNotEquals(a, c);
        assertEquals(3, a.functions().get(0).codeLength(), "an earlier program is not affected");
    }

    @Test
    void nullInputsAreIllegalArguments() {
        ProgramBuilder pb = new ProgramBuilder();
        assertThrows(IllegalArgumentException.class, () -> pb.symbol(null));
        assertThrows(IllegalArgumentException.class, () -> pb.constant(null));
        assertThrows(IllegalArgumentException.class, () -> pb.arrayElem(null));
        assertThrows(IllegalArgumentException.class, () -> pb.structType(null));
        assertThrows(IllegalArgumentException.class, () -> pb.structType(Arrays.asList(Map.entry("a", I64), null)));
        assertThrows(IllegalArgumentException.class, () -> pb.declareFunction(List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> pb.declareFunction(Arrays.asList((ValueType) null),
                List.of()));
        assertEquals(0, pb.functionCount());
    }
}
