package dev.tape.vm;

import dev.tape.value.Value;

/**
 * A decimal register held unboxed by the interpreter: while {@link Interpreter#execute} runs, the
 * reference-file slot of a decimal register that a decimal instruction or a decimal constant wrote
 * holds the interned token of the result's scale (one of 256) and the word-file slot the same
 * register's mantissa, so {@code dec.add}, {@code dec.sub}, {@code dec.mul} and {@code i64.to_dec}
 * allocate nothing, and read a constant as they read a result (one type test, no box's fields). Every
 * slot turned into a token is listed in its {@link ExecutionContext} ({@link ExecutionContext#decDirty}),
 * and the list is boxed back into {@link Value.Decimal}s ({@link ExecutionContext#boxDecimals})
 * before {@code execute} returns or throws, before a host call and when the list is full, so no
 * reader outside the loop (results, snapshots, register views, the compiled tier's hand-over,
 * hosts, the debugger) ever sees a token. Inside the loop, a reader that moves a decimal elsewhere
 * ({@code mov}, {@code select}, call arguments and results, aggregates) boxes it in place with
 * {@link #take}.
 */
final class DecScale {
    /** the scale, 0 to 255 */
    final int scale;

    /**
     * Only {@link Interpreter}'s static initialiser makes them ({@link Interpreter#DEC_SCALES}), one
     * per scale: this class has no static initialiser of its own, so {@code ClassInit}'s lists need
     * not name it.
     */
    DecScale(int scale) {
        this.scale = scale;
    }

    /**
     * @param token a {@code DecScale}
     * @param mantissa the word-file slot of its register
     * @return the decimal the pair holds
     */
    static Value.Decimal box(Object token, long mantissa) {
        return new Value.Decimal(mantissa, ((DecScale) token).scale);
    }

    /**
     * @param o a decimal register's reference-file slot: a {@code Value.Decimal} or a token
     * @param word the same register's word-file slot
     * @return the decimal's mantissa
     */
    static long mantissa(Object o, long word) {
        return o instanceof DecScale ? word : ((Value.Decimal) o).mantissa();
    }

    /**
     * @param o a decimal register's reference-file slot: a {@code Value.Decimal} or a token
     * @return the decimal's scale
     */
    static int scale(Object o) {
        return o instanceof DecScale t ? t.scale : ((Value.Decimal) o).scale();
    }

    /**
     * Reads a reference-file slot for a copy elsewhere: a token is boxed, and the box written back
     * into the slot, so that copying the same unboxed decimal again (a loop's {@code mov} of a value
     * it computed once) allocates no second box. The slot stays listed; boxing the list skips it.
     *
     * @param r the reference file
     * @param w the word file
     * @param at the absolute register index
     * @return the slot's value, a {@link Value.Decimal} where it held a token
     */
    static Object take(Object[] r, long[] w, int at) {
        Object o = r[at];
        if (o instanceof DecScale) {
            o = box(o, w[at]);
            r[at] = o;
        }
        return o;
    }

    /**
     * Writes a decimal result unboxed: the mantissa into the word file, the scale's token into the
     * reference file, listing the slot when it did not hold a token already ({@link #put(
     * ExecutionContext, long[], Object[], int, long, int, boolean)} with boxing allowed).
     *
     * @param c the context whose register files {@code w} and {@code r} are
     * @param at the absolute register index
     * @param mantissa the result's mantissa
     * @param scale the result's scale, 0 to 255 (checked by the instruction)
     */
    static void put(ExecutionContext c, long[] w, Object[] r, int at, long mantissa, int scale) {
        put(c, w, r, at, mantissa, scale, true);
    }

    /**
     * Writes a decimal result unboxed, the one write path of {@link Interpreter#execute} and
     * {@link DecimalRun}: the mantissa into the word file, the scale's token into the reference file,
     * listing the slot when it did not hold a token already ({@link ExecutionContext#decDirty}),
     * which boxes the whole list first when it is full, an allocation. With {@code mayBox} false,
     * a write that would box refuses instead: the reference file and the list stay untouched, and
     * the caller hands the instruction back (a {@code DecimalRun} instruction after the run's first).
     * The test of the list sits on the branch where the slot holds no token yet, which a loop's
     * steady state never takes (its decimal slots keep their tokens from trip to trip). The mantissa
     * is written first, which measured faster than after the test; on a refusal the slot's word is
     * then written but dead: the slot holds no token, so nothing reads the word as its mantissa
     * before the instruction writes it again.
     *
     * @param c the context whose register files {@code w} and {@code r} are
     * @param at the absolute register index
     * @param mantissa the result's mantissa
     * @param scale the result's scale, 0 to 255 (checked by the instruction)
     * @param mayBox whether a full list may be boxed here; {@code true} in {@code execute}
     * @return whether the result was written; {@code false} only when {@code mayBox} is false and
     *     the write would have boxed
     */
    static boolean put(
            ExecutionContext c, long[] w, Object[] r, int at, long mantissa, int scale, boolean mayBox) {
        return put(c, w, r, at, mantissa, Interpreter.DEC_SCALES[scale], mayBox);
    }

    /**
     * {@link #put(ExecutionContext, long[], Object[], int, long, int, boolean)} with the result
     * scale's token already in hand ({@link DecimalRun}'s {@code dec.add} reuses its first
     * operand's, its {@code dec.mul} that of an operand whose partner has scale 0), which saves the
     * lookup.
     *
     * @param c the context whose register files {@code w} and {@code r} are
     * @param at the absolute register index
     * @param mantissa the result's mantissa
     * @param t the result scale's token, {@code Interpreter.DEC_SCALES[scale]}
     * @param mayBox whether a full list may be boxed here
     * @return whether the result was written, as there
     */
    static boolean put(
            ExecutionContext c, long[] w, Object[] r, int at, long mantissa, DecScale t, boolean mayBox) {
        w[at] = mantissa;
        Object old = r[at];
        if (old != t) {
            if (!(old instanceof DecScale)) {
                if (!mayBox && c.decFull()) {
                    return false;
                }
                c.decDirty(at);
            }
            r[at] = t;
        }
        return true;
    }
}
