package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;

/**
 * A run of array reads, and of the word instructions between them, in a loop of its own, as
 * {@link TupleRun} is for tuples: {@link Interpreter#execute} hands {@code array.get} into a word
 * register ({@link LOp#ARRAY_GET_W}), paid for, here when the instruction after it is one this loop
 * handles ({@link Interpreter#ARRAY_TAKES}; one alone runs in {@code execute} through
 * {@link Ops#slow}), and this loop runs it and every following instruction it handles
 * ({@code array.get} into a word register, {@code array.len}, word {@code mov} and constants,
 * {@code i64/u64.add}, {@code sub}, {@code mul}, {@code br}, {@code jmp}, the fused
 * {@code i64.lt}+{@code br} and {@code u64.lt}+{@code br} and the superinstructions
 * constant+{@code i64.add}, constant+{@code i64.lt}+{@code br} and
 * {@code i64.add}+{@code i64.lt}+{@code br}) until it meets one it does not handle or the budget
 * runs out. An indexed loop over an array of words (a sum, a search) then runs here trip after trip,
 * with C2's register allocation of this small method instead of that of {@code execute}'s
 * general-mode compile, and without leaving {@code execute}'s inner word loop for its outer
 * {@code switch} at every element (docs/PERFORMANCE-LOG.md, "The interpreter's array_loop in the
 * general mode").
 *
 * <p>Each instruction after the first takes one unit of the budget before it runs and stops the
 * run, unpaid, when none is left; the fused compare-and-branch and the superinstructions take their
 * further units exactly as the inner loop of {@code execute} does. So fuel, trap pcs, pauses at each
 * fuel slice, INSTR tracing (a budget of 1: only the first instruction runs here) and the
 * debugger see the same instruction boundaries as one instruction at a time. The results and the
 * checks of each read ({@link Ops#project} on the slow path: {@code agg_error} for a register not
 * holding an array or an index out of range at either end, {@code type_mismatch}) and of
 * {@code array.len} ({@link Ops#agg}) are those of {@code execute}. Nothing here allocates.
 *
 * <p>A trap (or any exception) leaves the run's position and the units it took in
 * {@link ExecutionContext#runIp} and {@link ExecutionContext#runUsed} for {@code execute} to report
 * it at that instruction.
 *
 * <p>The cases between the lines {@code // BEGIN GENERATED: word cases (OpcodeGenerator)} and
 * {@code // END GENERATED} are copies of {@code spec/word-cases.txt}, written by
 * {@code dev.tape.codegen.OpcodeGenerator} (README.md, "Regenerating the opcode tables"): change a
 * case there and regenerate, never inside a region.
 */
final class ArrayRun {
    private ArrayRun() {}

    /**
     * Runs the paid-for {@link LOp#ARRAY_GET_W} at {@code ip} and what follows, as above.
     *
     * @param c the context whose register files {@code w} and {@code r} are
     * @param w the word file
     * @param r the reference file
     * @param code the code image's code
     * @param ip the array read's code index
     * @param base the frame's register base
     * @param budget the units left after the first instruction's (0 or more)
     * @return the next instruction's code index in the high 32 bits and the units taken beyond the
     *     first instruction's (0 to {@code min(budget, Integer.MAX_VALUE)}) in the low 32 bits
     */
    static long run(ExecutionContext c, long[] w, Object[] r, int[] code, int ip, int base, long budget) {
        final int start = budget > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) budget;
        int b = start;
        try {
            while (true) {
                switch (code[ip]) {
                    // BEGIN GENERATED: word cases (OpcodeGenerator)
                    case LOp.ARRAY_GET_W -> {
                        Object o = r[base + code[ip + 2]];
                        long x = w[base + code[ip + 3]];
                        if (o instanceof Aggregate a && a.aggKind() == Aggregate.Kind.ARRAY && x >= 0 && x < a.size()
                                && a.tag((int) x) == code[ip + 4]) {
                            w[base + code[ip + 1]] = a.word((int) x);
                        } else {
                            Ops.project(c, code, ip, base, Aggregate.Kind.ARRAY, x, true);
                        }
                        ip += 5;
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
                    case Op.ARRAY_LEN -> {
                        w[base + code[ip + 1]] = Ops.agg(r[base + code[ip + 2]], Aggregate.Kind.ARRAY).size();
                        ip += 3;
                    }
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
                    case LOp.U64_LT_BR -> {
                        boolean t = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) < 0;
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
                        // from here (never the first instruction, an array.get)
                        return (long) ip << 32 | (start - b - 1);
                    }
                }
                if (b == 0) {
                    return (long) ip << 32 | start;
                }
                b--;
            }
        } catch (RuntimeException | Error e) {
            // a trap at the instruction at ip, paid for
            c.runIp = ip;
            c.runUsed = start - b;
            throw e;
        }
    }
}
