package dev.tape.jit;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.C;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.POP2;

/**
 * An inlined callee's registers as {@link InlineOps} sees them ({@link LoopInliner}): a word
 * register in the caller's leaf {@code long} locals (two slots each), a reference register in its
 * leaf object locals, a unit register nowhere. The body runs no instruction that reads the image,
 * a decimal or a trap position, so those fail.
 */
abstract class InlineBody implements InlineOps.Emitter {
    /** the caller's method */
    final CallEmitter e;
    final MethodVisitor mv;
    /** the code image */
    final int[] code;
    /** per callee register, its class */
    private final int[] cls;

    /**
     * @param e the caller's method
     * @param fn the callee
     * @param regs its register count
     */
    InlineBody(CallEmitter e, LoweredFunction fn, int regs) {
        this.e = e;
        this.mv = e.mv;
        this.code = e.code;
        cls = new int[regs];
        for (int r = 0; r < regs; r++) {
            ValueType t = fn.regType(r);
            ValueKind k = t == null ? ValueKind.UNIT : t.kind();
            cls[r] = k == ValueKind.UNIT ? LOp.UNIT_CLASS : Aggregate.isWord(k) ? LOp.WORD_CLASS : LOp.REF_CLASS;
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
    public void storeDecimal(int reg) {
        throw new IllegalStateException("an inlined body has no decimal");
    }
}
