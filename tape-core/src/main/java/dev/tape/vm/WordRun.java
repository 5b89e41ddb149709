package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

/**
 * A counted loop of word instructions in a loop of its own, as {@link FloatRun} is for f64 ones:
 * when an {@code i64.add} + {@code i64.lt}+{@code br} superinstruction (a counted loop's latch) that
 * the lowering found branching back to a word instruction that starts a run of three or more this
 * loop handles ({@link LOp#I64_ADD_LT_BR_RUN}, {@link LOp#loopHead}) takes that branch in the inner
 * word loop of {@link Interpreter#execute}, the head is paid for and handed, through the outer
 * {@code switch}, to this loop, which runs it and every following instruction it handles (word {@code mov} and constants, {@code i64/u64.add}, {@code sub},
 * {@code mul}, {@code br}, {@code jmp}, the fused {@code i64.lt}+{@code br} and the
 * superinstructions constant+{@code i64.add}, constant+{@code i64.lt}+{@code br} and
 * {@code i64.add}+{@code i64.lt}+{@code br}) until it meets one it does not handle (an f64
 * instruction among them, which the inner loop then hands to {@link FloatRun}) or the budget runs
 * out. A counted integer loop then runs here trip after trip, with C2's register allocation of this
 * small method instead of that of {@code execute}'s general-mode compile, and without sharing
 * {@link FloatRun}'s profile.
 *
 * <p>Fuel, pauses, tracing and errors exactly as in {@link FloatRun}: each instruction after the
 * first takes one unit before it runs, each further half of a fused op only when the budget holds
 * it; no instruction here traps; any exception leaves the run's position and the units it took in
 * {@link ExecutionContext#runIp} and {@link ExecutionContext#runUsed}.
 *
 * <p>The cases between the lines {@code // BEGIN GENERATED: word cases (OpcodeGenerator)} and
 * {@code // END GENERATED} are copies of {@code spec/word-cases.txt}, written by
 * {@code dev.tape.codegen.OpcodeGenerator} (README.md, "Regenerating the opcode tables"): change a
 * case there and regenerate, never inside a region.
 */
final class WordRun {
    private WordRun() {}

    /**
     * Runs the paid-for loop head at {@code ip} (a word instruction this loop handles) and what
     * follows, as above.
     *
     * @param c the context whose word file {@code w} is
     * @param w the word file
     * @param code the code image's code
     * @param ip the first instruction's code index
     * @param base the frame's register base
     * @param budget the units left after the first instruction's (0 or more)
     * @return the next instruction's code index in the high 32 bits and the units taken beyond the
     *     first instruction's (0 to {@code min(budget, Integer.MAX_VALUE)}) in the low 32 bits
     */
    static long run(ExecutionContext c, long[] w, int[] code, int ip, int base, long budget) {
        final int start = budget > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) budget;
        int b = start;
        try {
            while (true) {
                switch (code[ip]) {
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
                        // from here (never the first instruction, one LOp.loopHead found
                        // this loop takes)
                        return (long) ip << 32 | (start - b - 1);
                    }
                }
                if (b == 0) {
                    return (long) ip << 32 | start;
                }
                b--;
            }
        } catch (RuntimeException | Error e) {
            // thrown at the instruction at ip, paid for
            c.runIp = ip;
            c.runUsed = start - b;
            throw e;
        }
    }
}
