package dev.tape.verify;

import dev.tape.format.Opcode;
import dev.tape.program.AggShape;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;
import dev.tape.testing.MiniAsm;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One hand-made invalid program per verifier rule, each checking the error name and location. */
class VerifierRulesTest {
    private static VerifyException reject(Program p) {
        return assertThrows(VerifyException.class, () -> Verifier.verify(p));
    }

    private static Program single(List<ValueType> args, List<ValueType> rets, int regs, MiniAsm.Body body) {
        MiniAsm a = new MiniAsm();
        a.function(args, rets, regs, body);
        return a.build();
    }

    private static Program raw(byte[] code, int regs) {
        return new Program(List.of(""), List.of(), TypeTable.EMPTY,
                List.of(new Function(0, 0, regs, code, List.of(), FunctionSig.of(List.of(), List.of()))), List.of(),
                List.of(), List.of(), Names.NONE);
    }

    @Test
    void unknownOpcodeIsABytecodeDecodeError() {
        VerifyException e = reject(raw(new byte[] {(byte) 0xEE, 0x51, 0, 0}, 1));
        assertEquals("BytecodeDecode", e.kind());
        assertEquals(0, e.func());
    }

    @Test
    void truncatedOperandIsABytecodeDecodeError() {
        assertEquals("BytecodeDecode", reject(raw(new byte[] {0x12, (byte) 0x80}, 2)).kind());
    }

    @Test
    void jumpOutOfRange() {
        VerifyException e = reject(raw(new byte[] {0x41, 50}, 1));
        assertEquals("InvalidJumpTarget", e.kind());
        assertTrue(e.reason().contains("OutOfRange"), e.reason());
        assertEquals(0, e.pc());
    }

    @Test
    void jumpIntoTheMiddleOfAnInstruction() {
        // jmp 1 lands inside the jmp itself
        VerifyException e = reject(raw(new byte[] {0x41, 1, 0x51, 0, 0}, 1));
        assertEquals("InvalidJumpTarget", e.kind());
        assertTrue(e.reason().contains("NotInstructionBoundary"), e.reason());
    }

    @Test
    void fallingOffTheEndIsMissingTerminator() {
        VerifyException e = reject(single(List.of(), List.of(), 2, MiniAsm.body().op(Opcode.CONST_I64, 1, 5)));
        assertEquals("MissingTerminator", e.kind());
        assertEquals(0, e.pc());
    }

    @Test
    void fallingIntoAJumpTargetIsMissingTerminator() {
        MiniAsm.Body b = MiniAsm.body()
                .op(Opcode.CONST_BOOL, 1, true)
                .op(Opcode.BR, 1, "a", "b")
                .label("a").op(Opcode.NOP)
                .label("b").op(Opcode.RET, 0, new int[0]);
        assertEquals("MissingTerminator", reject(single(List.of(), List.of(), 2, b)).kind());
    }

    @Test
    void registerOutOfBounds() {
        VerifyException e = reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CONST_I64, 5, 1).op(Opcode.RET, 0, new int[0])));
        assertEquals("RegOutOfBounds", e.kind());
        assertEquals(0, e.pc());
    }

    @Test
    void readBeforeWriteOnOnePath() {
        MiniAsm.Body b = MiniAsm.body()
                .op(Opcode.BR, 1, "set", "join")
                .label("set").op(Opcode.CONST_I64, 2, 1).op(Opcode.JMP, "join")
                .label("join").op(Opcode.RET, 0, new int[] {2});
        VerifyException e = reject(single(List.of(BOOL), List.of(I64), 3, b));
        assertEquals("UninitializedRead", e.kind());
    }

    @Test
    void operandOfTheWrongType() {
        VerifyException e = reject(single(List.of(F64), List.of(I64), 3, MiniAsm.body()
                .op(Opcode.I64_ADD, 2, 1, 1).op(Opcode.RET, 0, new int[] {2})));
        assertEquals("TypeMismatch", e.kind());
        assertEquals("i64.add", e.mnemonic());
    }

    @Test
    void returnArity() {
        assertEquals("ReturnArityMismatch", reject(single(List.of(I64), List.of(I64), 2,
                MiniAsm.body().op(Opcode.RET, 0, new int[0]))).kind());
    }

    @Test
    void callArityAndMissingFunction() {
        // arity is checked before the operands are read, as in the reference
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CALL, 0, 1, 0, new int[] {1}, new int[0]).op(Opcode.RET, 0, new int[0]));
        a.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        assertEquals("CallArityMismatch", reject(a.build()).kind());
        MiniAsm u = new MiniAsm();
        u.function(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CALL, 0, 1, 0, new int[] {1}, new int[0]).op(Opcode.RET, 0, new int[0]));
        u.function(List.of(I64), List.of(), 2, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        assertEquals("UninitializedRead", reject(u.build()).kind());
        MiniAsm b = new MiniAsm();
        b.function(List.of(), List.of(), 2, MiniAsm.body().op(Opcode.CONST_I64, 1, 3)
                .op(Opcode.CALL, 0, 1, 0, new int[] {1}, new int[0]).op(Opcode.RET, 0, new int[0]));
        b.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        assertEquals("CallArityMismatch", reject(b.build()).kind());
        VerifyException e = reject(single(List.of(), List.of(), 1, MiniAsm.body()
                .op(Opcode.CALL, 0, 9, 0, new int[0], new int[0]).op(Opcode.RET, 0, new int[0])));
        assertEquals("FuncIdOutOfBounds", e.kind());
    }

    @Test
    void effectTokenMustBeR0() {
        MiniAsm a = new MiniAsm();
        a.function(List.of(), List.of(), 2, MiniAsm.body().op(Opcode.CONST_UNIT, 1)
                .op(Opcode.CALL, 0, 1, 1, new int[0], new int[0]).op(Opcode.RET, 0, new int[0]));
        a.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]));
        assertEquals("EffectInNotR0", reject(a.build()).kind());
    }

    @Test
    void hostSignatureChecks() {
        MiniAsm a = new MiniAsm();
        int sig = a.hostSig("h", List.of(I64), List.of());
        a.function(List.of(), List.of(), 1, MiniAsm.body()
                .op(Opcode.HOST_CALL, 0, sig, 0, new int[0], new int[0]).op(Opcode.RET, 0, new int[0]));
        assertEquals("HostCallArityMismatch", reject(a.build()).kind());

        Program ok = a.build();
        HostSig bad = new HostSig(1, 12345L, List.of(I64), List.of());
        Program wrongHash = new Program(ok.symbols(), ok.constants(), ok.types(), ok.functions(), List.of(bad),
                ok.callSigs(), ok.argShapes(), ok.names());
        assertEquals("HostSigHashMismatch", reject(wrongHash).kind());
        HostSig missing = HostSig.of(7, List.of(I64), List.of());
        Program noSymbol = new Program(ok.symbols(), ok.constants(), ok.types(), ok.functions(), List.of(missing),
                ok.callSigs(), ok.argShapes(), ok.names());
        assertEquals("HostSigMalformed", reject(noSymbol).kind());
        assertEquals("HostSigOutOfBounds", reject(single(List.of(), List.of(), 1, MiniAsm.body()
                .op(Opcode.HOST_CALL, 0, 3, 0, new int[0], new int[0]).op(Opcode.RET, 0, new int[0]))).kind());
    }

    @Test
    void idOperandsOutOfRange() {
        assertEquals("ConstOutOfBounds", reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CONST_POOL, 1, 4).op(Opcode.RET, 0, new int[0]))).kind());
        assertEquals("StructTypeOutOfBounds", reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.STRUCT_NEW, 1, 0, new int[0]).op(Opcode.RET, 0, new int[0]))).kind());
        assertEquals("ArrayElemTypeOutOfBounds", reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.ARRAY_NEW, 1, 0, new int[0]).op(Opcode.RET, 0, new int[0]))).kind());
        assertEquals("CallSigOutOfBounds", reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CONST_FUNC, 1, 0)
                .op(Opcode.CALL_INDIRECT, 0, 0, 1, 0, new int[0], new int[0]).op(Opcode.RET, 0, new int[0]))).kind());
    }

    @Test
    void aRegisterKeepsOneType() {
        VerifyException e = reject(single(List.of(), List.of(), 2, MiniAsm.body()
                .op(Opcode.CONST_I64, 1, 1).op(Opcode.CONST_F64, 1, 0L).op(Opcode.RET, 0, new int[0])));
        assertEquals("UnstableRegTypeAt", e.kind());
        assertEquals(3, e.pc());
    }

    @Test
    void differentTypesMeetingAtAJoin() {
        MiniAsm.Body read = MiniAsm.body()
                .op(Opcode.BR, 1, "i", "f")
                .label("i").op(Opcode.CONST_I64, 2, 1).op(Opcode.JMP, "join")
                .label("f").op(Opcode.CONST_F64, 2, 0L).op(Opcode.JMP, "join")
                .label("join").op(Opcode.I64_ADD, 3, 2, 2).op(Opcode.RET, 0, new int[0]);
        assertEquals("UnknownTypeAtUse", reject(single(List.of(BOOL), List.of(), 4, read)).kind());
    }

    @Test
    void aggregateRules() {
        TypeTable t = new TypeTable(List.of("x"), List.of(new StructType(List.of(new StructType.Field(0, I64)))),
                List.of(I64));
        MiniAsm a = new MiniAsm().types(t);
        a.function(List.of(), List.of(), 3, MiniAsm.body().op(Opcode.CONST_I64, 1, 1)
                .op(Opcode.TUPLE_NEW, 2, new int[] {1}).op(Opcode.TUPLE_GET, 1, 2, 3).op(Opcode.RET, 0, new int[0]));
        assertEquals("TupleIndexOutOfBounds", reject(a.build()).kind());
        MiniAsm b = new MiniAsm().types(t);
        b.function(List.of(), List.of(), 3, MiniAsm.body().op(Opcode.CONST_I64, 1, 1)
                .op(Opcode.TUPLE_NEW, 2, new int[] {1}).op(Opcode.STRUCT_GET, 1, 2, 0).op(Opcode.RET, 0, new int[0]));
        assertEquals("AggKindMismatch", reject(b.build()).kind());
        MiniAsm c = new MiniAsm().types(t);
        c.function(List.of(), List.of(), 3, MiniAsm.body()
                .op(Opcode.STRUCT_NEW, 2, 0, new int[0]).op(Opcode.RET, 0, new int[0]));
        assertEquals("StructArityMismatch", reject(c.build()).kind());
    }

    @Test
    void projectingAnAggregateOfUnknownShapeNeedsASection11Shape() {
        MiniAsm.Body body = MiniAsm.body().op(Opcode.TUPLE_GET, 2, 1, 0).op(Opcode.RET, 0, new int[] {2});
        MiniAsm without = new MiniAsm();
        without.function(List.of(AGG), List.of(I64), 3, body);
        VerifyException e = reject(without.build());
        assertTrue(e.kind().startsWith("Unstable") || e.kind().equals("UnknownTypeAtUse"), e.kind());
        MiniAsm with = new MiniAsm();
        with.function(List.of(AGG), List.of(I64), 3, body);
        with.argShape(0, 0, new AggShape.Tuple(List.of(I64)));
        assertDoesNotThrow(() -> Verifier.verify(with.build()));
    }

    @Test
    void functionTableChecks() {
        assertEquals("ArgCountExceedsRegs", reject(single(List.of(I64, I64), List.of(), 2,
                MiniAsm.body().op(Opcode.RET, 0, new int[0]))).kind());
        assertEquals("RegCountTooLarge", reject(single(List.of(), List.of(), 70_000,
                MiniAsm.body().op(Opcode.RET, 0, new int[0]))).kind());
        Program p = new Program(List.of(""), List.of(), TypeTable.EMPTY, List.of(new Function(1, 0, 2,
                new byte[] {0x51, 0, 0}, List.of(), FunctionSig.of(List.of(), List.of()))), List.of(), List.of(),
                List.of(), Names.NONE);
        assertEquals("FunctionSigCountMismatch", reject(p).kind());
        MiniAsm spans = new MiniAsm();
        spans.function(List.of(), List.of(), 1, MiniAsm.body().op(Opcode.RET, 0, new int[0]),
                List.of(new SpanEntry(0, 1), new SpanEntry(0, 2)));
        assertEquals("BadSpanDeltas", reject(spans.build()).kind());
    }

    @Test
    void constantsTypeTheirRegisters() {
        MiniAsm a = new MiniAsm();
        int c = a.constant(new Constant.Str("x"));
        a.function(List.of(), List.of(I64), 2, MiniAsm.body().op(Opcode.CONST_POOL, 1, c).op(Opcode.RET, 0, new int[] {1}));
        assertEquals("TypeMismatch", reject(a.build()).kind());
    }

    @Test
    void theVerifiedFormKeepsInstructionCountsAndSpans() throws VerifyException {
        MiniAsm a = new MiniAsm();
        a.function(List.of(I64), List.of(I64), 3, MiniAsm.body().op(Opcode.I64_ADD, 2, 1, 1).op(Opcode.RET, 0, new int[] {2}),
                List.of(new SpanEntry(0, 7), new SpanEntry(4, 9)));
        VerifiedProgram vp = Verifier.verify(a.build());
        assertEquals(2, vp.instructionCount(0));
        assertEquals(7, vp.spanAt(0, 0));
        assertEquals(7, vp.spanAt(0, 3));
        assertEquals(9, vp.spanAt(0, 4));
    }

    @Test
    void aBranchAfterAnInstructionWithoutOperandsIsNotFused() throws Exception {
        // regression: compare-and-branch fusion once read operand 0 of any instruction before a br
        MiniAsm.Body b = MiniAsm.body()
                .op(Opcode.NOP)
                .op(Opcode.BR, 1, "t", "f")
                .label("t").op(Opcode.RET, 0, new int[] {1})
                .label("f").op(Opcode.RET, 0, new int[] {1});
        VerifiedProgram vp = Verifier.verify(single(List.of(BOOL), List.of(BOOL), 2, b));
        assertEquals(List.of(dev.tape.value.Value.bool(true)), new dev.tape.vm.Vm(vp, dev.tape.host.Host.NONE)
                .run(0, List.of(dev.tape.value.Value.bool(true)), dev.tape.vm.Limits.DEFAULT));
    }
}
