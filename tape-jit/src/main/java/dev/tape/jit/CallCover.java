package dev.tape.jit;

import dev.tape.format.Op;

/**
 * One fuel test for a block that ends in a direct call of an inlined leaf ({@link LeafInliner}),
 * the leaf's body and the block after the call: the block's test at its start covers its own
 * length, the leaf's costliest path ({@link LeafInliner.Leaf#worst}) and the test of the block
 * after the call (that block's length and what it covers, {@link FuelCover}); the leaf's guard
 * then tests the room alone, and the inlined path goes on past the next block's test, to its
 * charge. The real call's path (whose callee may use any fuel, and which reads the fuel back after
 * it) falls into that test, as does every other way into the block: its other predecessors, a
 * resumed frame ({@code JitResume}) and a back edge. A loop of a block, a leaf and a block then
 * tests the fuel once per iteration instead of three times.
 *
 * <p>Exact: each block's charge, and the leaf's per block, are what they were; only the first
 * test is larger. A test that fails hands over at the block's start, where the interpreter meters
 * instruction by instruction, so a run short of fuel still traps or pauses at the same pc with the
 * same fuel left: it leaves the compiled code up to one block, leaf and block earlier. On the
 * inlined path the fuel after the block's charge is at least {@code worst + next}, so the
 * guard's {@code fuel >= worst} holds, and after the leaf's charges (at most {@code worst}) at
 * least {@code next}, so the next block's test holds. For a block that allocates against a heap
 * room local ({@link HeapLocal}) the test is {@code fuel - (len + cover) >= threshold}, which
 * implies the room test {@code fuel - len >= threshold} and, the threshold being 0 or more
 * ({@code JitRuntime.heapThreshold}; the fuel itself, failing, when a local is not current),
 * {@code fuel >= len + cover}; the threshold is set only where the fuel is read back, which the
 * block, the inlined leaf and the room test do not do, so the next block's heap test
 * {@code fuel - next >= threshold} holds on the inlined path too. That argument needs the block's
 * own test to be the heap test: when the next block allocates and the block does not (its test the
 * fuel's alone), the block covers no call, since skipping the next block's test would then leave its
 * charges unproven against the heap room (the compiled run allocated past {@code maxHeapBytes}
 * without trapping: {@code AttackCallCoverHeapTest}).
 *
 * <p>Where: both blocks make no one-to-three-word host call (whose test is the host-call
 * threshold's, {@link HostCount}); the next block allocates against the heap room local only when
 * the block does too; the next block clears no dead aggregates (done before its test);
 * the next block does not cover a call of its own (the decision is made once per block, in code
 * order). Not in a method that runs loops in chunks ({@link CountedLoop}, whose preamble is before a
 * head block's test, and whose outer copy runs only a chunk's leftovers): with the cover, C2
 * compiled call_loop's chunked loop about 2.6 times slower (0.054 against 0.143 ms a run, thread
 * CPU time, {@code docs/PERFORMANCE-LOG.md}). In a peeled method
 * ({@link LoopPeel}) each copy's block covers its own next block, the same in both copies (the
 * steady copy makes the first copy's inlining decisions); a steady copy's site that goes to the
 * first copy's site (the room short) goes with fuel its own block's test covered, the same as the
 * first copy's block's test. The decision is {@link CallSiteEmitter#leafAt}'s, which is the call's
 * own: no call is emitted between a block's start and its last instruction.
 */
final class CallCover {
    private CallCover() {}

    /**
     * Decides the cover of the block at code index {@code i}; when it covers, the method's emitter
     * marks its call and the next block ({@link CallSiteEmitter#coveredCall}).
     *
     * @param e the method's emitter (its labels set)
     * @param i a reachable block's code index
     * @param blockLen its length, in instructions
     * @param reachable per code index, whether a block starting there is reachable
     * @param clear per code index, the dead aggregates its block clears (null: none), or null
     * @param cover the method's {@link FuelCover}s, or null
     * @return the fuel the block's test covers beyond its own length and its {@link FuelCover}
     *     successors' (0 when it covers no call); when more than 0, the covered call is the block's
     *     last instruction and the next block starts right after it
     */
    static long of(InstructionEmitter e, int i, int blockLen, boolean[] reachable, int[][] clear,
            FuelCover cover) {
        int len = e.labels.length;
        int last = e.lastOf(i);
        int g = e.entry + last;
        if (e.code[g] != Op.CALL || !e.noFewHostCalls(i, blockLen)) {
            return 0;
        }
        int b = e.next(last);
        if (b >= len || e.labels[b] == null || !reachable[b] || clear != null && clear[b] != null
                || cover != null && cover.covered[b]) {
            return 0;
        }
        int nextLen = e.blockLength(b);
        if (!e.noFewHostCalls(b, nextLen)) {
            return 0;
        }
        if (e.plainFuel(i, blockLen) && !e.plainFuel(b, nextLen)) {
            // the next block allocates against the heap room local and this one does not: its test
            // is the fuel's alone, which proves nothing of the room for the next block's charges
            return 0;
        }
        LeafInliner.Leaf leaf = e.leafAt(g);
        if (leaf == null) {
            return 0;
        }
        return leaf.worst() + nextLen + (cover == null ? 0 : cover.cover[b]);
    }
}
