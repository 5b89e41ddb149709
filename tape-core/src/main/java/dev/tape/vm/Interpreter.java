package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;

/**
 * The dispatch loop: one {@code switch} over the lowered opcode inside one loop, registers in flat
 * {@code long[]}/{@code Object[]} files addressed {@code base + index}, calls that push heap
 * frames. Rare or bulky instructions live in static helpers so that this method stays small
 * enough for HotSpot to compile ({@code ARCHITECTURE.md}, "Interpreter rules"; see
 * {@code docs/PERFORMANCE.md} for the rules this loop follows and why).
 *
 * <p>The loop runs until its budget runs out, the entry frame returns, or an instruction traps
 * (a host function that suspends its run traps with {@link Calls#SUSPENDED}); it also returns
 * {@link #OUT_OF_FUEL} right after a {@code host_call} during which
 * {@link ExecutionContext#pauseRequested} was set, with budget left (or, the request coming from
 * another thread while {@link HostRun} ran word instructions, where that run stopped).
 * The budget is the fuel (or 1 when the driver steps for tracing): each instruction checks it
 * before running and takes 1 from it. A fused compare-and-branch takes 2 only when there are 2;
 * otherwise it runs as the plain compare and leaves the br to the next turn of the loop. A
 * superinstruction ({@link LOp#I64_ADD_LT_BR} and the like) runs each further instruction it
 * covers only when the budget still holds that instruction's unit, and otherwise stops at that
 * instruction's start, as the instructions one at a time would.
 *
 * <p>The word instructions (integer, float, compare, branch, word moves and constants, the fused
 * forms) and the direct {@code call} and {@code ret} run in an inner loop of their own, which
 * calls out only on cold paths (register growth, traps, call tracing); any other instruction
 * leaves it, already paid for, for the outer {@code switch}, which runs an instruction of its own
 * right after another one ({@link #CHAINS}) without going back through the inner loop; a decimal
 * instruction there hands the run it starts (decimal and common word instructions) to
 * {@link DecimalRun}, a loop of its own, a word-element {@code tuple.new} to {@link TupleRun}, an
 * {@code array.get} into a word register followed by an instruction {@link #ARRAY_TAKES} to
 * {@link ArrayRun}, a quick word {@code host_call} ({@link WordCalls#quick}) followed by a word instruction hands that
 * instruction and what follows (word instructions and further quick host calls) to
 * {@link HostRun}, and
 * an f64 instruction whose next one {@link FloatRun} takes leaves the inner loop for the outer
 * {@code switch}, which hands its run to {@link FloatRun}; a counted loop's latch that the lowering
 * found branching back to a head starting a run ({@link LOp#I64_ADD_LT_BR_RUN}) hands the loop to
 * {@link WordRun} (or to {@link FloatRun}, an f64 head) the same way. A direct {@code call} to a callee
 * (not a small leaf) that starts with an instruction of {@link LOp#callLoopTakes(int)} (marked in
 * {@link CodeImage#runEntries()} when the image is made), when calls are not
 * traced, hands the call, and the instructions after it, to {@link CallLoop}, a smaller loop
 * of its own (call, {@code ret}, word moves, constants, adds and subtracts, the fused
 * compare-and-branch forms), which gives back the first other instruction unpaid (see
 * {@code docs/PERFORMANCE-LOG.md}, "Interpreter, twenty-third round (b)"); a direct {@code call} of
 * a small leaf (also marked there) goes, the same way, to {@link LeafLoop}, the same loop compiled
 * apart ("Interpreter, twenty-eighth round"); an indirect call, once made, hands the callee's
 * first instruction, when {@link ClosureLoop#takes(int)}, and what follows, to {@link ClosureLoop}
 * (the word cases, {@code tuple.get} of a word, {@code call.indirect} and {@code ret}: "The
 * interpreter's closure_loop in a loop of its own"). In the
 * general mode of a JVM that has run many programs (every case of the {@code switch} compiled)
 * the inner loop keeps C2's register allocation and layout those of a small loop (see
 * {@code docs/PERFORMANCE-LOG.md}, "Interpreter, fifth round" and "Interpreter, sixth round").
 *
 * <p>The loop runs on the program's {@link CodeImage}: one code array for all functions, so calls
 * and returns change only {@code ip}, the register base and the register count. While the loop
 * runs, these, the depth and the register files live in locals; they are written back to the
 * context (as a function id and that function's own code index) whenever the loop returns or
 * throws. A trapping instruction leaves {@code ip} at its own start, which is where the trap is
 * reported.
 */
final class Interpreter {
    private Interpreter() {}

    static final int DONE = 0;
    static final int OUT_OF_FUEL = 1;
    static final int TRAPPED = 2;

    /**
     * The ops that the outer {@code switch} of {@link #execute} runs, by a case of its own or through
     * {@link Ops#slow}, and that the inner word loop never handles, indexed by op (0 to 255): one of
     * them right after an instruction of the outer {@code switch} is dispatched there directly,
     * without the inner loop's {@code switch} in between (a run of decimal, tuple or reference
     * instructions). An op listed here that the inner loop handles would reach {@link Ops#slow},
     * which has no case for it; an outer op missing here only costs the inner {@code switch}.
     */
    static final boolean[] CHAINS = new boolean[256];

    /**
     * The ops {@link DecimalRun} runs, indexed by op (0 to 255): a decimal instruction followed by
     * one of them starts a run there; any other runs in {@link #execute}'s own case.
     */
    static final boolean[] RUN_TAKES = new boolean[256];

    /**
     * The ops {@link TupleRun} runs after its first instruction, indexed by op (0 to 255): a
     * {@link LOp#TUPLE_NEW_W} followed by one of them starts a run there; any other runs in
     * {@link #execute}'s own case. Here, not in {@code TupleRun}, so that that class has no static
     * initialiser (a class whose initialisation fails on an exhausted stack stays unusable:
     * {@code ClassInit}).
     */
    static final boolean[] TUPLE_TAKES = new boolean[256];

    /**
     * The ops {@link ArrayRun} runs after its first instruction, indexed by op (0 to 255): a
     * {@link LOp#ARRAY_GET_W} followed by one of them starts a run there; any other runs in
     * {@link #execute} through {@link Ops#slow}. Here, not in {@code ArrayRun}, for the reason given at
     * {@link #TUPLE_TAKES}.
     */
    static final boolean[] ARRAY_TAKES = new boolean[256];

    /** The tokens of unboxed decimal registers ({@link DecScale}), indexed by scale (0 to 255). */
    static final DecScale[] DEC_SCALES = new DecScale[256];

    static {
        int[] outer = {LOp.MOV_R, LOp.CONST_R, LOp.SELECT_R, LOp.CALL_INDIRECT_FUNC,
            LOp.CALL_INDIRECT_CLOSURE, Op.HOST_CALL, LOp.TUPLE_NEW_W, LOp.TUPLE_GET_W, Op.DEC_ADD, Op.DEC_SUB,
            Op.DEC_MUL, Op.I64_TO_DEC,
            // Ops.slow's
            Op.DEC_TO_I64, Op.DEC_TO_U64, Op.U64_TO_DEC, Op.BYTES_EQ, Op.STR_EQ, Op.BYTES_CONCAT, Op.STR_CONCAT,
            Op.BYTES_LEN, Op.STR_LEN, Op.BYTES_GET, Op.BYTES_GET_IMM, Op.BYTES_SLICE, Op.STR_SLICE,
            Op.STR_TO_BYTES, Op.BYTES_TO_STR, Op.CLOSURE_NEW, Op.TUPLE_NEW, Op.STRUCT_NEW, Op.ARRAY_NEW,
            Op.TUPLE_LEN, Op.STRUCT_FIELD_COUNT, Op.ARRAY_LEN, LOp.TUPLE_GET_R, LOp.STRUCT_GET_W, LOp.STRUCT_GET_R,
            LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R, LOp.ARRAY_GET_W, LOp.ARRAY_GET_R};
        for (int op : outer) {
            CHAINS[op] = true;
        }
        // the run loops' word instructions: one definition, which the lowering's choice of
        // LOp.I64_ADD_LT_BR_RUN reads too
        for (int op = 0; op < 256; op++) {
            RUN_TAKES[op] = LOp.wordRunTakes(op);
            TUPLE_TAKES[op] = LOp.wordRunTakes(op);
        }
        for (int op : new int[] {Op.DEC_ADD, Op.DEC_SUB, Op.DEC_MUL, Op.I64_TO_DEC}) {
            RUN_TAKES[op] = true;
        }
        for (int op = 0; op < 256; op++) {
            ARRAY_TAKES[op] = LOp.wordRunTakes(op);
        }
        ARRAY_TAKES[LOp.ARRAY_GET_W] = true;
        ARRAY_TAKES[Op.ARRAY_LEN] = true;
        ARRAY_TAKES[LOp.U64_LT_BR] = true;
        TUPLE_TAKES[LOp.TUPLE_NEW_W] = true;
        TUPLE_TAKES[LOp.TUPLE_GET_W] = true;
        for (int s = 0; s < DEC_SCALES.length; s++) {
            DEC_SCALES[s] = new DecScale(s);
        }
    }

    static int execute(Vm vm, ExecutionContext c, long budget) {
        final long start = budget;
        final CodeImage image = vm.image;
        final int[] code = image.code();
        // a leaf's entry is negative here; a CallLoop or LeafLoop callee's has bit 30 flipped
        // (CodeImage.runEntries, CodeImage.isHot): read by the calls only
        final int[] entry = image.runEntries();
        final int[] regCounts = image.regCounts();
        final int maxDepth = c.maxDepth;
        // set when the run starts (Run), never while this loop runs
        final boolean traceCalls = c.traceCalls;
        int regs = regCounts[c.func];
        long[] w = c.w;
        Object[] r = c.r;
        int base = c.base;
        int ip = image.entry(c.func) + c.ip;
        int depth = c.depth;
        int[] frames = c.frames;
        try {
            while (true) {
                // the word instructions, call and ret, in a loop of their own: calls out only on cold
                // paths, so C2 allocates the registers of this loop for them alone (see
                // docs/PERFORMANCE-LOG.md, "Interpreter, fifth round" and "Interpreter, sixth round")
                words:
                while (true) {
                    if (budget == 0) {
                        save(c, image, ip, base, depth, start - budget);
                        return OUT_OF_FUEL;
                    }
                    budget--;
                    switch (code[ip]) {
                        // BEGIN GENERATED: word cases (OpcodeGenerator)
                        case Op.NOP -> ip += 1;
                        case LOp.MOV_W -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]];
                            ip += 3;
                        }
                        case LOp.CONST_W -> {
                            w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                            ip += 4;
                        }
                        case Op.I64_ADD, Op.U64_ADD -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_SUB, Op.U64_SUB -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] - w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_MUL, Op.U64_MUL -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] * w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] & w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] | w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] ^ w[base + code[ip + 3]];
                            ip += 4;
                        }
                        case Op.I64_SHL, Op.U64_SHL -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] << (int) (w[base + code[ip + 3]] & 63);
                            ip += 4;
                        }
                        case Op.I64_SHR -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] >> (int) (w[base + code[ip + 3]] & 63);
                            ip += 4;
                        }
                        case Op.U64_SHR -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] >>> (int) (w[base + code[ip + 3]] & 63);
                            ip += 4;
                        }
                        case Op.I64_EQ, Op.U64_EQ -> {
                            long ex = w[base + code[ip + 2]] ^ w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = ((ex | -ex) >>> 63) ^ 1;
                            ip += 4;
                        }
                        case Op.I64_LT -> {
                            long lx = w[base + code[ip + 2]];
                            long ly = w[base + code[ip + 3]];
                            long ls = lx - ly;
                            w[base + code[ip + 1]] = (ls ^ ((lx ^ ly) & (ls ^ lx))) >>> 63;
                            ip += 4;
                        }
                        case Op.I64_GT -> {
                            long gx = w[base + code[ip + 2]];
                            long gy = w[base + code[ip + 3]];
                            long gs = gy - gx;
                            w[base + code[ip + 1]] = (gs ^ ((gy ^ gx) & (gs ^ gy))) >>> 63;
                            ip += 4;
                        }
                        case Op.I64_LE -> {
                            long lx = w[base + code[ip + 2]];
                            long ly = w[base + code[ip + 3]];
                            long ls = ly - lx;
                            w[base + code[ip + 1]] = ((ls ^ ((ly ^ lx) & (ls ^ ly))) >>> 63) ^ 1;
                            ip += 4;
                        }
                        case Op.I64_GE -> {
                            long gx = w[base + code[ip + 2]];
                            long gy = w[base + code[ip + 3]];
                            long gs = gx - gy;
                            w[base + code[ip + 1]] = ((gs ^ ((gx ^ gy) & (gs ^ gx))) >>> 63) ^ 1;
                            ip += 4;
                        }
                        case Op.U64_LT -> {
                            w[base + code[ip + 1]] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) < 0
                                    ? 1 : 0;
                            ip += 4;
                        }
                        case Op.BOOL_NOT -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] ^ 1;
                            ip += 3;
                        }
                        case Op.F64_ADD -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 4)) {
                                break words; // paid for: a FloatRun
                            }
                            w[base + code[ip + 1]] = Numerics.add(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            ip += 4;
                        }
                        case Op.F64_SUB -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 4)) {
                                break words; // paid for: a FloatRun
                            }
                            w[base + code[ip + 1]] = Numerics.sub(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            ip += 4;
                        }
                        case Op.F64_MUL -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 4)) {
                                break words; // paid for: a FloatRun
                            }
                            w[base + code[ip + 1]] = Numerics.mul(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            ip += 4;
                        }
                        case Op.F64_DIV -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 4)) {
                                break words; // paid for: a FloatRun
                            }
                            w[base + code[ip + 1]] = Numerics.div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            ip += 4;
                        }
                        case Op.F64_LT -> {
                            w[base + code[ip + 1]] = Double.longBitsToDouble(w[base + code[ip + 2]])
                                    < Double.longBitsToDouble(w[base + code[ip + 3]]) ? 1 : 0;
                            ip += 4;
                        }
                        case Op.I64_TO_F64 -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 3)) {
                                break words; // paid for: a FloatRun
                            }
                            w[base + code[ip + 1]] = Double.doubleToRawLongBits((double) w[base + code[ip + 2]]);
                            ip += 3;
                        }
                        case Op.BR -> ip = w[base + code[ip + 1]] != 0 ? code[ip + 2] : code[ip + 3];
                        case Op.JMP -> ip = code[ip + 1];
                        // END GENERATED
                        // fused compare-and-branch: [cmp, dst, a, b][BR, dst, T, F]; see LOp.I64_LT_BR
                        // BEGIN GENERATED: word cases (OpcodeGenerator)
                        case LOp.I64_LT_BR -> {
                            boolean t = w[base + code[ip + 2]] < w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.I64_LE_BR -> {
                            boolean t = w[base + code[ip + 2]] <= w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.I64_GT_BR -> {
                            boolean t = w[base + code[ip + 2]] > w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.I64_GE_BR -> {
                            boolean t = w[base + code[ip + 2]] >= w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.I64_EQ_BR -> {
                            boolean t = w[base + code[ip + 2]] == w[base + code[ip + 3]];
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.U64_LT_BR -> {
                            boolean t = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) < 0;
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        case LOp.F64_LT_BR -> {
                            boolean t = Double.longBitsToDouble(w[base + code[ip + 2]])
                                    < Double.longBitsToDouble(w[base + code[ip + 3]]);
                            w[base + code[ip + 1]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                ip = code[t ? ip + 6 : ip + 7];
                            }
                        }
                        // END GENERATED
                        // superinstructions: the first half, then each further half only when the budget
                        // holds its unit (else the next turn runs it, or pauses there); see LOp.I64_ADD_LT_BR
                        // BEGIN GENERATED: word cases (OpcodeGenerator)
                        case LOp.I64_ADD_LT_BR -> {
                            // [I64_ADD, d, a, b][I64_LT_BR, c, x, y][BR, c, T, F]
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                                w[base + code[ip + 5]] = t ? 1 : 0;
                                if (budget == 0) {
                                    ip += 8;
                                } else {
                                    budget--;
                                    ip = code[t ? ip + 10 : ip + 11];
                                }
                            }
                        }
                        // END GENERATED
                        case LOp.I64_ADD_LT_BR_RUN -> {
                            // as I64_ADD_LT_BR; its true target is a loop head starting a run (chosen when
                            // lowering: LOp.loopHead), which it pays for and hands, taken with budget
                            // left, to the outer switch: a WordRun or a FloatRun
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                                w[base + code[ip + 5]] = t ? 1 : 0;
                                if (budget == 0) {
                                    ip += 8;
                                } else {
                                    budget--;
                                    if (t && budget != 0) {
                                        budget--;
                                        ip = code[ip + 10];
                                        break words; // paid for: a WordRun or a FloatRun
                                    }
                                    ip = code[t ? ip + 10 : ip + 11];
                                }
                            }
                        }
                        // BEGIN GENERATED: word cases (OpcodeGenerator)
                        case LOp.CONST_ADD -> {
                            // [CONST_W, d, lo, hi][I64_ADD, d, a, b]
                            w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                w[base + code[ip + 5]] = w[base + code[ip + 6]] + w[base + code[ip + 7]];
                                ip += 8;
                            }
                        }
                        case LOp.CONST_SUB -> {
                            // [CONST_W, d, lo, hi][I64_SUB, d, a, b]
                            w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                w[base + code[ip + 5]] = w[base + code[ip + 6]] - w[base + code[ip + 7]];
                                ip += 8;
                            }
                        }
                        case LOp.CONST_LT_BR -> {
                            // [CONST_W, d, lo, hi][I64_LT_BR, c, x, y][BR, c, T, F]
                            w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                                w[base + code[ip + 5]] = t ? 1 : 0;
                                if (budget == 0) {
                                    ip += 8;
                                } else {
                                    budget--;
                                    ip = code[t ? ip + 10 : ip + 11];
                                }
                            }
                        }
                        case LOp.F64_MUL_ADD -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 8)) {
                                break words; // paid for: a FloatRun
                            }
                            // [F64_MUL, d, a, b][F64_ADD, d, a, b]
                            w[base + code[ip + 1]] = Numerics.mul(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                w[base + code[ip + 5]] = Numerics.add(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                                ip += 8;
                            }
                        }
                        case LOp.I64_TO_F64_MUL_ADD -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 11)) {
                                break words; // paid for: a FloatRun
                            }
                            // [I64_TO_F64, d, a][F64_MUL_ADD, d, a, b][F64_ADD, d, a, b]
                            w[base + code[ip + 1]] = Double.doubleToRawLongBits((double) w[base + code[ip + 2]]);
                            if (budget == 0) {
                                ip += 3;
                            } else {
                                budget--;
                                w[base + code[ip + 4]] = Numerics.mul(w[base + code[ip + 5]], w[base + code[ip + 6]]);
                                if (budget == 0) {
                                    ip += 7;
                                } else {
                                    budget--;
                                    w[base + code[ip + 8]] = Numerics.add(w[base + code[ip + 9]], w[base + code[ip + 10]]);
                                    ip += 11;
                                }
                            }
                        }
                        case LOp.F64_SUB_ADD -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 8)) {
                                break words; // paid for: a FloatRun
                            }
                            // [F64_SUB, d, a, b][F64_ADD, d, a, b]
                            w[base + code[ip + 1]] = Numerics.sub(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                w[base + code[ip + 5]] = Numerics.add(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                                ip += 8;
                            }
                        }
                        case LOp.F64_DIV_SUB_ADD -> {
                            if (budget != 0 && LOp.floatRun(code, ip + 12)) {
                                break words; // paid for: a FloatRun
                            }
                            // [F64_DIV, d, a, b][F64_SUB_ADD, d, a, b][F64_ADD, d, a, b]
                            w[base + code[ip + 1]] = Numerics.div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                            if (budget == 0) {
                                ip += 4;
                            } else {
                                budget--;
                                w[base + code[ip + 5]] = Numerics.sub(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                                if (budget == 0) {
                                    ip += 8;
                                } else {
                                    budget--;
                                    w[base + code[ip + 9]] = Numerics.add(w[base + code[ip + 10]], w[base + code[ip + 11]]);
                                    ip += 12;
                                }
                            }
                        }
                        // END GENERATED
                        case LOp.SELECT_W -> {
                            w[base + code[ip + 1]] = w[base + code[ip + 2]] != 0 ? w[base + code[ip + 3]] : w[base + code[ip + 4]];
                            ip += 5;
                        }
                        // BEGIN GENERATED: word cases (OpcodeGenerator)
                        case Op.CALL -> {
                            int at = entry[code[ip + 1]];
                            if (CodeImage.isHot(at)) {
                                if (c.hotGrow) {
                                    // CallLoop stopped at this call, unpaid, for room to grow: the call is made here
                                    c.hotGrow = false;
                                } else if (!traceCalls) {
                                    // the call and what follows it in a small loop of its own (CallLoop)
                                    // a throw: where it stood (noted in the context: execute's handler), or none
                                    // noted (it threw before its own handler): at this call, paid for
                                    if (at < 0) {
                                        // a small leaf's: a loop around leaf calls, compiled apart from CallLoop's recursions
                                        LeafLoop.run(vm, c, ip, base, depth, regs, budget + 1);
                                    } else {
                                        CallLoop.run(vm, c, ip, base, depth, regs, budget + 1);
                                    }
                                    ip = c.hotIp;
                                    base = c.hotBase;
                                    depth = c.hotDepth;
                                    regs = c.hotRegs;
                                    budget = c.hotBudget;
                                    c.hotIp = -1;
                                    w = c.w;
                                    r = c.r;
                                    frames = c.frames;
                                    if (c.hotGrow && !CodeImage.isHot(entry[code[ip + 1]])) {
                                        // stopped for room at a call whose callee is not CallLoop's: made below as any
                                        // call, which never reads the flag (left set, it would keep the next CallLoop call here)
                                        c.hotGrow = false;
                                    }
                                    continue;
                                }
                                at ^= CodeImage.HOT;
                            }
                            // [CALL, callee, argc, args..., retc, rets...]: the direct call, without the indirect call's
                            // checks (the callee and the first argument are known); traced in execute only
                            if (depth >= maxDepth) {
                                throw Calls.depthTrap(depth, maxDepth);
                            }
                            int nb = base + regs;
                            int callee = code[ip + 1];
                            int calleeRegs = regCounts[callee];
                            int need = nb + calleeRegs;
                            if (need + (long) ExecutionContext.FRAME_REGISTERS * depth > c.regHigh) {
                                c.ensureRegisters(need, depth);
                                w = c.w;
                                r = c.r;
                            }
                            int argc = code[ip + 2];
                            int retAt = ip + 3 + argc;
                            int moved = argc + code[retAt];
                            if (moved > ExecutionContext.FREE_VALUES) {
                                c.copied(moved, ExecutionContext.CALL_VALUE_UNITS);
                            }
                            // the arguments, one and two without a loop (a loop that runs once costs C2's set-up);
                            // written out here, not a helper: see the note at Calls.copyOne
                            if (argc > 0) {
                                Calls.copyOne(w, r, code[ip + 3], base, nb + 1);
                                if (argc > 1) {
                                    Calls.copyOne(w, r, code[ip + 4], base, nb + 2);
                                    for (int i = 2; i < argc; i++) {
                                        Calls.copyOne(w, r, code[ip + 3 + i], base, nb + 1 + i);
                                    }
                                }
                            }
                            int fp = (depth - 1) * ExecutionContext.FRAME;
                            if (fp + ExecutionContext.FRAME > frames.length) {
                                frames = c.growFrames();
                            }
                            if (at < 0 && budget >= image.leafLength(callee) && !traceCalls) {
                                // a small leaf with its every instruction paid for: body and ret
                                // here, no frame record (Calls.leaf)
                                budget -= image.leafLength(callee);
                                Calls.leaf(code, w, ~at, nb, base, retAt);
                                ip = retAt + 1 + code[retAt];
                            } else {
                                frames[fp] = regs;
                                frames[fp + 1] = base;
                                frames[fp + 2] = ip;
                                frames[fp + 3] = retAt;
                                ++depth;
                                regs = calleeRegs;
                                base = nb;
                                ip = at ^ (at >> 31); // -1 - at for a leaf: ~at
                                if (traceCalls) {
                                    c.sink.callEnter(callee, depth);
                                }
                            }
                        }
                        case Op.RET -> {
                            if (traceCalls) {
                                c.sink.callExit(image.funcAt(ip), depth);
                            }
                            if (depth == 1) {
                                save(c, image, ip, base, depth, start - budget);
                                return DONE;
                            }
                            int fp = (depth - 2) * ExecutionContext.FRAME;
                            int callerBase = frames[fp + 1];
                            int pos = frames[fp + 3];
                            int n = code[ip + 1];
                            // the results, written out here, not a helper: see the note at Calls.copyOne
                            if (n > 0) {
                                Calls.copyOne(w, r, code[ip + 2], base, callerBase + code[pos + 1]);
                                for (int i = 1; i < n; i++) {
                                    Calls.copyOne(w, r, code[ip + 2 + i], base, callerBase + code[pos + 1 + i]);
                                }
                            }
                            --depth;
                            regs = frames[fp];
                            base = callerBase;
                            ip = pos + 1 + n;
                        }
                        // END GENERATED
                        default -> {
                            // paid for: the switch below runs it
                            break words;
                        }
                    }
                }
                // an instruction of this switch followed by another one it handles itself (CHAINS)
                // runs here too, without the inner loop's switch in between
                chain:
                while (true) {
                switch (code[ip]) {
                    case LOp.MOV_R -> {
                        int from = base + code[ip + 2];
                        r[base + code[ip + 1]] = DecScale.take(r, w, from);
                        ip += 3;
                    }
                    case LOp.CONST_R -> {
                        Object v = image.refs()[code[ip + 2]];
                        if (v instanceof Value.Decimal d) {
                            // a decimal constant is written unboxed (DecScale), as a decimal
                            // instruction's result: a loop's dec.add/dec.mul then read its token and
                            // word (one type test, the same token as an operand of its scale), not
                            // the box's two fields after two type tests every trip (dec_loop's price
                            // and fee: 16 % of its CPU time, dec29)
                            DecScale.put(c, w, r, base + code[ip + 1], d.mantissa(), d.scale());
                        } else {
                            r[base + code[ip + 1]] = v;
                        }
                        ip += 3;
                    }
                    case LOp.SELECT_R -> {
                        int from = base + code[ip + (w[base + code[ip + 2]] != 0 ? 3 : 4)];
                        r[base + code[ip + 1]] = DecScale.take(r, w, from);
                        ip += 5;
                    }
                    // BEGIN GENERATED: word cases (OpcodeGenerator)
                    case LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> {
                        // [op, callSig, reg, argc, args..., retc, rets...]: check the callee against
                        // the call signature; a closure's environment goes first
                        if (depth >= maxDepth) {
                            throw Calls.depthTrap(depth, maxDepth);
                        }
                        int nb = base + regs;
                        int callee = Calls.indirectCallee(vm, c, code, ip, base);
                        int argsAt = ip + 3;
                        int to = nb + (code[ip] == LOp.CALL_INDIRECT_CLOSURE ? 2 : 1);
                        int calleeRegs = regCounts[callee];
                        int need = nb + calleeRegs;
                        // past the high-water mark (registers plus each pending call's frame record):
                        // the register limit, growth and the mark itself
                        if (need + (long) ExecutionContext.FRAME_REGISTERS * depth > c.regHigh) {
                            c.ensureRegisters(need, depth);
                            w = c.w;
                            r = c.r;
                        }
                        int argc = code[argsAt];
                        // arguments and results beyond the free ones count against the copy budget
                        int moved = argc + code[argsAt + 1 + argc];
                        if (moved > ExecutionContext.FREE_VALUES) {
                            c.copied(moved, ExecutionContext.CALL_VALUE_UNITS);
                        }
                        if (to == nb + 2) {
                            r[nb + 1] = ((Value.Closure) r[base + code[ip + 2]]).env();
                        }
                        // Calls.copy written out, as for the direct call: see the note at Calls.copyOne
                        for (int i = 0; i < argc; i++) {
                            Calls.copyOne(w, r, code[argsAt + 1 + i], base, to + i);
                        }
                        int fp = (depth - 1) * ExecutionContext.FRAME;
                        if (fp + ExecutionContext.FRAME > frames.length) {
                            frames = c.growFrames();
                        }
                        frames[fp] = regs;
                        frames[fp + 1] = base;
                        frames[fp + 2] = ip;
                        frames[fp + 3] = argsAt + 1 + argc;
                        ++depth;
                        regs = calleeRegs;
                        base = nb;
                        int at = entry[callee];
                        // marked or not (CodeImage.runEntries, CodeImage.isHot: bit 30 flipped for a LeafLoop or CallLoop callee), the entry
                        ip = (at ^ (at >> 31)) & (CodeImage.HOT - 1);
                        if (traceCalls) {
                            c.sink.callEnter(callee, depth);
                        } else if (budget != 0 && ClosureLoop.takes(code[ip])) {
                            // the callee's body, and what follows the call, in a loop of its own (ClosureLoop)
                            // a throw: where it stood, the trapping instruction paid for (execute's handler), or
                            // none noted (it threw before its own handler): at the callee's entry, unpaid
                            ClosureLoop.run(vm, c, ip, base, depth, regs, budget);
                            ip = c.hotIp;
                            base = c.hotBase;
                            depth = c.hotDepth;
                            regs = c.hotRegs;
                            budget = c.hotBudget;
                            c.hotIp = -1;
                        }
                    }
                    // END GENERATED
                    case Op.HOST_CALL -> {
                        // a one-to-three-word function, neither traced nor recorded: one small call
                        // (WordCalls.quick); else every case through Calls.host (docs/PERFORMANCE-LOG.md,
                        // "Host calls in the general mode")
                        int next = WordCalls.quick(vm, c, code, ip, base, w);
                        if (next >= 0) {
                            ip = next;
                            if (budget != 0 && LOp.wordRunTakes(code[ip]) && !c.pauseRequested) {
                                // the word instruction after it, paid for, and what follows in a loop
                                // of their own (HostRun), with the next quick host calls
                                budget--;
                                long p = HostRun.run(vm, c, w, code, ip, base, budget);
                                ip = (int) (p >>> 32);
                                budget -= (int) p;
                            }
                        } else {
                            long extra = Calls.host(vm, c, code, ip, base, c.fuel - (start - budget) - c.extraUnapplied);
                            if (extra != 0) {
                                long charge = Math.min(extra, budget);
                                budget -= charge;
                                c.defer(extra - charge);
                            }
                            w = c.w;
                            r = c.r;
                            int argc = code[ip + 2];
                            ip += 4 + argc + code[ip + 3 + argc];
                        }
                        if (c.pauseRequested) {
                            // an interrupt or deadline that came during the host function: pause
                            // right after it (the driver sees the request)
                            save(c, image, ip, base, depth, start - budget);
                            return OUT_OF_FUEL;
                        }
                    }
                    case LOp.TUPLE_NEW_W -> {
                        // tuples of words and the word instructions after them in a loop of their own
                        // (TupleRun), as decimals in DecimalRun below; one the run would leave at once
                        // runs here
                        int n = code[ip + 3];
                        if (budget == 0 || !TUPLE_TAKES[code[ip + 4 + n] & 0xFF]) {
                            r[base + code[ip + 1]] = Ops.tupleOfWords(c, image.tags()[code[ip + 2]], w, code, ip + 4, n,
                                    base);
                            ip += 4 + n;
                        } else {
                            long p = TupleRun.run(c, image.tags(), w, r, code, ip, base, budget);
                            ip = (int) (p >>> 32);
                            budget -= (int) p;
                        }
                    }
                    // BEGIN GENERATED: word cases (OpcodeGenerator)
                    case LOp.TUPLE_GET_W -> {
                        Object o = r[base + code[ip + 2]];
                        int i = code[ip + 3];
                        if (o instanceof Aggregate a && a.aggKind() == Aggregate.Kind.TUPLE && i < a.size()
                                && a.tag(i) == code[ip + 4]) {
                            w[base + code[ip + 1]] = a.word(i);
                        } else {
                            Ops.project(c, code, ip, base, Aggregate.Kind.TUPLE, i & 0xFFFFFFFFL, true);
                        }
                        ip += 5;
                    }
                    // END GENERATED
                    case LOp.ARRAY_GET_W -> {
                        // an array's word element and the word instructions after it in a loop of their
                        // own (ArrayRun), as tuples in TupleRun above: an indexed loop over an array
                        // stays there instead of leaving the inner loop at every element; one the run
                        // would leave at once runs through Ops.slow
                        if (budget == 0 || !ARRAY_TAKES[code[ip + 5] & 0xFF]) {
                            ip = Ops.slow(vm, c, code, ip, base);
                        } else {
                            long p = ArrayRun.run(c, w, r, code, ip, base, budget);
                            ip = (int) (p >>> 32);
                            budget -= (int) p;
                        }
                    }
                    case Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV, Op.I64_TO_F64, LOp.F64_MUL_ADD, LOp.F64_SUB_ADD,
                        LOp.I64_TO_F64_MUL_ADD, Op.F64_LT, LOp.MOV_W, LOp.CONST_W, Op.I64_ADD, Op.U64_ADD, Op.I64_SUB,
                        Op.U64_SUB, Op.I64_MUL, Op.U64_MUL, LOp.CONST_ADD, LOp.F64_DIV_SUB_ADD -> {
                        // only from the inner loop, which runs these ops itself, paid for: an f64
                        // instruction whose next one FloatRun takes (LOp.floatRun), or a loop head an
                        // I64_ADD_LT_BR_RUN hands over (LOp.loopHead; never a branch): a word head to a
                        // WordRun, the others to a FloatRun
                        long p = LOp.wordRunTakes(code[ip]) ? WordRun.run(c, w, code, ip, base, budget)
                                : FloatRun.run(c, w, code, ip, base, budget);
                        ip = (int) (p >>> 32);
                        budget -= (int) p;
                    }
                    case Op.DEC_ADD, Op.DEC_SUB, Op.DEC_MUL, Op.I64_TO_DEC -> {
                        // decimals, unboxed (DecScale), and the word instructions after them in a loop of
                        // their own (DecimalRun): a trap there leaves its position in the context. One
                        // the run would leave at once runs here, as before DecimalRun: a call for each
                        // one cost 12 to 30% more CPU time in loops of decimal instructions each
                        // followed by i64.xor, constant + i64.sub or a reference mov
                        if (budget == 0 || !RUN_TAKES[code[ip + 4] & 0xFF]) {
                            int x = base + code[ip + 2];
                            int op = code[ip];
                            if (op == Op.I64_TO_DEC) {
                                int s = code[ip + 3];
                                DecScale.put(c, w, r, base + code[ip + 1], Numerics.i64ToDecMantissa(w[x], s), s);
                            } else {
                                int y = base + code[ip + 3];
                                Object xo = r[x];
                                Object yo = r[y];
                                int s = DecScale.scale(xo);
                                if (op == Op.DEC_MUL) {
                                    int t = DecScale.scale(yo);
                                    DecScale.put(c, w, r, base + code[ip + 1], Numerics.decMul(DecScale.mantissa(xo, w[x]),
                                            s, DecScale.mantissa(yo, w[y]), t), s + t);
                                } else {
                                    DecScale.put(c, w, r, base + code[ip + 1], Numerics.decAdd(DecScale.mantissa(xo, w[x]),
                                            s, DecScale.mantissa(yo, w[y]), DecScale.scale(yo), op == Op.DEC_SUB), s);
                                }
                            }
                            ip += 4;
                        } else {
                            long p = DecimalRun.run(c, w, r, code, ip, base, budget);
                            ip = (int) (p >>> 32);
                            budget -= (int) p;
                        }
                    }
                    case Op.TRAP -> throw new VmTrap(TrapKind.TRAP_CODE, code[ip + 1] & 0xFFFFFFFFL,
                            "trap instruction", null, 0);
                    default -> ip = Ops.slow(vm, c, code, ip, base);
                }
                if (budget == 0 || !CHAINS[code[ip] & 0xFF]) {
                    break chain;
                }
                budget--;
                }
            }
        } catch (RuntimeException | Error e) {
            // one handler for the loop and each loop it hands to (no handler around a hand-off:
            // fewer bytes in this method). A loop that threw noted where it stood: a run
            // (DecimalRun, FloatRun, WordRun, TupleRun, ArrayRun, HostRun) in runIp with the units it
            // took, a call loop (CallLoop, LeafLoop, ClosureLoop) in hotIp with its base, depth and
            // budget (never both: those start no run); none noted (a throw of this loop, or of a loop
            // before its own handler): where ip stands (an instruction of this loop, or a call
            // loop's call, paid for; ClosureLoop's callee entry, unpaid: see its hand-off)
            if (c.runIp >= 0) {
                ip = c.runIp;
                budget -= c.runUsed;
                c.runIp = -1;
            } else if (c.hotIp >= 0) {
                ip = c.hotIp;
                base = c.hotBase;
                depth = c.hotDepth;
                budget = c.hotBudget;
                c.hotIp = -1;
            }
            if (e instanceof StackOverflowError) {
                // the driver's own rule for it (the state is the last one saved)
                throw e;
            }
            if (e instanceof OutOfMemoryError || e == ExecutionContext.outOfMemory()) {
                // an allocation of the instruction at ip failed (the JVM's, or one turned into its
                // trap where it failed): it traps there, as any trap does
                return outOfMemory(c, image, ip, base, depth, start - budget);
            }
            if (e instanceof VmTrap t) {
                c.trap = t;
                save(c, image, ip, base, depth, start - budget);
                return TRAPPED;
            }
            // not a trap of the program (a failing trace sink, an embedder's Error, or a bug): leave
            // the state where it happened so the driver reports it there
            save(c, image, ip, base, depth, start - budget);
            throw e;
        }
    }

    /**
     * The trap of an instruction whose allocation the JVM could not make: {@code heap_limit_exceeded}
     * at that instruction, with the fuel it used, as any other trap.
     */
    private static int outOfMemory(ExecutionContext c, CodeImage image, int ip, int base, int depth, long used) {
        c.trap = ExecutionContext.outOfMemory();
        // this trap drops the registers anyway (Vm#trap): dropped here, the unboxed decimals need no
        // boxing, which would allocate on a heap that may have no room left (its OutOfMemoryError
        // left the loop before its state was saved: the trap was reported at the run's start)
        c.dropRegisters();
        save(c, image, ip, base, depth, used);
        return TRAPPED;
    }

    /** Writes the loop's state back: the function and its own code index for the global ip. */
    private static void save(ExecutionContext c, CodeImage image, int ip, int base, int depth, long used) {
        int f = image.funcAt(ip);
        c.func = f;
        c.ip = ip - image.entry(f);
        c.base = base;
        c.depth = depth;
        c.consume(used);
        // no reader outside the loop sees an unboxed decimal (DecScale); last, as it allocates: an
        // OutOfMemoryError here leaves the state saved, and the drivers trap there
        c.boxDecimals();
    }
}
