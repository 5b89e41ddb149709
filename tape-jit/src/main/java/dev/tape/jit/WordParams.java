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
 * parameters, before {@link JitCompiler#DESC}'s seven ({@link #desc}): HotSpot's calling
 * convention passes the first six integer-class parameters in machine registers, so the self-call
 * hands its arguments over in registers instead of through the word file. The method's prologue
 * moves every parameter to its usual local ({@code MethodEmitter}), so the body is the one it
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
     * {@code 2 * MAX + 7} on the stack), plus its fixed 64.
     */
    static final int TRAMPOLINE_WORDS = 3 * (7 + 2 * MAX + 7) + 64;

    /**
     * A bound on the trampoline's bytecode, in bytes: 22 fixed (the seven loads, the stack's
     * charge, the call and the return) plus at most 10 per word argument ({@code aload_1},
     * {@code getfield}, {@code iload_2}, the register's index pushed by {@code JitCompiler.pushTo}:
     * up to 3 bytes, a {@code sipush} from register 128 on or an {@code ldc} past 32,767,
     * {@code iadd}, {@code laload}). (The twenty-second round's first count, 9 per argument and
     * 94 in all, held for word arguments among registers 1 to 127 only: 8 word arguments after
     * 120 str arguments took 95 bytes, after 300 took 102, {@code AttackWordParamsSizeTest}.)
     */
    static final int TRAMPOLINE_BYTES = 22 + 10 * MAX;

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
     * @param n the number of word parameters, 1 to {@link #MAX}
     * @return the descriptor of a method with {@code n} {@code long} parameters before
     *     {@link JitCompiler#DESC}'s
     */
    static String desc(int n) {
        return "(" + "J".repeat(n) + DESC.substring(1);
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
        for (int local = 0; local <= JitCompiler.RESUME; local++) {
            mv.visitVarInsn(local < 2 ? ALOAD : ILOAD, local);
            if (local == STACK) {
                JitCompiler.pushTo(mv, TRAMPOLINE_WORDS);
                mv.visitInsn(ISUB);
                mv.visitInsn(ICONST_0);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
            }
        }
        mv.visitMethodInsn(INVOKESTATIC, CLASS, "f" + f, desc(regs.length), false);
        mv.visitInsn(LRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
