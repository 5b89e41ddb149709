package dev.tape.bench;

import dev.tape.format.Opcode;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;

import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * A large program for the decode and verify benchmark: functions of five shapes in turn (a counter
 * loop, a self-recursive function, a call chain to the previous function, a float loop, a tuple
 * loop with a host call), each {@code (i64) -> (i64)}, 9 to 17 instructions long.
 */
public final class BigProgram {
    /** The function count the benchmark uses. */
    public static final int FUNCTIONS = 10_000;

    private BigProgram() {}

    /**
     * @param functions the number of functions, 1 or more
     * @return the program
     */
    public static Program build(int functions) {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig(Workload.HOST_ID, List.of(I64), List.of(I64));
        for (int i = 0; i < functions; i++) {
            pb.declareFunction(List.of(I64), List.of(I64));
        }
        for (int i = 0; i < functions; i++) {
            FunctionBuilder f = pb.function(i);
            switch (i % 5) {
                case 0 -> counterLoop(f);
                case 1 -> recursive(f, i);
                case 2 -> chain(f, i - 1);
                case 3 -> floatLoop(f);
                default -> tupleLoop(f, sig);
            }
            pb.functionName(i, "f" + i);
        }
        return pb.build();
    }

    private static void counterLoop(FunctionBuilder f) {
        Label body = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, body, done);
        f.place(body).i64Add(2, 2, 3).i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, body, done);
        f.place(done).ret(0, 2);
    }

    private static void recursive(FunctionBuilder f, int self) {
        Label base = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 2).i64Lt(3, 1, 2).br(3, base, rec);
        f.place(base).ret(0, 1);
        f.place(rec).constI64(4, 1).i64Sub(5, 1, 4)
                .call(0, self, 0, new int[] {5}, new int[] {6})
                .i64Sub(7, 1, 2)
                .call(0, self, 0, new int[] {7}, new int[] {8})
                .i64Add(9, 6, 8).ret(0, 9);
    }

    private static void chain(FunctionBuilder f, int callee) {
        f.constI64(2, 3).i64Mul(3, 1, 2)
                .call(0, callee, 0, new int[] {3}, new int[] {4})
                .i64Add(5, 4, 1)
                .constI64(6, 7).i64Sub(7, 5, 6)
                .i64Eq(8, 7, 1).select(9, 8, 7, 5)
                .ret(0, 9);
    }

    private static void floatLoop(FunctionBuilder f) {
        Label body = f.newLabel();
        Label done = f.newLabel();
        f.constF64(2, 0.0).constI64(3, 0).constI64(4, 1).constF64(5, 0.5).constF64(6, 1.5)
                .i64Lt(7, 3, 1).br(7, body, done);
        f.place(body)
                .unary(Opcode.I64_TO_F64, 8, 3)
                .binary(Opcode.F64_MUL, 9, 8, 5)
                .binary(Opcode.F64_ADD, 10, 9, 6)
                .binary(Opcode.F64_DIV, 11, 10, 6)
                .binary(Opcode.F64_SUB, 12, 11, 5)
                .binary(Opcode.F64_ADD, 2, 2, 12)
                .i64Add(3, 3, 4)
                .i64Lt(7, 3, 1).br(7, body, done);
        f.place(done).unary(Opcode.F64_TO_I64, 13, 2).ret(0, 13);
    }

    private static void tupleLoop(FunctionBuilder f, int hostSig) {
        Label body = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, body, done);
        f.place(body)
                .tupleNew(6, 3, 2)
                .tupleGet(7, 6, 0)
                .tupleGet(8, 6, 1)
                .hostCall(0, hostSig, 0, new int[] {7}, new int[] {9})
                .i64Add(2, 9, 8)
                .i64Add(3, 3, 4)
                .i64Lt(5, 3, 1).br(5, body, done);
        f.place(done).ret(0, 2);
    }
}
