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
     * Emits a leaf's room test: to {@code real} unless the room left covers {@code regs}
     * registers (what {@code leafRoom(c, depth, base + regCount + regs)} tests).
     *
     * @param mv the method
     * @param slot the local ({@link #slot})
     * @param regs the leaf's register count
     * @param real where the call's real path starts
     */
    static void test(MethodVisitor mv, int slot, int regs, Label real) {
        mv.visitVarInsn(LLOAD, slot);
        JitCompiler.pushTo(mv, regs);
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "leafFits", "(JI)Z", false);
        mv.visitJumpInsn(IFEQ, real);
    }
}
