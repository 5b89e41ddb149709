package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Type;

import java.lang.invoke.MethodHandle;
import java.util.List;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.MH;
import static dev.tape.jit.JitCompiler.MH_T;
import static dev.tape.jit.JitCompiler.NB;
import static dev.tape.jit.JitCompiler.R;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.TMP;
import static dev.tape.jit.JitCompiler.W;
import static dev.tape.jit.JitCompiler.pushTo;
import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_PRIVATE;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.CHECKCAST;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.POP2;
import static org.objectweb.asm.Opcodes.PUTSTATIC;
import static org.objectweb.asm.Opcodes.RETURN;

/**
 * The call instructions of one function's method ({@code call}, {@code call.indirect},
 * {@code host_call}, {@code ret}): the part of {@link JitCompiler}'s method generator that sets up
 * frames, passes arguments and results, and calls through call sites, inline caches and the host
 * ABI. This class holds the method's call state (its call sites and inline caches, the leaves its
 * calls may run inline), the argument and result copies and {@code ret}; {@link HostCallEmitter}
 * adds the host calls, {@link CallSiteEmitter} the direct and indirect calls, and
 * {@link LocalsEmitter}, {@link InstructionEmitter} and {@link MethodEmitter} the registers' locals,
 * the rest of the instructions and the method's frame.
 */
abstract class CallEmitter implements InlineOps.Emitter {
    /** the VM's program and tier as the generator reads them */
    final CompileView view;
    final CodeImage image;
    final int[] code;
    /** the function the method is generated for (functions of its shape share the method) */
    final int f;
    final LoweredFunction fn;
    /** the entry of function {@code f} (the method reads each caller's own, {@code ENTRY}, at run time) */
    final int entry;
    /** whether calls go through the tier's call sites (false when only measuring) */
    final boolean linking;
    /**
     * by the index of its static field: the function this method calls through that call site,
     * or, when negative, a {@code call.indirect}'s inline cache ({@link #cache})
     */
    final List<Integer> linked = new java.util.ArrayList<>();
    /**
     * by the index of its static field {@code H<k>}, read from the class data after the
     * {@link #linked} ones: the host signature whose word function this method calls through that
     * constant handle ({@link #wordHost})
     */
    final List<Integer> hostLinked = new java.util.ArrayList<>();
    final MethodVisitor mv;
    /**
     * the leaf functions ({@link LeafInliner}) this method's direct calls may run inline, by
     * callee id (empty when inlining is off)
     */
    final java.util.Map<Integer, LeafInliner.Leaf> leaves = new java.util.HashMap<>();
    /** the most registers of any of {@link #leaves} (the locals the method keeps for them) */
    final int leafRegs;
    /** the first of the leaves' {@code long} locals (two slots per register), set by the locals' layout */
    int leafLongs;
    /** the first of the leaves' object locals, set by the locals' layout */
    int leafObjects;
    /** the closures the method's {@code call.indirect} sites checked last ({@link ClosureCache}), null when none; set by the locals' layout */
    ClosureCache closures;
    /** the inlined leaves' room local ({@link LeafRoom}), -1 when none; set by the locals' layout */
    int leafRoom = -1;
    /** the structs this method keeps in locals ({@link VirtualStructs}), null when none; set by the locals' layout */
    VirtualStructs structs;
    /** bytecode the call sites inlined so far may add, at most (see {@link LeafInliner#MAX_METHOD_BYTES}) */
    int inlinedBytes;
    /** the method's loops' first iterations peeled ({@link LoopPeel}), null when not; set by the block emission */
    LoopPeel peel;
    /** what this method may run inline or keep in locals (a step of {@link JitCompiler#generateClass}) */
    final Inlining inlining;
    /** the word argument registers the method takes as parameters ({@link WordParams}), or null; set by its generator */
    int[] wordParams;
    /** the largest leaf ({@link LeafInliner.Leaf#bytes}) some call site ran inline, 0 when none did */
    int leafMax;

    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     */
    CallEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, Inlining inline) {
        this.inlining = inline;
        this.view = view;
        this.linking = linking;
        this.mv = mv;
        this.image = view.image();
        this.code = image.code();
        this.f = f;
        this.fn = view.function(f);
        this.entry = image.entry(f);
        int most = 0;
        if (inline.leaves()) {
            boolean indirect = false;
            List<Integer> funcs = new java.util.ArrayList<>();
            for (int s = 0; s < fn.instructionCount(); s++) {
                int at = fn.instructionStart(s);
                int g = entry + at;
                int op = LOp.plain(code[g]);
                indirect |= op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE;
                if (op == LOp.CONST_W && fn.regType(code[g + 1]) != null
                        && fn.regType(code[g + 1]).kind() == ValueKind.FUNC && funcs.size() < MAX_CANDIDATES
                        && !funcs.contains(code[g + 2])) {
                    // a const.func: a callee call.indirect sites of this function may meet
                    funcs.add(code[g + 2]);
                }
                if (op != dev.tape.format.Op.CALL || leaves.containsKey(code[g + 1])) {
                    continue;
                }
                LeafInliner.Leaf leaf = LeafInliner.of(view, code[g + 1]);
                leaves.put(code[g + 1], leaf);
                most = leaf == null ? most : Math.max(most, leaf.regs());
            }
            for (int func : indirect ? funcs : List.<Integer>of()) {
                if (func < 0 || func >= view.program().functions().size()) {
                    continue;
                }
                LeafInliner.Leaf leaf = LeafInliner.of(view, func);
                if (leaf != null) {
                    candidates.add(leaf);
                    most = Math.max(most, leaf.regs());
                }
            }
        }
        leafRegs = inline.loops() ? Math.max(most, new LoopInliner(view, fn, code, entry).regs()) : most; // and LoopInliner's
    }

    /** Most functions a method's {@code const.func}s name that its {@code call.indirect} sites may inline. */
    private static final int MAX_CANDIDATES = 4;
    /**
     * the leaf functions the method's {@code const.func}s name, which its {@code call.indirect}
     * sites run inline when the callee is one of them (at most {@link #MAX_CANDIDATES})
     */
    final List<LeafInliner.Leaf> candidates = new java.util.ArrayList<>();

    /** Records where the next instruction is, for its trap: code index {@code i} and the block fuel to give back. */
    abstract void at(int i, int refund);

    /** Pushes an int constant. */
    abstract void push(int v);

    /** Pushes the global ip of code index {@code i} of the running function. */
    abstract void global(int i);

    /** Pushes the code image's code array ({@code int[]}, indexed by global ip). */
    abstract void loadCode();

    /** Counts a one-to-three-word host call in the method's local ({@link HostCount}). */
    abstract void countHost();

    /** Reads the context's fuel into the method's fuel local (after a call-out that may change it). */
    abstract void fuelIn();

    /**
     * Writes the method's fuel local to the context (before a call-out that may read it, and
     * before a return); {@code callOut}: a call-out follows, which may change the context's fuel
     * and throw, so the local is marked as not current until {@link #fuelIn}.
     */
    abstract void fuelOut(boolean callOut);

    /** Writes a current heap room local's count to the context, then unless {@code keep} marks it not current ({@link HeapLocal}). */
    abstract void heapOut(boolean keep);

    /** Reads the context's register files into their locals (after anything that may grow them). */
    abstract void reloadFiles();

    /** Throws the hand-over at function {@code func}, code index {@code ip}, with the base in local {@code baseSlot}. */
    abstract void handover(int func, int ip, int baseSlot, boolean deeper);

    /** Declares the stack map frame at the current position, with this stack. */
    abstract void frame(Object... stack);

    @Override
    public void frameHere() {
        frame();
    }

    /** whether this function's decimal instructions take inline fast paths (-1: not yet counted) */
    private int decimalFast = -1;

    @Override
    public boolean decimalFastPaths() {
        if (decimalFast < 0) {
            int n = 0;
            for (int s = 0; s < fn.instructionCount(); s++) {
                int op = fn.code()[fn.instructionStart(s)];
                n += op == dev.tape.format.Op.DEC_ADD || op == dev.tape.format.Op.DEC_SUB
                        || op == dev.tape.format.Op.DEC_MUL || op == dev.tape.format.Op.I64_TO_DEC ? 1 : 0;
            }
            decimalFast = n <= InlineOps.MAX_FAST_DECIMALS ? 1 : 0;
        }
        return decimalFast == 1;
    }

    /** Writes a register's local to the register file. */
    abstract void spill(int reg);

    /** Reads a register's local back from the register file. */
    abstract void reload(int reg);

    /** Pushes the register-file index of register {@code reg} of this frame ({@code base + reg}). */
    abstract void index(int reg);

    /**
     * Declares the class's static final fields of the call sites and inline caches this method
     * calls through ({@link #linked}), and a static initialiser that reads them from the class
     * data.
     *
     * @param cw the class writer, after the method
     * @return the class data: per field, its call site's or inline cache's invoker
     */
    final List<MethodHandle> linkSites(ClassWriter cw) {
        List<MethodHandle> links = new java.util.ArrayList<>();
        if (!linked.isEmpty() || !hostLinked.isEmpty()) {
            MethodVisitor init = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
            init.visitCode();
            for (int k = 0; k < linked.size(); k++) {
                handleField(cw, init, "L" + k, k);
                int id = linked.get(k);
                links.add(id >= 0 ? view.callSite(id) : view.indirectSite());
            }
            hostHandles(cw, init, links);
            init.visitInsn(RETURN);
            init.visitMaxs(0, 0);
            init.visitEnd();
        }
        return links;
    }

    /**
     * Declares the static final {@code MethodHandle} field {@code name} and reads it, in the static
     * initialiser {@code init}, from element {@code index} of the class data.
     */
    private static void handleField(ClassWriter cw, MethodVisitor init, String name, int index) {
        cw.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, name, MH_T, null, null).visitEnd();
        init.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup",
                "()Ljava/lang/invoke/MethodHandles$Lookup;", false);
        init.visitLdcInsn("_");
        init.visitLdcInsn(Type.getType(MH_T));
        pushTo(init, index);
        init.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "classDataAt",
                "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)Ljava/lang/Object;",
                false);
        init.visitTypeInsn(CHECKCAST, MH);
        init.visitFieldInsn(PUTSTATIC, CLASS, name, MH_T);
    }

    /**
     * Declares the static final fields {@code H<k>} of the word functions' handles this method
     * calls ({@link #hostLinked}), read in the static initialiser {@code init} from the class data
     * after the call sites' invokers, which are {@code links} so far; adds the handles to it.
     */
    private void hostHandles(ClassWriter cw, MethodVisitor init, List<MethodHandle> links) {
        for (int k = 0; k < hostLinked.size(); k++) {
            handleField(cw, init, "H" + k, links.size());
            links.add(view.hostWordHandle(hostLinked.get(k)));
        }
    }

    /**
     * Whether the host call at global index {@code g} is of a one-to-three-word function
     * ({@link #fewWords}): such a call does not end its block, as nothing it runs reads or
     * changes the fuel (the block's fuel is charged at its start, and the call's site, when it
     * needs one, is told the fuel left as the interpreter has it then).
     */
    final boolean fewWordHost(int g) {
        return view.hostCallKeepsBlock(code[g + 1]);
    }

    /**
     * @return the index of the static field that holds the invoker of {@code callee}'s call
     *     site (the class's static initialiser reads it from the class data)
     */
    final int link(int callee) {
        int k = linked.indexOf(callee);
        if (k < 0) {
            k = linked.size();
            linked.add(callee);
        }
        return k;
    }

    /** @return the static field of a new inline cache's invoker, one per {@code call.indirect} ({@link #linked} below 0) */
    final int cache() {
        int k = linked.size();
        linked.add(-1 - k);
        return k;
    }

    /**
     * Counts a call's {@code values} (arguments and results) against the copy budget when they
     * are more than the free ones, as the interpreter does after the frame set-up.
     */
    final void copied(int values) {
        if (!view.movesFree(values)) {
            mv.visitVarInsn(ALOAD, C);
            push(values);
            mv.visitMethodInsn(INVOKESTATIC, RT, "copied", "(L" + CTX + ";I)V", false);
        }
    }

    /** Copies call arguments (classed registers at {@code code[at..at+n)}) to {@code NB + to + i}. */
    final void arguments(int at, int n, int to) {
        arguments(at, n, to, true, true);
    }

    /** {@link #arguments(int, int, int)}, the word ones or the others only as asked. */
    final void arguments(int at, int n, int to, boolean words, boolean refs) {
        for (int j = 0; j < n; j++) {
            int e = code[at + j];
            int c = e & 3;
            if (c == LOp.UNIT_CLASS || !(c == LOp.WORD_CLASS ? words : refs)) {
                continue;
            }
            mv.visitVarInsn(ALOAD, c == LOp.WORD_CLASS ? W : R);
            mv.visitVarInsn(ILOAD, NB);
            push(to + j);
            mv.visitInsn(IADD);
            if (c == LOp.WORD_CLASS) {
                loadW(e >>> 2);
                mv.visitInsn(LASTORE);
            } else {
                loadR(e >>> 2);
                mv.visitInsn(AASTORE);
            }
        }
    }

    /** Stores a returned call's results into its destination registers ([retc, dsts...] at pos). */
    final void results(int pos, boolean direct) {
        int retc = code[pos];
        if (direct) {
            mv.visitVarInsn(LSTORE, TMP);
        } else {
            mv.visitInsn(POP2);
        }
        // the callee may have grown the register files
        reloadFiles();
        for (int j = 0; j < retc; j++) {
            int dst = code[pos + 1 + j];
            if (regClass(dst) == LOp.WORD_CLASS) {
                if (direct) {
                    mv.visitVarInsn(LLOAD, TMP);
                } else {
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitFieldInsn(GETFIELD, CTX, "retW", "[J");
                    push(j);
                    mv.visitInsn(LALOAD);
                }
                storeW(dst);
            } else if (regClass(dst) == LOp.REF_CLASS) {
                mv.visitVarInsn(ALOAD, C);
                mv.visitFieldInsn(GETFIELD, CTX, "retR", "[Ljava/lang/Object;");
                push(j);
                mv.visitInsn(AALOAD);
                storeR(dst);
            }
        }
    }

    final void ret(int i, int g) {
        fuelOut(false);
        Label callee = new Label();
        int n = code[g + 1];
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitJumpInsn(IF_ICMPNE, callee);
        // the entry frame: Vm reads the results from the register files at this ret
        for (int j = 0; j < n; j++) {
            spill(code[g + 2 + j] >>> 2);
        }
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, FUNC);
        push(i);
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitMethodInsn(INVOKESTATIC, RT, "returned", "(L" + CTX + ";III)V", false);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LRETURN);
        mv.visitLabel(callee);
        frame();
        if (view.direct(view.program().functions().get(f).sig().rets())) {
            loadW(code[g + 2] >>> 2);
            mv.visitInsn(LRETURN);
            return;
        }
        for (int j = 0; j < n; j++) {
            int e = code[g + 2 + j];
            int c = e & 3;
            if (c == LOp.WORD_CLASS) {
                mv.visitVarInsn(ALOAD, C);
                mv.visitFieldInsn(GETFIELD, CTX, "retW", "[J");
                push(j);
                loadW(e >>> 2);
                mv.visitInsn(LASTORE);
            } else if (c == LOp.REF_CLASS) {
                mv.visitVarInsn(ALOAD, C);
                mv.visitFieldInsn(GETFIELD, CTX, "retR", "[Ljava/lang/Object;");
                push(j);
                loadR(e >>> 2);
                mv.visitInsn(AASTORE);
            }
        }
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LRETURN);
    }
}
