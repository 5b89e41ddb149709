package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

/**
 * Fuel tests that cover a block's successors: a block that ends in a {@code br} or {@code jmp}
 * tests, at its start, for its own length plus the longest of the successors it covers, and
 * those successors then charge their length with no test of their own. A successor is covered
 * when that block is its only predecessor (so it is entered from nowhere else but a resumed
 * frame, {@code JitResume}, which enters it through a stub with its own test), neither block
 * makes a one-to-three-word host call or charges a heap room local ({@link
 * LocalsEmitter#plainFuel}), and the successor clears no dead aggregates at its start (a hand-over
 * at its start then spills what the uncovered block would have spilled).
 *
 * <p>Exact: the covering block's charge is its own length as before, and each covered block's
 * charge is its own; only the test is larger. A test that fails hands over at the covering
 * block's start, where the interpreter meters instruction by instruction, so a run short of fuel
 * still traps or pauses at the same pc with the same fuel left: it only leaves the compiled code
 * one block earlier. Not used in methods whose loops are peeled ({@link LoopPeel}) or that run
 * loops in chunks ({@link CountedLoop}), which emit blocks twice.
 */
final class FuelCover {
    /** per code index of a block start: the fuel its test covers for its successors, else 0 */
    final long[] cover;
    /** per code index of a block start: whether its predecessor's test covers its fuel */
    final boolean[] covered;

    private FuelCover(long[] cover, boolean[] covered) {
        this.cover = cover;
        this.covered = covered;
    }

    /**
     * @param e the method's emitter (its labels set: non-null at each block start)
     * @param reachable per code index, whether a block starting there is reachable
     * @param clear per code index, the dead aggregates its block clears (null: none), or null
     * @return the method's covers, or null when none
     */
    static FuelCover of(InstructionEmitter e, boolean[] reachable, int[][] clear) {
        int len = e.labels.length;
        int[] code = e.code;
        int[] preds = new int[len];
        int[] pred = new int[len];
        boolean[] branched = new boolean[len];
        int[] blockLen = new int[len];
        // the method's entry enters block 0
        preds[0] = 1;
        pred[0] = -1;
        for (int i = 0; i < len; i = e.next(i)) {
            if (e.labels[i] == null || !reachable[i]) {
                continue;
            }
            int last = i;
            int n = 1;
            for (int j = e.next(i); j < len && e.labels[j] == null; j = e.next(j)) {
                last = j;
                n++;
            }
            blockLen[i] = n;
            int g = e.entry + last;
            int op = LOp.plain(code[g]);
            int[] successors = switch (op) {
                case Op.BR -> code[g + 2] == code[g + 3] ? new int[] {code[g + 2] - e.entry}
                        : new int[] {code[g + 2] - e.entry, code[g + 3] - e.entry};
                case Op.JMP -> new int[] {code[g + 1] - e.entry};
                case Op.RET, Op.TRAP, LOp.NO_CODE -> new int[0];
                default -> new int[] {e.next(last)};
            };
            for (int t : successors) {
                if (t >= 0 && t < len) {
                    preds[t]++;
                    pred[t] = i;
                    branched[t] = op == Op.BR || op == Op.JMP;
                }
            }
        }
        boolean[] candidate = new boolean[len];
        for (int t = 0; t < len; t++) {
            int p = pred[t];
            candidate[t] = blockLen[t] > 0 && preds[t] == 1 && branched[t] && p != t && p >= 0
                    && (clear == null || clear[t] == null)
                    && e.plainFuel(t, blockLen[t]) && e.plainFuel(p, blockLen[p]);
        }
        long[] cover = new long[len];
        boolean[] covered = new boolean[len];
        boolean any = false;
        for (int t = 0; t < len; t++) {
            // a block that may itself be covered tests nothing, so covers nothing
            if (!candidate[t] || candidate[pred[t]]) {
                continue;
            }
            int p = pred[t];
            covered[t] = true;
            cover[p] = Math.max(cover[p], blockLen[t]);
            any = true;
        }
        return any ? new FuelCover(cover, covered) : null;
    }
}
