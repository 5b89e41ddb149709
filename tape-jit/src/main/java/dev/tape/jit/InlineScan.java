package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

/**
 * The admission rules {@link LeafInliner} and {@link LoopInliner} share when they look at a
 * callee: its size and register classes ({@link #admits}), where its instructions start
 * ({@link #starts}), the instructions both admit and the bytecode each emits at most
 * ({@link #cost}, backward branches allowed or not), and its blocks ({@link #blocks},
 * {@link #successors}). Each inliner keeps its own numbers for what differs. Every method runs in
 * time linear in the callee's code.
 */
final class InlineScan {
    private InlineScan() {}

    /**
     * Whether a callee is small enough and its registers are of classes an inlined body can hold:
     * at most {@code maxRegisters} registers and {@code maxInstructions} instructions (at least
     * one), at most 6 ints of code per instruction (no admitted instruction is longer but a ret of
     * many results, which neither inliner admits), no decimal register, and reference registers
     * only among its arguments.
     *
     * @param fn the callee
     * @param maxRegisters the most registers it may have
     * @param maxInstructions the most instructions it may have
     * @return whether it passes
     */
    static boolean admits(LoweredFunction fn, int maxRegisters, int maxInstructions) {
        int regs = fn.regCount();
        // the tests that cost nothing first: counting the instructions may decode the callee's
        // whole bytecode again, once per call site and per generation attempt
        if (regs > maxRegisters || fn.codeLength() > 6 * maxInstructions) {
            return false;
        }
        int count = fn.instructionCount();
        if (count > maxInstructions || count == 0) {
            return false;
        }
        for (int r = 0; r < regs; r++) {
            ValueType t = fn.regType(r);
            ValueKind k = t == null ? ValueKind.UNIT : t.kind();
            if (k == ValueKind.DECIMAL || !(k == ValueKind.UNIT || Aggregate.isWord(k)) && (r < 1 || r > fn.argCount())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param fn a function
     * @return per code index (its code length of them): whether an instruction starts there
     */
    static boolean[] starts(LoweredFunction fn) {
        boolean[] starts = new boolean[fn.codeLength()];
        for (int s = 0; s < fn.instructionCount(); s++) {
            starts[fn.instructionStart(s)] = true;
        }
        return starts;
    }

    /**
     * Fills {@code blockLen} (per code index: the length in instructions of the block it leads, 0
     * where none starts) and {@code last} (per block leader: the code index of its last
     * instruction) from the instruction {@code starts} and the block {@code leaders} (one longer:
     * the end may lead). Every array but {@code leaders} is the callee's code length long.
     */
    static void blocks(boolean[] starts, boolean[] leaders, int[] blockLen, int[] last) {
        int len = starts.length;
        for (int i = 0; i < len; i++) {
            if (starts[i] && leaders[i]) {
                int n = 0;
                int j = i;
                do {
                    last[i] = j;
                    n++;
                    j = next(starts, j);
                } while (j < len && !leaders[j]);
                blockLen[i] = n;
            }
        }
    }

    /** @return the code index of the instruction after the one at {@code i}, or the code length */
    static int next(boolean[] starts, int i) {
        int j = i + 1;
        while (j < starts.length && !starts[j]) {
            j++;
        }
        return j;
    }

    /** The blocks a block ending at global {@code g} goes on to ({@code fall}: the next code index). */
    static int[] successors(int[] code, int g, int entry, int fall) {
        return switch (code[g]) {
            case Op.BR -> new int[] {code[g + 2] - entry, code[g + 3] - entry};
            case Op.JMP -> new int[] {code[g + 1] - entry};
            case Op.RET -> new int[0];
            default -> new int[] {fall};
        };
    }

    /**
     * @param fn a function
     * @param r one of its registers
     * @return the register's class ({@code LOp.UNIT_CLASS}, {@code WORD_CLASS} or {@code REF_CLASS})
     */
    static int classOf(LoweredFunction fn, int r) {
        ValueType t = fn.regType(r);
        ValueKind k = t == null ? ValueKind.UNIT : t.kind();
        return k == ValueKind.UNIT ? LOp.UNIT_CLASS : Aggregate.isWord(k) ? LOp.WORD_CLASS : LOp.REF_CLASS;
    }

    /**
     * Checks an instruction both inliners admit, with plain op {@code op} at code index {@code i}
     * (global {@code g}) of a callee at {@code entry} of code length {@code len}, and marks the
     * blocks it starts in {@code leaders}: nop, word moves, {@code bool.not}, i64/u64/bool
     * arithmetic without division, shifts, integer compares (plain or fused with their br),
     * {@code br} and {@code jmp} within the code (forward only unless {@code backward}), and
     * {@code ret} of at most 8 word or unit values.
     *
     * @return a bound on the bytecode it emits inlined, or -1 when it is not one of those
     */
    static int cost(int op, int[] code, int g, int i, int len, int entry, boolean[] leaders, boolean[] starts,
                    boolean backward) {
        switch (op) {
            case Op.NOP -> {
                return 0;
            }
            case LOp.MOV_W, Op.BOOL_NOT -> {
                return 12;
            }
            case Op.I64_ADD, Op.U64_ADD, Op.I64_SUB, Op.U64_SUB, Op.I64_MUL, Op.U64_MUL, Op.I64_AND, Op.U64_AND,
                 Op.BOOL_AND, Op.I64_OR, Op.U64_OR, Op.BOOL_OR, Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR, Op.I64_SHL,
                 Op.U64_SHL, Op.I64_SHR, Op.U64_SHR -> {
                return 16;
            }
            case Op.I64_EQ, Op.U64_EQ, Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, LOp.I64_EQ_BR,
                 LOp.I64_LT_BR, LOp.I64_GT_BR, LOp.I64_LE_BR, LOp.I64_GE_BR, LOp.U64_LT_BR, Op.U64_GT, Op.U64_LE,
                 Op.U64_GE -> {
                return 32;
            }
            case Op.BR, Op.JMP -> {
                int[] targets = op == Op.BR ? new int[] {code[g + 2] - entry, code[g + 3] - entry}
                        : new int[] {code[g + 1] - entry};
                for (int t : targets) {
                    if ((backward ? t < 0 : t <= i) || t >= len) {
                        return -1;
                    }
                    leaders[t] = true;
                }
                leaders[next(starts, i)] = true;
                return 16;
            }
            case Op.RET -> {
                int n = code[g + 1];
                if (n > 8) {
                    return -1;
                }
                for (int j = 0; j < n; j++) {
                    int c = code[g + 2 + j] & 3;
                    if (c != LOp.WORD_CLASS && c != LOp.UNIT_CLASS) {
                        return -1;
                    }
                }
                leaders[next(starts, i)] = true;
                return 8 + 8 * n;
            }
            default -> {
                return -1;
            }
        }
    }
}
