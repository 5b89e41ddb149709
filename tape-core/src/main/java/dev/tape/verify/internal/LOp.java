package dev.tape.verify.internal;

import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;

/**
 * Opcodes of the lowered execution form. Instructions whose semantics do not depend on register
 * classes keep their v1 opcode byte (0x00 to 0x93, see {@link dev.tape.format.Opcode}); the ones
 * specialised by the class of their registers (64-bit word, reference, or unit) and the fused
 * compare-and-branch forms use numbers from 0xA0 up, just above the v1 opcodes and below the
 * extension range 0xC0 to 0xEF (two ops, {@link #I64_TO_F64_MUL_ADD} and {@link #F64_DIV_SUB_ADD}, sit at
 * 0xC0 and 0xC1: lowered code
 * never holds an extension opcode; {@link #I64_ADD_LT_BR_RUN} sits right after {@link #I64_ADD_LT_BR},
 * so a {@code switch} that runs both alike has one range of keys for them). The numbering is dense on purpose: the interpreter's {@code switch}
 * then compiles to a jump table ({@code tableswitch}), not a binary search ({@code lookupswitch}).
 * Each instruction is the op followed by its operands in an {@code int[]}; the layouts are
 * documented on {@link LoweredFunction}, and the length of each of fixed length is in one table here
 * ({@link #length(int)}, {@link #coveredLength(int)}), which the interpreter's tables read and a test
 * checks against the code the lowering emits.
 */
public final class LOp {
    private LOp() {}

    /** {@link #length(int)} by op (0 to 255). */
    private static final byte[] LENGTHS = new byte[256];
    /** {@link #coveredLength(int)} by op (0 to 255). */
    private static final byte[] COVERED = new byte[256];
    /** {@link #wordRunTakes(int)} by op (0 to 255). */
    private static final boolean[] WORD_TAKES = new boolean[256];
    /** {@link #floatRunTakes(int)} by op (0 to 255). */
    private static final boolean[] FLOAT_TAKES = new boolean[256];
    /** {@link #callLoopTakes(int)} by op (0 to 255). */
    private static final boolean[] CALL_TAKES = new boolean[256];
    /**
     * For each op {@link #FLOAT_TAKES} lists, by op (0 to 255): -1 for a branch, a jump or a fused
     * compare-and-branch (a run that reaches one may loop), else the code words one dispatch of it
     * covers ({@link #coveredLength(int)}: a whole superinstruction's); 0 for the others. See
     * {@link #floatRun(int[], int)}.
     */
    private static final byte[] RUN_NEXT = new byte[256];

    /** {@code mov} between word registers: [op, dst, src]. */
    public static final int MOV_W = 0xA0;
    /** {@code mov} between reference registers: [op, dst, src]. */
    public static final int MOV_R = 0xA1;
    /** A word constant: [op, dst, low 32 bits, high 32 bits]. */
    public static final int CONST_W = 0xA2;
    /** A reference constant: [op, dst, index into {@link LoweredFunction#refs()}]. */
    public static final int CONST_R = 0xA3;
    /** {@code select} of words: [op, dst, cond, a, b]. */
    public static final int SELECT_W = 0xA4;
    /** {@code select} of references: [op, dst, cond, a, b]. */
    public static final int SELECT_R = 0xA5;
    /** {@code call.indirect} on a Func register: [op, callSig, callee, argc, args..., retc, rets...]. */
    public static final int CALL_INDIRECT_FUNC = 0xA6;
    /** {@code call.indirect} on a Closure register: same layout. */
    public static final int CALL_INDIRECT_CLOSURE = 0xA7;
    /** Aggregate projection into a word register: [op, dst, agg, index-or-index-reg, expected tag]. */
    public static final int TUPLE_GET_W = 0xA8;
    /** Aggregate projection into a reference register: as {@link #TUPLE_GET_W}. */
    public static final int TUPLE_GET_R = 0xA9;
    /** As {@link #TUPLE_GET_W}, for structs. */
    public static final int STRUCT_GET_W = 0xAA;
    /** As {@link #TUPLE_GET_R}, for structs. */
    public static final int STRUCT_GET_R = 0xAB;
    /** As {@link #TUPLE_GET_W}, for arrays with an index register. */
    public static final int ARRAY_GET_W = 0xAC;
    /** As {@link #TUPLE_GET_R}, for arrays with an index register. */
    public static final int ARRAY_GET_R = 0xAD;
    /** As {@link #TUPLE_GET_W}, for arrays with an immediate index. */
    public static final int ARRAY_GET_IMM_W = 0xAE;
    /** As {@link #TUPLE_GET_R}, for arrays with an immediate index. */
    public static final int ARRAY_GET_IMM_R = 0xAF;
    /**
     * {@code tuple.new} whose elements all live in word registers: [op, dst, tags, n, regs...], as
     * {@code tuple.new}.
     */
    public static final int TUPLE_NEW_W = 0xB0;

    /*
     * Fused compare-and-branch. A compare whose result is the condition of the br right after it, in
     * the same block, is lowered as [CMP_BR, dst, a, b] followed by the br, unchanged:
     * [BR, cond, T_true, T_false]. The fused op writes dst, and when there is fuel for both
     * instructions it also takes the branch (2 fuel units); with fuel for one only it acts as the
     * plain compare and the br after it runs (and traps fuel_exceeded) on its own. Both
     * instructions keep their code index, byte pc and fuel unit, so fuel, traps and tracing are
     * exactly as without fusion.
     */
    /** Fused {@code i64.lt} + {@code br}. */
    public static final int I64_LT_BR = 0xB1;
    /** Fused {@code i64.le} + {@code br}. */
    public static final int I64_LE_BR = 0xB2;
    /** Fused {@code i64.gt} + {@code br}. */
    public static final int I64_GT_BR = 0xB3;
    /** Fused {@code i64.ge} + {@code br}. */
    public static final int I64_GE_BR = 0xB4;
    /** Fused {@code i64.eq} + {@code br}. */
    public static final int I64_EQ_BR = 0xB5;
    /** Fused {@code u64.lt} + {@code br}. */
    public static final int U64_LT_BR = 0xB6;
    /** Fused {@code f64.lt} + {@code br}. */
    public static final int F64_LT_BR = 0xB7;
    /**
     * The body of a function whose bytecode is empty (0 bytes), which the verifier accepts as the
     * reference does: {@code [NO_CODE, 0]}, at pc 0. Running it costs 1 fuel like any instruction
     * and traps {@code invalid_entry} there, whether the function is the run's entry or is called
     * directly, through {@code call.indirect} or as a closure (the reference has no defined
     * outcome for it).
     */
    public static final int NO_CODE = 0xB8;

    /*
     * Superinstructions: the first instruction of a common pair (or of a pair whose second half is
     * a fused compare-and-branch, a triple) in one block gets one of these ops in place of its own;
     * its layout and every instruction after it stay unchanged. The interpreter runs the first half,
     * then, when the budget holds another unit, the second half (and the third, for a triple, when
     * it holds a third) in the same turn of its loop; with the budget used up it stops at the next
     * instruction's start, exactly as the unfused instructions would. A half that can trap runs with
     * the interpreter's ip at its own start. So fuel, trap pcs, pauses and tracing (which steps with
     * a budget of 1) are as without fusion. Every other reader of the code sees the first half's
     * plain op through plain(int).
     */
    /** {@code i64.add} followed by a fused {@link #I64_LT_BR}: [I64_ADD layout][I64_LT_BR][BR]. */
    public static final int I64_ADD_LT_BR = 0xB9;
    /**
     * An {@link #I64_ADD_LT_BR} (same layout, same halves, same fuel) whose {@code br}'s true target
     * is a loop head at or before it that starts a run the interpreter's run loops take
     * ({@link #loopHead(int[], int, int)}): the latch of a counted loop whose body can run in a loop
     * of its own. The lowering decides it once, so the plain {@link #I64_ADD_LT_BR} checks nothing
     * at run time; every reader other than the interpreter sees it as {@link #I64_ADD_LT_BR}
     * ({@link #plain(int)}: {@code i64.add}).
     */
    public static final int I64_ADD_LT_BR_RUN = 0xBA;
    /** A word constant ({@link #CONST_W} layout) followed by {@code i64.add}. */
    public static final int CONST_ADD = 0xBB;
    /** A word constant ({@link #CONST_W} layout) followed by {@code i64.sub}. */
    public static final int CONST_SUB = 0xBC;
    /** A word constant ({@link #CONST_W} layout) followed by a fused {@link #I64_LT_BR}. */
    public static final int CONST_LT_BR = 0xBD;
    /** {@code f64.mul} followed by {@code f64.add}. */
    public static final int F64_MUL_ADD = 0xBE;
    /** {@code f64.sub} followed by {@code f64.add}. */
    public static final int F64_SUB_ADD = 0xBF;
    /**
     * {@code i64.to_f64} followed by {@code f64.mul} and {@code f64.add} (a triple: the
     * {@code f64.mul} is itself an {@link #F64_MUL_ADD}).
     */
    public static final int I64_TO_F64_MUL_ADD = 0xC0;
    /**
     * {@code f64.div} followed by {@code f64.sub} and {@code f64.add} (a triple: the
     * {@code f64.sub} is itself an {@link #F64_SUB_ADD}), as in a step that scales a value and
     * corrects it ({@code (x / k - d) + acc}).
     */
    public static final int F64_DIV_SUB_ADD = 0xC1;
    /** One past the largest lowered op. */
    public static final int LIMIT = 0xC2;

    /**
     * Register lists of {@code call}, {@code call.indirect} arguments and {@code ret} values are
     * stored as {@code reg << 2 | class}, class being {@link #UNIT_CLASS}, {@link #WORD_CLASS} or
     * {@link #REF_CLASS}, so a call copies each value from the one register file it lives in.
     */
    public static final int UNIT_CLASS = 0;
    /** A register in the word file ({@code long[]}): bool, i64, u64, f64, func. */
    public static final int WORD_CLASS = 1;
    /** A register in the reference file ({@code Object[]}). */
    public static final int REF_CLASS = 2;

    /**
     * Maps a superinstruction to the op whose operand layout it starts with.
     *
     * @param op a lowered op
     * @return the op of the first instruction of a superinstruction ({@link #I64_ADD_LT_BR} and the
     *     like, whose layout is that op's), or {@code op} itself
     */
    public static int plain(int op) {
        return switch (op) {
            case I64_ADD_LT_BR, I64_ADD_LT_BR_RUN -> dev.tape.format.Op.I64_ADD;
            case CONST_ADD, CONST_SUB, CONST_LT_BR -> CONST_W;
            case F64_MUL_ADD -> dev.tape.format.Op.F64_MUL;
            case F64_SUB_ADD -> dev.tape.format.Op.F64_SUB;
            case I64_TO_F64_MUL_ADD -> dev.tape.format.Op.I64_TO_F64;
            case F64_DIV_SUB_ADD -> dev.tape.format.Op.F64_DIV;
            default -> op;
        };
    }

    /**
     * Maps a fused compare-and-branch op to its compare op.
     *
     * @param op a lowered op
     * @return the compare op a fused compare-and-branch op stands for, or {@code op} itself
     */
    public static int unfused(int op) {
        return switch (op) {
            case I64_LT_BR -> dev.tape.format.Op.I64_LT;
            case I64_LE_BR -> dev.tape.format.Op.I64_LE;
            case I64_GT_BR -> dev.tape.format.Op.I64_GT;
            case I64_GE_BR -> dev.tape.format.Op.I64_GE;
            case I64_EQ_BR -> dev.tape.format.Op.I64_EQ;
            case U64_LT_BR -> dev.tape.format.Op.U64_LT;
            case F64_LT_BR -> dev.tape.format.Op.F64_LT;
            default -> op;
        };
    }

    static {
        // the plain ops (the lowering's default layout): the op, then each operand as it is
        for (Opcode o : Opcode.values()) {
            boolean fixed = true;
            for (Operand x : o.operands()) {
                fixed &= x.kind() != OperandKind.REG_LIST;
            }
            LENGTHS[o.toByte()] = (byte) (fixed ? 1 + o.operands().size() : 0);
        }
        // v1 ops the lowering always replaces (by a nop, a class-specific op or a constant op):
        // never in lowered code
        for (Opcode o : new Opcode[] {Opcode.MOV, Opcode.SELECT, Opcode.CONST_UNIT, Opcode.CONST_BOOL, Opcode.CONST_I64,
            Opcode.CONST_U64, Opcode.CONST_F64, Opcode.CONST_DECIMAL, Opcode.CONST_POOL, Opcode.CONST_FUNC,
            Opcode.TUPLE_GET, Opcode.STRUCT_GET, Opcode.ARRAY_GET, Opcode.ARRAY_GET_IMM}) {
            LENGTHS[o.toByte()] = 0;
        }
        LENGTHS[MOV_W] = 3;
        LENGTHS[MOV_R] = 3;
        LENGTHS[CONST_W] = 4;
        LENGTHS[CONST_R] = 3;
        LENGTHS[SELECT_W] = 5;
        LENGTHS[SELECT_R] = 5;
        for (int op = TUPLE_GET_W; op <= ARRAY_GET_IMM_R; op++) {
            LENGTHS[op] = 5;
        }
        LENGTHS[NO_CODE] = 2;
        // CALL_INDIRECT_FUNC, CALL_INDIRECT_CLOSURE and TUPLE_NEW_W carry register lists: 0
        for (int op = I64_LT_BR; op <= F64_LT_BR; op++) {
            LENGTHS[op] = LENGTHS[unfused(op)];
        }
        for (int op = I64_ADD_LT_BR; op < LIMIT; op++) {
            LENGTHS[op] = LENGTHS[plain(op)];
        }
        for (int op = 0; op < LENGTHS.length; op++) {
            COVERED[op] = LENGTHS[op];
        }
        int br = LENGTHS[Opcode.BR.toByte()];
        for (int op = I64_LT_BR; op <= F64_LT_BR; op++) {
            COVERED[op] = (byte) (LENGTHS[op] + br);
        }
        COVERED[I64_ADD_LT_BR] = (byte) (LENGTHS[I64_ADD_LT_BR] + COVERED[I64_LT_BR]);
        COVERED[I64_ADD_LT_BR_RUN] = COVERED[I64_ADD_LT_BR];
        COVERED[CONST_ADD] = (byte) (LENGTHS[CONST_ADD] + LENGTHS[Opcode.I64_ADD.toByte()]);
        COVERED[CONST_SUB] = (byte) (LENGTHS[CONST_SUB] + LENGTHS[Opcode.I64_SUB.toByte()]);
        COVERED[CONST_LT_BR] = (byte) (LENGTHS[CONST_LT_BR] + COVERED[I64_LT_BR]);
        COVERED[F64_MUL_ADD] = (byte) (LENGTHS[F64_MUL_ADD] + LENGTHS[Opcode.F64_ADD.toByte()]);
        COVERED[F64_SUB_ADD] = (byte) (LENGTHS[F64_SUB_ADD] + LENGTHS[Opcode.F64_ADD.toByte()]);
        COVERED[I64_TO_F64_MUL_ADD] = (byte) (LENGTHS[I64_TO_F64_MUL_ADD] + COVERED[F64_MUL_ADD]);
        COVERED[F64_DIV_SUB_ADD] = (byte) (LENGTHS[F64_DIV_SUB_ADD] + COVERED[F64_SUB_ADD]);
        // the run loops' tables (dev.tape.vm's WordRun, FloatRun, TupleRun, DecimalRun): the common
        // word instructions, then FloatRun's f64 ones
        int[] words = {MOV_W, CONST_W, dev.tape.format.Op.I64_ADD, dev.tape.format.Op.U64_ADD,
            dev.tape.format.Op.I64_SUB, dev.tape.format.Op.U64_SUB, dev.tape.format.Op.I64_MUL,
            dev.tape.format.Op.U64_MUL, dev.tape.format.Op.BR, dev.tape.format.Op.JMP, I64_LT_BR, I64_ADD_LT_BR,
            I64_ADD_LT_BR_RUN, CONST_ADD, CONST_LT_BR};
        for (int op : words) {
            WORD_TAKES[op] = true;
            FLOAT_TAKES[op] = true;
        }
        for (int op : new int[] {dev.tape.format.Op.F64_ADD, dev.tape.format.Op.F64_SUB, dev.tape.format.Op.F64_MUL,
            dev.tape.format.Op.F64_DIV, dev.tape.format.Op.F64_LT, dev.tape.format.Op.I64_TO_F64, F64_LT_BR, F64_MUL_ADD,
            F64_SUB_ADD, I64_TO_F64_MUL_ADD, F64_DIV_SUB_ADD}) {
            FLOAT_TAKES[op] = true;
        }
        for (int op : new int[] {dev.tape.format.Op.BR, dev.tape.format.Op.JMP, I64_LT_BR, I64_ADD_LT_BR,
            I64_ADD_LT_BR_RUN, CONST_LT_BR, F64_LT_BR}) {
            RUN_NEXT[op] = -1;
        }
        for (int op : new int[] {MOV_W, CONST_W, dev.tape.format.Op.I64_ADD, dev.tape.format.Op.U64_ADD,
            dev.tape.format.Op.I64_SUB, dev.tape.format.Op.U64_SUB, dev.tape.format.Op.BR, dev.tape.format.Op.JMP,
            I64_LT_BR, I64_ADD_LT_BR, CONST_ADD, CONST_SUB, CONST_LT_BR, dev.tape.format.Op.CALL,
            dev.tape.format.Op.RET}) {
            CALL_TAKES[op] = true;
        }
        for (int op = 0; op < RUN_NEXT.length; op++) {
            if (FLOAT_TAKES[op] && RUN_NEXT[op] == 0) {
                // the whole superinstruction's length (every op the runs take has a fixed one)
                RUN_NEXT[op] = COVERED[op];
            }
        }
    }

    /**
     * The word instructions every run loop of the interpreter takes ({@code dev.tape.vm}'s
     * {@code WordRun} takes exactly these; {@code FloatRun}, {@code TupleRun} and {@code DecimalRun}
     * these and their own): word {@code mov} and constants, {@code i64/u64.add}, {@code sub},
     * {@code mul}, {@code br}, {@code jmp}, the fused {@code i64.lt}+{@code br} and the
     * superinstructions constant+{@code i64.add}, constant+{@code i64.lt}+{@code br} and
     * {@code i64.add}+{@code i64.lt}+{@code br} (both forms). One definition, which the lowering's
     * choice of {@link #I64_ADD_LT_BR_RUN} and the interpreter share.
     *
     * @param op a lowered op, 0 to 255
     * @return whether the run loops take it
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    public static boolean wordRunTakes(int op) {
        return WORD_TAKES[op];
    }

    /**
     * The instructions the interpreter's call loop ({@code dev.tape.vm.CallLoop}) takes: word
     * {@code mov} and constants, {@code i64/u64.add}, {@code sub}, {@code br}, {@code jmp}, the
     * fused {@code i64.lt}+{@code br}, the superinstructions constant+{@code i64.add},
     * constant+{@code i64.sub}, constant+{@code i64.lt}+{@code br} and
     * {@code i64.add}+{@code i64.lt}+{@code br}, the direct {@code call} and {@code ret}. A direct
     * call to a function (not a small leaf) whose first instruction is one of these hands the call
     * to that loop ({@link CodeImage#runEntries()}, decided when the image is made); any other runs
     * in the interpreter's own case, so that a callee that would stop the loop at once costs no
     * hand-over. A test checks this set against the loop's cases.
     *
     * @param op a lowered op, 0 to 255
     * @return whether the call loop takes it
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    public static boolean callLoopTakes(int op) {
        return CALL_TAKES[op];
    }

    /**
     * The instructions {@code FloatRun} takes after its first: those of {@link #wordRunTakes(int)},
     * {@code f64.add}, {@code sub}, {@code mul}, {@code div}, {@code f64.lt}, {@code i64.to_f64},
     * the fused {@code f64.lt}+{@code br} and the f64 superinstructions.
     *
     * @param op a lowered op, 0 to 255
     * @return whether {@code FloatRun} takes it
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    public static boolean floatRunTakes(int op) {
        return FLOAT_TAKES[op];
    }

    /**
     * Whether an f64 instruction, paid for, with budget left, whose next instruction starts at code
     * index {@code next}, hands its run to {@code FloatRun}: when that instruction is a branch, a
     * jump or a fused compare-and-branch the run takes, or one of fixed length the run takes
     * followed by another the run takes. A run that would end after one or two instructions (an f64
     * instruction, a {@code mov}, then one the run leaves) costs the interpreter's trip through its
     * outer {@code switch} and the call more than it saves, so that f64 instruction runs in the
     * inner loop.
     *
     * @param code lowered code (a code image's)
     * @param next the code index of the instruction after the f64 instruction (after a whole
     *     superinstruction); never past the function's code, as no instruction falls off its end
     * @return whether the f64 instruction leaves the inner loop for a {@code FloatRun}
     */
    public static boolean floatRun(int[] code, int next) {
        int k = RUN_NEXT[code[next] & 0xFF];
        return k < 0 || k > 0 && FLOAT_TAKES[code[next + k] & 0xFF];
    }

    /**
     * Whether the instruction at {@code at} starts a run the interpreter hands a counted loop to
     * when its latch branches back there ({@link #I64_ADD_LT_BR_RUN}): it is one of fixed length
     * {@link #floatRunTakes(int)} lists (not a branch) and {@link #floatRun(int[], int)} holds for
     * the one after it, so the run takes at least the head and the instruction after it, and a
     * third unless that second one is a branch, a jump or a fused compare-and-branch (a run of two
     * that loops). An f64 head goes to {@code FloatRun}, a word head to {@code WordRun} (which
     * leaves at once at an f64 instruction after it: a speed cost only). Reads nothing at or past
     * {@code end}.
     *
     * @param code lowered code
     * @param at an instruction's start, below {@code end}
     * @param end the end of the function's code in {@code code}
     * @return whether a latch branching back to {@code at} hands its loop to a run
     */
    public static boolean loopHead(int[] code, int at, int end) {
        int op = code[at] & 0xFF;
        int k = RUN_NEXT[op];
        if (k <= 0 || !FLOAT_TAKES[op] || at + k >= end) {
            return false;
        }
        int next = at + k;
        int k2 = RUN_NEXT[code[next] & 0xFF];
        return k2 < 0 || k2 > 0 && next + k2 < end && FLOAT_TAKES[code[next + k2] & 0xFF];
    }

    /**
     * The length of a lowered instruction of fixed length, from the one table of them the lowering
     * ({@code dev.tape.verify.Lowerer}) keeps to: a plain op's is 1 plus its operand count; a fused
     * compare-and-branch or the first instruction of a superinstruction has its own layout's (the
     * instructions it covers follow, each with its own length, see {@link #coveredLength(int)}).
     *
     * @param op a lowered op, 0 to 255
     * @return the instruction's length in code words (1 to 5), or 0 for an op whose instructions
     *     carry a register list ({@code call}, {@code ret}, {@code tuple.new} and the like: their
     *     length is read from the list's count) and for a byte that is no lowered op (a v1 op the
     *     lowering always replaces, such as {@code mov} or {@code const.i64}, or an unused byte)
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    public static int length(int op) {
        return LENGTHS[op];
    }

    /**
     * The code words of the instructions one dispatch of {@code op} covers, when they are of fixed
     * length: {@link #length(int)} for a plain op; for a fused compare-and-branch, the compare's
     * and the {@code br}'s after it; for a superinstruction, those of all its halves (two, or three
     * for {@link #I64_ADD_LT_BR}, {@link #I64_ADD_LT_BR_RUN}, {@link #CONST_LT_BR},
     * {@link #I64_TO_F64_MUL_ADD} and {@link #F64_DIV_SUB_ADD}). The code
     * index after the op's start plus this is that of the instruction after the last half, when
     * that half does not branch.
     *
     * @param op a lowered op, 0 to 255
     * @return the length in code words (1 to 12), or 0 as {@link #length(int)}
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    public static int coveredLength(int op) {
        return COVERED[op];
    }
}
