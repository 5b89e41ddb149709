package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.ArrayDeque;
import java.util.Arrays;

import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IFGT;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCMP;

/**
 * Range-check elimination for the loop of a {@link LoopInliner} callee: an induction-variable
 * analysis ({@link #of}) that finds, in the callee's one loop, the register-index {@code array.get}s
 * whose index provably lies within the array once a test at loop entry holds ({@link Site#guard}),
 * so that a second copy of the loop's blocks (the "fast copy", {@link InlineBody#body}) reads them
 * without the per-element bound test. C2 (JDK 17) eliminates no range check of a
 * {@code long}-indexed loop, so the generated code must.
 *
 * <p><b>Which loops</b> (all in time linear in the callee's code, itself at most
 * {@link LoopInliner#MAX_INSTRUCTIONS} instructions; the block reachability is quadratic in its at
 * most 33 blocks). The callee's reachable blocks that lie on a cycle form one simple cycle: each has
 * exactly one successor on it, so every trip around the loop runs every one of its blocks in one
 * order (its other successors leave the loop and, since they are on no cycle, never come back). All
 * edges into the loop from outside it (and the callee's entry, when its entry block is on the loop)
 * reach the same block, the head. On the loop, right before a {@code br} that stays on the loop when
 * its condition holds and leaves it otherwise, a compare sets that condition to {@code i < end}
 * ({@code i64.lt} or {@code u64.lt}, plain or fused, or {@code gt} with its operands swapped), where:
 * <ul>
 *   <li>the index {@code i} is written on the loop only by {@code i64.add}/{@code u64.add} of
 *       {@code i} and a register that holds, at that point, a constant in [1, 2<sup>20</sup>]
 *       written earlier on the same trip ({@code const} from the head on: so it holds on every
 *       trip);</li>
 *   <li>the end {@code end} is not written on the loop;</li>
 *   <li>the array registers are arguments, never written (as {@link LoopInliner} admits them).</li>
 * </ul>
 * Walking one trip from the head, each write of {@code i} adds its step to an offset; the compare
 * is at offset {@code oc}, a trip at {@code s}. Each read {@code array.get x, a, i} on the loop at
 * offset {@code oa} reads {@code v + d} where {@code v} is the value the last compare found below
 * {@code end} ({@code d = oa - oc} after the compare on the trip, {@code s - oc + oa} before it),
 * or, on the first trip before the first compare, {@code start + oa} ({@code start}: {@code i} at
 * loop entry).
 *
 * <p><b>The entry test</b> ({@link Site}, at each site, where the arrays' element counts
 * {@code n} are known): {@code 0 <= end <= min(n - d)} and {@code 0 <= start <= min(n, n - 1 - oa
 * of the reads before the first compare)}, each as one unsigned compare. When it holds, by
 * induction every value {@code i} takes on the loop is at least {@code start >= 0} and at most
 * {@code max(start, end) + s}, far below 2<sup>62</sup> (no wrap-around, so signed and unsigned
 * compares agree), and every read is within its array: {@code v < end <= n - d} (a trip goes on
 * only past a compare that held), and the first trip's reads are below {@code n}. In the fast copy
 * the compare that keeps the loop going, when its br follows it in its block, is one signed
 * branch on {@code i < end} (both in [0, 2<sup>62</sup>) there) that writes the compare's
 * register 1 or 0 on its two ways, in place of the compare's 0 or 1 and a branch on it: so C2 sees
 * the loop's exit test on its index. When it does
 * not hold the loop runs the blocks as before this class, with every bound test. Either way the
 * fuel charges, the abandon paths and every other instruction are the same code, so the body does
 * exactly what it did: the fast copy only leaves out tests that cannot fail (and compares as
 * signed numbers that cannot differ from unsigned).
 */
final class LoopBounds {
    /** Largest step an index may be raised by. */
    static final long MAX_STEP = 1L << 20;
    /** Bytecode the entry test takes at most (two compares of 16 bytes at most, and two {@code goto}s). */
    static final int GUARD_BYTES = 48;
    /** Bytecode a block's fuel test and charge take at most. */
    static final int CHARGE_BYTES = 24;

    private LoopBounds() {}

    /**
     * A callee's loop whose register-index reads of its index can go unchecked behind an entry test.
     *
     * @param head the code index of the loop's head block
     * @param onLoop per code index: whether the block that starts there is on the loop
     * @param index the index register
     * @param end the end register
     * @param reads the global indices of the reads {@code array.get x, a, index} on the loop
     * @param first per read: its offset when it comes before the first compare ({@code oa}), else -1
     * @param after per read: its offset past the value a compare found below the end ({@code d})
     * @param compare the global index of the compare that keeps the loop going, when its br
     *     follows it in its block (the fast copy branches on {@code index < end} as signed
     *     numbers there, which they are), else -1
     * @param bytes a bound on the bytecode the entry test and the fast copy add
     */
    record Plan(int head, boolean[] onLoop, int index, int end, int[] reads, long[] first, long[] after,
                int compare, int bytes) {}

    /**
     * The analysis (see the class comment).
     *
     * @param code the code image
     * @param entry the callee's entry in it
     * @param regs the callee's register count
     * @param starts per code index: whether an instruction starts there
     * @param blockLen per code index: the length of the block it leads (0 where none starts)
     * @param last per block leader: the code index of its last instruction
     * @param reachable per code index: whether the block that starts there is reachable
     * @param cost per code index: a bound on the bytecode its instruction emits inlined (without
     *     its block's fuel test and charge)
     * @return the plan, or null when the loop is not of that form
     */
    static Plan of(int[] code, int entry, int regs, boolean[] starts, int[] blockLen, int[] last,
                   boolean[] reachable, int[] cost) {
        int len = blockLen.length;
        int[] blocks = new int[len];
        int n = 0;
        for (int i = 0; i < len; i++) {
            if (blockLen[i] > 0 && reachable[i]) {
                blocks[n++] = i;
            }
        }
        int[] id = new int[len];
        Arrays.fill(id, -1);
        for (int b = 0; b < n; b++) {
            id[blocks[b]] = b;
        }
        int[][] succ = new int[n][];
        for (int b = 0; b < n; b++) {
            int end = last[blocks[b]];
            int[] s = InlineScan.successors(code, entry + end, entry, InlineScan.next(starts, end));
            succ[b] = new int[s.length];
            for (int k = 0; k < s.length; k++) {
                succ[b][k] = id[s[k]]; // reachable blocks go only to reachable blocks (LoopInliner.of)
            }
        }
        boolean[][] reach = new boolean[n][];
        for (int b = 0; b < n; b++) {
            reach[b] = reachFrom(b, succ, n);
        }
        boolean[] onLoop = new boolean[len];
        int head = -1;
        int loopBlocks = 0;
        for (int b = 0; b < n; b++) {
            if (reach[b][b]) {
                onLoop[blocks[b]] = true;
                loopBlocks++;
            }
        }
        if (loopBlocks == 0) {
            return null;
        }
        int some = -1;
        for (int b = 0; b < n; b++) {
            if (!onLoop[blocks[b]]) {
                continue;
            }
            some = some < 0 ? b : some;
            if (!reach[some][b] || !reach[b][some]) {
                return null; // two loops
            }
            int next = -1;
            for (int t : succ[b]) {
                if (onLoop[blocks[t]]) {
                    if (next >= 0 && next != t) {
                        return null; // two successors on the loop
                    }
                    next = t;
                }
            }
        }
        // the head: where the entry and every edge from outside the loop come in
        if (onLoop[0]) {
            head = 0;
        }
        for (int b = 0; b < n; b++) {
            if (onLoop[blocks[b]]) {
                continue;
            }
            for (int t : succ[b]) {
                if (onLoop[blocks[t]]) {
                    if (head >= 0 && head != blocks[t]) {
                        return null;
                    }
                    head = blocks[t];
                }
            }
        }
        if (head < 0) {
            return null;
        }
        // one trip in order: the loop's instructions from the head
        int[] trip = new int[len];
        int tripLen = 0;
        int b = id[head];
        int loopBytes = GUARD_BYTES;
        do {
            loopBytes += CHARGE_BYTES;
            int i = blocks[b];
            for (int k = 0; k < blockLen[blocks[b]]; k++) {
                trip[tripLen++] = i;
                loopBytes += cost[i];
                i = InlineScan.next(starts, i);
            }
            int next = -1;
            for (int t : succ[b]) {
                next = onLoop[blocks[t]] ? t : next;
            }
            b = next;
        } while (blocks[b] != head);
        for (int k = 1; k < tripLen; k++) {
            int g = entry + trip[k];
            if (code[g] != Op.BR || code[g + 2] == code[g + 3]) {
                continue;
            }
            int t = code[g + 2] - entry;
            int f = code[g + 3] - entry;
            int c = entry + trip[k - 1];
            int cmp = LOp.unfused(LOp.plain(code[c]));
            if (!onLoop[t] || onLoop[f] || code[c + 1] != code[g + 1]) {
                continue;
            }
            int index;
            int end;
            if (cmp == Op.I64_LT || cmp == Op.U64_LT) {
                index = code[c + 2];
                end = code[c + 3];
            } else if (cmp == Op.I64_GT || cmp == Op.U64_GT) {
                index = code[c + 3];
                end = code[c + 2];
            } else {
                continue;
            }
            Plan p = walk(code, entry, regs, trip, tripLen, k - 1, index, end, head, onLoop,
                    blockLen[trip[k]] > 0 ? -1 : c, loopBytes);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** Per block, whether a path of at least one edge leads from {@code from} to it. */
    private static boolean[] reachFrom(int from, int[][] succ, int n) {
        boolean[] seen = new boolean[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int t : succ[from]) {
            if (!seen[t]) {
                seen[t] = true;
                work.add(t);
            }
        }
        while (!work.isEmpty()) {
            for (int t : succ[work.poll()]) {
                if (!seen[t]) {
                    seen[t] = true;
                    work.add(t);
                }
            }
        }
        return seen;
    }

    /**
     * One trip from the head with {@code index} and {@code end} (the compare at trip position
     * {@code at}): the offsets of the index, or null when a write breaks the rules.
     */
    private static Plan walk(int[] code, int entry, int regs, int[] trip, int tripLen, int at, int index, int end,
                             int head, boolean[] onLoop, int compare, int bytes) {
        if (index == end) {
            return null;
        }
        boolean[] known = new boolean[regs];
        long[] value = new long[regs];
        long off = 0;
        long oc = -1;
        int[] reads = new int[tripLen];
        long[] offs = new long[tripLen];
        boolean[] before = new boolean[tripLen];
        int nReads = 0;
        for (int k = 0; k < tripLen; k++) {
            int g = entry + trip[k];
            int op = LOp.plain(code[g]);
            if (k == at) {
                oc = off;
            }
            if (op == LOp.ARRAY_GET_W && code[g + 3] == index) {
                reads[nReads] = g;
                offs[nReads] = off;
                before[nReads++] = oc < 0;
            }
            if (op == Op.NOP || op == Op.BR || op == Op.JMP || op == Op.RET) {
                continue;
            }
            int dst = code[g + 1];
            if (dst == end) {
                return null;
            }
            if (dst == index) {
                if (op != Op.I64_ADD && op != Op.U64_ADD) {
                    return null;
                }
                int other = code[g + 2] == index ? code[g + 3] : code[g + 3] == index ? code[g + 2] : index;
                if (other == index || !known[other] || value[other] < 1 || value[other] > MAX_STEP) {
                    return null;
                }
                off += value[other];
            }
            known[dst] = op == LOp.CONST_W;
            value[dst] = op == LOp.CONST_W ? (code[g + 2] & 0xFFFFFFFFL) | ((long) code[g + 3] << 32) : 0;
        }
        if (nReads == 0) {
            return null;
        }
        long[] first = new long[nReads];
        long[] after = new long[nReads];
        for (int r = 0; r < nReads; r++) {
            first[r] = before[r] ? offs[r] : -1;
            after[r] = before[r] ? off - oc + offs[r] : offs[r] - oc;
        }
        return new Plan(head, onLoop, index, end, Arrays.copyOf(reads, nReads), first, after, compare, bytes);
    }

    /**
     * A plan at one call site, with the arrays' element counts: the entry test's bounds.
     *
     * @param plan the callee's plan
     * @param maxEnd the largest end the test lets through (at least 0)
     * @param maxStart the largest start it lets through (at least 0)
     */
    record Site(Plan plan, long maxEnd, long maxStart) {
        /**
         * @param plan the callee's plan, or null
         * @param elements per read of the plan, the element count of the array it reads here
         * @return the site's test, or null when no end or start could pass it
         */
        static Site of(Plan plan, int[] elements) {
            if (plan == null) {
                return null;
            }
            long maxEnd = Long.MAX_VALUE;
            long maxStart = Long.MAX_VALUE;
            for (int r = 0; r < elements.length; r++) {
                long n = elements[r];
                maxEnd = Math.min(maxEnd, n - plan.after()[r]);
                maxStart = Math.min(maxStart, plan.first()[r] < 0 ? n : n - 1 - plan.first()[r]);
            }
            return maxEnd < 0 || maxStart < 0 ? null : new Site(plan, maxEnd, maxStart);
        }

        /** @return whether the read at global {@code g} is one the fast copy reads unchecked */
        boolean unchecked(int g) {
            for (int r : plan.reads()) {
                if (r == g) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Emits the entry test: to {@code slow} (the loop with its bound tests) unless
         * {@code 0 <= end <= maxEnd} and {@code 0 <= start <= maxStart}, else to {@code fast}.
         */
        void guard(InlineBody b, Label slow, Label fast) {
            MethodVisitor mv = b.mv;
            below(b, plan.end(), maxEnd, slow);
            below(b, plan.index(), maxStart, slow);
            mv.visitJumpInsn(GOTO, fast);
        }

        /** To {@code slow} unless register {@code reg} is within [0, max], as x + 2^63 <= max + 2^63. */
        private static void below(InlineBody b, int reg, long max, Label slow) {
            MethodVisitor mv = b.mv;
            b.loadW(reg);
            mv.visitLdcInsn(Long.MIN_VALUE);
            mv.visitInsn(LADD);
            mv.visitLdcInsn(Long.MIN_VALUE + max);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGT, slow);
        }
    }
}
