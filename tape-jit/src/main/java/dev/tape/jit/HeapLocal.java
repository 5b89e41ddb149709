package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

/**
 * Which methods keep the run's heap room (the limit less the heap bytes allocated) in a
 * {@code long} local instead of charging the context's {@code heapBytes} field, as the fuel is kept
 * in {@link JitCompiler#FUEL}, and what their instructions charge. A loop that builds a tuple per
 * iteration then pays a subtraction in a machine register per tuple, and its block start the one
 * test it had for the fuel, instead of a read, add, write and limit test of the field per tuple.
 *
 * <p>The room local ({@code LocalsEmitter.heap}) holds the room, 0 or more, or {@link #IN_CONTEXT}
 * (-1) when the context's field is the current count: it is read from the context (limit less
 * field) at the method's entry, fresh or resumed, and after every call-out, and written back
 * (field = limit less room) and set to -1 before every call, {@code call.indirect} and boxed or
 * {@code Words} host call (all of which may read or change the count), at every {@code ret}, and
 * in the trap and hand-over handlers, which every trap, pause at a fuel slice, snapshot and
 * hand-over to the interpreter passes through; before a one-to-three-word host call, which
 * cannot allocate, it is written back and kept. Each construction subtracts its charge
 * ({@link #bytes}, that of {@code Ops.aggregateBytes} and {@code referenceBytes}) from the room
 * without a test of its own.
 *
 * <p>The test is at the start of each block that allocates: with {@code r} the method's largest
 * single charge, a second local, the threshold, is set wherever the room is read to
 * {@code max(0, fuel - room / r)} ({@code JitRuntime.heapThreshold}), and such a block runs only
 * when {@code fuel - len >= threshold}. Since then the fuel has gone down by at least
 * {@code 1/r} of what the room has, this implies both that the fuel covers the block and that the
 * room covers its charges (at most {@code r} per instruction). When it fails, the threshold is
 * computed again from the current fuel and room and the test repeated; when that fails too, the
 * run is handed over at the block's start and the interpreter, charging one instruction at a
 * time, traps {@code fuel_exceeded} or {@code heap_limit_exceeded} at the exact pc with the exact
 * counts (or runs on, when the room was short only for a later charge the block does not reach).
 * A local that is not current (-1, also the fuel's) makes every such test fail, so a path that
 * has not read the locals back hands over and never miscounts. Every count anything can observe
 * is the interpreter's.
 *
 * <p>Only a function whose every instruction is {@link #covered} keeps the local: word
 * arithmetic, compares, branches, moves and constants, aggregate reads, {@code array.len}, calls,
 * returns, host calls, {@code trap}, and the constructions it charges on the local
 * ({@code tuple.new}, its word form, {@code array.new}, {@code struct.new}, also one kept in
 * locals by {@link VirtualStructs}). A function with anything else (strings, bytes, closures,
 * slices: instructions whose helpers charge the field themselves) charges the field as before, so
 * no helper ever charges a field the local is ahead of.
 */
final class HeapLocal {
    private HeapLocal() {}

    /** The local's value while the context's {@code heapBytes} field holds the current count. */
    static final long IN_CONTEXT = -1;

    /**
     * @param fn a lowered function
     * @param cls per register, its class ({@code LOp.WORD_CLASS}, {@code REF_CLASS}, {@code UNIT_CLASS})
     * @return null when the function does not keep the heap room in a local (it builds no tuple,
     *     struct or array, or has an instruction not {@link #covered}); else, per code index of the
     *     function, the heap bytes the instruction starting there charges (0 for most)
     */
    static long[] charges(LoweredFunction fn, int[] cls) {
        int[] code = fn.code();
        long[] out = new long[code.length];
        boolean builds = false;
        for (int s = 0; s < fn.instructionCount(); s++) {
            int at = fn.instructionStart(s);
            int op = LOp.plain(code[at]);
            if (!covered(op)) {
                return null;
            }
            if (op == LOp.TUPLE_NEW_W || op == Op.TUPLE_NEW || op == Op.ARRAY_NEW || op == Op.STRUCT_NEW) {
                int first = op == Op.ARRAY_NEW || op == Op.STRUCT_NEW ? 5 : 4;
                int n = code[at + first - 1];
                boolean refs = false;
                for (int j = 0; j < n && op != LOp.TUPLE_NEW_W; j++) {
                    int reg = code[at + first + j];
                    refs |= reg >= 0 && reg < cls.length && cls[reg] == LOp.REF_CLASS;
                }
                out[at] = bytes(n, refs);
                builds = true;
            }
        }
        return builds ? out : null;
    }

    /**
     * The heap charge of an aggregate of {@code n} elements, as the interpreter's
     * {@code Ops.aggregateBytes} (32 bytes plus 9 per element) plus, when an element is a
     * reference, {@code Ops.referenceBytes} (8 per element). An element count is at most the
     * instruction's length, so the sum of a block's charges stays far below 2<sup>62</sup>.
     */
    static long bytes(int n, boolean refs) {
        return 32 + 9L * n + (refs ? 8L * n : 0);
    }

    /**
     * @param op a lowered op ({@code LOp.plain} of a superinstruction's head)
     * @return whether its compiled form reads and writes no heap count, or charges the local, or
     *     writes the local back before anything that could read or change the field
     */
    static boolean covered(int op) {
        return switch (op) {
            case Op.NOP, LOp.MOV_W, LOp.MOV_R, LOp.CONST_W, LOp.CONST_R, Op.I64_ADD, Op.U64_ADD, Op.I64_SUB,
                    Op.U64_SUB, Op.I64_MUL, Op.U64_MUL, Op.I64_AND, Op.U64_AND, Op.BOOL_AND, Op.I64_OR, Op.U64_OR,
                    Op.BOOL_OR, Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR, Op.I64_SHL, Op.U64_SHL, Op.I64_SHR, Op.U64_SHR,
                    Op.I64_EQ, Op.U64_EQ, Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, Op.F64_LT,
                    LOp.I64_EQ_BR, LOp.I64_LT_BR, LOp.I64_GT_BR, LOp.I64_LE_BR, LOp.I64_GE_BR, LOp.U64_LT_BR,
                    LOp.F64_LT_BR, Op.U64_GT, Op.U64_LE, Op.U64_GE, Op.F64_EQ, Op.F64_GT, Op.F64_LE, Op.F64_GE,
                    Op.BOOL_NOT, Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV, Op.I64_TO_F64, Op.BR, Op.JMP,
                    LOp.SELECT_W, LOp.SELECT_R, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE, Op.RET,
                    Op.HOST_CALL, Op.TRAP, LOp.NO_CODE, LOp.TUPLE_NEW_W, Op.TUPLE_NEW, Op.ARRAY_NEW,
                    LOp.TUPLE_GET_W, LOp.TUPLE_GET_R, LOp.STRUCT_GET_W, LOp.STRUCT_GET_R, LOp.ARRAY_GET_W,
                    LOp.ARRAY_GET_R, LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R, Op.ARRAY_LEN, Op.I64_DIV, Op.I64_REM,
                    Op.U64_DIV, Op.U64_REM, Op.U64_TO_I64, Op.I64_TO_U64, Op.F64_TO_I64, Op.F64_TO_U64,
                    Op.U64_TO_F64, Op.F64_NEG, Op.F64_ABS, Op.F64_TO_BITS, Op.F64_FROM_BITS, Op.STRUCT_NEW -> true;
            default -> false;
        };
    }
}
