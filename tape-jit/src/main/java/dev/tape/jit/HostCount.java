package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.List;

import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.FUEL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.PUTFIELD;

/**
 * The host-call count of a method's one-to-three-word host calls ({@code HostCallEmitter.fewWords})
 * kept in a {@code long} local: the calls this invocation made that the context's
 * {@code hostCalls} field does not count yet (the pending calls), and the limit's test folded into
 * the fuel test of the block's start, as {@link HeapLocal} folds the heap room's. A loop of such
 * calls then adds 1 to a machine register per call and makes the one test per block it made for
 * the fuel, instead of a read, limit test, add and write of the field per call (two thirds of
 * host_loop's compiled time).
 *
 * <p>The pending local is 0 at the method's entry, fresh or resumed, and after every call-out
 * ({@code fuelIn}); each one-to-three-word call adds 1 before it calls the function (the
 * interpreter counts a call before it runs it, so a function that throws is counted). The pending
 * calls are added to the field and the local set to 0 ({@link #flush}) wherever anything else may
 * read or change the count: before every {@code call}, {@code call.indirect}, boxed or
 * {@code Words} host call and {@code ret} ({@code fuelOut}), and in the trap and hand-over
 * handlers ({@code fuelBack}), which every trap, pause at a fuel slice, snapshot and hand-over to
 * the interpreter passes through. A one-to-three-word function sees no context, and a run it
 * starts on the same context is refused as in use, so nothing reads the field while the local is
 * ahead of it.
 *
 * <p>The test: a second local, the threshold, is set wherever the fuel is read (prologue and after
 * every call-out) to {@code max(0, fuel - room)}, with the room the limit less the field less the
 * pending calls ({@code WordCalls.threshold}), and a block with such calls runs only when
 * {@code fuel - len >= threshold} ({@link #test}). Each such call is one of the block's
 * instructions, charged with the block at its start, so since the threshold was set the fuel has
 * gone down at least as much as the room: the test implies that the fuel covers the block and
 * that the room covers its calls (at most {@code len}). When it fails, the threshold is computed
 * again and the test repeated; when that fails too, the run is handed over at the block's start,
 * and the interpreter, running one instruction at a time, traps {@code host_call_limit_exceeded}
 * or {@code fuel_exceeded} (or whatever comes first) at the exact pc with the exact counts. Such
 * a call does not end its block, so once the block has started each of its calls runs unless an
 * instruction before it traps. The fuel local is -1 only while a call-out runs, and the
 * threshold computed from it then is -1 too, which fails every test: a path that has not read the
 * fuel back hands over rather than miscounts.
 */
final class HostCount {
    private HostCount() {}

    /**
     * Lays out the two {@code long} locals, the pending calls and the threshold: appends their
     * types to {@code types} (the method's locals so far, in stack map form) and returns the
     * first's slot (the threshold's is 2 more); -1 when {@code few} is null (the method makes no
     * one-to-three-word host call), with nothing appended.
     *
     * @param few per code index, whether a one-to-three-word host call starts there ({@link #fewCalls}), or null
     * @param types the locals' types, slot order, a {@code long} as one entry
     * @return the slot, or -1
     */
    static int slot(boolean[] few, List<Object> types) {
        if (few == null) {
            return -1;
        }
        int slot = 0;
        for (Object t : types) {
            slot += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        types.add(LONG);
        types.add(LONG);
        return slot;
    }

    /**
     * @param fn a lowered function
     * @param code the code image ({@code CodeImage.code()})
     * @param entry the function's entry in it (the global ip of its code index 0)
     * @param view the program's compile view, whose {@code hostCallKeepsBlock} tells whether a host
     *     signature's calls are one-to-three-word calls (that do not end their block:
     *     {@code CallEmitter.fewWordHost}); a plain interface call, not a method reference, so that a
     *     first compile spins no lambda class (fourteenth round, first runs)
     * @return per code index, whether an instruction starts there that is a one-to-three-word
     *     host call; null when there is none
     */
    static boolean[] fewCalls(LoweredFunction fn, int[] code, int entry, CompileView view) {
        int[] pcOf = fn.pcOf();
        boolean[] out = null;
        for (int i = 0; i < pcOf.length; i++) {
            if (pcOf[i] >= 0 && code[entry + i] == Op.HOST_CALL && view.hostCallKeepsBlock(code[entry + i + 1])) {
                if (out == null) {
                    out = new boolean[pcOf.length];
                }
                out[i] = true;
            }
        }
        return out;
    }

    /**
     * @param fn the function
     * @param few {@link #fewCalls} of it (not null)
     * @param i the code index a block starts at
     * @param blockLen the block's instruction count (instruction starts, as the compiler counts them)
     * @return the one-to-three-word host calls among the block's instructions
     */
    static int inBlock(LoweredFunction fn, boolean[] few, int i, int blockLen) {
        int[] pcOf = fn.pcOf();
        int calls = 0;
        int seen = 0;
        for (int j = i; j < few.length && seen < blockLen; j++) {
            if (pcOf[j] >= 0) {
                seen++;
                calls += few[j] ? 1 : 0;
            }
        }
        return calls;
    }

    /**
     * Sets the pending calls to 0 and the threshold from the fuel local, already read (in the
     * prologue and after a call-out, when the context's field is current).
     */
    static void reset(MethodVisitor mv, int slot) {
        if (slot < 0) {
            return;
        }
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, slot);
        threshold(mv, slot);
    }

    /** Counts one call in the local (before the function runs). */
    static void count(MethodVisitor mv, int slot) {
        mv.visitVarInsn(LLOAD, slot);
        mv.visitInsn(LCONST_1);
        mv.visitInsn(LADD);
        mv.visitVarInsn(LSTORE, slot);
    }

    /** Adds the pending calls to the context's field and sets the local to 0. */
    static void flush(MethodVisitor mv, int slot) {
        if (slot < 0) {
            return;
        }
        mv.visitVarInsn(ALOAD, C);
        mv.visitInsn(DUP);
        mv.visitFieldInsn(GETFIELD, CTX, "hostCalls", "J");
        mv.visitVarInsn(LLOAD, slot);
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, CTX, "hostCalls", "J");
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, slot);
    }

    /** Sets the threshold local from the fuel local, the context and the pending calls ({@code WordCalls.threshold}). */
    static void threshold(MethodVisitor mv, int slot) {
        if (slot < 0) {
            return;
        }
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitVarInsn(LLOAD, slot);
        mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/WordCalls", "threshold", "(L" + CTX + ";JJ)J", false);
        mv.visitVarInsn(LSTORE, slot + 2);
    }

    /**
     * At the start of a block with one-to-three-word host calls: jumps to {@code pass} when
     * {@code fuel - blockLen >= threshold}, after computing the threshold again once if it is not
     * (neither side overflows: the fuel is -1 or more and the threshold at most the fuel it was
     * computed from); falls through when the block must not start.
     */
    static void test(MethodVisitor mv, int slot, int blockLen, Label pass) {
        over(mv, slot, blockLen);
        mv.visitJumpInsn(IFGE, pass);
        threshold(mv, slot);
        over(mv, slot, blockLen);
        mv.visitJumpInsn(IFGE, pass);
    }

    /** Pushes the three-way comparison (an int) of the fuel less {@code blockLen} with the threshold. */
    private static void over(MethodVisitor mv, int slot, int blockLen) {
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitLdcInsn((long) blockLen);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LLOAD, slot + 2);
        mv.visitInsn(LCMP);
    }
}
