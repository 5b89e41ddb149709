package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;

/**
 * A run of decimal instructions, and of the word instructions between them, in a loop of its own:
 * {@link Interpreter#execute} hands {@code dec.add}, {@code dec.sub}, {@code dec.mul} and
 * {@code i64.to_dec} here, paid for, when the instruction after it is one this loop handles
 * ({@link Interpreter#RUN_TAKES}; a decimal instruction alone runs in {@code execute}, which costs
 * less than a call), and this loop runs it and every following instruction it handles until it meets one it does not handle (a call, a return, any reference instruction,
 * anything rare) or the budget runs out. A decimal loop whose body is decimal arithmetic and
 * integer counting (an order total, an interest schedule) then runs here trip after trip, with C2's
 * register allocation of this small method instead of that of {@code execute}'s general-mode
 * compile, and {@code execute} holds one case for the four decimal instructions instead of three.
 *
 * <p>Each instruction after the first takes one unit of the budget before it runs and stops the
 * run, unpaid, when none is left; the fused compare-and-branch and the superinstructions take their
 * further units exactly as the inner loop of {@code execute} does. So fuel, trap pcs, pauses at each
 * fuel slice, INSTR tracing (a budget of 1: only the first instruction runs here) and the
 * debugger see the same instruction boundaries as one instruction at a time. The results are
 * those of {@code execute}'s word cases and the unboxed decimal helpers ({@link DecScale},
 * {@link Numerics}), in the same order of checks.
 *
 * <p>A trap leaves the run's position and the units it took in {@link ExecutionContext#runIp} and
 * {@link ExecutionContext#runUsed} for {@code execute} to report it at that instruction. Only the
 * decimal helpers' calls ({@link Numerics}, inlined, whose throws C2 compiles as uncommon traps)
 * sit in a {@code try}: a handler covering the whole loop, reachable from its calls (listing a slot,
 * {@link ExecutionContext#decDirty}), cost dec_loop 5 to 8 % (C2 kept {@code ip} and the budget in
 * stack slots for it). The one allocation in the loop, boxing the full list of unboxed decimals,
 * happens only at the run's first instruction: a later one that would box is handed back to
 * {@code execute} (its unit given back, as for an instruction the run does not handle), which runs
 * it at once (decimal instructions chain, and the unit given back is left in its budget) alone or as
 * a new run's first instruction, so its {@code OutOfMemoryError} is reported at the instruction
 * that boxed, with the fuel it used, as the compiled tier reports its allocating instruction. The
 * results are written by {@code execute}'s own write path, {@link DecScale#put(ExecutionContext,
 * long[], Object[], int, long, int, boolean)} ({@code dec.add} passes the token of its first
 * operand's scale when it holds one, the lookup skipped), told whether it may box; it tests the
 * list only where the slot holds no token yet (tested before every write, 7068c47, it cost dec_loop's
 * general mode 15 to 20 % of CPU time). Anything else thrown in the loop, which a verified program
 * cannot cause, is reported at the run's first instruction ({@code runIp} stays -1).
 *
 * <p>The cases between the lines {@code // BEGIN GENERATED: word cases (OpcodeGenerator)} and
 * {@code // END GENERATED} are copies of {@code spec/word-cases.txt}, written by
 * {@code dev.tape.codegen.OpcodeGenerator} (README.md, "Regenerating the opcode tables"): change a
 * case there and regenerate, never inside a region.
 */
final class DecimalRun {
    private DecimalRun() {}

    /**
     * Notes where a trap in the run stood, for {@code execute} to report it there.
     *
     * @param c the run's context
     * @param ip the trapping instruction's code index
     * @param used the units the run took beyond its first instruction's, the trapping one's included
     * @param e the trap
     * @return {@code e}, for the caller to throw
     */
    private static VmTrap at(ExecutionContext c, int ip, int used, VmTrap e) {
        c.runIp = ip;
        c.runUsed = used;
        return e;
    }

    /**
     * Runs the paid-for decimal instruction at {@code ip} and what follows, as above.
     *
     * @param c the context whose register files {@code w} and {@code r} are
     * @param w the word file
     * @param r the reference file
     * @param code the code image's code
     * @param ip the decimal instruction's code index
     * @param base the frame's register base
     * @param budget the units left after the first instruction's (0 or more)
     * @return the next instruction's code index in the high 32 bits and the units taken beyond the
     *     first instruction's (0 to {@code min(budget, Integer.MAX_VALUE)}) in the low 32 bits
     */
    static long run(ExecutionContext c, long[] w, Object[] r, int[] code, int ip, int base, long budget) {
        final int start = budget > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) budget;
        int b = start;
        while (true) {
            switch (code[ip]) {
                case Op.DEC_ADD -> {
                    // the result's token is x's when x holds one (interned: no lookup); an operand
                    // holding x's token or box has x's scale. Checks in Numerics.decAdd's order
                    int x = base + code[ip + 2];
                    int y = base + code[ip + 3];
                    Object xo = r[x];
                    Object yo = r[y];
                    DecScale k;
                    int s;
                    long am;
                    if (xo instanceof DecScale q) {
                        k = q;
                        s = q.scale;
                        am = w[x];
                    } else {
                        Value.Decimal d = (Value.Decimal) xo;
                        k = null;
                        s = d.scale();
                        am = d.mantissa();
                    }
                    long bm;
                    if (yo == xo) {
                        bm = k != null ? w[y] : am;
                    } else {
                        int t;
                        if (yo instanceof DecScale q) {
                            t = q.scale;
                            bm = w[y];
                        } else {
                            Value.Decimal d = (Value.Decimal) yo;
                            t = d.scale();
                            bm = d.mantissa();
                        }
                        if (s != t) {
                            try {
                                Numerics.decAdd(am, s, bm, t, false);
                            } catch (VmTrap e) {
                                throw at(c, ip, start - b, e);
                            }
                        }
                    }
                    long m = am + bm;
                    if (((am ^ m) & (bm ^ m)) < 0) {
                        // decAdd throws for both branches above: each runs it only to throw its trap
                        try {
                            Numerics.decAdd(am, s, bm, s, false);
                        } catch (VmTrap e) {
                            throw at(c, ip, start - b, e);
                        }
                    }
                    if (!DecScale.put(c, w, r, base + code[ip + 1], m, k != null ? k : Interpreter.DEC_SCALES[s],
                            b == start)) {
                        return (long) ip << 32 | (start - b - 1);
                    }
                    ip += 4;
                }
                case Op.DEC_SUB -> {
                    int x = base + code[ip + 2];
                    int y = base + code[ip + 3];
                    Object xo = r[x];
                    Object yo = r[y];
                    int s = DecScale.scale(xo);
                    int t = DecScale.scale(yo);
                    long am = DecScale.mantissa(xo, w[x]);
                    long bm = DecScale.mantissa(yo, w[y]);
                    long m;
                    try {
                        m = Numerics.decAdd(am, s, bm, t, true);
                    } catch (VmTrap e) {
                        throw at(c, ip, start - b, e);
                    }
                    if (!DecScale.put(c, w, r, base + code[ip + 1], m, s, b == start)) {
                        return (long) ip << 32 | (start - b - 1);
                    }
                    ip += 4;
                }
                case Op.DEC_MUL -> {
                    int x = base + code[ip + 2];
                    int y = base + code[ip + 3];
                    Object xo = r[x];
                    Object yo = r[y];
                    int s = DecScale.scale(xo);
                    int t = DecScale.scale(yo);
                    long am = DecScale.mantissa(xo, w[x]);
                    long bm = DecScale.mantissa(yo, w[y]);
                    long m;
                    try {
                        m = Numerics.decMul(am, s, bm, t);
                    } catch (VmTrap e) {
                        throw at(c, ip, start - b, e);
                    }
                    // an operand of scale 0 gives the result the other's scale: its token, if any
                    Object o = t == 0 ? xo : s == 0 ? yo : null;
                    if (!DecScale.put(c, w, r, base + code[ip + 1], m,
                            o instanceof DecScale q ? q : Interpreter.DEC_SCALES[s + t], b == start)) {
                        return (long) ip << 32 | (start - b - 1);
                    }
                    ip += 4;
                }
                case Op.I64_TO_DEC -> {
                    int s = code[ip + 3];
                    long a = w[base + code[ip + 2]];
                    long m = a;
                    if (s != 0) { // scale 0 multiplies by 1: nothing to check
                        try {
                            m = Numerics.i64ToDecMantissa(a, s);
                        } catch (VmTrap e) {
                            throw at(c, ip, start - b, e);
                        }
                    }
                    if (!DecScale.put(c, w, r, base + code[ip + 1], m, s, b == start)) {
                        // put wrote the mantissa: restored should the result be the operand, which
                        // the verifier refuses (DecimalRunHandBackWordTest), a rule of another package
                        w[base + code[ip + 2]] = a;
                        return (long) ip << 32 | (start - b - 1);
                    }
                    ip += 4;
                }
                // BEGIN GENERATED: word cases (OpcodeGenerator)
                case LOp.MOV_W -> {
                    w[base + code[ip + 1]] = w[base + code[ip + 2]];
                    ip += 3;
                }
                case LOp.CONST_W -> {
                    w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                    ip += 4;
                }
                case Op.I64_ADD, Op.U64_ADD -> {
                    w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_SUB, Op.U64_SUB -> {
                    w[base + code[ip + 1]] = w[base + code[ip + 2]] - w[base + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_MUL, Op.U64_MUL -> {
                    w[base + code[ip + 1]] = w[base + code[ip + 2]] * w[base + code[ip + 3]];
                    ip += 4;
                }
                case Op.BR -> ip = w[base + code[ip + 1]] != 0 ? code[ip + 2] : code[ip + 3];
                case Op.JMP -> ip = code[ip + 1];
                // END GENERATED
                // fused compare-and-branch and superinstructions, as in execute: each further
                // half only when the budget holds its unit
                // BEGIN GENERATED: word cases (OpcodeGenerator)
                case LOp.I64_LT_BR -> {
                    boolean t = w[base + code[ip + 2]] < w[base + code[ip + 3]];
                    w[base + code[ip + 1]] = t ? 1 : 0;
                    if (b == 0) {
                        ip += 4;
                    } else {
                        b--;
                        ip = code[t ? ip + 6 : ip + 7];
                    }
                }
                case LOp.I64_ADD_LT_BR, LOp.I64_ADD_LT_BR_RUN -> {
                    // [I64_ADD, d, a, b][I64_LT_BR, c, x, y][BR, c, T, F]
                    w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                    if (b == 0) {
                        ip += 4;
                    } else {
                        b--;
                        boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                        w[base + code[ip + 5]] = t ? 1 : 0;
                        if (b == 0) {
                            ip += 8;
                        } else {
                            b--;
                            ip = code[t ? ip + 10 : ip + 11];
                        }
                    }
                }
                case LOp.CONST_ADD -> {
                    // [CONST_W, d, lo, hi][I64_ADD, d, a, b]
                    w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                    if (b == 0) {
                        ip += 4;
                    } else {
                        b--;
                        w[base + code[ip + 5]] = w[base + code[ip + 6]] + w[base + code[ip + 7]];
                        ip += 8;
                    }
                }
                case LOp.CONST_LT_BR -> {
                    // [CONST_W, d, lo, hi][I64_LT_BR, c, x, y][BR, c, T, F]
                    w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                    if (b == 0) {
                        ip += 4;
                    } else {
                        b--;
                        boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                        w[base + code[ip + 5]] = t ? 1 : 0;
                        if (b == 0) {
                            ip += 8;
                        } else {
                            b--;
                            ip = code[t ? ip + 10 : ip + 11];
                        }
                    }
                }
                // END GENERATED
                default -> {
                    // not run here: its unit, taken below, is given back, and execute takes it
                    // from here (never the first instruction, a decimal one)
                    return (long) ip << 32 | (start - b - 1);
                }
            }
            if (b == 0) {
                return (long) ip << 32 | start;
            }
            b--;
        }
    }
}
