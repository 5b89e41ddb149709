package dev.tape.bench;

import dev.tape.format.Opcode;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;

import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * A large program for the decode and verify benchmark: functions of five shapes in turn (a counter
 * loop, a self-recursive function, a call chain to the previous function, a float loop, a tuple
 * loop with a host call), each {@code (i64) -> (i64)}, 9 to 17 instructions long; optionally each
 * with a prelude of guard steps (arithmetic, compare, select), to make functions of the size a
 * compiler emits (issue 14's 20,000-function program is 3.7 MB, about 185 bytes a function).
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
        return build(functions, 0);
    }

    /**
     * @param functions the number of functions, 1 or more
     * @param guards guard steps before each function's body, 0 or more (each 6 straight-line
     *     instructions, about 25 bytes: {@code r20 = j; r21 = r1 + r20; r22 = r21 * r21;
     *     r23 = r22 < r1; r24 = r23 ? r22 : r21; r25 = r24 - r1})
     * @return the program
     */
    public static Program build(int functions, int guards) {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig(Workload.HOST_ID, List.of(I64), List.of(I64));
        for (int i = 0; i < functions; i++) {
            pb.declareFunction(List.of(I64), List.of(I64));
        }
        for (int i = 0; i < functions; i++) {
            FunctionBuilder f = pb.function(i);
            for (int g = 0; g < guards; g++) {
                guard(f, g);
            }
            switch (i % 5) {
                case 0 -> Workload.emitSumLoop(f);
                case 1 -> Workload.emitFib(f, i);
                case 2 -> chain(f, i - 1);
                case 3 -> {
                    Workload.emitF64Loop(f);
                    f.unary(Opcode.F64_TO_I64, 13, 2).ret(0, 13);
                }
                default -> tupleLoop(f, sig);
            }
            pb.functionName(i, "f" + i);
        }
        return pb.build();
    }

    private static void guard(FunctionBuilder f, int j) {
        f.constI64(20, j).i64Add(21, 1, 20).i64Mul(22, 21, 21).i64Lt(23, 22, 1).select(24, 23, 22, 21)
                .i64Sub(25, 24, 1);
    }

    private static void chain(FunctionBuilder f, int callee) {
        f.constI64(2, 3).i64Mul(3, 1, 2)
                .call(0, callee, 0, new int[] {3}, new int[] {4})
                .i64Add(5, 4, 1)
                .constI64(6, 7).i64Sub(7, 5, 6)
                .i64Eq(8, 7, 1).select(9, 8, 7, 5)
                .ret(0, 9);
    }

    private static void tupleLoop(FunctionBuilder f, int hostSig) {
        f.constI64(2, 0);
        Workload.countedLoop(f, 5, b -> b
                .tupleNew(6, 3, 2)
                .tupleGet(7, 6, 0)
                .tupleGet(8, 6, 1)
                .hostCall(0, hostSig, 0, new int[] {7}, new int[] {9})
                .i64Add(2, 9, 8));
        f.ret(0, 2);
    }
}
