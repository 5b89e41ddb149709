package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.Type;
import org.objectweb.asm.MethodVisitor;

import java.lang.invoke.MethodHandle;
import java.util.List;

import static dev.tape.jit.JitCompiler.ARGS;
import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CALLEE;
import static dev.tape.jit.JitCompiler.CALLS;
import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.DESC;
import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.MH;
import static dev.tape.jit.JitCompiler.MH_T;
import static dev.tape.jit.JitCompiler.NB;
import static dev.tape.jit.JitCompiler.RESULTS;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.SITE;
import static dev.tape.jit.JitCompiler.SITE_N;
import static dev.tape.jit.JitCompiler.SITE_T;
import static dev.tape.jit.JitCompiler.STACK;
import static dev.tape.jit.JitCompiler.TMP;
import static dev.tape.jit.JitCompiler.UNWIND;
import static dev.tape.jit.JitCompiler.VALUE;
import static dev.tape.jit.JitCompiler.VALUES;
import static dev.tape.jit.JitCompiler.VM;
import static dev.tape.jit.JitCompiler.W;
import static dev.tape.jit.JitCompiler.R;
import static dev.tape.jit.JitCompiler.cost;
import static dev.tape.jit.JitCompiler.pushTo;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_PRIVATE;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.PUTSTATIC;
import static org.objectweb.asm.Opcodes.RETURN;
import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ANEWARRAY;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.CHECKCAST;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IASTORE;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IF_ICMPGE;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.ISUB;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.POP2;

/**
 * The call instructions of one function's method ({@code call}, {@code call.indirect},
 * {@code host_call}, {@code ret}): the part of {@link JitCompiler}'s method generator that sets up
 * frames, passes arguments and results, and calls through call sites, inline caches and the host
 * ABI. {@code JitCompiler.Method} extends it with the rest of the instructions, the registers'
 * locals and the method's frame.
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

    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline whether direct calls of leaf functions run inline ({@link LeafInliner})
     */
    CallEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, boolean inline) {
        this.view = view;
        this.linking = linking;
        this.mv = mv;
        this.image = view.image();
        this.code = image.code();
        this.f = f;
        this.fn = view.function(f);
        this.entry = image.entry(f);
        int most = 0;
        if (inline) {
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
        leafRegs = inline ? Math.max(most, new LoopInliner(view, fn, code, entry).regs()) : most; // and LoopInliner's
    }

    /** Most functions a method's {@code const.func}s name that its {@code call.indirect} sites may inline. */
    private static final int MAX_CANDIDATES = 4;
    /**
     * the leaf functions the method's {@code const.func}s name, which its {@code call.indirect}
     * sites run inline when the callee is one of them (at most {@link #MAX_CANDIDATES})
     */
    private final List<LeafInliner.Leaf> candidates = new java.util.ArrayList<>();

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
     * Whether the method publishes its Java stack share once, in its prologue ({@link #publishOnce}),
     * instead of before each host call: when its function makes no {@code call} or
     * {@code call.indirect} (nothing but a host call's own nested run, which restores it, changes
     * the share while the method runs) and makes at least one host call.
     */
    private Boolean stackOnce;

    private boolean stackOnce() {
        if (stackOnce == null) {
            boolean host = false;
            boolean calls = false;
            int len = fn.code().length;
            int[] pcOf = fn.pcOf();
            for (int i = 0; i < len; i++) {
                if (pcOf[i] < 0) {
                    continue;
                }
                int op = code[entry + i];
                host |= op == Op.HOST_CALL;
                calls |= op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC
                        || op == LOp.CALL_INDIRECT_CLOSURE;
            }
            stackOnce = host && !calls;
        }
        return stackOnce;
    }

    /**
     * In the prologue: publishes the Java stack this frame has left when the method publishes it
     * once ({@link #stackOnce}). Every host call of such a method then finds the share holding
     * this frame's value, as when it was written before each call: the tier writes it before
     * entering or resuming the method, no callee frame runs while the method does, and a run a
     * host function starts puts the share back as it found it when it ends.
     */
    final void publishOnce() {
        if (stackOnce()) {
            writeStack();
        }
    }

    /** Publishes the Java stack this frame has left, for a run the host function may start. */
    private void publishStack() {
        if (!stackOnce()) {
            writeStack();
        }
    }

    private void writeStack() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "stackShare", "[I");
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ILOAD, STACK);
        mv.visitInsn(IASTORE);
    }

    /**
     * Pushes the host-call runtime's leading arguments for the host call at code index {@code i}
     * of host signature {@code sig}: the VM, the context, the site (when {@code site}), the
     * signature id, the call's global ip and the fuel left: the context's (after
     * {@link #fuelOut}), or the method's fuel local plus {@code refund} (the fuel of the block's
     * instructions after the call, charged with the block) when {@code fuelLocal} (a call that
     * leaves the fuel in the local and does not end its block).
     */
    private void callHead(int i, int sig, boolean site, boolean fuelLocal, int refund) {
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        if (site) {
            mv.visitVarInsn(ALOAD, SITE);
        }
        push(sig);
        global(i);
        if (fuelLocal) {
            // the block was charged whole at its start: the interpreter's fuel left once the
            // host_call is paid for also has the block's later instructions' fuel
            mv.visitVarInsn(LLOAD, FUEL);
            if (refund != 0) {
                mv.visitLdcInsn((long) refund);
                mv.visitInsn(LADD);
            }
        } else {
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        }
    }

    /**
     * A direct call: the depth and register checks, arguments to the callee's registers, the
     * call, results. The caller's frame record is left to the hand-over handler
     * ({@code JitRuntime.pending}), which writes it when a trap, pause or hand-over unwinds
     * through the call.
     */
    final void call(int i, int g, int refund) {
        LeafInliner.Leaf leaf = inlinable(g);
        if (leaf == null) {
            LoopInliner.call(this, g, () -> realCall(i, g, refund)); // a looping callee inline, else the real call
            return;
        }
        Label real = new Label();
        Label done = new Label();
        LeafInliner.emit(this, leaf, g, real, done);
        mv.visitLabel(real);
        frame();
        realCall(i, g, refund);
        mv.visitLabel(done);
        frame();
    }

    /**
     * @return the leaf the direct call at global index {@code g} runs inline ({@link LeafInliner}),
     *     or null when it makes the real call: the callee is no leaf or has failed to compile, its
     *     arguments and results are more than the copy budget's free values, a word result goes to
     *     a register without a word local, or the method has inlined its fill
     */
    private LeafInliner.Leaf inlinable(int g) {
        int callee = code[g + 1];
        LeafInliner.Leaf leaf = leaves.get(callee);
        if (leaf == null || linking && view.failed(callee)) {
            return null;
        }
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        // the arguments' moves: a load and a store each
        int bytes = leaf.bytes() + 8 * argc;
        if (argc + code[pos] > view.freeValues() || inlinedBytes + bytes > LeafInliner.MAX_METHOD_BYTES) {
            return null;
        }
        for (int j = 0; j < code[pos]; j++) {
            int dst = code[pos + 1 + j];
            if (regClass(dst) == LOp.REF_CLASS) {
                return null;
            }
        }
        inlinedBytes += bytes;
        return leaf;
    }

    /** The real direct call (see {@link #call}). */
    private void realCall(int i, int g, int refund) {
        at(i, refund);
        fuelOut(true);
        int callee = code[g + 1];
        int argc = code[g + 2];
        int pos = g + 3 + argc;
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
        arguments(g + 3, argc, 1);
        if (linking && view.failed(callee)) {
            handover(callee, 0, NB, true);
            return;
        }
        // a call to this method is a JVM call; any other goes through the callee's call site
        boolean self = callee == f;
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
        handover(callee, 0, NB, true);
        mv.visitLabel(go);
        frame();
        if (!self) {
            mv.visitFieldInsn(GETSTATIC, CLASS, "L" + link, MH_T);
        }
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, NB);
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
    }

    /**
     * @return the index of the static field that holds the invoker of {@code callee}'s call
     *     site (the class's static initialiser reads it from the class data)
     */
    private int link(int callee) {
        int k = linked.indexOf(callee);
        if (k < 0) {
            k = linked.size();
            linked.add(callee);
        }
        return k;
    }

    /** @return the static field of a new inline cache's invoker, one per {@code call.indirect} ({@link #linked} below 0) */
    private int cache() {
        int k = linked.size();
        linked.add(-1 - k);
        return k;
    }

    /**
     * Counts a call's {@code values} (arguments and results) against the copy budget when they
     * are more than the free ones, as the interpreter does after the frame set-up.
     */
    private void copied(int values) {
        if (values > view.freeValues()) {
            mv.visitVarInsn(ALOAD, C);
            push(values);
            mv.visitMethodInsn(INVOKESTATIC, RT, "copied", "(L" + CTX + ";I)V", false);
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
     *     runs inline when its callee is one of them: those that {@link LeafInliner#fits} it,
     *     while the method has inlining budget left; none when its arguments and results are more
     *     than the copy budget's free values
     */
    private List<LeafInliner.Leaf> inlinable(int g, boolean closure) {
        int argc = code[g + 3];
        if (candidates.isEmpty() || argc + code[g + 4 + argc] > view.freeValues()) {
            return List.of();
        }
        List<LeafInliner.Leaf> fit = new java.util.ArrayList<>();
        for (LeafInliner.Leaf leaf : candidates) {
            // the id test and the environment's moves besides the arguments'
            int bytes = leaf.bytes() + 8 * argc + 16;
            if (LeafInliner.fits(this, leaf, g, closure) && inlinedBytes + bytes <= LeafInliner.MAX_METHOD_BYTES) {
                inlinedBytes += bytes;
                fit.add(leaf);
            }
        }
        return fit;
    }

    /**
     * A host call, specialised to its signature: each argument is boxed by its static kind, a
     * word result is unboxed after one type test, and the rest is the interpreter's own steps
     * ({@code Calls.begin}, {@code invoke}, {@code result}).
     */
    final void host(int i, int g, int refund) {
        int shape = view.hostWordShape(code[g + 1]);
        if (shape >= 0) {
            wordHost(i, g, refund, shape);
            return;
        }
        at(i, refund);
        fuelOut(true);
        int sig = code[g + 1];
        int argc = code[g + 2];
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        push(sig);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "begin", "(Ldev/tape/vm/Vm;L" + CTX + ";I)" + SITE_T, false);
        mv.visitVarInsn(ASTORE, SITE);
        ValueKind[] kinds = view.hostArgKinds(sig);
        int at = g + 3 + argc;
        int retc = code[at];
        // fresh argument and result arrays, as Calls.host uses (no GC card marking per call)
        values(argc, ARGS);
        for (int j = 0; j < argc; j++) {
            mv.visitVarInsn(ALOAD, ARGS);
            push(j);
            box(kinds[j], code[g + 3 + j]);
            mv.visitInsn(AASTORE);
        }
        values(retc, RESULTS);
        publishStack();
        callHead(i, sig, true, false, 0);
        mv.visitVarInsn(ALOAD, ARGS);
        mv.visitVarInsn(ALOAD, RESULTS);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "invoke",
                "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "IIJ" + VALUES + VALUES + ")V", false);
        suspendCheck(i);
        for (int j = 0; j < retc; j++) {
            int dst = code[at + 1 + j];
            ValueType t = view.hostRetTypes(sig)[j];
            // both helpers take (vm, c, site, sig, results, j, ...)
            mv.visitVarInsn(ALOAD, VM);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(ALOAD, SITE);
            push(sig);
            mv.visitVarInsn(ALOAD, RESULTS);
            push(j);
            if (Aggregate.isWord(t.kind()) && t == ValueType.of(t.kind()) && regClass(dst) == LOp.WORD_CLASS) {
                index(dst);
                mv.visitMethodInsn(INVOKESTATIC, RT, "resultWord",
                        "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "I" + VALUES + "II)J", false);
                storeW(dst);
                continue;
            }
            // the interpreter's check and store into the register files, then back into the local
            reloadFiles();
            mv.visitVarInsn(ALOAD, W);
            mv.visitVarInsn(ALOAD, R);
            index(dst);
            mv.visitMethodInsn(INVOKESTATIC, CALLS, "result",
                    "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "I" + VALUES + "I[J[Ljava/lang/Object;I)V", false);
            if (dst < fn.regCount()) {
                reload(dst);
            }
        }
        chargeCheck();
        fuelIn();
    }

    /** After a host call: when its function asked to suspend, hands over at this host_call, its results not stored. */
    private void suspendCheck(int i) {
        Label go = new Label();
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "hostSuspended", "Z");
        mv.visitJumpInsn(IFEQ, go);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitVarInsn(ILOAD, FUNC);
        push(i);
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitMethodInsn(INVOKESTATIC, RT, "suspended", "(L" + CTX + ";" + SITE_T + "IIII)" + UNWIND, false);
        mv.visitInsn(ATHROW);
        mv.visitLabel(go);
        frame();
    }

    /** After a host call: applies the extra fuel its function charged, if any. */
    private void chargeCheck() {
        Label none = new Label();
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitFieldInsn(GETFIELD, SITE_N, "charged", "J");
        mv.visitVarInsn(LSTORE, TMP);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFEQ, none);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitMethodInsn(INVOKESTATIC, RT, "charge", "(L" + CTX + ";J)V", false);
        mv.visitLabel(none);
        frame();
    }

    /** The runtime of word functions' host calls. */
    private static final String WORDS = "dev/tape/vm/WordCalls";

    /**
     * A host call of a word function ({@code WordCalls}), no value boxed: the argument registers'
     * words passed as {@code long}s with the function as a constant handle (one to three words:
     * C2 inlines the function, {@link #fewWords}) or through the site's word array after
     * {@code Calls.begin}, each result's word stored in its register (a bool's as 0 or 1). A
     * one-to-three-word function has no context, so it can neither suspend the run nor charge
     * fuel: only a {@code WORDS} function's call checks for both afterwards.
     */
    private void wordHost(int i, int g, int refund, int shape) {
        at(i, refund);
        int sig = code[g + 1];
        int argc = code[g + 2];
        int at = g + 3 + argc;
        int retc = code[at];
        if (shape != 0) {
            fewWords(i, g, shape, refund);
            return;
        }
        fuelOut(true);
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        push(sig);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "begin", "(Ldev/tape/vm/Vm;L" + CTX + ";I)" + SITE_T, false);
        mv.visitVarInsn(ASTORE, SITE);
        publishStack();
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "words", "(" + SITE_T + ")[J", false);
        for (int j = 0; j < argc; j++) {
            mv.visitInsn(DUP);
            push(j);
            loadW(code[g + 3 + j]);
            mv.visitInsn(LASTORE);
        }
        mv.visitInsn(POP);
        callHead(i, sig, true, false, 0);
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "callWords", "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "IIJ)V",
                false);
        suspendCheck(i);
        for (int j = 0; j < retc; j++) {
            mv.visitVarInsn(ALOAD, VM);
            mv.visitVarInsn(ALOAD, SITE);
            push(sig);
            push(j);
            mv.visitMethodInsn(INVOKESTATIC, WORDS, "result", "(Ldev/tape/vm/Vm;" + SITE_T + "II)J", false);
            wordResult(code[at + 1 + j]);
        }
        chargeCheck();
        fuelIn();
    }

    /**
     * The host call at code index {@code i} (global index {@code g}) of a one-to-three-word
     * function ({@code WordFunction.OF1..OF3}, {@code shape} 1 to 3): counted in a local
     * ({@link HostCount}, limit tested at the block's start; at most four values never reach the
     * copy budget), the words as arguments of {@code WordCalls.call<shape>} with the function's
     * constant handle, the result's word into its register.
     *
     * <p>The fuel stays in the method's local (no write to the context and no read back): such a
     * function sees no context, so it cannot charge fuel or suspend, and nothing the call runs
     * reads the context's fuel (a traced or recorded call's site takes the fuel left as an
     * argument, and a run the function starts on the same context is refused as in use). Were the
     * call to trap (a function that throws), the handler writes the local to the
     * context, as it is after {@link #fuelOut}, and adds the block's unrun fuel, {@code refund}.
     * So the call does not end its block ({@link #fewWordHost}): the instructions after it are
     * charged with it at the block's start.
     */
    private void fewWords(int i, int g, int shape, int refund) {
        int sig = code[g + 1];
        int argc = code[g + 2];
        int dst = code[g + 4 + argc];
        heapOut(true); // a traced call's site may show the run's counters; the function cannot allocate
        countHost(); // the limit was tested at the block's start (HostCount)
        publishStack();
        callHead(i, sig, false, true, refund);
        int k = hostLinked.indexOf(sig);
        if (k < 0) {
            k = hostLinked.size();
            hostLinked.add(sig);
        }
        mv.visitFieldInsn(GETSTATIC, CLASS, "H" + k, MH_T);
        for (int j = 0; j < argc; j++) {
            loadW(code[g + 3 + j]);
        }
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "call" + shape,
                "(Ldev/tape/vm/Vm;L" + CTX + ";IIJ" + MH_T + "J".repeat(argc) + ")J", false);
        if (view.hostRetTypes(sig)[0].kind() == ValueKind.BOOL) {
            mv.visitMethodInsn(INVOKESTATIC, WORDS, "bool", "(J)J", false);
        }
        wordResult(dst);
    }

    /** Stores the {@code long} on the stack, a word result, in register {@code dst}. */
    private void wordResult(int dst) {
        if (regClass(dst) == LOp.WORD_CLASS) {
            storeW(dst);
            return;
        }
        // a register without a word local: into the word file, then back into its local
        mv.visitVarInsn(LSTORE, TMP);
        reloadFiles();
        mv.visitVarInsn(ALOAD, W);
        index(dst);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitInsn(LASTORE);
        if (dst < fn.regCount()) {
            reload(dst);
        }
    }

    /** Stores a new {@code Value[n]} (the shared empty array when n is 0) in local {@code local}. */
    private void values(int n, int local) {
        if (n == 0) {
            mv.visitFieldInsn(GETSTATIC, CALLS, "NO_VALUES", VALUES);
        } else {
            push(n);
            mv.visitTypeInsn(ANEWARRAY, VALUE);
        }
        mv.visitVarInsn(ASTORE, local);
    }

    /** Pushes register {@code reg}, of kind {@code k}, as a {@code Value}. */
    private void box(ValueKind k, int reg) {
        switch (k) {
            case I64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "i64", "(J)Ldev/tape/value/Value$I64;", true);
            }
            case U64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "u64", "(J)Ldev/tape/value/Value$U64;", true);
            }
            case F64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "f64Bits", "(J)Ldev/tape/value/Value$F64;", true);
            }
            case BOOL, FUNC -> {
                mv.visitFieldInsn(GETSTATIC, "dev/tape/program/ValueKind", k.name(), "Ldev/tape/program/ValueKind;");
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, "dev/tape/value/Aggregate", "fromWord",
                        "(Ldev/tape/program/ValueKind;J)L" + VALUE + ";", false);
            }
            case UNIT -> mv.visitFieldInsn(GETSTATIC, VALUE, "UNIT", "Ldev/tape/value/Value$Unit;");
            default -> {
                loadR(reg);
                mv.visitTypeInsn(CHECKCAST, VALUE);
            }
        }
    }

    /** Copies call arguments (classed registers at {@code code[at..at+n)}) to {@code NB + to + i}. */
    private void arguments(int at, int n, int to) {
        for (int j = 0; j < n; j++) {
            int e = code[at + j];
            int c = e & 3;
            if (c == LOp.UNIT_CLASS) {
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
    private void results(int pos, boolean direct) {
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
