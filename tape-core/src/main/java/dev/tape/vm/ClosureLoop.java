package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;

/**
 * A small dispatch loop for code around indirect calls ({@code call.indirect} of a function or a
 * closure, {@code ret}, the word tuple projection a closure reads its environment with, word moves
 * and constants, adds and subtracts, the fused compare-and-branch forms), entered by
 * {@link Interpreter#execute} right after it makes an indirect call, at the callee's first
 * instruction when this loop takes it ({@link #takes(int)}) and calls are not traced: a method of
 * its own, so that C2 profiles and compiles these instructions apart from {@code execute}'s outer
 * switch, whose general-mode compile carries every workload's profile. Its cases are generated
 * from the definitions of {@code execute}'s ({@code spec/word-cases.txt}, MODE calls). It stops,
 * with the instruction at its ip not yet paid for, at any other instruction (a direct
 * {@code call} among them: {@code execute} hands that to {@link CallLoop} or {@link LeafLoop}), at a
 * {@code ret} from the entry frame, at an indirect call whose callee's registers or frame record
 * need the register files or the frame records to grow ({@code execute} makes that call and grows
 * them), or when the budget runs out; its state is then in the context's {@code hot} fields (also
 * when it throws, with the trapping instruction paid for and its ip), for {@code execute} to take
 * back, as {@link CallLoop}'s. Fuel is charged as in {@code execute}: one unit per instruction
 * before it runs, the fused forms' further halves only when the budget holds them.
 */
final class ClosureLoop {
    /** {@link #takes(int)} by op (0 to 255). */
    private static final boolean[] TAKES = new boolean[256];

    static {
        for (int op : new int[] {LOp.MOV_W, LOp.CONST_W, Op.I64_ADD, Op.U64_ADD, Op.I64_SUB, Op.U64_SUB, Op.BR, Op.JMP,
            LOp.I64_LT_BR, LOp.I64_ADD_LT_BR, LOp.CONST_ADD, LOp.CONST_SUB, LOp.CONST_LT_BR, LOp.TUPLE_GET_W,
            LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE, Op.RET}) {
            TAKES[op] = true;
        }
    }

    private ClosureLoop() {}

    /**
     * Whether this loop runs instructions of this op (the labels of its cases).
     *
     * @param op a lowered op, 0 to 255
     * @return whether {@link #run} takes an instruction of this op
     * @throws ArrayIndexOutOfBoundsException when {@code op} is outside 0 to 255
     */
    static boolean takes(int op) {
        return TAKES[op];
    }

    /**
     * Runs from {@code ip} until an instruction this loop does not handle, the entry frame's
     * {@code ret}, an indirect call that needs room to grow, or budget 0.
     *
     * @param vm the VM (its code image)
     * @param c the context: its register files, frames and limits; receives the state at the stop
     * @param ip the global ip of an instruction this loop takes, not yet paid for
     * @param base the current register base
     * @param depth the call depth, 2 or more
     * @param regs the current function's register count
     * @param budget the budget left, 1 or more
     */
    static void run(Vm vm, ExecutionContext c, int ip, int base, int depth, int regs, long budget) {
        final CodeImage image = vm.image;
        final int[] code = image.code();
        // the indirect call's entries, as execute reads them (CodeImage.runEntries)
        final int[] entry = image.runEntries();
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
                    case LOp.TUPLE_GET_W -> {
                        Object o = r[base + code[ip + 2]];
                        int i = code[ip + 3];
                        if (o instanceof Aggregate a && a.aggKind() == Aggregate.Kind.TUPLE && i < a.size()
                                && a.tag(i) == code[ip + 4]) {
                            w[base + code[ip + 1]] = a.word(i);
                        } else {
                            Ops.project(c, code, ip, base, Aggregate.Kind.TUPLE, i & 0xFFFFFFFFL, true);
                        }
                        ip += 5;
                    }
                    case LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> {
                        // [op, callSig, reg, argc, args..., retc, rets...]: check the callee against
                        // the call signature; a closure's environment goes first
                        if (depth >= maxDepth) {
                            throw Calls.depthTrap(depth, maxDepth);
                        }
                        int nb = base + regs;
                        int callee = Calls.indirectCallee(vm, c, code, ip, base);
                        int argsAt = ip + 3;
                        int to = nb + (code[ip] == LOp.CALL_INDIRECT_CLOSURE ? 2 : 1);
                        int calleeRegs = regCounts[callee];
                        int need = nb + calleeRegs;
                        // no room for the callee's registers or frame record: execute makes this call, unpaid here,
                        // and grows them (no growth path in this loop's compile, as for the direct call)
                        if (need + (long) ExecutionContext.FRAME_REGISTERS * depth > c.regHigh
                                || depth * ExecutionContext.FRAME > frames.length) {
                            budget++;
                            break loop;
                        }
                        int argc = code[argsAt];
                        // arguments and results beyond the free ones count against the copy budget
                        int moved = argc + code[argsAt + 1 + argc];
                        if (moved > ExecutionContext.FREE_VALUES) {
                            c.copied(moved, ExecutionContext.CALL_VALUE_UNITS);
                        }
                        if (to == nb + 2) {
                            r[nb + 1] = ((Value.Closure) r[base + code[ip + 2]]).env();
                        }
                        // Calls.copy written out, as for the direct call: see the note at Calls.copyOne
                        for (int i = 0; i < argc; i++) {
                            Calls.copyOne(w, r, code[argsAt + 1 + i], base, to + i);
                        }
                        int fp = (depth - 1) * ExecutionContext.FRAME;
                        frames[fp] = regs;
                        frames[fp + 1] = base;
                        frames[fp + 2] = ip;
                        frames[fp + 3] = argsAt + 1 + argc;
                        ++depth;
                        regs = calleeRegs;
                        base = nb;
                        int at = entry[callee];
                        // marked or not (CodeImage.runEntries, CodeImage.isHot: bit 30 flipped for a LeafLoop or CallLoop callee), the entry
                        ip = (at ^ (at >> 31)) & (CodeImage.HOT - 1);
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
