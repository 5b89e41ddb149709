package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

/** The control flow between a function's blocks, as the compiler needs it. */
final class BlockFlow {
    private BlockFlow() {}

    /**
     * Which blocks run can reach from the entry, by their leaders' code indices: a block goes on
     * to its branch's targets, its jump's target, or (unless it ends in {@code ret} or
     * {@code trap}) the next block. Bounded: each block is visited once.
     *
     * @param code the image's code
     * @param entry the function's first global code index
     * @param pcOf per code index of the function, the instruction's pc where one starts, else negative
     * @param leaders per code index, non-null where a block starts
     * @return per code index, whether a block starting there is reachable
     */
    static boolean[] reachable(int[] code, int entry, int[] pcOf, Object[] leaders) {
        int len = leaders.length;
        boolean[] seen = new boolean[len];
        java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
        seen[0] = true;
        work.push(0);
        while (!work.isEmpty()) {
            int i = work.pop();
            int last = i;
            for (int j = next(pcOf, len, i); j < len && leaders[j] == null; j = next(pcOf, len, j)) {
                last = j;
            }
            int g = entry + last;
            int[] successors = switch (code[g]) {
                case Op.BR -> new int[] {code[g + 2] - entry, code[g + 3] - entry};
                case Op.JMP -> new int[] {code[g + 1] - entry};
                case Op.RET, Op.TRAP, LOp.NO_CODE -> new int[0];
                default -> new int[] {next(pcOf, len, last)};
            };
            for (int t : successors) {
                if (t >= 0 && t < len && !seen[t]) {
                    seen[t] = true;
                    work.push(t);
                }
            }
        }
        return seen;
    }

    /** The code index of the instruction after the one at {@code i} ({@code len} at the end). */
    private static int next(int[] pcOf, int len, int i) {
        int j = i + 1;
        while (j < len && pcOf[j] < 0) {
            j++;
        }
        return j;
    }
}
