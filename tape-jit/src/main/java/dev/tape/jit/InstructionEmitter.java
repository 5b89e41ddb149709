package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CODE;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.ENTRY;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.IP;
import static dev.tape.jit.JitCompiler.OBJECT;
import static dev.tape.jit.JitCompiler.REFUND;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.SELF;
import static dev.tape.jit.JitCompiler.UNWIND;
import static dev.tape.jit.JitCompiler.VM;
import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IALOAD;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2D;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.T_LONG;

/**
 * The instructions of one function's method but for the calls ({@link CallEmitter} and its
 * subclasses): each lowered instruction's bytecode ({@link #instruction}), with {@link InlineOps}
 * and, for the rare ones, the interpreter's own {@code Ops.slow}; the blocks' labels and the jumps
 * between them, the trap points, the hand-over and the reads of the code image. Registers are the
 * locals of {@link LocalsEmitter}. {@link MethodEmitter} extends it with the method's shape: its
 * prologue, blocks, handlers and resumed entry.
 */
abstract class InstructionEmitter extends LocalsEmitter {
    /** per code index: the label of the block that starts there, null where none does (set by the method's shape) */
    final Label[] labels;
    /** set by a fused compare that emitted the branch of the br after it */
    private boolean branchDone;
    /** the instruction {@link InlineOps} is emitting and its block's refund, for its trap point */
    private int current;
    private int currentRefund;
    /** whether the prologue reads {@link JitCompiler#CODE} and {@link JitCompiler#ENTRY} ({@link ImageReads}) */
    final boolean imageLocals;

    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     * @param imageLocals whether the prologue reads the code image's locals ({@link ImageReads})
     */
    InstructionEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, Inlining inline,
            boolean imageLocals) {
        super(view, linking, mv, f, inline);
        this.imageLocals = imageLocals;
        this.labels = new Label[fn.code().length];
    }

    final boolean isStart(int i) {
        return fn.pcOf()[i] >= 0;
    }

    final int next(int i) {
        int len = fn.code().length;
        int j = i + 1;
        while (j < len && !isStart(j)) {
            j++;
        }
        return j;
    }

    /**
     * @param i the code index of a block's first instruction ({@link #labels} set)
     * @return the code index of the block's last instruction
     */
    final int lastOf(int i) {
        int last = i;
        for (int j = next(i); j < labels.length && labels[j] == null; j = next(j)) {
            last = j;
        }
        return last;
    }

    /**
     * @param i the code index of a block's first instruction ({@link #labels} set)
     * @return the block's length, in instructions (1 or more)
     */
    final int blockLength(int i) {
        int n = 1;
        for (int j = next(i); j < labels.length && labels[j] == null; j = next(j)) {
            n++;
        }
        return n;
    }

    /** The label of a jump from code index {@code i} to block {@code t} in the copy being emitted ({@link LoopPeel}). */
    final Label jump(int t, int i) {
        return peel == null ? labels[t] : peel.target(labels, t, i);
    }

    /** {@inheritDoc} Without {@link #imageLocals}, throws {@link ImageReads.NeedsImage}. */
    @Override
    void loadCode() {
        if (!imageLocals) {
            throw ImageReads.NeedsImage.INSTANCE;
        }
        mv.visitVarInsn(ALOAD, CODE);
    }

    /**
     * Pushes the global ip of code index {@code i} of the running function: its entry plus i.
     * Without {@link #imageLocals}, throws {@link ImageReads.NeedsImage}.
     */
    @Override
    void global(int i) {
        if (!imageLocals) {
            throw ImageReads.NeedsImage.INSTANCE;
        }
        mv.visitVarInsn(ILOAD, ENTRY);
        if (i != 0) {
            push(i);
            mv.visitInsn(IADD);
        }
    }

    /** Pushes the int at code index {@code i} of the running function, read from the image at run time. */
    private void operand(int i) {
        loadCode();
        global(i);
        mv.visitInsn(IALOAD);
    }

    /**
     * Throws the hand-over at function {@code func} ({@link #SELF}: the running one), ip {@code ip}, with the register base in
     * local {@code baseSlot} (one frame deeper when {@code deeper}).
     */
    @Override
    void handover(int func, int ip, int baseSlot, boolean deeper) {
        mv.visitVarInsn(ALOAD, C);
        if (func == SELF) {
            mv.visitVarInsn(ILOAD, FUNC);
        } else {
            push(func);
        }
        push(ip);
        mv.visitVarInsn(ILOAD, baseSlot);
        mv.visitVarInsn(ILOAD, DEPTH);
        if (deeper) {
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IADD);
        }
        mv.visitMethodInsn(INVOKESTATIC, RT, "handover", "(L" + CTX + ";IIII)" + UNWIND, false);
        mv.visitInsn(ATHROW);
    }

    @Override
    public void loadOperand(int p) {
        operand(current + p);
    }

    @Override
    public void loadTags(int p) {
        mv.visitVarInsn(ALOAD, VM);
        mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/internal/CodeImage;");
        mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/internal/CodeImage", "tags", "()[[B", false);
        operand(current + p);
        mv.visitInsn(AALOAD);
    }

    @Override
    public MethodVisitor mv() {
        return mv;
    }

    @Override
    public void trapPoint() {
        at(current, currentRefund);
    }

    @Override
    public void loadPosition() {
        loadCode();
        global(current);
        mv.visitVarInsn(ILOAD, BASE);
    }

    /** Records where the next instruction is, for its trap: ip and the block fuel to give back. */
    @Override
    void at(int i, int refund) {
        push(i);
        mv.visitVarInsn(ISTORE, IP);
        push(refund);
        mv.visitVarInsn(ISTORE, REFUND);
    }

    private void binary(int g, int insn) {
        WordOps.binary(this, code, g, insn);
    }

    private void shift(int g, int insn) {
        WordOps.shift(this, code, g, insn);
    }

    /**
     * An f64 add, sub, mul or div: the same {@link Numerics} method the interpreter runs (a
     * few bytes, inlined by HotSpot), so that a NaN result has the same bits on both tiers.
     */
    private void f64(int g, String method) {
        loadW(code[g + 2]);
        loadW(code[g + 3]);
        mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Numerics", method, "(JJ)J", false);
        storeW(code[g + 1]);
    }

    /**
     * A compare: its three-way comparison turned into 1 or 0 without a branch (so no frames),
     * {@code lt}: {@code c >>> 31}; {@code ge}: that xor 1; {@code gt}: {@code -c >>> 31};
     * {@code le}: that xor 1; {@code eq}: {@code (c & 1) ^ 1}. A compare (plain or fused) whose
     * next instruction is a br on its register in the same block (the br starts no block) is one
     * branch on the comparison writing the register 1 or 0 on each edge
     * ({@link InlineOps#branchCompare}, the rule inlined leaves use), and the br then emits nothing.
     */
    private void compare(int i, int g) {
        int op = code[g];
        int dst = code[g + 1];
        int a = code[g + 2];
        int b = code[g + 3];
        int n = next(i);
        int br = entry + n;
        if (n < labels.length && labels[n] == null && InlineOps.brOnCompare(code, g, br)) {
            InlineOps.branchCompare(this, op, dst, a, b, jump(code[br + 2] - entry, n), jump(code[br + 3] - entry, n),
                    InlineOps.backOther(code, br, entry));
            branchDone = true;
            return;
        }
        InlineOps.compareInts(this, op, a, b);
        InlineOps.bitOfCompare(mv, InlineOps.jumpOf(op));
        storeW(dst);
    }

    final void instruction(int i, int refund) {
        int g = entry + i;
        // a superinstruction's head is compiled as its first instruction (the rest follow unchanged)
        int op = LOp.plain(code[g]);
        switch (op) {
            case Op.NOP -> {
            }
            case LOp.MOV_W -> {
                loadW(code[g + 2]);
                storeW(code[g + 1]);
            }
            case LOp.MOV_R -> {
                if (dec[code[g + 1]] && dec[code[g + 2]]) {
                    loadDecimal(code[g + 2]);
                    storeDecimal(code[g + 1]);
                } else {
                    loadR(code[g + 2]);
                    storeR(code[g + 1]);
                }
            }
            case LOp.CONST_W -> {
                mv.visitLdcInsn((code[g + 2] & 0xFFFFFFFFL) | ((long) code[g + 3] << 32));
                storeW(code[g + 1]);
            }
            case LOp.CONST_R -> {
                mv.visitVarInsn(ALOAD, VM);
                mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/internal/CodeImage;");
                mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/internal/CodeImage", "refs", "()[Ljava/lang/Object;",
                        false);
                operand(i + 2); // relocated per function
                mv.visitInsn(AALOAD);
                storeR(code[g + 1]);
            }
            case Op.I64_ADD, Op.U64_ADD -> binary(g, LADD);
            case Op.I64_SUB, Op.U64_SUB -> binary(g, LSUB);
            case Op.I64_MUL, Op.U64_MUL -> binary(g, LMUL);
            case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> binary(g, LAND);
            case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> binary(g, LOR);
            case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> binary(g, LXOR);
            case Op.I64_SHL, Op.U64_SHL -> shift(g, LSHL);
            case Op.I64_SHR -> shift(g, LSHR);
            case Op.U64_SHR -> shift(g, LUSHR);
            case Op.I64_EQ, Op.U64_EQ, Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, Op.F64_LT,
                    LOp.I64_EQ_BR, LOp.I64_LT_BR, LOp.I64_GT_BR, LOp.I64_LE_BR, LOp.I64_GE_BR, LOp.U64_LT_BR,
                    LOp.F64_LT_BR, Op.U64_GT, Op.U64_LE, Op.U64_GE, Op.F64_EQ, Op.F64_GT, Op.F64_LE,
                    Op.F64_GE -> compare(i, g);
            case Op.BOOL_NOT -> {
                loadW(code[g + 2]);
                mv.visitInsn(LCONST_1);
                mv.visitInsn(LXOR);
                storeW(code[g + 1]);
            }
            case Op.F64_ADD -> f64(g, "add");
            case Op.F64_SUB -> f64(g, "sub");
            case Op.F64_MUL -> f64(g, "mul");
            case Op.F64_DIV -> f64(g, "div");
            case Op.I64_TO_F64 -> {
                loadW(code[g + 2]);
                mv.visitInsn(L2D);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
                storeW(code[g + 1]);
            }
            case Op.BR -> {
                if (branchDone) {
                    // the fused compare before it has branched already
                    branchDone = false;
                    return;
                }
                InlineOps.br(this, code[g + 1], jump(code[g + 2] - entry, i), jump(code[g + 3] - entry, i));
            }
            case Op.JMP -> mv.visitJumpInsn(GOTO, jump(code[g + 1] - entry, i));
            case LOp.SELECT_W, LOp.SELECT_R -> select(g, op == LOp.SELECT_W);
            case Op.CALL -> call(i, g, refund);
            case LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> callIndirect(i, g, refund,
                    op == LOp.CALL_INDIRECT_CLOSURE);
            case Op.RET -> ret(i, g);
            case Op.HOST_CALL -> host(i, g, refund);
            case LOp.TUPLE_NEW_W -> {
                current = i;
                currentRefund = refund;
                if (keepsStruct(code, g)) {
                    return; // kept in locals (VirtualStructs): the heap charge at this pc, no object
                }
                at(i, refund);
                int n = code[g + 3];
                boolean charged = chargeAggregate(n, false); // on the method's heap local (HeapLocal)
                if (!charged) {
                    mv.visitVarInsn(ALOAD, C);
                }
                mv.visitVarInsn(ALOAD, VM);
                mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/internal/CodeImage;");
                mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/internal/CodeImage", "tags", "()[[B", false);
                operand(i + 2); // relocated per function
                mv.visitInsn(AALOAD);
                if (n == 2) {
                    // the interpreter's pair: the two words in the aggregate, one allocation
                    loadW(code[g + 4]);
                    loadW(code[g + 5]);
                    mv.visitMethodInsn(INVOKESTATIC, RT, charged ? "pairCharged" : "pair",
                            (charged ? "(" : "(L" + CTX + ";") + "[BJJ)Ldev/tape/value/Aggregate;", false);
                } else {
                    push(n);
                    mv.visitIntInsn(NEWARRAY, T_LONG);
                    for (int j = 0; j < n; j++) {
                        mv.visitInsn(DUP);
                        push(j);
                        loadW(code[g + 4 + j]);
                        mv.visitInsn(LASTORE);
                    }
                    mv.visitMethodInsn(INVOKESTATIC, RT, charged ? "tupleCharged" : "tuple",
                            (charged ? "(" : "(L" + CTX + ";") + "[B[J)Ldev/tape/value/Aggregate;", false);
                }
                storeR(code[g + 1]);
            }
            case Op.TRAP -> {
                at(i, refund);
                push(code[g + 1]);
                mv.visitMethodInsn(INVOKESTATIC, RT, "trapInstruction", "(I)Ldev/tape/vm/VmTrap;", false);
                mv.visitInsn(ATHROW);
            }
            case LOp.NO_CODE -> {
                at(i, refund);
                mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Ops", "noCode", "()Ldev/tape/vm/VmTrap;", false);
                mv.visitInsn(ATHROW);
            }
            default -> {
                current = i;
                currentRefund = refund;
                if (!InlineOps.emit(this, code, g)) {
                    slow(i, g, refund);
                }
            }
        }
    }

    /**
     * An instruction the interpreter leaves to {@code Ops.slow}, through the same helper: every
     * operand slot that could name a register is written to the register files first (writing
     * a register's current value is harmless even when the slot is an immediate), and the
     * destination, operand 1 of every such instruction, is read back after.
     */
    private void slow(int i, int g, int refund) {
        at(i, refund);
        int len = next(i) - i;
        for (int p = 2; p < len; p++) {
            spill(code[g + p]);
        }
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        loadCode();
        global(i);
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Ops", "slow", "(Ldev/tape/vm/Vm;L" + CTX + ";[III)I", false);
        mv.visitInsn(POP);
        reloadFiles();
        int dst = code[g + 1];
        if (dst >= 0 && dst < slot.length) {
            reload(dst);
        }
    }

    private void select(int g, boolean word) {
        Label second = new Label();
        Label done = new Label();
        loadW(code[g + 2]);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFEQ, second);
        if (word) {
            loadW(code[g + 3]);
        } else {
            loadR(code[g + 3]);
        }
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(second);
        frame();
        if (word) {
            loadW(code[g + 4]);
        } else {
            loadR(code[g + 4]);
        }
        mv.visitLabel(done);
        frame(word ? LONG : OBJECT);
        if (word) {
            storeW(code[g + 1]);
        } else {
            storeR(code[g + 1]);
        }
    }
}
