package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.CODE;
import static dev.tape.jit.JitCompiler.ENTRY;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.VM;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;

/**
 * The code image's code array and the running function's entry (its code index 0's global ip) in
 * a compiled method. A method whose body reads them (a host call or {@code call.indirect} passes
 * the global ip, an operand read at run time, the position of an instruction left to
 * {@code Ops.slow} or of a trap an inlined helper raises) reads them once in its prologue into the
 * locals {@link JitCompiler#CODE} and {@link JitCompiler#ENTRY}; any other method (fib: word
 * arithmetic, branches and direct calls) reads nothing at entry, and its hand-over handler reads
 * them from the VM itself, so a call pays neither the reads nor the two values kept alive across
 * its calls for the handler. The generator emits a method without the locals unless the body
 * surely reads them ({@link #surely}); then the first instruction that reads them throws
 * {@link NeedsImage}, and the method is generated again with them (a wasted partial generation at
 * most, never wrong code).
 */
final class ImageReads {
    private ImageReads() {}

    /** Thrown by a generator without the image locals at the first instruction that reads them. */
    static final class NeedsImage extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final NeedsImage INSTANCE = new NeedsImage();

        private NeedsImage() {
            super("method reads the code image", null, false, false);
        }
    }

    /**
     * Whether function {@code f}'s body certainly reads the code image (a host call,
     * {@code call.indirect} or {@code const.pool}): its method is then generated with the image
     * locals at once, sparing the partial generation that would end in {@link NeedsImage}. Only a
     * hint: any other instruction that reads them still throws {@link NeedsImage}.
     */
    static boolean surely(CompileView view, int f) {
        int[] code = view.image().code();
        int entry = view.image().entry(f);
        int[] pcOf = view.function(f).pcOf();
        for (int i = 0; i < pcOf.length; i++) {
            if (pcOf[i] >= 0) {
                switch (code[entry + i]) {
                    case Op.HOST_CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE, LOp.CONST_R -> {
                        return true;
                    }
                    default -> {
                    }
                }
            }
        }
        return false;
    }

    /**
     * The prologue's part: with {@code locals}, reads the code array and the entry into their
     * locals; without, gives the locals their types only (null and 0, which nothing reads).
     */
    static void prologue(MethodVisitor mv, boolean locals) {
        if (locals) {
            code(mv);
            mv.visitVarInsn(ASTORE, CODE);
            entry(mv);
            mv.visitVarInsn(ISTORE, ENTRY);
        } else {
            mv.visitInsn(ACONST_NULL);
            mv.visitVarInsn(ASTORE, CODE);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, ENTRY);
        }
    }

    /** Pushes the code image's code array ({@code int[]}), read from the VM: {@code vm.image.code()}. */
    static void code(MethodVisitor mv) {
        mv.visitVarInsn(ALOAD, VM);
        mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/internal/CodeImage;");
        mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/internal/CodeImage", "code", "()[I", false);
    }

    /** Pushes the running function's entry (an int), read from the VM: {@code vm.image.entry(func)}. */
    static void entry(MethodVisitor mv) {
        mv.visitVarInsn(ALOAD, VM);
        mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/internal/CodeImage;");
        mv.visitVarInsn(ILOAD, FUNC);
        mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/internal/CodeImage", "entry", "(I)I", false);
    }
}
