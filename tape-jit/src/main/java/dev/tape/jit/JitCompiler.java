package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.Generated;

import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;

import java.lang.invoke.MethodHandle;
import java.util.List;

import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.F_NEW;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.T_LONG;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.ICONST_M1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2D;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.IALOAD;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.V17;

/**
 * Compiles a verified program's functions to JVM bytecode: one static method per function in one
 * hidden class, {@code long f<id>(Vm vm, ExecutionContext c, int base, int depth, int stackWords,
 * int func, int resume)}. It reads the program through a {@link CompileView} and reaches none of the
 * interpreter's state itself: the generated code does, as tape-core defines its class in
 * {@code dev.tape.vm} ({@link Codegen}).
 *
 * <p>The code keeps the interpreter's frame layout, as a baseline compiler does: a frame's registers
 * have their places in the context's {@code long[]}/{@code Object[]} files at {@code base + index}
 * (while the method runs they live in JVM locals and are written there only when the interpreter
 * needs them, see {@link Method}), a call's frame record is the one the interpreter writes (a
 * direct call's is written by the hand-over handler, only when the run unwinds through it), and
 * rare instructions call the interpreter's own helpers ({@code Ops.slow}). What goes away is the
 * dispatch: operands are constants in the code, registers are locals, branches are JVM jumps, and a
 * call is a JVM call that C2 can inline. Fuel is charged once per basic
 * block (a block ends at a branch target, after a terminator and after every call and host call
 * but that of a one-to-three-word function, which reads and changes no fuel);
 * a block whose fuel is short hands the run to the interpreter, which meters it instruction by
 * instruction and traps at the exact pc. A trap inside a block gives back the fuel of the block's
 * instructions that did not run. So fuel, traps, pcs and spans are those of the interpreter. The
 * fuel left is a {@code long} local of the method ({@link #FUEL}), not the context's field: it is
 * read at entry and after each call and host call, and written back before each of those, at
 * {@code ret}, and in the trap and hand-over handlers, the only places where anything else reads
 * or changes the context's fuel.
 *
 * <p>A function's result comes back as the method's {@code long} when it is one word value
 * (bool, i64, u64, f64, func), else through the context's result arrays. A function whose method
 * would be larger than {@link #MAX_METHOD_BYTES} (HotSpot does not JIT-compile methods over 8,000
 * bytes of bytecode) gets no method; a call to it hands over to the interpreter. So does a call
 * that would nest compiled frames deeper than {@link CompileView#maxNesting} or past the tier's
 * budget of Java stack ({@code stackWords} is what is left): recursion
 * is bounded by the program's call-depth limit only, never by a {@code StackOverflowError}.
 *
 * <p>The generator of one method is three classes, each building on the one before:
 * {@link CallEmitter} (calls, host calls, {@code ret} and the call sites), {@link LocalsEmitter}
 * (the registers' locals, their copies to and from the register files, the fuel local) and
 * {@code Method} here (the method's shape, its blocks and handlers, and every other instruction,
 * with {@link InlineOps}).
 */
final class JitCompiler implements Codegen {
    /** The compiler: direct calls of small leaf functions run inline ({@link LeafInliner}). */
    static final JitCompiler INSTANCE = new JitCompiler(true);
    /**
     * The compiler with one JVM frame per VM frame: every call is a real call (for a stack
     * sampler, which reads the functions a run is in from the Java stack).
     */
    static final JitCompiler FRAMED = new JitCompiler(false);

    /** whether direct calls of leaf functions run inline */
    private final boolean inline;

    private JitCompiler(boolean inline) {
        this.inline = inline;
    }

    /**
     * {@inheritDoc} The class holds one method, under {@link #MAX_METHOD_BYTES} of bytecode.
     */
    @Override
    public Generated generate(CompileView view, int func) {
        // ASM's classes and the generator's with static initialisers, initialised up front (see ClassInit)
        ClassInitList.generate();
        return generateClass(view, func, inline);
    }

    /** {@inheritDoc} See {@link #cost(int)}. */
    @Override
    public int stackCost(int regCount) {
        return cost(regCount);
    }

    /** Largest method compiled, in bytes of JVM bytecode: under HotSpot's 8,000-byte limit. */
    static final int MAX_METHOD_BYTES = 7_900;

    static final String CLASS = "dev/tape/vm/JitCode";
    static final String DESC = "(Ldev/tape/vm/Vm;Ldev/tape/vm/ExecutionContext;IIIII)J";
    static final String CTX = "dev/tape/vm/ExecutionContext";
    static final String RT = "dev/tape/vm/JitRuntime";
    static final String UNWIND = "Ldev/tape/vm/JitRuntime$Unwind;";

    // local variable slots of a compiled method
    static final int VM = 0;
    static final int C = 1;
    static final int BASE = 2;
    static final int DEPTH = 3;
    /** the Java stack the method's callees may still use, in words (see {@link #cost}) */
    static final int STACK = 4;
    /** the function id this call runs (functions of one shape share the method) */
    static final int FUNC = 5;
    /** {@link CompileView#fresh}, or the code index a resumed frame goes on from */
    static final int RESUME = 6;
    static final int W = 7;
    static final int R = 8;
    static final int CODE = 9;
    static final int IP = 10;
    static final int REFUND = 11;
    static final int TMP = 12; // a long: slots 12 and 13
    static final int NB = 14;
    static final int CALLEE = 15;
    static final int SITE = 16;
    static final int ARGS = 17;
    static final int RESULTS = 18;
    /** the function's entry in the code image (the global ip of its code index 0) */
    static final int ENTRY = 19;
    /**
     * the fuel left, a long (slots 20 and 21): read from the context at entry and after every
     * call-out that may change it, written back before every exit and every call-out that may read
     * it, and {@link #FUEL_IN_CONTEXT} while the context's field is the current value
     */
    static final int FUEL = 20;
    /** the first local slot of the registers */
    static final int FIRST_REGISTER = 22;
    /** {@link #FUEL}'s value while the context's {@code fuel} field holds the fuel left (a call-out runs) */
    static final long FUEL_IN_CONTEXT = -1;

    /**
     * A bound on the Java stack a function's method uses, in 8-byte words, even before HotSpot
     * compiles it (an interpreted JVM frame holds every local and the operand stack, and the
     * interpreter's frames measured about 1.6 times locals plus a fixed part): three words per
     * local, two locals per register, plus room for the operand stack, the frame itself and a
     * helper's frame. (A decimal register has three locals, a long and an int: 1.6 times 3 is still
     * under the 6 words counted per register.)
     */
    static int cost(int regCount) {
        return 3 * (FIRST_REGISTER + 2 * regCount) + 64;
    }

    static final String CALLS = "dev/tape/vm/Calls";
    static final String NUMERICS = "dev/tape/vm/Numerics";
    static final String SITE_N = "dev/tape/vm/Calls$Site";
    static final String SITE_T = "L" + SITE_N + ";";
    static final String VALUE = "dev/tape/value/Value";
    static final String VALUES = "[L" + VALUE + ";";
    static final String OBJECT = "java/lang/Object";
    static final String MH = "java/lang/invoke/MethodHandle";
    static final String MH_T = "L" + MH + ";";
    /** {@link Method#handover}'s function: the running one */
    static final int SELF = -1;

    /**
     * Generates the hidden class of one function's method (shared by every function of the same
     * shape: the function id is the method's last parameter). A method over the limit with its
     * loops peeled ({@link LoopPeel}) is generated again unpeeled, one over it with its inlined
     * loops' fast copies ({@link LoopBounds}) again without them (so they never cost a method its
     * inlined calls), and one over it with leaf calls inline ({@link LeafInliner}) again with real
     * calls, which may fit. (An unpeeled method with fast copies measured faster than the peeled
     * one without: array_loop padded to the limit, 0.030 to 0.042 against 0.046 to 0.068 ms a run.)
     *
     * @param inline whether direct calls of leaf functions run inline
     * @return the class, or null when the method would be larger than {@link #MAX_METHOD_BYTES}
     *     (generation stops soon after it passes that size)
     * @throws RuntimeException on a compiler bug (the caller leaves the function to the interpreter)
     */
    static Generated generateClass(CompileView view, int f, boolean inline) {
        Method[] made = new Method[1];
        Generated g = generateImage(view, f, inline, true, made, true);
        g = g == null && made[0].peel != null ? generateImage(view, f, inline, false, made, true) : g; // peeled: too large
        // with its loops' fast copies: too large
        g = g == null && made[0].loops != null && made[0].loops.boundsUsed
                ? generateImage(view, f, inline, false, made, false) : g;
        // leafRegs: some call may run a leaf inline; structs, arrays: some struct or array is kept in locals
        return g == null && (made[0].leafRegs > 0 || made[0].structs != null || made[0].arrays != null)
                ? generateImage(view, f, false, false, made, true) : g;
    }

    /**
     * {@link #generateOnce} without the image locals unless the body surely reads them, and again
     * with them if it turns out to ({@link ImageReads}).
     */
    private static Generated generateImage(CompileView view, int f, boolean inline, boolean peel, Method[] made,
            boolean bounds) {
        try {
            return generateOnce(view, f, inline, peel, made, ImageReads.surely(view, f), bounds);
        } catch (ImageReads.NeedsImage e) {
            return generateOnce(view, f, inline, peel, made, true, bounds);
        }
    }

    /**
     * {@link #generateClass} with inlining as asked (and the inlined loops' fast copies when
     * {@code bounds}), the method generator left in {@code made[0]}.
     */
    private static Generated generateOnce(CompileView view, int f, boolean inline, boolean peel, Method[] made,
            boolean imageLocals, boolean bounds) {
        ClassWriter cw = writer();
        cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
        Method m = new Method(view, true, cw, f, MAX_METHOD_BYTES, inline, imageLocals, peel);
        if (m.loops != null) {
            m.loops.bounds = bounds;
        }
        made[0] = m;
        try {
            m.emit();
        } catch (TooLarge e) {
            return null;
        }
        List<MethodHandle> links = m.linkSites(cw);
        cw.visitEnd();
        try {
            return new Generated(cw.toByteArray(), List.copyOf(links), "f" + f, m.points);
        } catch (ClassTooLargeException | MethodTooLargeException e) {
            return null;
        }
    }

    /** Thrown when a method being generated has passed its size limit. */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final TooLarge INSTANCE = new TooLarge();

        private TooLarge() {
            super("method too large", null, false, false);
        }
    }

    /**
     * Generates one function's method on its own, whatever its size.
     *
     * @return its size in bytes of bytecode, or {@code Integer.MAX_VALUE} when it is over the JVM's
     *     64 KiB limit or cannot be generated
     */
    static int measure(CompileView view, int f) {
        ClassWriter cw = writer();
        cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
        try {
            return new JitCompiler.Method(view, false, cw, f, Integer.MAX_VALUE, true, true, true).emit();
        } catch (RuntimeException e) {
            // over the JVM's limit (MethodTooLargeException), or a compiler bug: not compiled
            return Integer.MAX_VALUE;
        }
    }

    static void pushTo(MethodVisitor mv, int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    private static ClassWriter writer() {
        // frames are declared by Method.frame, not computed (computing them cost most of the time)
        return new ClassWriter(ClassWriter.COMPUTE_MAXS);
    }

    /**
     * One function's method. Registers live in JVM locals while the method runs (a word register in
     * a {@code long} local, a reference register in an {@code Object} local, a register the verifier
     * types as decimal unboxed in a {@code long} mantissa and an {@code int} scale, -1 while it holds
     * no value), so C2 keeps them in machine registers, storing a new object into one costs no GC
     * write barrier and decimal arithmetic allocates nothing. A decimal register is boxed
     * ({@code Numerics.decBox}) wherever its value leaves the locals ({@link #loadR}) and unboxed
     * wherever one comes in ({@link #storeR}); {@link InlineOps} runs the decimal instructions on
     * the pair. They go to the
     * context's register files only where the interpreter's state must be exact: arguments for a
     * callee, the operands of an instruction left to {@code Ops.slow}, the entry frame's results,
     * and, through a handler for {@code JitRuntime.Unwind}, every register when the run is handed
     * to the interpreter (the handler also runs in each caller's frame as the unwinding passes it).
     */
    private static final class Method extends LocalsEmitter {
        /** the size, in bytes of bytecode, past which generation stops ({@link TooLarge}) */
        private final int limit;
        private final Label[] labels;
        private final Label end = new Label();
        /** set by a fused compare that emitted the branch of the br after it */
        private boolean branchDone;
        /** the instruction {@link InlineOps} is emitting and its block's refund, for its trap point */
        private int current;
        private int currentRefund;
        /** the bytecode offset of the last frame declared */
        private int lastFrame = -1;
        /** per code index: whether the method can be resumed there (a reachable block start), set by emit */
        boolean[] points;
        /** whether the prologue reads {@link JitCompiler#CODE} and {@link JitCompiler#ENTRY} ({@link ImageReads}) */
        private final boolean imageLocals;
        /** whether loops with calls are peeled ({@link LoopPeel}); the instructions emitted so far */
        private final boolean peelLoops;
        private int emitted;

        Method(CompileView view, boolean linking, ClassWriter cw, int f, int limit, boolean inline, boolean imageLocals,
                boolean peelLoops) {
            super(view, linking, cw.visitMethod(ACC_STATIC | ACC_SYNTHETIC, "f" + f, DESC, null, null), f, inline);
            this.limit = limit;
            this.imageLocals = imageLocals;
            this.peelLoops = peelLoops;
            this.labels = new Label[fn.code().length];
        }

        /**
         * Declares the stack map frame at the label just visited: the fixed locals and this stack
         * (the class writer computes no frames: with one type per local, they are known).
         */
        @Override
        void frame(Object... stack) {
            // two labels at one offset (a host call's last label and the next block's) get one frame
            Label here = new Label();
            mv.visitLabel(here);
            if (here.getOffset() == lastFrame) {
                return;
            }
            lastFrame = here.getOffset();
            mv.visitFrame(F_NEW, locals.length, locals, stack.length, stack);
        }

        private boolean isStart(int i) {
            return fn.pcOf()[i] >= 0;
        }

        private int next(int i) {
            int len = fn.code().length;
            int j = i + 1;
            while (j < len && !isStart(j)) {
                j++;
            }
            return j;
        }

        private void leader(int i) {
            if (i < labels.length && labels[i] == null) {
                labels[i] = new Label();
            }
        }

        /**
         * Emits the method.
         *
         * @return its size in bytes of bytecode
         */
        int emit() {
            int len = fn.code().length;
            leader(0);
            // whether the method makes direct calls (their frame records are written lazily)
            boolean calls = false;
            for (int i = 0; i < len; i = next(i)) {
                int g = entry + i;
                calls |= code[g] == Op.CALL;
                switch (code[g]) {
                    case Op.BR -> {
                        leader(code[g + 2] - entry);
                        leader(code[g + 3] - entry);
                        leader(next(i));
                    }
                    case Op.JMP -> {
                        leader(code[g + 1] - entry);
                        leader(next(i));
                    }
                    case Op.RET, Op.TRAP, LOp.NO_CODE, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE
                            -> leader(next(i));
                    case Op.HOST_CALL -> {
                        if (!fewWordHost(g)) {
                            leader(next(i));
                        }
                    }
                    default -> {
                    }
                }
            }
            boolean[] reachable = BlockFlow.reachable(code, entry, fn.pcOf(), labels);
            boolean[] entrances = view.entrances(f);
            int[][] clear = deadAggregates(reachable);
            points = new boolean[len];
            mv.visitCode();
            reloadFiles();
            ImageReads.prologue(mv, imageLocals);
            // every local gets its one type here (the stack map frames rely on it)
            for (int local : new int[] {IP, REFUND, NB, CALLEE}) {
                mv.visitInsn(ICONST_0);
                mv.visitVarInsn(ISTORE, local);
            }
            mv.visitInsn(LCONST_0);
            mv.visitVarInsn(LSTORE, TMP);
            fuelIn();
            publishOnce();
            for (int local : new int[] {SITE, ARGS, RESULTS}) {
                mv.visitInsn(ACONST_NULL);
                mv.visitVarInsn(ASTORE, local);
            }
            // arguments (r1..rN) from the register files, every other register zero or null (each
            // local gets its type); then a resumed frame reads those that any instruction may read
            for (int reg = 0; reg < slot.length; reg++) {
                if (slot[reg] < 0) {
                    continue;
                }
                if (reg >= 1 && reg <= fn.argCount()) {
                    reload(reg);
                } else if (cls[reg] == LOp.WORD_CLASS) {
                    mv.visitInsn(LCONST_0);
                    mv.visitVarInsn(LSTORE, slot[reg]);
                } else if (dec[reg]) {
                    mv.visitInsn(LCONST_0);
                    mv.visitVarInsn(LSTORE, slot[reg]);
                    mv.visitInsn(ICONST_M1);
                    mv.visitVarInsn(ISTORE, slot[reg] + 2);
                } else {
                    mv.visitInsn(ACONST_NULL);
                    mv.visitVarInsn(ASTORE, slot[reg]);
                }
            }
            leafLocals();
            Label fresh = new Label();
            mv.visitVarInsn(ILOAD, RESUME);
            mv.visitJumpInsn(IFLT, fresh);
            boolean[] read = view.mayRead(f);
            for (int reg = 0; reg < slot.length; reg++) {
                if (read[reg] && !(reg >= 1 && reg <= fn.argCount())) {
                    reload(reg);
                }
            }
            mv.visitLabel(fresh);
            frame();
            Label tryStart = new Label();
            Label tryEnd = new Label();
            Label trapHandler = new Label();
            Label unwindHandler = new Label();
            Label resumed = new Label();
            // a paused frame goes on at a block start (JitResume)
            mv.visitVarInsn(ILOAD, RESUME);
            mv.visitJumpInsn(IFGE, resumed);
            mv.visitTryCatchBlock(tryStart, tryEnd, trapHandler, "dev/tape/vm/VmTrap");
            mv.visitTryCatchBlock(tryStart, tryEnd, unwindHandler, "dev/tape/vm/JitRuntime$Unwind");
            mv.visitTryCatchBlock(tryStart, tryEnd, trapHandler, "java/lang/OutOfMemoryError");
            mv.visitLabel(tryStart);
            peel = peelLoops && leafRoom >= 0 ? LoopPeel.of(code, entry, fn.pcOf(), labels, reachable) : null;
            blocks(0, reachable, entrances, clear);
            if (peel != null && peel.startSteady(this)) {
                blocks(peel.from, reachable, entrances, clear);
            }
            mv.visitLabel(tryEnd);
            handlers(trapHandler, unwindHandler, calls);
            resumeSwitch(resumed);
            mv.visitLabel(end);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            if (end.getOffset() > limit) {
                throw TooLarge.INSTANCE;
            }
            return end.getOffset();
        }

        /**
         * Emits the reachable blocks from code index {@code from} on (all of them, or a
         * {@link LoopPeel}'s steady copy), each at its label of the copy being emitted.
         */
        private void blocks(int from, boolean[] reachable, boolean[] entrances, int[][] clear) {
            int len = labels.length;
            int blockLen = 0;
            int k = 0;
            boolean live = true;
            for (int i = from; i < len; i = next(i)) {
                if (labels[i] != null) {
                    // the verifier types reachable code only: unreachable blocks are not emitted
                    live = reachable[i];
                }
                if (!live) {
                    continue;
                }
                if (labels[i] != null) {
                    mv.visitLabel(peel == null ? labels[i] : peel.block(labels, i));
                    frame();
                    blockLen = 1;
                    for (int j = next(i); j < len && labels[j] == null; j = next(j)) {
                        blockLen++;
                    }
                    points[i] = entrances[i];
                    clearDead(clear == null ? null : clear[i]);
                    fuelCheck(i, blockLen);
                    k = 0;
                    if (peel != null) {
                        peel.block(this, i);
                    }
                }
                instruction(i, blockLen - k - 1);
                k++;
                if ((++emitted & 63) == 0 && size() > limit) {
                    throw TooLarge.INSTANCE;
                }
            }
        }

        /** The label of a jump from code index {@code i} to block {@code t} in the copy being emitted ({@link LoopPeel}). */
        private Label jump(int t, int i) {
            return peel == null ? labels[t] : peel.target(labels, t, i);
        }

        /** Sets the locals of registers {@code regs} (reference registers, or null: none) to null. */
        private void clearDead(int[] regs) {
            if (regs != null) {
                for (int reg : regs) {
                    mv.visitInsn(ACONST_NULL);
                    mv.visitVarInsn(ASTORE, slot[reg]);
                    cleared(reg);
                }
            }
        }

        /**
         * The method's trap handler and hand-over handler, at their labels; {@code calls}: whether
         * the method makes direct calls (the hand-over handler writes their lazy frame records).
         */
        private void handlers(Label trapHandler, Label unwindHandler, boolean calls) {
            // a trap (or an OutOfMemoryError, which traps too): record where, give back the block's
            // unrun fuel, unwind (registers are not needed)
            mv.visitLabel(trapHandler);
            frame("java/lang/Throwable");
            fuelBack("java/lang/Throwable");
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(ILOAD, FUNC);
            mv.visitVarInsn(ILOAD, IP);
            mv.visitVarInsn(ILOAD, BASE);
            mv.visitVarInsn(ILOAD, DEPTH);
            mv.visitVarInsn(ILOAD, REFUND);
            mv.visitMethodInsn(INVOKESTATIC, RT, "trapped", "(Ljava/lang/Throwable;L" + CTX + ";IIIII)" + UNWIND,
                    false);
            mv.visitInsn(ATHROW);
            // a hand-over (here or in a callee): the interpreter will run this frame, so it gets the registers
            mv.visitLabel(unwindHandler);
            frame("dev/tape/vm/JitRuntime$Unwind");
            fuelBack("dev/tape/vm/JitRuntime$Unwind");
            if (calls) {
                // stopped in a callee: this frame's record of its pending call (a direct call
                // writes none)
                mv.visitVarInsn(ALOAD, C);
                ImageReads.code(mv);
                mv.visitVarInsn(ILOAD, DEPTH);
                mv.visitVarInsn(ILOAD, BASE);
                push(fn.regCount());
                ImageReads.entry(mv);
                mv.visitVarInsn(ILOAD, IP);
                mv.visitMethodInsn(INVOKESTATIC, RT, "pending", "(L" + CTX + ";[IIIIII)V", false);
            }
            reloadFiles();
            for (int reg = 0; reg < slot.length; reg++) {
                spill(reg);
            }
            mv.visitInsn(ATHROW);
        }

        /** {@link DeadAggregates} of this function: per code index, the registers its block clears. */
        private int[][] deadAggregates(boolean[] reachable) {
            int len = labels.length;
            boolean[] starts = new boolean[len];
            boolean[] blocks = new boolean[len];
            int leaders = 0;
            for (int i = 0; i < len; i++) {
                starts[i] = isStart(i);
                blocks[i] = labels[i] != null && reachable[i];
                leaders += labels[i] != null ? 1 : 0;
            }
            return DeadAggregates.of(view, f, code, entry, starts, blocks, cls, dec, leaders);
        }

        /** @return the bytes of bytecode emitted so far */
        private int size() {
            Label here = new Label();
            mv.visitLabel(here);
            return here.getOffset();
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
         * The resumed entry (outside the handlers' range; the prologue has read the registers from
         * the register files): a jump to the block the {@code resume} argument names; any other
         * value throws (callers check {@link #points} first).
         */
        private void resumeSwitch(Label resumed) {
            mv.visitLabel(resumed);
            frame();
            int n = 0;
            for (boolean p : points) {
                n += p ? 1 : 0;
            }
            int[] keys = new int[n];
            Label[] targets = new Label[n];
            n = 0;
            for (int i = 0; i < points.length; i++) {
                if (points[i]) {
                    keys[n] = i;
                    targets[n++] = labels[i];
                }
            }
            Label bad = new Label();
            mv.visitVarInsn(ILOAD, RESUME);
            mv.visitLookupSwitchInsn(bad, keys, targets);
            mv.visitLabel(bad);
            frame();
            mv.visitVarInsn(ILOAD, RESUME);
            mv.visitMethodInsn(INVOKESTATIC, RT, "badResume", "(I)Ljava/lang/IllegalStateException;", false);
            mv.visitInsn(ATHROW);
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
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitInsn(insn);
            storeW(code[g + 1]);
        }

        private void shift(int g, int insn) {
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitInsn(L2I); // the JVM masks a long shift count to its low 6 bits, as the spec does
            mv.visitInsn(insn);
            storeW(code[g + 1]);
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
         * {@code le}: that xor 1; {@code eq}: {@code (c & 1) ^ 1}. A fused compare whose br
         * follows in the same block also branches on the comparison itself (when its result does
         * not overwrite an operand), and the br then emits nothing.
         */
        private void compare(int i, int g) {
            int op = code[g];
            int dst = code[g + 1];
            int a = code[g + 2];
            int b = code[g + 3];
            InlineOps.compareInts(this, op, a, b);
            int jump = InlineOps.jumpOf(op);
            InlineOps.bitOfCompare(mv, jump);
            storeW(dst);
            boolean fused = LOp.unfused(op) != op;
            int br = g + 4;
            if (fused && dst != a && dst != b && i + 4 < labels.length && labels[i + 4] == null
                    && code[br] == Op.BR && code[br + 1] == dst) {
                InlineOps.compareInts(this, op, a, b);
                mv.visitJumpInsn(jump, jump(code[br + 2] - entry, i));
                mv.visitJumpInsn(GOTO, jump(code[br + 3] - entry, i));
                branchDone = true;
            }
        }

        private void instruction(int i, int refund) {
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
                    loadW(code[g + 1]);
                    mv.visitInsn(LCONST_0);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFNE, jump(code[g + 2] - entry, i));
                    mv.visitJumpInsn(GOTO, jump(code[g + 3] - entry, i));
                }
                case Op.JMP -> mv.visitJumpInsn(GOTO, jump(code[g + 1] - entry, i));
                case LOp.SELECT_W, LOp.SELECT_R -> select(g, op == LOp.SELECT_W);
                case Op.CALL -> call(i, g, refund);
                case LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> callIndirect(i, g, refund,
                        op == LOp.CALL_INDIRECT_CLOSURE);
                case Op.RET -> ret(i, g);
                case Op.HOST_CALL -> host(i, g, refund);
                case LOp.TUPLE_NEW_W -> {
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
}
