package dev.tape.jit;

import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.Generated;

import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;

import java.lang.invoke.MethodHandle;
import java.util.List;

import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.V17;

/**
 * Compiles a verified program's functions to JVM bytecode: one static method per function in one
 * hidden class, {@code long f<id>(Vm vm, ExecutionContext c, int base, int depth, int stackWords,
 * int func, int resume)} ({@code JitCompiler.DESC}; a function that calls itself with word arguments
 * takes them as {@code long} parameters ahead of these, and its {@code DESC} entry is a trampoline,
 * {@link WordParams}). It reads the program through a {@link CompileView} and reaches none of the
 * interpreter's state itself: the generated code does, as tape-core defines its class in
 * {@code dev.tape.vm} ({@link Codegen}).
 *
 * <p>The code keeps the interpreter's frame layout, as a baseline compiler does: a frame's registers
 * have their places in the context's {@code long[]}/{@code Object[]} files at {@code base + index}
 * (while the method runs they live in JVM locals and are written there only when the interpreter
 * needs them, see {@link MethodEmitter}), a call's frame record is the one the interpreter writes (a
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
 * <p>The generator of one method is six classes, each building on the one before:
 * {@link CallEmitter} (the call sites and inline caches, argument and result copies, {@code ret}),
 * {@link HostCallEmitter} (host calls), {@link CallSiteEmitter} (direct and indirect calls, and
 * the callees they run inline), {@link LocalsEmitter} (the registers' locals, their copies to and
 * from the register files, the fuel local), {@link InstructionEmitter} (every other instruction,
 * with {@link InlineOps}) and {@link MethodEmitter} (the method's shape: its prologue, blocks,
 * handlers and resumed entry). This class holds the method's layout (its local slots) and the
 * generation's attempts ({@link #generateClass}).
 */
final class JitCompiler implements Codegen {
    /** The compiler: direct calls of small leaf functions run inline ({@link LeafInliner}). */
    static final JitCompiler INSTANCE = new JitCompiler(true);
    /**
     * The compiler with one JVM frame per VM frame: every call is a real call (for a stack
     * sampler, which reads the functions a run is in from the Java stack).
     */
    static final JitCompiler FRAMED = new JitCompiler(false);

    /** whether calls may run their callees inline and structs and arrays be kept in locals ({@link Inlining}) */
    private final boolean inline;

    private JitCompiler(boolean inline) {
        this.inline = inline;
    }

    /**
     * {@inheritDoc} The class holds the function's method, under {@link #MAX_METHOD_BYTES} of bytecode,
     * and, for a function with word parameters ({@link WordParams}), its trampoline, the entry
     * {@link Generated#method} names.
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
    /** {@link InstructionEmitter#handover}'s function: the running one */
    static final int SELF = -1;

    /**
     * Generates the hidden class of one function's method (shared by every function of the same
     * shape: the function id is the method's last parameter), as {@link #generateClass(CompileView,
     * int, boolean, int[])} does.
     *
     * @param inline whether calls may run their callees inline and structs and arrays be kept in
     *     locals ({@link Inlining#ALL}), or not ({@link Inlining#NONE})
     * @return the class, or null when the method would be larger than {@link #MAX_METHOD_BYTES}
     * @throws RuntimeException on a compiler bug (the caller leaves the function to the interpreter)
     */
    static Generated generateClass(CompileView view, int f, boolean inline) {
        return generateClass(view, f, inline, new int[2]);
    }

    /** Most leaf steps of {@link #generateClass}'s fallback, each dropping the largest leaf still inline. */
    static final int LEAF_STEPS = 2;

    /**
     * Most method generations {@link #generateClass} makes for one function: its ten steps and
     * step 0 again without fast entries ({@link FastClone}; 20 before the twenty-fourth round),
     * each generated at most twice ({@link #generateImage}). Each generation stops soon after its
     * method passes {@link #MAX_METHOD_BYTES} (within 64 instructions' bytecode, or one counted
     * loop's inner copy), so a compile's time is bounded by a constant times the method limit.
     */
    static final int MAX_ATTEMPTS = 2 * (9 + LEAF_STEPS);

    /**
     * Generates the hidden class of one function's method. A method over the limit is generated
     * again with less, a step at a time, the least valuable dropped first, each step taken only
     * when the attempt before used what it drops: with everything ({@link Inlining#ALL}, step 0),
     * first with its direct calls' fast entries ({@link FastClone}, about 200 bytes a call) and,
     * when that is too large, without them, still step 0 (they are the first thing dropped and
     * stay dropped at every later step, so a method fits at the step and with the features it had
     * before the clones existed);
     * without its counted loops run in chunks ({@link CountedLoop}, step 1: dropped first, so
     * their preambles and inner copies never cost a method the inlining it had without them, as
     * before the chunks existed); unpeeled ({@link LoopPeel}, step 2); without its inlined loops'
     * fast copies ({@link LoopBounds}, step 3: so they never cost a method its inlined calls);
     * without looping callees inline ({@link LoopInliner}, step 4); without structs and arrays
     * kept in locals ({@link VirtualStructs}, {@link VirtualArrays}, step 5); with only leaves
     * smaller than the largest one inline ({@link LeafInliner}, steps 6 and 7, each dropping the
     * largest leaf still inline); with nothing inline ({@link Inlining#NONE}, step 8, without
     * chunks when step 1 dropped them); and, when the last attempt cleared dead aggregate
     * registers at its block starts ({@link DeadAggregates}, which holds for functions of at most
     * 4,096 ints of code, unreachable code counted), as that attempt without the clearing (step 9:
     * a function of 824 pad adds in {@code JitFallbackStepsTest}'s program, 6 bytes over at step 8
     * with the clearing, fitted only once 166 unreachable adds took it past 4,096 ints). Only step 1 depends on chunks: a later step can have none
     * that step 0 did not (a loop qualifies on inlining only through its leaves, which later steps
     * drop), so a method without a counted loop goes from step 0 to step 2. A method that fits at a
     * step is generated exactly as it was before the later steps existed: steps 0 and 2 to 8 with
     * no counted loop, and steps 1 to 8 with one, make the plans of the seventeenth round's steps
     * 0 to 7 (so no method has less inline than it had before the chunks existed).
     * (An unpeeled method with fast copies measured faster than the peeled one without: array_loop
     * padded to the limit, 0.030 to 0.042 against 0.046 to 0.068 ms a run.)
     *
     * @param inline whether to start from {@link Inlining#ALL} (else {@link Inlining#NONE}, and
     *     there is no later step but 1 and 9, the same plan without dead-aggregate clearing)
     * @param stats out: element 0 counts the method generations made (at most
     *     {@link #MAX_ATTEMPTS}), element 1 is the step that fit (0 to 9), or -1
     * @return the class, or null when the method would be larger than {@link #MAX_METHOD_BYTES}
     *     at every step
     * @throws RuntimeException on a compiler bug (the caller leaves the function to the interpreter)
     */
    static Generated generateClass(CompileView view, int f, boolean inline, int[] stats) {
        MethodEmitter[] made = new MethodEmitter[1];
        Inlining plan = inline ? Inlining.ALL : Inlining.NONE;
        stats[0] = 0;
        stats[1] = -1;
        // the word-parameter entry (WordParams) is not for FRAMED: its trampoline would be a second frame
        int[] params = inline ? WordParams.of(view, f) : null;
        Generated g = generateImage(view, f, plan, true, made, true, stats, 0, params, inline);
        // its direct calls' fast entries (FastClone): too large; dropped first, and for every later
        // step, so that a method fits at the step and with the features it had before the clones
        if (g == null && made[0].fastClones != null && !made[0].fastClones.cloned.isEmpty()) {
            g = generateImage(view, f, plan, true, made, true, stats, 0, params, false);
        }
        // loops run in chunks: too large (the rest of the method as it was before the chunks)
        if (g == null && made[0].counted != null) {
            plan = plan.withoutChunks();
            g = generateImage(view, f, plan, true, made, true, stats, 1, params, false);
        }
        g = g == null && made[0].peel != null ? generateImage(view, f, plan, false, made, true, stats, 2, params, false) : g; // peeled: too large
        // with its loops' fast copies: too large
        g = g == null && made[0].loops != null && made[0].loops.boundsUsed
                ? generateImage(view, f, plan, false, made, false, stats, 3, params, false) : g;
        if (g == null && made[0].loops != null && made[0].loops.used) {
            plan = plan.withoutLoops();
            g = generateImage(view, f, plan, false, made, false, stats, 4, params, false);
        }
        if (g == null && (made[0].structs != null || made[0].arrays != null)) {
            plan = plan.withoutAggregates();
            g = generateImage(view, f, plan, false, made, false, stats, 5, params, false);
        }
        for (int k = 0; k < LEAF_STEPS && g == null && made[0].leafMax > 0; k++) {
            plan = plan.below(made[0].leafMax);
            g = generateImage(view, f, plan, false, made, false, stats, 6 + k, params, false);
        }
        // leafRegs: some call may run a leaf inline; structs, arrays: some struct or array is kept in locals
        Inlining none = plan.chunks() ? Inlining.NONE : Inlining.NONE.withoutChunks();
        g = g == null && (made[0].leafRegs > 0 || made[0].structs != null || made[0].arrays != null)
                ? generateImage(view, f, none, false, made, true, stats, 6 + LEAF_STEPS, params, false) : g;
        // the stores of the last attempt's clearing (at most 30 bytes a block start): too large
        if (g == null && made[0].cleared) {
            MethodEmitter m = made[0];
            g = generateImage(view, f, m.inlining.withoutClearing(), m.peelLoops, made,
                    m.loops == null || m.loops.bounds, stats, 7 + LEAF_STEPS, params, false);
        }
        return g;
    }

    /**
     * {@link #generateOnce} without the image locals unless the body surely reads them, and again
     * with them if it turns out to ({@link ImageReads}); records step {@code step} in
     * {@code stats[1]} when the method fits.
     */
    private static Generated generateImage(CompileView view, int f, Inlining inline, boolean peel,
            MethodEmitter[] made, boolean bounds, int[] stats, int step, int[] params, boolean clones) {
        Generated g;
        try {
            g = generateOnce(view, f, inline, peel, made, ImageReads.surely(view, f), bounds, stats, params, clones);
        } catch (ImageReads.NeedsImage e) {
            g = generateOnce(view, f, inline, peel, made, true, bounds, stats, params, clones);
        }
        if (g != null) {
            stats[1] = step;
        }
        return g;
    }

    /**
     * {@link #generateClass} with inlining as asked (and the inlined loops' fast copies when
     * {@code bounds}), the method generator left in {@code made[0]}, counted in {@code stats[0]}.
     */
    private static Generated generateOnce(CompileView view, int f, Inlining inline, boolean peel,
            MethodEmitter[] made, boolean imageLocals, boolean bounds, int[] stats, int[] params, boolean clones) {
        stats[0]++;
        ClassWriter cw = writer();
        cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
        MethodEmitter m = new MethodEmitter(view, true, cw, f, MAX_METHOD_BYTES, inline, imageLocals, peel, params);
        // fast clones (FastClone): only on the inlining tier (the stack sampler's reads one JVM frame per VM frame)
        m.fastClones = clones ? new FastClone.Sites(view) : null;
        if (m.loops != null) {
            m.loops.bounds = bounds;
        }
        made[0] = m;
        try {
            m.emit();
        } catch (TooLarge e) {
            return null;
        }
        if (params != null) {
            WordParams.trampoline(cw, f, params);
        }
        if (m.fastClones != null) {
            m.fastClones.emit(cw);
        }
        List<MethodHandle> links = m.linkSites(cw);
        cw.visitEnd();
        try {
            return new Generated(cw.toByteArray(), List.copyOf(links), params == null ? "f" + f : WordParams.entry(f),
                    m.points);
        } catch (ClassTooLargeException | MethodTooLargeException e) {
            return null;
        }
    }

    /** Thrown when a method being generated has passed its size limit. */
    static final class TooLarge extends RuntimeException {
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
            return new MethodEmitter(view, false, cw, f, Integer.MAX_VALUE, Inlining.ALL, true, true,
                    WordParams.of(view, f)).emit();
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
        // frames are declared by MethodEmitter.frame, not computed (computing them cost most of the time)
        return new ClassWriter(ClassWriter.COMPUTE_MAXS);
    }
}
