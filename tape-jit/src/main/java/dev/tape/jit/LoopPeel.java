package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import org.objectweb.asm.Label;

/**
 * Peels the first iteration of a method's loops: the blocks from the first loop header on are
 * emitted twice. The first copy (the method's blocks in code order, entered from the prologue and
 * from the resume switch) takes its back edges (a {@code br} or {@code jmp} to a block at or before
 * the jumping instruction) into the second, the steady copy, whose jumps all stay in it. At an
 * inlined leaf call ({@link LeafInliner}, and a looping callee's, {@link LoopInliner}) the steady
 * copy has no once-per-run path: where the
 * first copy would fill the site's {@link ClosureCache} (the register does not hold the kept
 * closure) or make the leaf's room ({@link LeafRoom}: the room local is short), the steady copy
 * jumps to the start of the same site in the first copy, which does it and goes on in the first
 * copy until the next back edge. Nothing runs twice: the jump is taken before the site writes
 * anything but the {@code CALLEE} local, which the first copy's site sets again, and both copies
 * emit the same instructions with the same trap positions, fuel checks, refunds and hand-overs, so
 * a run is exact in either; a paused frame resumes in the first copy, which is equivalent.
 *
 * <p>Why: C2 compiles a loop whose first iteration fills the cache and makes the room with those
 * paths merged into it, and their values (the room, the kept closure and elements) become loop
 * phis that leave it too few machine registers for the loop's own values. In the steady copy the
 * paths are never taken, so C2 prunes them (eighth and ninth rounds in
 * {@code docs/PERFORMANCE-LOG.md}).
 *
 * <p>Bounded: the steady copy is at most the method again, and generation stops at the method
 * limit ({@code JitCompiler.MAX_METHOD_BYTES}) as before; a method that does not fit peeled is
 * generated again without peeling. The steady copy makes the same inlining decisions as the first
 * (its sites' allowances, {@link LeafInliner}'s and {@link LoopInliner}'s, start where the first
 * copy's stood at the same block), so the inlined bytes are at most twice
 * {@link LeafInliner#MAX_METHOD_BYTES} plus twice {@link LoopInliner#MAX_METHOD_BYTES} and
 * {@link LoopInliner#MAX_BOUNDS_BYTES}.
 */
final class LoopPeel {
    /** the first code index of the steady copy: the least target of a back edge */
    final int from;
    /** per code index of the function: the steady copy's label of the block that starts there */
    private final Label[] steady;
    /** per global code index of a call: the label at the start of its site in the first copy */
    private final java.util.Map<Integer, Label> sites = new java.util.HashMap<>();
    /** whether the steady copy is being emitted */
    private boolean inSteady;
    /** the inlining allowance used when the first copy reached block {@link #from}, -1 before */
    private int allowance = -1;
    /** the looping callees' allowance ({@link LoopInliner}) used then */
    private int loopAllowance;
    /** their loops' entry tests' allowance ({@link LoopInliner#MAX_BOUNDS_BYTES}) used then */
    private int boundsAllowance;

    private LoopPeel(int from, Label[] labels) {
        this.from = from;
        this.steady = new Label[labels.length];
        for (int i = 0; i < labels.length; i++) {
            steady[i] = labels[i] == null ? null : new Label();
        }
    }

    /**
     * The peel of a function's method, or null when it has nothing to peel: no loop (a reachable
     * back edge) that has a direct or indirect call between its target and itself. Bounded: two
     * passes over the function's code (the calls before each code index counted in the first), so
     * linear in its length however many back edges it has.
     *
     * @param code the image's code
     * @param entry the function's first global code index
     * @param pcOf per code index of the function, the instruction's pc where one starts, else negative
     * @param labels per code index, the block leaders' labels (non-null at a block start)
     * @param reachable per block leader, whether the block is reachable
     * @return the peel, or null
     */
    static LoopPeel of(int[] code, int entry, int[] pcOf, Label[] labels, boolean[] reachable) {
        int len = labels.length;
        // calls[i]: the direct and indirect calls at code indices before i
        int[] calls = new int[len + 1];
        for (int i = 0; i < len; i++) {
            calls[i + 1] = calls[i] + (pcOf[i] >= 0 && isCall(code[entry + i]) ? 1 : 0);
        }
        int least = len;
        boolean wanted = false;
        boolean live = true;
        for (int i = 0; i < len; i++) {
            if (pcOf[i] < 0) {
                continue;
            }
            if (labels[i] != null) {
                live = reachable[i];
            }
            int g = entry + i;
            int t1 = -1;
            int t2 = -1;
            if (code[g] == Op.BR) {
                t1 = code[g + 2] - entry;
                t2 = code[g + 3] - entry;
            } else if (code[g] == Op.JMP) {
                t1 = code[g + 1] - entry;
            }
            for (int t : new int[] {t1, t2}) {
                if (live && t >= 0 && t <= i) {
                    least = Math.min(least, t);
                    wanted |= calls[i + 1] > calls[t];
                }
            }
        }
        return wanted ? new LoopPeel(least, labels) : null;
    }

    /** Whether {@code op} is a direct or indirect call. */
    private static boolean isCall(int op) {
        return op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE;
    }

    /**
     * At the start of block {@code i} in either copy: keeps the first copy's inlining allowance at
     * {@link #from}.
     */
    void block(CallEmitter e, int i) {
        if (!inSteady && i == from) {
            allowance = e.inlinedBytes;
            LoopInliner loops = ((LocalsEmitter) e).loops;
            loopAllowance = loops == null ? 0 : loops.inlinedBytes;
            boundsAllowance = loops == null ? 0 : loops.boundsBytes;
        }
    }

    /**
     * Starts the steady copy (after the first copy's last block): its sites get the allowance the
     * first copy's had at the same block.
     *
     * @return false when the first copy never reached block {@link #from} (nothing to emit)
     */
    boolean startSteady(CallEmitter e) {
        if (allowance < 0) {
            return false;
        }
        inSteady = true;
        e.inlinedBytes = allowance;
        LoopInliner loops = ((LocalsEmitter) e).loops;
        if (loops != null) {
            loops.inlinedBytes = loopAllowance;
            loops.boundsBytes = boundsAllowance;
        }
        return true;
    }

    /**
     * @param labels the first copy's labels
     * @param i a block leader's code index
     * @return the label to visit at block {@code i} in the copy being emitted
     */
    Label block(Label[] labels, int i) {
        return inSteady ? steady[i] : labels[i];
    }

    /**
     * The label a jump back to a loop's head block takes from outside the method's blocks (a
     * {@link CountedLoop}'s chunk when it ends): the steady copy's, once emitted.
     *
     * @param labels the first copy's labels
     * @param t a back edge's target, a block leader's code index
     * @return the label of block {@code t} in the steady copy once it has been emitted, else the
     *     first copy's (where a {@link CountedLoop}'s chunk goes back to)
     */
    Label head(Label[] labels, int t) {
        return inSteady ? steady[t] : labels[t];
    }

    /**
     * @param labels the first copy's labels
     * @param t a jump's target, a block leader's code index
     * @param i the jumping instruction's code index (a fused compare's, for its {@code br})
     * @return the label a jump from {@code i} to {@code t} goes to in the copy being emitted: the
     *     steady copy's for every jump of the steady copy and a back edge of the first
     */
    Label target(Label[] labels, int t, int i) {
        return inSteady || t <= i && t >= from ? steady[t] : labels[t];
    }

    /**
     * At the start of an inlined leaf call's site (before its guard, the {@code CALLEE} local the
     * only thing it writes before a path is taken): in the first copy, visits and records the
     * site's label and returns null; in the steady copy, returns the first copy's label of the
     * same site (null when it has none: the site is then emitted as in the first copy).
     *
     * @param e the method
     * @param g the call's global code index
     * @return in the steady copy, where the site's once-per-run paths go; else null
     */
    Label site(CallEmitter e, int g) {
        if (inSteady) {
            return sites.get(g);
        }
        Label here = new Label();
        e.mv.visitLabel(here);
        e.frame();
        sites.put(g, here);
        return null;
    }
}
