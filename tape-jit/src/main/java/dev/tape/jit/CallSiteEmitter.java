package dev.tape.jit;

import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.List;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CALLEE;
import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.DESC;
import static dev.tape.jit.JitCompiler.MH;
import static dev.tape.jit.JitCompiler.MH_T;
import static dev.tape.jit.JitCompiler.NB;
import static dev.tape.jit.JitCompiler.R;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.STACK;
import static dev.tape.jit.JitCompiler.VM;
import static dev.tape.jit.JitCompiler.cost;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IF_ICMPGE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.ISUB;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.PUTFIELD;
import static dev.tape.jit.JitCompiler.TMP;

/**
 * The direct and indirect calls of one function's method ({@code call}, {@code call.indirect}):
 * the depth and Java stack checks, the callee's frame set up as the interpreter's, the arguments
 * and results copied, and the call itself, a JVM call (through the callee's call site, or the
 * instruction's inline cache for an indirect one); or the callee's body inline when it is a small
 * leaf ({@link LeafInliner}) or a looping callee ({@link LoopInliner}) and the method has
 * inlining budget left. {@link LocalsEmitter} extends it with the registers' locals.
 */
abstract class CallSiteEmitter extends HostCallEmitter {
    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     */
    CallSiteEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, Inlining inline) {
        super(view, linking, mv, f, inline);
    }

    /**
     * A direct call: the depth and register checks, arguments to the callee's registers (a call
     * of this method with word parameters passes its word arguments as parameters instead,
     * {@link WordParams}), the call, results. The caller's frame record is left to the hand-over handler
     * ({@code JitRuntime.pending}), which writes it when a trap, pause or hand-over unwinds
     * through the call.
     */
    final void call(int i, int g, int refund) {
        LeafInliner.Leaf leaf = inlinable(g);
        // whether the block's test covered the leaf's worst path and the block after the call
        boolean covered = coveredCall == g;
        coveredCall = -1;
        if (leaf == null) {
            // a looping callee inline, else the real call
            LoopInliner.call(this, g, new RealCall(this, i, g, refund));
            return;
        }
        Label real = new Label();
        Label done = new Label();
        LeafInliner.emit(this, leaf, g, real, covered ? coveredNext : done, covered);
        mv.visitLabel(real);
        frame();
        realCall(i, g, refund);
        mv.visitLabel(done);
        frame();
    }

    /**
     * @return the leaf the direct call at global index {@code g} runs inline ({@link LeafInliner}),
     *     or null when it makes the real call: the callee is no leaf, is larger than this attempt
     *     allows ({@link Inlining#leafCap}) or has failed to compile, its
     *     arguments and results are more than the copy budget's free values, a word result goes to
     *     a register without a word local, or the method has inlined its fill
     */
    private LeafInliner.Leaf inlinable(int g) {
        LeafInliner.Leaf leaf = leafAt(g);
        if (leaf != null) {
            inlinedBytes += leaf.bytes() + 8 * code[g + 2];
            leafMax = Math.max(leafMax, leaf.bytes());
        }
        return leaf;
    }

    /**
     * The direct call at global index {@code g} that the test at its block's start covered
     * ({@link CallCover}), or -1: set by the method's emitter before the block's instructions,
     * read and cleared by {@link #call}.
     */
    int coveredCall = -1;
    /**
     * With {@link #coveredCall}: the label past the fuel test of the block after the call, where
     * the inlined leaf's path goes on (the real call's path falls into the block's test).
     */
    Label coveredNext;

    /**
     * {@link #inlinable} without its effects on the method's inlining budget: the leaf the direct
     * call at global index {@code g} would run inline if it came next, or null. The same as
     * {@link #inlinable}'s answer at the call when no call is emitted in between.
     */
    final LeafInliner.Leaf leafAt(int g) {
        int callee = code[g + 1];
        LeafInliner.Leaf leaf = leaves.get(callee);
        if (leaf == null || leaf.bytes() > inlining.leafCap() || linking && view.failed(callee)) {
            return null;
        }
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        // the arguments' moves: a load and a store each
        int bytes = leaf.bytes() + 8 * argc;
        if (!view.movesFree(argc + code[pos]) || inlinedBytes + bytes > LeafInliner.MAX_METHOD_BYTES) {
            return null;
        }
        for (int j = 0; j < code[pos]; j++) {
            int dst = code[pos + 1 + j];
            if (regClass(dst) == LOp.REF_CLASS) {
                return null;
            }
        }
        return leaf;
    }

    /**
     * The real direct call of {@link #call} for {@link LoopInliner#call}: a plain class, not a lambda,
     * so that a JVM's first compile of a method with a call site spins no lambda class and
     * method-handle form on the running thread (the warm-up links this one).
     */
    private static final class RealCall implements Runnable {
        private final CallSiteEmitter e;
        private final int i;
        private final int g;
        private final int refund;

        RealCall(CallSiteEmitter e, int i, int g, int refund) {
            this.e = e;
            this.i = i;
            this.g = g;
            this.refund = refund;
        }

        @Override
        public void run() {
            e.realCall(i, g, refund);
        }
    }

    /**
     * The fast clones this method's direct calls enter ({@link FastClone}), or null when they enter
     * none (the tier for a stack sampler, a size measure); set by the generator before it emits.
     */
    FastClone.Sites fastClones;

    /**
     * Bytecode a fast entry ({@link #fastEntry}) and its {@link #fastExit} add to a direct call, at
     * most: 204 fixed (the budget's call with the callee's index, the fuel's save and restore, the clone's call, the
     * result's store, the fuel's and the heap room's read back, the handler, the exit's test) plus
     * {@link LeafRoom#REFRESH_BYTES} (the room's read back) and 4 per word argument.
     *
     * @param argc the call's arguments
     * @return the bound, in bytes
     */
    static int fastEntryBytes(int argc) {
        return 204 + LeafRoom.REFRESH_BYTES + 4 * argc;
    }

    /**
     * When the callee of the direct call at global index {@code g} is pure ({@link FastClone}):
     * its fast clone first, in fast mode once the callee has its compiled method
     * ({@code JitRuntime.fastNest}: so clones never change which functions the tier compiles), given the fuel left in the
     * context (which the call's {@code fuelOut} wrote; saved in {@code TMP}). A clone that returns has done the call
     * exactly: its result to the destination, the fuel read back, on to {@code done}. One that bails
     * ({@code JitRuntime.Bail}) changed nothing but the context's fuel: that is restored (from
     * {@code TMP}), fast mode is cleared while the call runs again on the compiled path that follows
     * (nothing nested in the re-run tries a clone, so a run does at most about twice the work it is
     * charged), and {@code CALLEE}, otherwise 0, is set to 1 so that {@link #fastExit} sets fast
     * mode again after it. With no fast entry, nothing is emitted; a call moving more than
     * {@code view.freeValues()} values (arguments and result) has none, since its path counts them
     * against the copy budget ({@code ExecutionContext.copied}) and a clone would not.
     *
     * @return whether a fast entry was emitted (then {@link #fastExit} must follow the real call)
     */
    private boolean fastEntry(int g, Label done) {
        int callee = code[g + 1];
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        // a call moving more than the free values counts them against the copy budget on the
        // tier's own path (ExecutionContext.copied), which a clone would skip: none then
        if (fastClones == null || code[pos] != 1 || !view.movesFree(argc + 1) || !fastClones.admits(callee)) {
            return false;
        }
        int m = fastClones.enter(callee);
        Label today = new Label();
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label bailed = new Label();
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, CALLEE);
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        push(callee);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        push(fn.regCount());
        mv.visitVarInsn(ILOAD, STACK);
        push(m);
        push(cost(m));
        mv.visitMethodInsn(INVOKESTATIC, RT, "fastNest", "(Ldev/tape/vm/Vm;L" + CTX + ";IIIIIII)I", false);
        mv.visitVarInsn(ISTORE, NB);
        mv.visitVarInsn(ILOAD, NB);
        mv.visitJumpInsn(IFLT, today);
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(LSTORE, TMP);
        mv.visitTryCatchBlock(tryStart, tryEnd, bailed, BAIL);
        mv.visitLabel(tryStart);
        for (int j = 0; j < argc; j++) {
            loadW(code[g + 3 + j] >>> 2);
        }
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, NB);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitMethodInsn(INVOKESTATIC, CLASS, FastClone.name(callee), FastClone.desc(argc), false);
        mv.visitLabel(tryEnd);
        results(pos, true);
        fuelIn();
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(bailed);
        frame(BAIL);
        mv.visitInsn(POP);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(ALOAD, C);
        mv.visitInsn(ICONST_0);
        mv.visitFieldInsn(PUTFIELD, CTX, "fast", "Z");
        mv.visitInsn(ICONST_1);
        mv.visitVarInsn(ISTORE, CALLEE);
        mv.visitLabel(today);
        frame();
        return true;
    }

    /** After the real call of a {@link #fastEntry}: fast mode set again when the clone bailed. */
    private void fastExit(Label done) {
        mv.visitVarInsn(ILOAD, CALLEE);
        mv.visitJumpInsn(IFEQ, done);
        mv.visitVarInsn(ALOAD, C);
        mv.visitInsn(ICONST_1);
        mv.visitFieldInsn(PUTFIELD, CTX, "fast", "Z");
        mv.visitLabel(done);
        frame();
    }

    /** The exception a fast clone bails with. */
    private static final String BAIL = "dev/tape/vm/JitRuntime$Bail";

    /** The real direct call (see {@link #call}). */
    private void realCall(int i, int g, int refund) {
        at(i, refund);
        fuelOut(true);
        int callee = code[g + 1];
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        Label fastDone = new Label();
        boolean fast = !(linking && view.failed(callee)) && fastEntry(g, fastDone);
        // the caller's frame record is written only if the run unwinds through this call
        // (JitRuntime.pending, in the hand-over handler)
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        push(fn.regCount());
        push(image.regCount(callee));
        mv.visitMethodInsn(INVOKESTATIC, RT, "enterDirect", "(L" + CTX + ";IIII)I", false);
        mv.visitVarInsn(ISTORE, NB);
        copied(argc + code[pos]);
        reloadFiles();
        // a call to this method is a JVM call; any other goes through the callee's call site
        boolean self = callee == f;
        // a self-call's word arguments go as parameters (WordParams), to the file only where it hands over
        boolean params = self && wordParams != null;
        arguments(g + 3, argc, 1, !params, true);
        if (linking && view.failed(callee)) {
            if (params) {
                arguments(g + 3, argc, 1, true, false);
            }
            handover(callee, 0, NB, true);
            return;
        }
        int link = self ? -1 : link(callee);
        // deep enough on the Java stack: the interpreter goes on with heap frames
        Label deep = new Label();
        Label go = new Label();
        int cost = cost(image.regCount(callee)) + (self ? 0 : view.indirectWords());
        mv.visitVarInsn(ILOAD, DEPTH);
        push(view.maxNesting());
        mv.visitJumpInsn(IF_ICMPGE, deep);
        mv.visitVarInsn(ILOAD, STACK);
        push(cost);
        mv.visitJumpInsn(IF_ICMPGE, go);
        mv.visitLabel(deep);
        frame();
        if (params) {
            arguments(g + 3, argc, 1, true, false);
        }
        handover(callee, 0, NB, true);
        mv.visitLabel(go);
        frame();
        if (!self) {
            mv.visitFieldInsn(GETSTATIC, CLASS, "L" + link, MH_T);
        }
        if (params) {
            for (int j = 0; j < argc; j++) {
                int e = code[g + 3 + j];
                if ((e & 3) == dev.tape.verify.internal.LOp.WORD_CLASS) {
                    loadW(e >>> 2);
                }
            }
        }
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, NB);
        if (params) {
            // depth and stack, resume and callee packed in two longs (WordParams.desc): all in registers
            WordParams.packCall(mv, cost, callee, view.fresh());
            mv.visitMethodInsn(INVOKESTATIC, CLASS, "f" + f, WordParams.desc(wordParams.length), false);
            results(pos, view.direct(view.program().functions().get(callee).sig().rets()));
            fuelIn();
            if (fast) {
                fastExit(fastDone);
            }
            return;
        }
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ILOAD, STACK);
        push(cost);
        mv.visitInsn(ISUB);
        push(callee);
        push(view.fresh());
        if (self) {
            mv.visitMethodInsn(INVOKESTATIC, CLASS, "f" + f, DESC, false);
        } else {
            mv.visitMethodInsn(INVOKEVIRTUAL, MH, "invokeExact", DESC, false);
        }
        results(pos, view.direct(view.program().functions().get(callee).sig().rets()));
        fuelIn();
        if (fast) {
            fastExit(fastDone);
        }
    }

    /**
     * {@code call.indirect}: the callee is checked at run time, then called through the
     * instruction's inline cache (see {@code IndirectSite}), which calls it as
     * {@code JitRuntime.invoke} does.
     */
    final void callIndirect(int i, int g, int refund, boolean closure) {
        at(i, refund);
        List<LeafInliner.Leaf> inline = inlinable(g, closure);
        int argc = code[g + 3];
        int pos = g + 4 + argc;
        int calleeReg = code[g + 2];
        Label done = null;
        if (!inline.isEmpty()) {
            // the callee's id, unchecked, compared with each leaf's (LeafInliner.indirect); checks below if none runs
            done = new Label();
            LeafInliner.indirect(this, inline, g, closure ? calleeReg : -1, done);
        }
        fuelOut(true);
        // the interpreter checks the depth limit before the callee (the order decides which trap)
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitMethodInsn(INVOKESTATIC, RT, "checkDepth", "(L" + CTX + ";I)V", false);
        // the callee from its local, checked as Calls.indirectCallee checks it
        mv.visitVarInsn(ALOAD, VM);
        if (closure) {
            loadR(calleeReg);
        } else {
            loadW(calleeReg);
        }
        push(code[g + 1]);
        mv.visitMethodInsn(INVOKESTATIC, RT, closure ? "closureCallee" : "funcCallee",
                "(Ldev/tape/vm/Vm;" + (closure ? "Ljava/lang/Object;" : "J") + "I)I", false);
        mv.visitVarInsn(ISTORE, CALLEE);
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        push(fn.regCount());
        mv.visitVarInsn(ILOAD, CALLEE);
        global(i);
        global(pos - entry);
        mv.visitMethodInsn(INVOKESTATIC, RT, "enterIndirect", "(Ldev/tape/vm/Vm;L" + CTX + ";IIIIII)I", false);
        mv.visitVarInsn(ISTORE, NB);
        copied(argc + code[pos]);
        reloadFiles();
        if (closure) {
            mv.visitVarInsn(ALOAD, R);
            mv.visitVarInsn(ILOAD, NB);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IADD);
            loadR(calleeReg);
            mv.visitMethodInsn(INVOKESTATIC, RT, "env", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
            mv.visitInsn(AASTORE);
        }
        arguments(g + 4, argc, closure ? 2 : 1);
        // the site's inline cache calls the callees it has seen through constant handles
        mv.visitFieldInsn(GETSTATIC, CLASS, "L" + cache(), MH_T);
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, CALLEE);
        mv.visitVarInsn(ILOAD, NB);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, STACK);
        mv.visitMethodInsn(INVOKEVIRTUAL, MH, "invokeExact", "(Ldev/tape/vm/Vm;L" + CTX + ";IIII)J", false);
        results(pos, view.direct(view.program().callSigs().get(code[g + 1]).rets()));
        fuelIn();
        if (done != null) {
            mv.visitLabel(done);
            frame();
        }
    }

    /**
     * @return the leaves ({@link #candidates}) the {@code call.indirect} at global index {@code g}
     *     runs inline when its callee is one of them: those that {@link LeafInliner#fits} it (and
     *     this attempt allows, {@link Inlining#leafCap}),
     *     while the method has inlining budget left; none when its arguments and results are more
     *     than the copy budget's free values
     */
    private List<LeafInliner.Leaf> inlinable(int g, boolean closure) {
        int argc = code[g + 3];
        if (candidates.isEmpty() || !view.movesFree(argc + code[g + 4 + argc])) {
            return List.of();
        }
        List<LeafInliner.Leaf> fit = new java.util.ArrayList<>();
        for (LeafInliner.Leaf leaf : candidates) {
            // the id test and the environment's moves besides the arguments'
            int bytes = leaf.bytes() + 8 * argc + 16;
            if (leaf.bytes() <= inlining.leafCap() && LeafInliner.fits(this, leaf, g, closure)
                    && inlinedBytes + bytes <= LeafInliner.MAX_METHOD_BYTES) {
                inlinedBytes += bytes;
                leafMax = Math.max(leafMax, leaf.bytes());
                fit.add(leaf);
            }
        }
        return fit;
    }
}
