package dev.tape.jit;

/**
 * What one generation of a function's method may run inline or keep in locals: the steps of
 * {@link JitCompiler#generateClass}'s fallback, from everything ({@link #ALL}) to nothing
 * ({@link #NONE}), each dropping the least valuable inlining first when the method was too large.
 *
 * @param leaves whether direct and indirect calls of small leaf functions may run inline
 *     ({@link LeafInliner})
 * @param leafCap the largest leaf, in {@link LeafInliner.Leaf#bytes} of bytecode, that a call site
 *     may run inline ({@link Integer#MAX_VALUE}: any); a larger one makes the real call
 * @param loops whether direct calls of looping callees may run inline ({@link LoopInliner})
 * @param aggregates whether structs and arrays may be kept in locals ({@link VirtualStructs},
 *     {@link VirtualArrays})
 * @param chunks whether a counted loop may run its trips in chunks ({@link CountedLoop}; not an
 *     inlining, but dropped by the fallback's first step, so that their bytes never cost a method
 *     that fits without them its compile or any of its inlining)
 * @param clears whether block starts clear dead aggregate registers ({@link DeadAggregates}; not
 *     an inlining either, dropped by the fallback's last step only, so that a method that fits
 *     without those stores is compiled)
 */
record Inlining(boolean leaves, int leafCap, boolean loops, boolean aggregates, boolean chunks, boolean clears) {
    /** Everything inline: the first attempt, and what {@link JitCompiler#measure} measures. */
    static final Inlining ALL = new Inlining(true, Integer.MAX_VALUE, true, true, true, true);
    /** Nothing inline and nothing kept: one JVM frame per VM frame ({@code Jit.compileFramed}), and the last attempt. */
    static final Inlining NONE = new Inlining(false, Integer.MAX_VALUE, false, false, true, true);

    /** @return whether anything may run inline or be kept in locals */
    boolean any() {
        return leaves || loops || aggregates;
    }

    /** @return this without looping callees inline */
    Inlining withoutLoops() {
        return new Inlining(leaves, leafCap, false, aggregates, chunks, clears);
    }

    /** @return this without structs and arrays kept in locals */
    Inlining withoutAggregates() {
        return new Inlining(leaves, leafCap, loops, false, chunks, clears);
    }

    /** @return this with no counted loop run in chunks */
    Inlining withoutChunks() {
        return new Inlining(leaves, leafCap, loops, aggregates, false, clears);
    }

    /** @return this with no dead aggregate register cleared at block starts */
    Inlining withoutClearing() {
        return new Inlining(leaves, leafCap, loops, aggregates, chunks, false);
    }

    /**
     * @param largest the largest leaf some call site ran inline, in bytes of bytecode (at least 1)
     * @return this with only leaves smaller than {@code largest} inline
     */
    Inlining below(int largest) {
        return new Inlining(leaves, largest - 1, loops, aggregates, chunks, clears);
    }
}
