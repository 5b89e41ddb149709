package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DESC;
import static dev.tape.jit.JitCompiler.STACK;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.I2L;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISUB;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LRETURN;

/**
 * Word arguments as JVM parameters for a function's direct calls of itself. A function that calls
 * itself directly ({@code call} with its own id) and has 1 to {@link #MAX} word arguments (bool,
 * i64, u64, f64, func) gets a method whose descriptor puts those arguments first, as {@code long}
 * parameters, before {@link JitCompiler#DESC}'s seven packed into five ({@link #desc}): HotSpot's
 * calling convention passes the first six integer-class parameters in machine registers, so the
 * self-call hands its arguments over in registers instead of through the word file, and with one
 * word argument every parameter travels in a register (with {@code DESC}'s seven unpacked, the
 * function id and the resume index went through the stack). The method's prologue moves every
 * parameter to its usual local ({@link #unpack}, {@code MethodEmitter}), so the body is the one it
 * would be with {@code DESC}, but for the word arguments' reads from the file.
 *
 * <p>The word file then does not hold the arguments while the callee runs. Nothing reads them
 * there: the hand-over handler writes every register from its local (a pause, a snapshot, a
 * hand-over to the interpreter), an instruction left to {@code Ops.slow} gets its operands
 * written before, and a trap needs no registers ({@code MethodEmitter}'s handlers). The caller
 * writes the word arguments to the callee's registers only on the paths that hand the call over
 * to the interpreter (too deep, or no method: {@code CallSiteEmitter}); reference arguments go
 * through the file as before.
 *
 * <p>Every other entry (the tier's, a resumed frame's, an inline cache's, {@code JitRuntime.invoke},
 * another function's linked call site) still calls the method with {@code DESC}, now a
 * trampoline ({@link #trampoline}) that reads the word arguments from the file and calls the
 * method. It is one more JVM frame on those entries, which it pays for itself: it passes on
 * {@link #TRAMPOLINE_WORDS} less Java stack than it got, so the method's callees keep within
 * the budget the caller counted ({@link JitCompiler#cost}). The tier for a stack sampler
 * ({@code JitCompiler.FRAMED}, one Java frame per VM frame) does not use it.
 */
final class WordParams {
    private WordParams() {
    }

    /** Most word arguments passed as parameters (the differential test's range). */
    static final int MAX = 8;

    /**
     * A bound on the trampoline's JVM frame, in 8-byte words, counted as {@link JitCompiler#cost}
     * counts a method's: three words per local and operand stack slot (7 locals, at most
     * {@code 2 * MAX + 9} on the stack: the word arguments, three references and ints, a packed
     * {@code long} and the four slots packing the next), plus its fixed 64.
     */
    static final int TRAMPOLINE_WORDS = 3 * (7 + 2 * MAX + 9) + 64;

    /**
     * A bound on the trampoline's bytecode, in bytes: 34 fixed (the seven loads, the stack's
     * charge, the two packings of {@link #desc}, the call and the return) plus at most 10 per word argument ({@code aload_1},
     * {@code getfield}, {@code iload_2}, the register's index pushed by {@code JitCompiler.pushTo}:
     * up to 3 bytes, a {@code sipush} from register 128 on or an {@code ldc} past 32,767,
     * {@code iadd}, {@code laload}). (The twenty-second round's first count, 9 per argument and
     * 94 in all, held for word arguments among registers 1 to 127 only: 8 word arguments after
     * 120 str arguments took 95 bytes, after 300 took 102, {@code AttackWordParamsSizeTest}; the
     * twenty-third round's packing added 12 fixed bytes.)
     */
    static final int TRAMPOLINE_BYTES = 34 + 10 * MAX;

    /**
     * @param view the program
     * @param f a function id
     * @return the word argument registers (ascending, among r1 to rN) of function {@code f} when it
     *     calls itself directly and has 1 to {@link #MAX} of them, else null (the method keeps
     *     {@link JitCompiler#DESC})
     */
    static int[] of(CompileView view, int f) {
        LoweredFunction fn = view.function(f);
        int[] code = view.image().code();
        int entry = view.image().entry(f);
        boolean self = false;
        for (int s = 0; s < fn.instructionCount() && !self; s++) {
            int g = entry + fn.instructionStart(s);
            self = code[g] == Op.CALL && code[g + 1] == f;
        }
        if (!self) {
            return null;
        }
        int n = 0;
        int[] regs = new int[fn.argCount()];
        for (int reg = 1; reg <= fn.argCount(); reg++) {
            ValueType t = fn.regType(reg);
            if (t != null && t.kind() != ValueKind.UNIT && Aggregate.isWord(t.kind())) {
                regs[n++] = reg;
            }
        }
        return n == 0 || n > MAX ? null : java.util.Arrays.copyOf(regs, n);
    }

    /**
     * The descriptor of a method with word parameters: {@code n} {@code long}s, then the Vm, the
     * context and the register base as in {@link JitCompiler#DESC}, then two {@code long}s that
     * pack {@code DESC}'s last four ints, {@code (depth << 32) + stack} and
     * {@code (resume << 32) + func} (both exact: the stack and the function id are 0 or more; the
     * depth and the resume index, -1 for a fresh call, are the high halves, read back with
     * {@code >>> 32}). Five parameters after the words instead of seven, so with one word argument
     * all six travel in HotSpot's six integer argument registers.
     *
     * @param n the number of word parameters, 1 to {@link #MAX}
     * @return the descriptor {@code (J...JLVm;LExecutionContext;IJJ)J}
     */
    static String desc(int n) {
        return "(" + "J".repeat(n) + "Ldev/tape/vm/Vm;L" + CTX + ";IJJ)J";
    }

    /**
     * Pushes, from the parameters of a method with {@link #desc}{@code (k)}, the word arguments
     * and then {@link JitCompiler#DESC}'s seven values in order (vm, context, base, depth, stack,
     * function id, resume index), unpacked: the prologue then stores them all, in reverse, to their
     * locals (the parameters' slots overlap the locals', so every load comes first).
     *
     * @param mv the method
     * @param k the number of word parameters
     */
    static void unpack(MethodVisitor mv, int k) {
        for (int j = 0; j < k; j++) {
            mv.visitVarInsn(LLOAD, 2 * j);
        }
        mv.visitVarInsn(ALOAD, 2 * k);
        mv.visitVarInsn(ALOAD, 2 * k + 1);
        mv.visitVarInsn(ILOAD, 2 * k + 2);
        int ds = 2 * k + 3;
        int fr = 2 * k + 5;
        highHalf(mv, ds);
        mv.visitVarInsn(LLOAD, ds);
        mv.visitInsn(L2I);
        mv.visitVarInsn(LLOAD, fr);
        mv.visitInsn(L2I);
        highHalf(mv, fr);
    }

    /** Pushes the high half of the long in {@code slot} as an int ({@code >>> 32}, see {@link #desc}). */
    private static void highHalf(MethodVisitor mv, int slot) {
        mv.visitVarInsn(LLOAD, slot);
        mv.visitIntInsn(BIPUSH, 32);
        mv.visitInsn(LUSHR);
        mv.visitInsn(L2I);
    }

    /** Widens the int on the operand stack to a long and shifts it to the high half (see {@link #desc}). */
    private static void toHigh(MethodVisitor mv) {
        mv.visitInsn(I2L);
        mv.visitIntInsn(BIPUSH, 32);
        mv.visitInsn(LSHL);
    }

    /** Adds the int on the operand stack, 0 or more, as the low half to the long under it. */
    private static void addLow(MethodVisitor mv) {
        mv.visitInsn(I2L);
        mv.visitInsn(LADD);
    }

    /**
     * Emits a self-call's two packed arguments of {@link #desc} (after its vm, context and
     * register base): the depth plus one with the stack less {@code cost} (0 or more: the call
     * site tested {@code stack >= cost}), and the constant {@code (fresh << 32) + callee}.
     *
     * @param mv the method
     * @param cost the Java stack the callee's frame takes, in words
     * @param callee the called function's id (0 or more)
     * @param fresh the resume index of a fresh call
     */
    static void packCall(MethodVisitor mv, int cost, int callee, int fresh) {
        // (no lambdas on the compile path: a first compile after the warm-up spins none, WarmupTest)
        mv.visitVarInsn(ILOAD, JitCompiler.DEPTH);
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        toHigh(mv);
        mv.visitVarInsn(ILOAD, STACK);
        JitCompiler.pushTo(mv, cost);
        mv.visitInsn(ISUB);
        addLow(mv);
        mv.visitLdcInsn(((long) fresh << 32) + callee);
    }

    /**
     * @param f a function with word parameters ({@link #of})
     * @return the name of its trampoline, the method the tier looks up: {@code t<id>}, not
     *     {@code f<id>}, so that a stack sampler ({@code StackSampler}), which reads the functions
     *     a run is in from the {@code f<id>} frames, reads one frame per VM frame
     */
    static String entry(int f) {
        return "t" + f;
    }

    /**
     * Adds function {@code f}'s trampoline ({@link #entry}, with {@link JitCompiler#DESC}) to the class: it reads the
     * word arguments from the word file ({@code base + reg}) and calls the method with
     * {@link #desc}, passing on its Java stack less {@link #TRAMPOLINE_WORDS} (at least 0, which
     * makes every call of the method's hand over), and returns its result.
     *
     * @param cw the function's class
     * @param f the function
     * @param regs its word argument registers ({@link #of})
     */
    static void trampoline(ClassWriter cw, int f, int[] regs) {
        MethodVisitor mv = cw.visitMethod(ACC_STATIC | ACC_SYNTHETIC, entry(f), DESC, null, null);
        mv.visitCode();
        for (int reg : regs) {
            mv.visitVarInsn(ALOAD, JitCompiler.C);
            mv.visitFieldInsn(GETFIELD, CTX, "w", "[J");
            mv.visitVarInsn(ILOAD, JitCompiler.BASE);
            JitCompiler.pushTo(mv, reg);
            mv.visitInsn(IADD);
            mv.visitInsn(LALOAD);
        }
        mv.visitVarInsn(ALOAD, JitCompiler.VM);
        mv.visitVarInsn(ALOAD, JitCompiler.C);
        mv.visitVarInsn(ILOAD, JitCompiler.BASE);
        mv.visitVarInsn(ILOAD, JitCompiler.DEPTH);
        toHigh(mv);
        mv.visitVarInsn(ILOAD, STACK);
        JitCompiler.pushTo(mv, TRAMPOLINE_WORDS);
        mv.visitInsn(ISUB);
        mv.visitInsn(ICONST_0);
        mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
        addLow(mv);
        // a function id is 0 or more
        mv.visitVarInsn(ILOAD, JitCompiler.RESUME);
        toHigh(mv);
        mv.visitVarInsn(ILOAD, JitCompiler.FUNC);
        addLow(mv);
        mv.visitMethodInsn(INVOKESTATIC, CLASS, "f" + f, desc(regs.length), false);
        mv.visitInsn(LRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
