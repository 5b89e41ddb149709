package dev.tape.jit;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import java.util.List;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.DUP2;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * The inlined leaves' room test ({@code JitRuntime.leafRoom}: the depth under the call-depth
 * limit, and the leaf's registers and the caller's frame record within the run's register
 * high-water mark) kept in a {@code long} local of the method: the room left,
 * {@code JitRuntime.leafRoomLeft} ({@code regHigh - FRAME_REGISTERS * depth - (base + regCount)},
 * or -1 when the depth is at the limit), computed in the prologue and again wherever the method
 * reads the fuel back after a call-out ({@code fuelIn}). A leaf's guard then tests
 * {@code room >= leaf registers} ({@code JitRuntime.leafFits}, which C2 inlines to one compare of a
 * value it keeps in a machine register), which holds exactly when {@code leafRoom} would.
 *
 * <p>Exact even where the local is behind the context: within a run, the register mark
 * ({@code regHigh}) and the depth limit the context keeps ({@code jitDepth}) only grow (both are
 * reset only by a new run or a trap, neither of which a method invocation outlives), so a room
 * read earlier is at most the room now, and the guard can only fail where {@code leafRoom} would
 * pass, sending the call down its real path, which is exact in any case.
 *
 * <p>Made up front: when the room is short (at a loop's first call, say, before any call has
 * raised the mark that far), the test raises the mark itself as the real call would
 * ({@code JitRuntime.leafMakeRoom}) when the real call would neither trap nor grow the register
 * files there, so that the real path is not taken once per run, which kept it, and its re-reads
 * of every field, in C2's compiled loop.
 */
final class LeafRoom {
    private LeafRoom() {}

    /**
     * Bytes of bytecode one {@link #refresh} takes at most: {@code aload}, two {@code iload}s, a
     * {@code sipush}/{@code ldc}, {@code iadd}, {@code invokestatic} and a wide {@code lstore}.
     */
    static final int REFRESH_BYTES = 24;

    /**
     * Lays out the local: appends its type to {@code types} (the method's locals so far, in
     * stack map form) and returns its slot; -1 when {@code used} is false (the method inlines no
     * leaf), with nothing appended.
     *
     * @param used whether the method may inline a leaf
     * @param types the locals' types, slot order, a {@code long} as one entry
     * @return the slot, or -1
     */
    static int slot(boolean used, List<Object> types) {
        if (!used) {
            return -1;
        }
        int slot = 0;
        for (Object t : types) {
            slot += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        types.add(LONG);
        return slot;
    }

    /**
     * Emits the local's computation from the context (in the prologue and after each call-out).
     *
     * @param mv the method
     * @param slot the local ({@link #slot})
     * @param regCount the method's function's register count
     */
    static void refresh(MethodVisitor mv, int slot, int regCount) {
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        JitCompiler.pushTo(mv, regCount);
        mv.visitInsn(IADD);
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "leafRoomLeft", "(L" + CTX + ";II)J", false);
        mv.visitVarInsn(LSTORE, slot);
    }

    /**
     * Bytes of bytecode {@link #test} takes at most beyond the plain test (a wide {@code lload},
     * a {@code sipush}/{@code ldc}, {@code invokestatic}, {@code ifeq}): {@code aload}, two
     * {@code iload}s, two {@code sipush}/{@code ldc}, {@code iadd}, {@code invokestatic},
     * {@code dup2} and a wide {@code lstore}.
     */
    static final int MAKE_BYTES = 24;

    /**
     * Emits a leaf's room test: to {@code real} unless the room left covers {@code regs}
     * registers (what {@code leafRoom(c, depth, base + regCount + regs)} tests), after making the
     * room when it is short and the real call would make it without trapping or growing anything
     * ({@code JitRuntime.leafMakeRoom}, which raises the register mark as the real call would and
     * whose result the local keeps). Emitted where the leaf's body runs when the test passes (the
     * fuel test before it), so the mark is raised exactly where the real call raises it; the
     * reads' checks after it may still send the call down its real path, which then finds the
     * mark raised, as it would have raised it itself before entering the callee.
     *
     * @param mv the method
     * @param slot the local ({@link #slot})
     * @param regCount the method's function's register count
     * @param regs the leaf's register count
     * @param real where the call's real path starts
     */
    static void test(MethodVisitor mv, int slot, int regCount, int regs, Label real) {
        mv.visitVarInsn(LLOAD, slot);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        JitCompiler.pushTo(mv, regCount);
        mv.visitInsn(IADD);
        JitCompiler.pushTo(mv, regs);
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "leafMakeRoom", "(JL" + CTX + ";III)J", false);
        mv.visitInsn(DUP2);
        mv.visitVarInsn(LSTORE, slot);
        JitCompiler.pushTo(mv, regs);
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "leafFits", "(JI)Z", false);
        mv.visitJumpInsn(IFEQ, real);
    }

    /**
     * Emits a leaf's room test without the making (in a {@link LoopPeel}'s steady copy): to
     * {@code short_} unless the room left covers {@code regs} registers. Bounded: the plain test's
     * bytes (a wide {@code lload}, a {@code sipush}/{@code ldc}, {@code invokestatic}, {@code ifeq}).
     *
     * @param mv the method
     * @param slot the local ({@link #slot})
     * @param regs the leaf's register count
     * @param short_ where the call goes when the room is short
     */
    static void fits(MethodVisitor mv, int slot, int regs, Label short_) {
        mv.visitVarInsn(LLOAD, slot);
        JitCompiler.pushTo(mv, regs);
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "leafFits", "(JI)Z", false);
        mv.visitJumpInsn(IFEQ, short_);
    }
}
