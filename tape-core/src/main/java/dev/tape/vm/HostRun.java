package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

/**
 * A run of one-to-three-word host calls ({@link WordCalls#quick}) and the word instructions between
 * them in a loop of its own, as {@link DecimalRun} is for decimals: when {@link Interpreter#execute}
 * has made a {@code host_call} on the quick path and the next instruction is one {@link WordRun}
 * takes ({@link LOp#wordRunTakes(int)}), it pays for that instruction and hands it here, and this
 * loop runs it and every following instruction it handles (those word instructions and further
 * {@code host_call}s the quick path takes) until it meets one it does not handle (a call, a
 * return, any reference or f64 instruction, a {@code host_call} the quick path declines: traced,
 * recorded, a boxed host function, or past the host-call limit) or the budget runs out. A loop
 * around a host call (an embedder's lookup or check per element) then runs here trip after trip,
 * with C2's register allocation of this small method, the host function inlined into it when its
 * site sees one, instead of that of {@code execute}'s general-mode compile.
 *
 * <p>Fuel, pauses, tracing and errors as in {@link DecimalRun}: each instruction after the first
 * takes one unit before it runs and stops the run, unpaid, when none is left; the fused
 * compare-and-branch and the superinstructions take their further units exactly as the inner loop
 * of {@code execute} does; INSTR tracing (a budget of 1) never reaches this loop. A host call is
 * made by {@link WordCalls#quick}, the very method {@code execute}'s {@code host_call} case calls,
 * so it is counted, checked against the limit and charged no fuel as there; one it declines is
 * handed back unpaid, and {@code execute} makes it on its general path. A pause requested during a
 * host call ({@link ExecutionContext#pauseRequested}) stops the run right after that call, where
 * {@code execute} pauses, as after its own. A throw of the quick call (a failed host function's
 * {@code host_call_failed} trap, or an error of the JVM) leaves the call's position and the units
 * the run took in {@link ExecutionContext#runIp} and {@link ExecutionContext#runUsed} for
 * {@code execute} to report it at that {@code host_call}; only that call sits in a {@code try}
 * (DecimalRun's note: a handler over the whole loop kept {@code ip} and the budget in stack slots).
 * The word instructions cannot throw.
 *
 * <p>The cases between the lines {@code // BEGIN GENERATED: word cases (OpcodeGenerator)} and
 * {@code // END GENERATED} are copies of {@code spec/word-cases.txt}, written by
 * {@code dev.tape.codegen.OpcodeGenerator} (README.md, "Regenerating the opcode tables"): change a
 * case there and regenerate, never inside a region.
 */
final class HostRun {
    private HostRun() {}

    /**
     * Runs the paid-for word instruction at {@code ip} (one {@link LOp#wordRunTakes(int)} takes)
     * and what follows, as above.
     *
     * @param vm the program's machine, whose quick host functions the run calls
     * @param c the context whose word file {@code w} is
     * @param w the word file
     * @param code the code image's code
     * @param ip the first instruction's code index
     * @param base the frame's register base
     * @param budget the units left after the first instruction's (0 or more)
     * @return the next instruction's code index in the high 32 bits and the units taken beyond the
     *     first instruction's (0 to {@code min(budget, Integer.MAX_VALUE)}) in the low 32 bits
     */
    static long run(Vm vm, ExecutionContext c, long[] w, int[] code, int ip, int base, long budget) {
        final int start = budget > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) budget;
        int b = start;
        while (true) {
            switch (code[ip]) {
                case Op.HOST_CALL -> {
                    // never the first instruction (a word one)
                    int next;
                    try {
                        next = WordCalls.quick(vm, c, code, ip, base, w);
                    } catch (RuntimeException | Error e) {
                        c.runIp = ip;
                        c.runUsed = start - b;
                        throw e;
                    }
                    if (next < 0) {
                        // declined, nothing done: its unit given back, execute makes it
                        return (long) ip << 32 | (start - b - 1);
                    }
                    ip = next;
                    if (c.pauseRequested) {
                        // execute pauses right after the call, as after its own
                        return (long) ip << 32 | (start - b);
                    }
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
                    // from here (never the first instruction, a word one this loop takes)
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
