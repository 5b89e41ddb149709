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
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
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
    /** the loop's entry test and unchecked reads ({@link LoopBounds}), or null: none */
    private final LoopBounds.Site bounds;
    /** per callee code index, the label of the fast copy's block that starts there (as {@link #labels}) */
    private final Label[] fastLabels;
    /** the entry test's label */
    private final Label guard = new Label();
    /** whether the blocks being emitted are the fast copy */
    private boolean fast;
    /** the code index of the block being emitted */
    private int block;
    /** whether the next instruction, a br, was emitted with its compare ({@link #loopCompare}, {@link #branchCompare}) */
    private boolean skipBr;

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
        this(e, fn, regs, entry, starts, blockLen, reachable, null);
    }

    /**
     * As the other constructor, with a loop's entry test and unchecked reads.
     *
     * @param bounds the entry test and the reads it lets go unchecked, or null (none: the body as
     *     the other constructor makes it)
     */
    InlineBody(CallEmitter e, LoweredFunction fn, int regs, int entry, boolean[] starts, int[] blockLen,
               boolean[] reachable, LoopBounds.Site bounds) {
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
        this.bounds = bounds;
        fastLabels = bounds == null ? null : new Label[blockLen.length];
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
     * the call's result list at {@code pos} and jumps to {@code done}. With {@link #bounds}, the
     * edges into the loop's head from outside it go through the entry test
     * ({@link LoopBounds.Site#guard}), which goes on either to the blocks as without it or to a
     * second copy of the loop's blocks, emitted after all others, whose reads of the index are
     * unchecked ({@link #unchecked}) and whose exits go to the first copy's blocks.
     */
    final void body(int pos, Label done) {
        blocks(pos, done);
        if (bounds != null) {
            fast = true;
            blocks(pos, done);
            fast = false;
        }
    }

    /** The blocks of {@link #body}: every reachable one, or the loop's in the fast copy. */
    private void blocks(int pos, Label done) {
        int len = labels.length;
        boolean live = false;
        // whether the last instruction emitted goes on to the next code index
        boolean falls = false;
        int prev = -1;
        for (int i = 0; i < len; i++) {
            if (!starts[i]) {
                continue;
            }
            if (blockLen[i] > 0) {
                boolean onLoop = bounds != null && bounds.plan().onLoop()[i];
                live = reachable[i] && (!fast || onLoop);
                if (live) {
                    if (!fast && onLoop && i == bounds.plan().head()) {
                        if (falls && bounds.plan().onLoop()[prev]) {
                            mv.visitJumpInsn(GOTO, label(i)); // a back edge that falls through
                        }
                        mv.visitLabel(guard);
                        e.frame();
                        bounds.guard(this, label(i), fastLabel(i));
                    }
                    mv.visitLabel(fast ? fastLabel(i) : label(i));
                    e.frame();
                    charge(blockLen[i]);
                }
                block = i;
                falls = false;
                prev = i;
            }
            if (live) {
                instruction(i, pos, done);
                int op = LOp.plain(code[entry + i]);
                falls = op != Op.BR && op != Op.JMP && op != Op.RET;
            }
        }
    }

    /** @return the label of the fast copy's block at callee code index {@code i} */
    private Label fastLabel(int i) {
        if (fastLabels[i] == null) {
            fastLabels[i] = new Label();
        }
        return fastLabels[i];
    }

    /**
     * @return where a branch of the block being emitted to the block at callee code index
     *     {@code t} goes: the fast copy's block for one on the loop in the fast copy, the entry
     *     test for the loop's head from outside the loop, else the block
     */
    final Label target(int t) {
        if (bounds == null) {
            return label(t);
        }
        boolean[] onLoop = bounds.plan().onLoop();
        if (fast && onLoop[t]) {
            return fastLabel(t);
        }
        return !fast && t == bounds.plan().head() && !onLoop[block] ? guard : label(t);
    }

    /**
     * In the fast copy, the compare at global {@code g} that keeps the loop going, with its br
     * after it ({@link LoopBounds.Plan#compare}): one branch on {@code index < end} as signed
     * numbers (both are in [0, 2<sup>62</sup>) there), writing the compare's register on each way.
     *
     * @return false when {@code g} is not that compare (nothing emitted)
     */
    private boolean loopCompare(int g) {
        if (!fast || bounds.plan().compare() != g) {
            return false;
        }
        int br = brAfter(g);
        Label out = new Label();
        loadW(bounds.plan().index());
        loadW(bounds.plan().end());
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGE, out);
        mv.visitInsn(LCONST_1);
        storeW(code[g + 1]);
        mv.visitJumpInsn(GOTO, target(code[br + 2] - entry));
        mv.visitLabel(out);
        e.frame();
        mv.visitInsn(LCONST_0);
        storeW(code[g + 1]);
        mv.visitJumpInsn(GOTO, target(code[br + 3] - entry));
        skipBr = true;
        return true;
    }

    /**
     * The compare at global {@code g} (op {@code op}) when the next instruction is a br on its
     * register in the same block: one branch on the compare, writing the register 1 or 0 on each
     * way, and the br left out. The register holds what the compare and br write one after the
     * other, and the same block is taken; only the branch on a word made from the three-way
     * comparison (to 1 or 0, then compared with 0 again), which C2 does not fold, is gone. The
     * writes of constants are dead where nothing reads the register after, and C2 drops them.
     *
     * @return false when the next instruction is not such a br (nothing emitted)
     */
    private boolean branchCompare(int g, int op) {
        int br = brAfter(g);
        if (br < 0) {
            return false;
        }
        InlineOps.branchCompare(this, op, code[g + 1], code[g + 2], code[g + 3], target(code[br + 2] - entry),
                target(code[br + 3] - entry), InlineOps.backOther(code, br, entry));
        skipBr = true;
        return true;
    }

    /**
     * The rule both fusions ({@link #loopCompare}, {@link #branchCompare}) share: the instruction
     * after the compare at global {@code g} is a {@code br} on the compare's register in the same
     * block (it starts no block, so no other edge reaches it and no charge comes between them).
     * ({@link LoopBounds.Plan#compare} is a compare for which this holds.)
     *
     * @param g the global index of a compare (plain or fused)
     * @return the br's global index, or -1 when the next instruction is not such a br (the end of
     *     the code, a block start, another op or a br on another register)
     */
    private int brAfter(int g) {
        int next = InlineScan.next(starts, g - entry);
        if (next >= starts.length || !starts[next] || blockLen[next] > 0) {
            return -1; // the end, or the br starts a block another edge reaches
        }
        int br = entry + next;
        return InlineOps.brOnCompare(code, g, br) ? br : -1;
    }

    /** @return whether the read at global {@code g} is emitted without its bound test (proved in range) */
    final boolean unchecked(int g) {
        return fast && bounds.unchecked(g);
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
     * compare (plain or fused: its br follows as an instruction of its own) as 1 or 0, or, when the
     * next instruction is a br on its register, as one branch that writes 1 or 0 on each way
     * ({@link #branchCompare}).
     */
    final void common(int g, int op, int pos, Label done) {
        if (WordOps.plain(this, code, g, op)) {
            return;
        }
        switch (op) {
            case Op.BR -> {
                if (skipBr) {
                    skipBr = false;
                    return;
                }
                InlineOps.br(this, code[g + 1], target(code[g + 2] - entry), target(code[g + 3] - entry));
            }
            case Op.JMP -> mv.visitJumpInsn(GOTO, target(code[g + 1] - entry));
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
                if (loopCompare(g) || branchCompare(g, op)) {
                    return;
                }
                InlineOps.compareInts(this, op, code[g + 2], code[g + 3]);
                InlineOps.bitOfCompare(mv, InlineOps.jumpOf(op));
                storeW(code[g + 1]);
            }
        }
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
    public void loadMantissa(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }

    @Override
    public boolean decimalFastPaths() {
        return false;
    }

    @Override
    public void frameHere() {
        throw new IllegalStateException("an inlined body branches only through its own emitter");
    }

    @Override
    public void storeDecimal(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }
}
