package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;

/**
 * A small dispatch loop for call-heavy word code (direct {@code call}, {@code ret}, word moves and
 * constants, adds and subtracts, the fused compare-and-branch forms), entered by
 * {@link Interpreter#execute} at a direct {@code call} whose callee (not a small leaf) starts with one
 * of {@link LOp#callLoopTakes(int)} ({@link CodeImage#runEntries()}; a small leaf's call goes to
 * {@link LeafLoop}, this loop compiled apart), when calls are not traced: a method of its
 * own, so that C2 allocates its registers for these instructions alone, whatever else the JVM has
 * run. It stops, with the instruction at its ip not yet paid for, at any other instruction, at a
 * {@code ret} from the entry frame, at a {@code call} whose callee's registers or frame record need
 * the register files or the frame records to grow (it sets {@code hotGrow}, and {@code execute} makes
 * that call: no growth code, warm in the general mode, is compiled into this loop), or when the
 * budget runs out; its state is then in the context's
 * {@code hot} fields (also when it throws, with the trapping instruction paid for and its ip), for
 * {@code execute} to take back. Fuel is charged as in {@code execute}: one unit per instruction
 * before it runs, the fused forms' further halves only when the budget holds them.
 */
final class CallLoop {
    private CallLoop() {}

    /**
     * Runs from {@code ip} until an instruction this loop does not handle, the entry frame's
     * {@code ret}, a {@code call} that needs room to grow, or budget 0.
     *
     * @param vm the VM (its code image)
     * @param c the context: its register files, frames and limits; receives the state at the stop
     * @param ip the global ip of a direct {@code call}, not yet paid for
     * @param base the current register base
     * @param depth the call depth, 1 or more
     * @param regs the current function's register count
     * @param budget the budget left, 1 or more
     */
    static void run(Vm vm, ExecutionContext c, int ip, int base, int depth, int regs, long budget) {
        final CodeImage image = vm.image;
        final int[] code = image.code();
        final int[] entry = image.callEntries();
        final int[] regCounts = image.regCounts();
        final int maxDepth = c.maxDepth;
        long[] w = c.w;
        Object[] r = c.r;
        int[] frames = c.frames;
        try {
            loop:
            while (budget != 0) {
                budget--;
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
                    case Op.BR -> ip = w[base + code[ip + 1]] != 0 ? code[ip + 2] : code[ip + 3];
                    case Op.JMP -> ip = code[ip + 1];
                    case LOp.I64_LT_BR -> {
                        boolean t = w[base + code[ip + 2]] < w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.I64_ADD_LT_BR -> {
                        // [I64_ADD, d, a, b][I64_LT_BR, c, x, y][BR, c, T, F]
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                            w[base + code[ip + 5]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 8;
                            } else {
                                budget--;
                                ip = code[t ? ip + 10 : ip + 11];
                            }
                        }
                    }
                    case LOp.CONST_ADD -> {
                        // [CONST_W, d, lo, hi][I64_ADD, d, a, b]
                        w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            w[base + code[ip + 5]] = w[base + code[ip + 6]] + w[base + code[ip + 7]];
                            ip += 8;
                        }
                    }
                    case LOp.CONST_SUB -> {
                        // [CONST_W, d, lo, hi][I64_SUB, d, a, b]
                        w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            w[base + code[ip + 5]] = w[base + code[ip + 6]] - w[base + code[ip + 7]];
                            ip += 8;
                        }
                    }
                    case LOp.CONST_LT_BR -> {
                        // [CONST_W, d, lo, hi][I64_LT_BR, c, x, y][BR, c, T, F]
                        w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            boolean t = w[base + code[ip + 6]] < w[base + code[ip + 7]];
                            w[base + code[ip + 5]] = t ? 1 : 0;
                            if (budget == 0) {
                                ip += 8;
                            } else {
                                budget--;
                                ip = code[t ? ip + 10 : ip + 11];
                            }
                        }
                    }
                    case Op.CALL -> {
                        // [CALL, callee, argc, args..., retc, rets...]: the direct call, without the indirect call's
                        // checks (the callee and the first argument are known); traced in execute only
                        if (depth >= maxDepth) {
                            throw Calls.depthTrap(depth, maxDepth);
                        }
                        int nb = base + regs;
                        int callee = code[ip + 1];
                        int calleeRegs = regCounts[callee];
                        int need = nb + calleeRegs;
                        // no room for the callee's registers or frame record: execute makes this call, unpaid here, and
                        // grows them (a growth path here, warm in the general mode, would put its calls into this loop's
                        // compile: docs/PERFORMANCE-LOG.md, "Interpreter, twenty-fifth round")
                        if (need + (long) ExecutionContext.FRAME_REGISTERS * depth > c.regHigh
                                || depth * ExecutionContext.FRAME > frames.length) {
                            c.hotGrow = true;
                            budget++;
                            break loop;
                        }
                        int argc = code[ip + 2];
                        int retAt = ip + 3 + argc;
                        int moved = argc + code[retAt];
                        if (moved > ExecutionContext.FREE_VALUES) {
                            c.copied(moved, ExecutionContext.CALL_VALUE_UNITS);
                        }
                        // the arguments, one and two without a loop (a loop that runs once costs C2's set-up);
                        // written out here, not a helper: see the note at Calls.copyOne
                        if (argc > 0) {
                            Calls.copyOne(w, r, code[ip + 3], base, nb + 1);
                            if (argc > 1) {
                                Calls.copyOne(w, r, code[ip + 4], base, nb + 2);
                                for (int i = 2; i < argc; i++) {
                                    Calls.copyOne(w, r, code[ip + 3 + i], base, nb + 1 + i);
                                }
                            }
                        }
                        int fp = (depth - 1) * ExecutionContext.FRAME;
                        int at = entry[callee];
                        if (at < 0 && budget >= image.leafLength(callee)) {
                            // a small leaf with its every instruction paid for: body and ret
                            // here, no frame record (Calls.leaf)
                            budget -= image.leafLength(callee);
                            Calls.leaf(code, w, ~at, nb, base, retAt);
                            ip = retAt + 1 + code[retAt];
                        } else {
                            frames[fp] = regs;
                            frames[fp + 1] = base;
                            frames[fp + 2] = ip;
                            frames[fp + 3] = retAt;
                            ++depth;
                            regs = calleeRegs;
                            base = nb;
                            ip = at ^ (at >> 31); // -1 - at for a leaf: ~at
                        }
                    }
                    case Op.RET -> {
                        if (depth == 1) {
                            // the entry frame's ret: execute pays for it and ends the run
                            budget++;
                            break loop;
                        }
                        int fp = (depth - 2) * ExecutionContext.FRAME;
                        int callerBase = frames[fp + 1];
                        int pos = frames[fp + 3];
                        int n = code[ip + 1];
                        // the results, written out here, not a helper: see the note at Calls.copyOne
                        if (n > 0) {
                            Calls.copyOne(w, r, code[ip + 2], base, callerBase + code[pos + 1]);
                            for (int i = 1; i < n; i++) {
                                Calls.copyOne(w, r, code[ip + 2 + i], base, callerBase + code[pos + 1 + i]);
                            }
                        }
                        --depth;
                        regs = frames[fp];
                        base = callerBase;
                        ip = pos + 1 + n;
                    }
                    // END GENERATED
                    default -> {
                        // not paid for here: execute's loop takes it
                        budget++;
                        break loop;
                    }
                }
            }
        } finally {
            c.hotIp = ip;
            c.hotBase = base;
            c.hotDepth = depth;
            c.hotRegs = regs;
            c.hotBudget = budget;
        }
    }
}
