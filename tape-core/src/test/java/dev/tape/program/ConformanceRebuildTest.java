package dev.tape.program;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.tape.program.ValueType.AGG;
import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Programs written by the Rust toolchain, rebuilt instruction by instruction with
 * {@link ProgramBuilder}, encode to exactly the bytes of the conformance files (annotated in
 * {@code notes/container-format.md} section 2.4).
 */
class ConformanceRebuildTest {
    private static void assertSameBytes(String vector, ProgramBuilder pb) {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        assertEquals(hex.formatHex(ConformanceFiles.read(vector)), hex.formatHex(ProgramEncoder.encode(pb.build())),
                vector);
    }

    @Test
    void goldenRetR0WithOneCallSignature() {
        // shared/reference/README.md, "Golden bytes": 61 bytes.
        ProgramBuilder pb = new ProgramBuilder();
        pb.callSig(List.of(I64, BOOL), List.of(U64));
        pb.addFunction(List.of(), List.of()).ret(0);
        byte[] bytes = ProgramEncoder.encode(pb.build());
        String golden = "45 58 54 41 50 45 00 00 00 00 01 00" + " 01 02 01 00" + " 02 01 00" + " 03 03 00 00 00"
                + " 05 05 01 03 51 00 00" + " 06 02 01 00" + " 04 06 01 00 00 01 00 00" + " 07 05 01 00 00 00 00"
                + " 08 01 00" + " 0a 06 01 02 02 01 01 03";
        assertEquals(61, bytes.length);
        assertEquals(golden, HexFormat.ofDelimiter(" ").formatHex(bytes));
    }

    @Test
    void sumLoop() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        FunctionBuilder.Label loop = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).jmp(loop);
        f.place(loop).i64Lt(5, 2, 1).br(5, body, done);
        f.place(body).i64Add(3, 3, 2).i64Add(2, 2, 4).jmp(loop);
        f.place(done).ret(0, 3);
        assertEquals(15, f.pcOf(loop));
        assertEquals(6, f.regCount());
        assertSameBytes("sum_loop", pb);
    }

    @Test
    void fib20SelfRecursion() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int self = f.funcId();
        FunctionBuilder.Label base = f.newLabel();
        FunctionBuilder.Label rec = f.newLabel();
        f.constI64(2, 2).i64Lt(3, 1, 2).br(3, base, rec);
        f.place(base).ret(0, 1);
        f.place(rec).constI64(4, 1).i64Sub(5, 1, 4).call(0, self, 0, new int[] {5}, new int[] {6});
        f.i64Sub(7, 1, 2).call(0, self, 0, new int[] {7}, new int[] {8});
        f.i64Add(9, 6, 8).ret(0, 9);
        assertSameBytes("fib_20", pb);
    }

    @Test
    void trapReportsSpanHasTwoSpanEntries() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        f.span(11).constI64(3, 0).span(42).i64Div(4, 1, 3).ret(0, 4);
        assertEquals(List.of(new SpanEntry(0, 11), new SpanEntry(3, 42)), pb.build().functions().get(0).spans());
        assertSameBytes("trap_reports_span", pb);
    }

    @Test
    void hostAddComputesTheSignatureHash() {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig("test.add_i64", List.of(I64, I64), List.of(I64));
        pb.addFunction(List.of(I64, I64), List.of(I64)).hostCall(0, sig, 0, new int[] {1, 2}, new int[] {3}).ret(0, 3);
        assertEquals(0x6410ca15195c619aL, pb.build().hostSigs().get(0).sigHash());
        assertSameBytes("host_add", pb);
    }

    @Test
    void aggregatesUsesStructAndArrayTypes() {
        ProgramBuilder pb = new ProgramBuilder();
        int point = pb.structType(List.of(Map.entry("x", I64), Map.entry("flag", BOOL)));
        int arr = pb.arrayElem(I64);
        FunctionBuilder f = pb.addFunction(List.of(), List.of(I64, U64, I64, U64, U64, I64, I64, AGG));
        f.constI64(1, 7).constBool(2, true).constI64(3, 9);
        f.tupleNew(4, 1, 2, 3).tupleGet(5, 4, 2).unary(dev.tape.format.Opcode.TUPLE_LEN, 6, 4);
        f.structNew(7, point, 1, 2).structGet(8, 7, 0).unary(dev.tape.format.Opcode.STRUCT_FIELD_COUNT, 9, 7);
        f.arrayNew(10, arr, 1, 3, 1).arrayLen(11, 10).constU64(12, 1).arrayGet(13, 10, 12).arrayGetImm(14, 10, 2);
        f.tupleNew(15, 4, 7, 10).ret(0, 5, 6, 8, 9, 11, 13, 14, 15);
        assertSameBytes("aggregates", pb);
    }

    @Test
    void closureCallIndirectWritesCallSigsAndSection11() {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.callSig(List.of(I64), List.of(I64));
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int square = pb.declareFunction(List.of(I64), List.of(I64));
        int body = pb.declareFunction(List.of(AGG, I64), List.of(I64));
        pb.argShape(body, 0, new AggShape.Tuple(List.of(I64)));
        pb.function(main).constFunc(2, square).callIndirect(0, sig, 2, 0, new int[] {1}, new int[] {3})
                .constFunc(4, body).constI64(5, 100).tupleNew(6, 5).closureNew(7, 4, 6)
                .callIndirect(0, sig, 7, 0, new int[] {3}, new int[] {8}).ret(0, 8);
        pb.function(square).i64Mul(2, 1, 1).ret(0, 2);
        pb.function(body).tupleGet(3, 1, 0).i64Add(4, 2, 3).ret(0, 4);
        assertSameBytes("closure_call_indirect", pb);
    }
}
