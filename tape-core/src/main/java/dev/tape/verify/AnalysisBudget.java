package dev.tape.verify;

/**
 * How much work one verification may do. The type analysis keeps, per function, one state per
 * register for every reachable block, and the lowered program keeps per-register tables; both grow
 * as (reachable blocks x registers), which a small file can make huge (a few thousand two-byte
 * jumps in a function declaring 65,536 registers, or many functions sharing a one-instruction
 * body, each declaring 65,536). Decoding and lowering bytecode costs its length, and many
 * function-table rows may name one large blob or span table. So every function is charged its
 * bytecode bytes and span entries (which also pays for its span table's pc index,
 * {@link dev.tape.verify.internal.SpanIndex}), then {@code max(1, reachable blocks) x registers} before its type analysis
 * and again for every further fixpoint pass, plus the reachable blocks' bytecode bytes for every
 * pass after the second (each pass steps every reachable instruction: an irreducible ladder
 * beside a long block would otherwise step that block once per rung), then {@code max(1, reachable blocks) x
 * ceil(registers / 64)} for every pass of its must-init analysis after the second (its bit sets
 * hold 64 registers a word; see {@link MustInit}: a reducible function needs two passes, which
 * the type analysis's charge already covers, while irreducible flow can need as many as it has
 * blocks), and the program is charged one unit per function-name entry of its names section (the
 * index of names by function id), against one budget for the whole program. Going over it is the verify error {@code AnalysisBudgetExceeded}: verification
 * time and memory stay bounded by the budget, not by what a hostile file declares.
 */
final class AnalysisBudget {
    private final long limit;
    private long used;

    AnalysisBudget(long limit) {
        this.limit = limit;
    }

    /**
     * @param cells units of work about to be done: register states (or 64-register words) about
     *     to be tracked, or bytes, entries about to be read
     * @param func the function being verified
     * @throws VerifyException when the budget would be exceeded
     */
    void charge(long cells, int func) throws VerifyException {
        used += cells;
        if (used > limit || used < 0) {
            throw new VerifyException("AnalysisBudgetExceeded", func, -1, null, "verifying the program would take more "
                    + "than " + limit + " units of work (bytecode bytes, span entries, reachable blocks x"
                    + " registers per type pass, reachable bytecode bytes per type pass after the second,"
                    + " reachable blocks x register words per must-init pass after the"
                    + " second, summed over functions, and function-name entries); the"
                    + " verifier's analysis budget is " + limit);
        }
    }
}
