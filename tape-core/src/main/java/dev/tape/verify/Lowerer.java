package dev.tape.verify;

import dev.tape.format.DecodedCode;
import dev.tape.format.Opcode;
import dev.tape.program.AggShape;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueInternals;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lowers a type-checked function to its execution form ({@link LoweredFunction}). Every
 * instruction is lowered, reachable or not, and must first fit the fixed classes of its registers
 * ({@link RegClassCheck}), as in the reference's lowering step.
 */
final class Lowerer {
    /** No-copy wrapping of the constant pool's bytes (immutable like the program). */
    private static final ValueInternals VALUES = ValueInternals.get(MethodHandles.lookup());

    static final int UNIT = 0;
    static final int WORD = 1;
    static final int REF = 2;

    private final Program program;
    private final int func;
    private final ControlFlow cfg;
    /** the function's decoded instructions ({@link ControlFlow#dc}) */
    private final DecodedCode dc;
    private final ValueType[] regTypes;
    private final Buffers buffers;
    /** the code being lowered: {@link Buffers#out}, grown as needed */
    private int[] out;
    private int len;
    /** reference constants and tag lists, made on the first (most functions have none) */
    private List<Object> refs;
    private List<byte[]> tags;
    /** branch targets: code positions ({@link Buffers#fixAt}) and the instruction index each names */
    private int fixups;
    /** code positions holding an index into {@link #refs} or {@link #tags}, for {@link dev.tape.verify.internal.CodeImage} */
    private int[] refSlots = NONE;
    private int nRefSlots;
    private int[] tagSlots = NONE;
    private int nTagSlots;

    private static final int[] NONE = new int[0];
    private static final Object[] NO_REFS = new Object[0];
    private static final byte[][] NO_TAGS = new byte[0][];

    /**
     * Scratch arrays one verification reuses for every function it lowers, so that lowering
     * allocates only what the lowered function keeps. Each grows to the largest function's needs
     * (bounded by its bytecode length, which the analysis budget bounds). Not thread-safe: one per
     * {@code Verifier.check} call.
     */
    static final class Buffers {
        int[] out = new int[256];
        int[] startOf = new int[64];
        /** {@code ControlFlow#indexAtPc} of the function being verified */
        int[] indexAtPc = new int[256];
        int[] fixAt = new int[16];
        int[] fixTo = new int[16];
        /** {@code ControlFlow#blockOf}, whether each instruction starts a block, and 3 ints per instruction */
        int[] blockOf = NONE;
        boolean[] isStart = new boolean[0];
        int[] scratch = NONE;
        /** the type checker's block in-states (reachable blocks x registers) and block numbering */
        int[] blockStates = NONE;
        int[] regState = NONE;
        /** the type checker's fixed register types (its regCount long) and tuple element types */
        ValueType[] fixedTypes = new ValueType[0];
        ValueType[] elemTypes = new ValueType[0];
        AggShape[] regMeta = new AggShape[0];
        AggShape[] blockMeta = new AggShape[0];
        int[] blockSlot = NONE;
        boolean[] blockHas = new boolean[0];
        /**
         * {@link MustInit}'s bit sets: in-state and written registers of each reachable block
         * (reachable blocks x words), whether each block's in-state is set, one block's out-state
         * and the checked state (words); grown to the largest function's need, at most twice it
         */
        long[] initIn = new long[0];
        long[] initWrites = new long[0];
        boolean[] initSet = new boolean[0];
        long[] initOut = new long[0];
        long[] initState = new long[0];
        /**
         * the register-type arrays kept so far, by content: functions with equal ones share one
         * (ordered keys: distinct arrays of one hash code cost a logarithm each, see {@link TypesKey})
         */
        final java.util.Map<TypesKey, ValueType[]> regTypeSets = new java.util.HashMap<>();
        /** the function being verified, decoded (refilled per function) */
        final DecodedCode decoded = new DecodedCode();
    }

    Lowerer(Program program, int func, ControlFlow cfg, ValueType[] regTypes, Buffers buffers) {
        this.program = program;
        this.func = func;
        this.cfg = cfg;
        this.dc = cfg.dc;
        // one array for all functions whose registers have the same types (many small ones do)
        // (regTypes may be the type checker's scratch array: what is kept is a copy)
        ValueType[] kept = buffers.regTypeSets.get(new TypesKey(Arrays.asList(regTypes), List.of()));
        if (kept == null) {
            kept = regTypes.clone();
            buffers.regTypeSets.put(new TypesKey(Arrays.asList(kept), List.of()), kept);
        }
        this.regTypes = kept;
        this.buffers = buffers;
        this.out = buffers.out;
    }

    static int classOf(ValueType t) {
        return switch (t.kind()) {
            case UNIT -> UNIT;
            case BOOL, I64, U64, F64, FUNC -> WORD;
            default -> REF;
        };
    }

    private int cls(int r) {
        return classOf(regTypes[r]);
    }

    private void emit(int v) {
        if (len == out.length) {
            out = Arrays.copyOf(out, len * 2);
            buffers.out = out;
        }
        out[len++] = v;
    }

    private static int[] grow(int[] a, int n) {
        return n < a.length ? a : Arrays.copyOf(a, Math.max(n + 1, a.length * 2));
    }

    private static int clampU32(long v) {
        return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
    }

    private int ref(Object o) {
        if (refs == null) {
            refs = new ArrayList<>();
        }
        refs.add(o);
        return refs.size() - 1;
    }

    private int tagsOf(int[] regs) {
        byte[] t = new byte[regs.length];
        for (int i = 0; i < regs.length; i++) {
            t[i] = (byte) regTypes[regs[i]].kind().tag();
        }
        if (tags == null) {
            tags = new ArrayList<>();
        }
        tags.add(t);
        return tags.size() - 1;
    }

    private void list(int[] regs) {
        emit(regs.length);
        for (int r : regs) {
            emit(r);
        }
    }

    /** Register-list operand {@code i} as [n, regs...], without copying it. */
    private void list(int ins, int i) {
        int n = (int) dc.value(ins, i);
        emit(n);
        for (int k = 0; k < n; k++) {
            emit(dc.listReg(ins, i, k));
        }
    }

    LoweredFunction lower() throws VerifyException {
        int n = dc.count();
        if (n == 0) {
            return noCode();
        }
        buffers.startOf = grow(buffers.startOf, n);
        int[] startOf = buffers.startOf;
        for (int i = 0; i < n; i++) {
            int ins = i;
            startOf[i] = len;
            lowerOne(ins);
            if (i + 1 < n && cfg.blockOf[i] == cfg.blockOf[i + 1]) {
                fuse(ins, i + 1, startOf[i]);
            }
            if (i > 0 && cfg.blockOf[i - 1] == cfg.blockOf[i]) {
                pair(i - 1, i, startOf[i - 1], startOf[i]);
            }
        }
        for (int i = 0; i < fixups; i++) {
            out[buffers.fixAt[i]] = startOf[buffers.fixTo[i]];
        }
        for (int i = 0; i < n; i++) {
            latch(startOf[i]);
        }
        int[] code = Arrays.copyOf(out, len);
        Function fn = program.functions().get(func);
        // regTypes is a copy of the type checker's, or an equal one another function of the
        // program keeps (never modified)
        // most functions have no reference constants or tag lists: they share empty arrays
        return new LoweredFunction(func, code, startOf, n, fn, refs == null ? NO_REFS : refs.toArray(),
                tags == null ? NO_TAGS : tags.toArray(NO_TAGS), regTypes,
                buffers.fixAt, fixups, refSlots, nRefSlots, tagSlots, nTagSlots);
    }

    /**
     * The execution form of an empty body: one synthetic instruction at pc 0 that traps when run
     * ({@link LOp#NO_CODE}); traces show it as a {@code trap}. The function still counts 0
     * instructions.
     */
    private LoweredFunction noCode() {
        Function fn = program.functions().get(func);
        return new LoweredFunction(func, new int[] {LOp.NO_CODE, 0}, new int[] {0}, 1, fn, NO_REFS, NO_TAGS,
                regTypes, NONE, 0, NONE, 0, NONE, 0);
    }

    /**
     * Turns a compare at {@code at} into a fused compare-and-branch when the next instruction, in
     * the same block, is a br on the compare's result (see {@link LOp#I64_LT_BR}). The compare's
     * layout [op, dst, a, b] is kept; only its op changes.
     */
    private void fuse(int cmp, int next, int at) {
        if (dc.opcode(next) != Opcode.BR) {
            return;
        }
        int fused = switch (dc.opcode(cmp)) {
            case I64_LT -> LOp.I64_LT_BR;
            case I64_LE -> LOp.I64_LE_BR;
            case I64_GT -> LOp.I64_GT_BR;
            case I64_GE -> LOp.I64_GE_BR;
            case I64_EQ -> LOp.I64_EQ_BR;
            case U64_LT -> LOp.U64_LT_BR;
            case F64_LT -> LOp.F64_LT_BR;
            default -> -1;
        };
        // only a compare whose result is the br's condition fuses (operand 0 of both is that register)
        if (fused >= 0 && dc.reg(next, 0) == dc.reg(cmp, 0) && out[at] == dc.opcode(cmp).toByte()) {
            out[at] = fused;
        }
    }

    /**
     * Turns the first of two instructions of one block into a superinstruction when the pair is
     * one the interpreter runs in one dispatch (see {@link LOp#I64_ADD_LT_BR}): only the first's op
     * changes, from the plain op its layout belongs to. Called once the second is lowered and fused
     * with its own successor, so a second half that is a fused compare-and-branch is seen as one.
     * An {@code f64.mul} + {@code f64.add} pair whose {@code f64.mul} follows an {@code i64.to_f64}
     * of the same block also makes that one the head of a triple ({@link LOp#I64_TO_F64_MUL_ADD}),
     * and an {@code f64.sub} + {@code f64.add} pair whose {@code f64.sub} follows an {@code f64.div}
     * of the same block makes that one the head of a triple ({@link LOp#F64_DIV_SUB_ADD}).
     *
     * @param first the first instruction's index
     * @param second the next instruction's index, in the same block
     * @param at the first's code position
     * @param at2 the second's code position
     */
    private void pair(int first, int second, int at, int at2) {
        int head = out[at];
        int next = out[at2];
        int fused = -1;
        if (head == LOp.CONST_W) {
            if (next == Opcode.I64_ADD.toByte() && dc.opcode(second) == Opcode.I64_ADD) {
                fused = LOp.CONST_ADD;
            } else if (next == Opcode.I64_SUB.toByte() && dc.opcode(second) == Opcode.I64_SUB) {
                fused = LOp.CONST_SUB;
            } else if (next == LOp.I64_LT_BR) {
                fused = LOp.CONST_LT_BR;
            }
        } else if (head == Opcode.I64_ADD.toByte() && dc.opcode(first) == Opcode.I64_ADD) {
            if (next == LOp.I64_LT_BR) {
                fused = LOp.I64_ADD_LT_BR;
            }
        } else if (head == Opcode.F64_MUL.toByte() && dc.opcode(first) == Opcode.F64_MUL) {
            if (next == Opcode.F64_ADD.toByte() && dc.opcode(second) == Opcode.F64_ADD) {
                fused = LOp.F64_MUL_ADD;
            }
        } else if (head == Opcode.F64_SUB.toByte() && dc.opcode(first) == Opcode.F64_SUB) {
            if (next == Opcode.F64_ADD.toByte() && dc.opcode(second) == Opcode.F64_ADD) {
                fused = LOp.F64_SUB_ADD;
            }
        }
        if (fused >= 0) {
            out[at] = fused;
            if (fused == LOp.F64_MUL_ADD && first > 0 && cfg.blockOf[first - 1] == cfg.blockOf[first]) {
                // an i64.to_f64 right before, in the same block, heads the triple
                int at0 = buffers.startOf[first - 1];
                if (out[at0] == Opcode.I64_TO_F64.toByte() && dc.opcode(first - 1) == Opcode.I64_TO_F64) {
                    out[at0] = LOp.I64_TO_F64_MUL_ADD;
                }
            }
            if (fused == LOp.F64_SUB_ADD && first > 0 && cfg.blockOf[first - 1] == cfg.blockOf[first]) {
                // an f64.div right before, in the same block, heads the triple
                int at0 = buffers.startOf[first - 1];
                if (out[at0] == Opcode.F64_DIV.toByte() && dc.opcode(first - 1) == Opcode.F64_DIV) {
                    out[at0] = LOp.F64_DIV_SUB_ADD;
                }
            }
        }
    }

    /**
     * Turns an {@link LOp#I64_ADD_LT_BR} at {@code at} into {@link LOp#I64_ADD_LT_BR_RUN} when its
     * {@code br}'s true target is at or before it and starts a run ({@link LOp#loopHead}): the
     * latch of a counted loop the interpreter hands to a loop of its own. Decided here, once the
     * branch targets are in place, so the interpreter's plain latch checks nothing.
     *
     * @param at an instruction's code position
     */
    private void latch(int at) {
        if (out[at] != LOp.I64_ADD_LT_BR) {
            return;
        }
        // [I64_ADD, d, a, b][I64_LT_BR, c, x, y][BR, c, T, F]
        int to = out[at + 10];
        if (to <= at && LOp.loopHead(out, to, len)) {
            out[at] = LOp.I64_ADD_LT_BR_RUN;
        }
    }

    /** A register list whose entries carry their register class: {@code reg << 2 | class}. */
    private void classedList(int ins, int i) throws VerifyException {
        int n = (int) dc.value(ins, i);
        emit(n);
        for (int k = 0; k < n; k++) {
            int r = dc.listReg(ins, i, k);
            if (r > Integer.MAX_VALUE >> 2) {
                throw new VerifyException("RegOutOfBounds", func, dc.pc(ins), dc.opcode(ins).mnemonic(),
                        "register r" + r + " is too large for the execution form");
            }
            emit(r << 2 | cls(r));
        }
    }

    private void target(long pc) {
        buffers.fixAt = grow(buffers.fixAt, fixups);
        buffers.fixTo = grow(buffers.fixTo, fixups);
        buffers.fixAt[fixups] = len;
        buffers.fixTo[fixups] = cfg.indexAtPc[(int) pc];
        fixups++;
        emit(-1);
    }

    private void tagSlot() {
        tagSlots = grow(tagSlots, nTagSlots);
        tagSlots[nTagSlots++] = len;
    }

    private void lowerOne(int ins) throws VerifyException {
        Opcode op = dc.opcode(ins);
        RegClassCheck.check(program, func, dc, ins, regTypes);
        switch (op) {
            case NOP, CONST_UNIT -> emit(Opcode.NOP.toByte());
            case TRAP -> {
                emit(op.toByte());
                emit((int) dc.value(ins, 0));
            }
            case MOV -> {
                int d = dc.reg(ins, 0);
                int s = dc.reg(ins, 1);
                if (cls(d) == UNIT) {
                    emit(Opcode.NOP.toByte());
                } else {
                    emit(cls(d) == WORD ? LOp.MOV_W : LOp.MOV_R);
                    emit(d);
                    emit(s);
                }
            }
            case SELECT -> {
                int d = dc.reg(ins, 0);
                if (cls(d) == UNIT) {
                    emit(Opcode.NOP.toByte());
                } else {
                    emit(cls(d) == WORD ? LOp.SELECT_W : LOp.SELECT_R);
                    emit(d);
                    emit(dc.reg(ins, 1));
                    emit(dc.reg(ins, 2));
                    emit(dc.reg(ins, 3));
                }
            }
            case CONST_BOOL -> constWord(ins, dc.value(ins, 1) != 0 ? 1 : 0);
            case CONST_I64 -> constWord(ins, dc.value(ins, 1));
            case CONST_U64 -> constWord(ins, dc.value(ins, 1));
            case CONST_F64 -> constWord(ins, dc.value(ins, 1));
            case CONST_FUNC -> constWord(ins, dc.value(ins, 1));
            case CONST_DECIMAL -> constRef(ins, Value.decimal(dc.value(ins, 1), (int) dc.value(ins, 2)));
            case CONST_POOL -> {
                Constant c = program.constants().get((int) dc.value(ins, 1));
                if (c instanceof Constant.Unit) {
                    emit(Opcode.NOP.toByte());
                } else if (c instanceof Constant.Bool b) {
                    constWord(ins, b.value() ? 1 : 0);
                } else if (c instanceof Constant.I64 i) {
                    constWord(ins, i.value());
                } else if (c instanceof Constant.U64 u) {
                    constWord(ins, u.value());
                } else if (c instanceof Constant.F64 f) {
                    constWord(ins, f.bits());
                } else if (c instanceof Constant.Decimal d) {
                    constRef(ins, Value.decimal(d.mantissa(), d.scale()));
                } else if (c instanceof Constant.Bytes b) {
                    constRef(ins, VALUES.adoptBytes(b.value()));
                } else if (c instanceof Constant.Str s) {
                    constRef(ins, Value.str(s.value()));
                }
            }
            case BR -> {
                emit(op.toByte());
                emit(dc.reg(ins, 0));
                target(dc.value(ins, 1));
                target(dc.value(ins, 2));
            }
            case JMP -> {
                emit(op.toByte());
                target(dc.value(ins, 0));
            }
            case CALL -> {
                emit(op.toByte());
                emit((int) dc.value(ins, 1));
                classedList(ins, 3);
                list(ins, 4);
            }
            case HOST_CALL -> {
                emit(op.toByte());
                emit((int) dc.value(ins, 1));
                list(ins, 3);
                list(ins, 4);
            }
            case CALL_INDIRECT -> {
                int callee = dc.reg(ins, 2);
                ValueKind k = regTypes[callee].kind();
                emit(k == ValueKind.FUNC ? LOp.CALL_INDIRECT_FUNC : LOp.CALL_INDIRECT_CLOSURE);
                emit((int) dc.value(ins, 1));
                emit(callee);
                classedList(ins, 4);
                list(ins, 5);
            }
            case RET -> {
                emit(op.toByte());
                classedList(ins, 1);
            }
            case CLOSURE_NEW -> {
                emit(op.toByte());
                emit(dc.reg(ins, 0));
                emit(dc.reg(ins, 1));
                emit(dc.reg(ins, 2));
            }
            case TUPLE_NEW -> {
                int[] vals = dc.list(ins, 1);
                boolean words = true;
                for (int v : vals) {
                    words &= cls(v) == WORD;
                }
                emit(words ? LOp.TUPLE_NEW_W : op.toByte());
                emit(dc.reg(ins, 0));
                tagSlot();
                emit(tagsOf(vals));
                list(vals);
            }
            case STRUCT_NEW, ARRAY_NEW -> {
                emit(op.toByte());
                emit(dc.reg(ins, 0));
                emit((int) dc.value(ins, 1));
                int[] vals = dc.list(ins, 2);
                tagSlot();
                emit(tagsOf(vals));
                list(vals);
            }
            case TUPLE_GET -> project(ins, LOp.TUPLE_GET_W, LOp.TUPLE_GET_R);
            case STRUCT_GET -> project(ins, LOp.STRUCT_GET_W, LOp.STRUCT_GET_R);
            case ARRAY_GET -> project(ins, LOp.ARRAY_GET_W, LOp.ARRAY_GET_R);
            case ARRAY_GET_IMM -> project(ins, LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R);
            case TUPLE_LEN, STRUCT_FIELD_COUNT, ARRAY_LEN -> {
                emit(op.toByte());
                emit(dc.reg(ins, 0));
                emit(dc.reg(ins, 1));
            }
            default -> {
                // the plain ops: the opcode byte, then every operand as it is (registers, immediates)
                emit(op.toByte());
                for (int i = 0; i < op.operands().size(); i++) {
                    emit(clampU32(dc.value(ins, i)));
                }
            }
        }
    }

    private void project(int ins, int wordOp, int refOp) {
        int d = dc.reg(ins, 0);
        emit(cls(d) == WORD ? wordOp : refOp);
        emit(d);
        emit(dc.reg(ins, 1));
        emit(clampU32(dc.value(ins, 2)));
        emit(regTypes[d].kind().tag());
    }

    private void constWord(int ins, long v) {
        int d = dc.reg(ins, 0);
        emit(LOp.CONST_W);
        emit(d);
        emit((int) v);
        emit((int) (v >>> 32));
    }

    private void constRef(int ins, Object v) {
        int d = dc.reg(ins, 0);
        emit(LOp.CONST_R);
        emit(d);
        refSlots = grow(refSlots, nRefSlots);
        refSlots[nRefSlots++] = len;
        emit(ref(v));
    }
}
