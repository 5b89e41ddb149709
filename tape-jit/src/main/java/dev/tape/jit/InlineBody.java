package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.FUEL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.POP2;

/**
 * An inlined callee's body in its caller's method ({@link LeafInliner}, {@link LoopInliner}): its
 * registers as {@link InlineOps} sees them, a word register in the caller's leaf {@code long}
 * locals (two slots each), a reference register in its leaf object locals, a unit register
 * nowhere; its reachable blocks, each charging its length from the {@code FUEL} local
 * ({@link #body}); and the instructions both inliners admit ({@link #common}). The body runs no
 * instruction that reads the image, a decimal or a trap position, so those fail.
 */
abstract class InlineBody implements InlineOps.Emitter {
    /** the caller's method */
    final CallEmitter e;
    final MethodVisitor mv;
    /** the code image */
    final int[] code;
    /** per callee register, its class */
    private final int[] cls;
    /** the callee's entry in the code image */
    final int entry;
    /** per callee code index: whether an instruction starts there */
    private final boolean[] starts;
    /** per callee code index: the length of the block it leads (0 where none starts) */
    private final int[] blockLen;
    /** per callee code index: whether the block that starts there is reachable */
    private final boolean[] reachable;
    /** per callee code index, the label of the block that starts there (made when first asked for) */
    private final Label[] labels;

    /**
     * @param e the caller's method
     * @param fn the callee
     * @param regs its register count
     * @param entry its entry in the code image
     * @param starts per code index (its code length of them): whether an instruction starts there
     * @param blockLen per code index: the length of the block it leads (0 where none starts)
     * @param reachable per code index: whether the block that starts there is reachable
     */
    InlineBody(CallEmitter e, LoweredFunction fn, int regs, int entry, boolean[] starts, int[] blockLen,
               boolean[] reachable) {
        this.e = e;
        this.mv = e.mv;
        this.code = e.code;
        cls = new int[regs];
        for (int r = 0; r < regs; r++) {
            cls[r] = InlineScan.classOf(fn, r);
        }
        this.entry = entry;
        this.starts = starts;
        this.blockLen = blockLen;
        this.reachable = reachable;
        labels = new Label[blockLen.length];
    }

    /** @return the label of the block at callee code index {@code i} */
    final Label label(int i) {
        if (labels[i] == null) {
            labels[i] = new Label();
        }
        return labels[i];
    }

    /**
     * Emits the reachable blocks, each charging its length ({@link #charge}), then its
     * instructions ({@link #instruction}); a ret stores the results into the caller's registers of
     * the call's result list at {@code pos} and jumps to {@code done}.
     */
    final void body(int pos, Label done) {
        int len = labels.length;
        boolean live = false;
        for (int i = 0; i < len; i++) {
            if (!starts[i]) {
                continue;
            }
            if (blockLen[i] > 0) {
                live = reachable[i];
                if (live) {
                    mv.visitLabel(label(i));
                    e.frame();
                    charge(blockLen[i]);
                }
            }
            if (live) {
                instruction(i, pos, done);
            }
        }
    }

    /** Emits a block's charge of {@code n} fuel units from the {@code FUEL} local. */
    void charge(int n) {
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitLdcInsn((long) n);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, FUEL);
    }

    /**
     * Emits the instruction at callee code index {@code i}; a ret stores the results into the
     * caller's registers of the call's result list at {@code pos} and jumps to {@code done}.
     */
    abstract void instruction(int i, int pos, Label done);

    /**
     * Emits an instruction at global index {@code g} (plain op {@code op}) that both inliners run
     * the same way: nop, word moves and constants,
     * {@code bool.not}, i64/u64/bool arithmetic without division and shifts, {@code br},
     * {@code jmp}, {@code ret} (as {@link #instruction}) and, for any other op, an integer or f64
     * compare (plain or fused: its br follows as an instruction of its own) as 1 or 0.
     */
    final void common(int g, int op, int pos, Label done) {
        switch (op) {
            case Op.NOP -> {
            }
            case LOp.MOV_W -> {
                loadW(code[g + 2]);
                storeW(code[g + 1]);
            }
            case LOp.CONST_W -> {
                mv.visitLdcInsn((code[g + 2] & 0xFFFFFFFFL) | ((long) code[g + 3] << 32));
                storeW(code[g + 1]);
            }
            case Op.BOOL_NOT -> {
                loadW(code[g + 2]);
                mv.visitInsn(LCONST_1);
                mv.visitInsn(LXOR);
                storeW(code[g + 1]);
            }
            case Op.I64_ADD, Op.U64_ADD -> binary(g, LADD, false);
            case Op.I64_SUB, Op.U64_SUB -> binary(g, LSUB, false);
            case Op.I64_MUL, Op.U64_MUL -> binary(g, LMUL, false);
            case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> binary(g, LAND, false);
            case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> binary(g, LOR, false);
            case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> binary(g, LXOR, false);
            case Op.I64_SHL, Op.U64_SHL -> binary(g, LSHL, true);
            case Op.I64_SHR -> binary(g, LSHR, true);
            case Op.U64_SHR -> binary(g, LUSHR, true);
            case Op.BR -> {
                loadW(code[g + 1]);
                mv.visitInsn(LCONST_0);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, label(code[g + 2] - entry));
                mv.visitJumpInsn(GOTO, label(code[g + 3] - entry));
            }
            case Op.JMP -> mv.visitJumpInsn(GOTO, label(code[g + 1] - entry));
            case Op.RET -> {
                int n = code[g + 1];
                for (int j = 0; j < n; j++) {
                    int src = code[g + 2 + j];
                    int dst = code[pos + 1 + j];
                    if ((src & 3) == LOp.WORD_CLASS && e.hasLocal(dst)) {
                        loadW(src >>> 2);
                        e.storeW(dst);
                    }
                }
                mv.visitJumpInsn(GOTO, done);
            }
            default -> {
                InlineOps.compareInts(this, op, code[g + 2], code[g + 3]);
                InlineOps.bitOfCompare(mv, InlineOps.jumpOf(op));
                storeW(code[g + 1]);
            }
        }
    }

    private void binary(int g, int insn, boolean shift) {
        loadW(code[g + 2]);
        loadW(code[g + 3]);
        if (shift) {
            mv.visitInsn(L2I); // the JVM masks a long shift count to its low 6 bits, as the spec does
        }
        mv.visitInsn(insn);
        storeW(code[g + 1]);
    }

    @Override
    public MethodVisitor mv() {
        return mv;
    }

    @Override
    public void loadW(int reg) {
        mv.visitVarInsn(LLOAD, e.leafLongs + 2 * reg);
    }

    @Override
    public void storeW(int reg) {
        if (cls[reg] == LOp.UNIT_CLASS) {
            mv.visitInsn(POP2);
            return;
        }
        mv.visitVarInsn(LSTORE, e.leafLongs + 2 * reg);
    }

    @Override
    public void loadR(int reg) {
        mv.visitVarInsn(ALOAD, e.leafObjects + reg);
    }

    @Override
    public void storeR(int reg) {
        mv.visitVarInsn(ASTORE, e.leafObjects + reg);
    }

    @Override
    public void loadContext() {
        mv.visitVarInsn(ALOAD, C);
    }

    /** Nothing: no instruction of an inlined body traps. */
    @Override
    public void trapPoint() {
    }

    @Override
    public void loadPosition() {
        throw new IllegalStateException("an inlined body has no trap position");
    }

    @Override
    public boolean hasLocal(int reg) {
        return cls[reg] != LOp.UNIT_CLASS;
    }

    @Override
    public int regClass(int reg) {
        return cls[reg];
    }

    @Override
    public void loadOperand(int p) {
        throw new IllegalStateException("an inlined body reads no operand at run time");
    }

    @Override
    public void loadTags(int p) {
        throw new IllegalStateException("an inlined body reads no tags");
    }

    @Override
    public boolean isDecimal(int reg) {
        return false;
    }

    @Override
    public void loadDecimal(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }

    @Override
    public void loadScale(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }

    @Override
    public void storeDecimal(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }
}
