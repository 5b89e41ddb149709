package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

/**
 * A run of f64 instructions, and of the word instructions between them, in a loop of its own, as
 * {@link DecimalRun} is for decimals: the inner word loop of {@link Interpreter#execute} hands an f64
 * arithmetic instruction ({@code f64.add}, {@code sub}, {@code mul}, {@code div},
 * {@code i64.to_f64} and the f64 superinstructions {@link LOp#F64_MUL_ADD}, {@link LOp#F64_SUB_ADD},
 * {@link LOp#I64_TO_F64_MUL_ADD} and {@link LOp#F64_DIV_SUB_ADD}), paid for, through the outer {@code switch} to this loop when
 * the instruction after it (after the whole superinstruction) is one this loop handles
 * ({@link LOp#floatRunTakes}) and is a branch or a jump or followed by another one it handles
 * ({@link LOp#floatRun}; otherwise it runs in the inner loop, which costs less than the
 * trip and the call), and this loop runs it and every following instruction it handles (those and
 * {@code f64.lt}, the fused {@code f64.lt}+{@code br}, word {@code mov} and constants,
 * {@code i64/u64.add}, {@code sub}, {@code mul}, {@code br}, {@code jmp}, the fused
 * {@code i64.lt}+{@code br} and the superinstructions constant+{@code i64.add},
 * constant+{@code i64.lt}+{@code br} and {@code i64.add}+{@code i64.lt}+{@code br}) until it meets
 * one it does not handle or the budget runs out. The inner loop also hands it a counted loop's f64
 * head, paid for, that the loop's latch branches back to ({@link LOp#I64_ADD_LT_BR_RUN}, {@link LOp#loopHead}; a word head
 * goes to {@link WordRun}). A numeric loop (a sum of a float series, a simulation step) then runs
 * here trip after trip, with C2's register allocation of this small method instead of that of
 * {@code execute}'s general-mode compile.
 *
 * <p>Each instruction after the first takes one unit of the budget before it runs and stops the
 * run, unpaid, when none is left; the fused compare-and-branch and the superinstructions take their
 * further units exactly as the inner loop of {@code execute} does. So fuel, pauses at each fuel
 * slice, INSTR tracing (a budget of 1: only the first instruction runs here) and the debugger see
 * the same instruction boundaries as one instruction at a time. The results are those of
 * {@code execute}'s cases ({@link Numerics}: the same NaN rule). No instruction here traps; any
 * exception (an {@code Error} of the JVM) leaves the run's position and the units it took in
 * {@link ExecutionContext#runIp} and {@link ExecutionContext#runUsed}, as {@link DecimalRun}'s do.
 *
 * <p>The cases between the lines {@code // BEGIN GENERATED: word cases (OpcodeGenerator)} and
 * {@code // END GENERATED} are copies of {@code spec/word-cases.txt}, written by
 * {@code dev.tape.codegen.OpcodeGenerator} (README.md, "Regenerating the opcode tables"): change a
 * case there and regenerate, never inside a region.
 */
final class FloatRun {
    private FloatRun() {}

    /**
     * Runs the paid-for f64 instruction at {@code ip} (one the inner loop left, or a loop head)
     * and what follows, as above.
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
                    case Op.F64_ADD -> {
                        w[base + code[ip + 1]] = Numerics.add(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        ip += 4;
                    }
                    case Op.F64_SUB -> {
                        w[base + code[ip + 1]] = Numerics.sub(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        ip += 4;
                    }
                    case Op.F64_MUL -> {
                        w[base + code[ip + 1]] = Numerics.mul(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        ip += 4;
                    }
                    case Op.F64_DIV -> {
                        w[base + code[ip + 1]] = Numerics.div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        ip += 4;
                    }
                    case Op.F64_LT -> {
                        w[base + code[ip + 1]] = Double.longBitsToDouble(w[base + code[ip + 2]])
                                < Double.longBitsToDouble(w[base + code[ip + 3]]) ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_TO_F64 -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits((double) w[base + code[ip + 2]]);
                        ip += 3;
                    }
                    case LOp.F64_LT_BR -> {
                        boolean t = Double.longBitsToDouble(w[base + code[ip + 2]])
                                < Double.longBitsToDouble(w[base + code[ip + 3]]);
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (b == 0) {
                            ip += 4;
                        } else {
                            b--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.F64_MUL_ADD -> {
                        // [F64_MUL, d, a, b][F64_ADD, d, a, b]
                        w[base + code[ip + 1]] = Numerics.mul(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        if (b == 0) {
                            ip += 4;
                        } else {
                            b--;
                            w[base + code[ip + 5]] = Numerics.add(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                            ip += 8;
                        }
                    }
                    case LOp.I64_TO_F64_MUL_ADD -> {
                        // [I64_TO_F64, d, a][F64_MUL_ADD, d, a, b][F64_ADD, d, a, b]
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits((double) w[base + code[ip + 2]]);
                        if (b == 0) {
                            ip += 3;
                        } else {
                            b--;
                            w[base + code[ip + 4]] = Numerics.mul(w[base + code[ip + 5]], w[base + code[ip + 6]]);
                            if (b == 0) {
                                ip += 7;
                            } else {
                                b--;
                                w[base + code[ip + 8]] = Numerics.add(w[base + code[ip + 9]], w[base + code[ip + 10]]);
                                ip += 11;
                            }
                        }
                    }
                    case LOp.F64_SUB_ADD -> {
                        // [F64_SUB, d, a, b][F64_ADD, d, a, b]
                        w[base + code[ip + 1]] = Numerics.sub(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        if (b == 0) {
                            ip += 4;
                        } else {
                            b--;
                            w[base + code[ip + 5]] = Numerics.add(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                            ip += 8;
                        }
                    }
                    case LOp.F64_DIV_SUB_ADD -> {
                        // [F64_DIV, d, a, b][F64_SUB_ADD, d, a, b][F64_ADD, d, a, b]
                        w[base + code[ip + 1]] = Numerics.div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
                        if (b == 0) {
                            ip += 4;
                        } else {
                            b--;
                            w[base + code[ip + 5]] = Numerics.sub(w[base + code[ip + 6]], w[base + code[ip + 7]]);
                            if (b == 0) {
                                ip += 8;
                            } else {
                                b--;
                                w[base + code[ip + 9]] = Numerics.add(w[base + code[ip + 10]], w[base + code[ip + 11]]);
                                ip += 12;
                            }
                        }
                    }
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
                        // from here (never the first instruction, one LOp.floatRun or
                        // LOp.loopHead found this loop takes)
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
