package dev.tape.verify;

import dev.tape.format.Access;
import dev.tape.format.DecodedCode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.CallSig;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Program;

import java.util.Arrays;
import java.util.List;

/**
 * The reference's must-init analysis and check for one function ({@code compute_must_init},
 * {@code validate_instr_reads_writes} in its {@code verifier.rs}): a register is initialised where
 * every path to it writes it (any write counts, whatever its type), r0 and the arguments at the
 * entry; then each reachable block in block order, each instruction's effect registers and call,
 * host call and return arity, then its reads. {@link TypeChecker} runs it after its type fixpoint
 * and before its checking pass, so an uninitialised read anywhere is reported before a type error
 * in an earlier block, as the reference does.
 *
 * <p>Cost: bit sets of (reachable blocks x {@code ceil(registers / 64)}) 64-bit words, a fixpoint
 * in reverse post-order that only removes bits. Each pass touches every reachable block's words
 * once and its (at most two) successors' words once. A function whose control flow is reducible
 * (every loop entered only through its header: all structured code) needs two passes, the first
 * exact and the second finding no change, since a block dominated by a loop header keeps every
 * bit the header has. With irreducible flow a pass can move a missing bit back by only one block
 * (a ladder of blocks each branching to the next and the previous, entered at both ends, takes as
 * many passes as it has blocks), so the passes are bounded by nothing but the block count. So the
 * third and every later pass is charged to the analysis budget, {@code max(1, reachable blocks) x
 * ceil(registers / 64)} units each (the type analysis's unit, reachable blocks x registers, with
 * registers counted in 64-bit words), and going over it ends the pass with
 * {@code AnalysisBudgetExceeded}. The first two passes are not charged: the type analysis before
 * them has already been charged at least as much (its first pass {@code max(1, reachable blocks)
 * x registers}, and a second as large whenever there are two or more reachable blocks; a single
 * block reaches the fixpoint here in one pass), so the decision for every reducible function,
 * under every budget, is what it was before these passes were charged.
 *
 * <p>The bit sets are scratch arrays of {@link Lowerer.Buffers}, reused for every function of a
 * verification and grown to the largest function's need (at most twice it).
 */
final class MustInit {
    private MustInit() {}

    /**
     * Runs the analysis and the check for the function {@code cfg} describes.
     *
     * @param program the program (callee, host and call signatures for the arity checks)
     * @param func the function's id, for errors and the budget
     * @param cfg the function's control flow: its reachable blocks and their order
     * @param slot each reachable block's position in {@code cfg.order} (entries for unreachable
     *     blocks are not read)
     * @param budget the verification's budget, charged for every pass after the second; null for
     *     no bound
     * @param buffers the verification's scratch arrays (grown here as needed)
     * @throws VerifyException {@code AnalysisBudgetExceeded} (pc -1) when a charged pass would go
     *     over the budget; else the reference's first error of the check in block order:
     *     {@code EffectInNotR0}, {@code EffectOutNotR0}, {@code CallArityMismatch},
     *     {@code HostCallArityMismatch}, {@code ReturnArityMismatch} or {@code UninitializedRead}
     */
    static void check(Program program, int func, ControlFlow cfg, int[] slot, AnalysisBudget budget,
                      Lowerer.Buffers buffers) throws VerifyException {
        Function fn = program.functions().get(func);
        DecodedCode dc = cfg.dc;
        int regCount = fn.regCount();
        int nb = cfg.blockStart.length;
        int words = (regCount + 63) >>> 6;
        int nr = cfg.order.length;
        // nr x words <= nr x regCount, which the type analysis checked fits in an array
        int cells = nr * words;
        if (buffers.initIn.length < cells) {
            int len = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(cells, 2L * buffers.initIn.length));
            buffers.initIn = new long[len];
            buffers.initWrites = new long[len];
        }
        if (buffers.initSet.length < nr) {
            buffers.initSet = new boolean[Math.max(nr, 2 * buffers.initSet.length)];
        }
        if (buffers.initOut.length < words) {
            buffers.initOut = new long[Math.max(words, 2 * buffers.initOut.length)];
            buffers.initState = new long[buffers.initOut.length];
        }
        long[] in = buffers.initIn;
        long[] writes = buffers.initWrites;
        boolean[] set = buffers.initSet;
        long[] out = buffers.initOut;
        Arrays.fill(in, 0, cells, 0L);
        Arrays.fill(writes, 0, cells, 0L);
        Arrays.fill(set, 0, nr, false);
        for (int b : cfg.order) {
            int at = slot[b] * words;
            for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                orWrites(dc, i, writes, at);
            }
        }
        if (nb > 0) {
            // block 0 is reachable and first in the order: its words start at 0
            in[0] = 1L;
            for (int a = 1; a <= fn.argCount() && a < regCount; a++) {
                in[a >>> 6] |= 1L << a;
            }
            set[slot[0]] = true;
        }
        long passCost = (long) Math.max(1, nr) * words;
        boolean changed = true;
        for (int pass = 1; changed; pass++) {
            if (pass > 2 && budget != null) {
                budget.charge(passCost, func);
            }
            changed = false;
            for (int b : cfg.order) {
                int at = slot[b] * words;
                if (!set[slot[b]]) {
                    continue;
                }
                for (int k = 0; k < words; k++) {
                    out[k] = in[at + k] | writes[at + k];
                }
                for (int s : cfg.successors[b]) {
                    int to = slot[s] * words;
                    if (!set[slot[s]]) {
                        System.arraycopy(out, 0, in, to, words);
                        set[slot[s]] = true;
                        changed = true;
                        continue;
                    }
                    for (int k = 0; k < words; k++) {
                        long m = in[to + k] & out[k];
                        if (m != in[to + k]) {
                            in[to + k] = m;
                            changed = true;
                        }
                    }
                }
            }
        }
        long[] st = buffers.initState;
        for (int b = 0; b < nb; b++) {
            if (!cfg.reachable[b]) {
                continue;
            }
            System.arraycopy(in, slot[b] * words, st, 0, words);
            for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                checkReadsFirst(program, func, fn, dc, i, st);
                orWrites(dc, i, st, 0);
            }
        }
    }

    /**
     * The reference's {@code validate_instr_reads_writes} for one instruction: the effect
     * registers and arity of a call, host call or return, then every register it reads must be
     * in {@code init}.
     */
    private static void checkReadsFirst(Program program, int func, Function fn, DecodedCode dc, int ins, long[] init)
            throws VerifyException {
        switch (dc.opcode(ins)) {
            case CALL -> {
                checkEffects(func, dc, ins, 2, 0);
                Function callee = program.functions().get((int) dc.value(ins, 1));
                if (dc.value(ins, 3) != callee.argCount() || dc.value(ins, 4) != callee.retCount()) {
                    throw err(func, dc, "CallArityMismatch", ins, "function " + dc.value(ins, 1) + " takes "
                            + callee.declaredArgCount() + " arguments and returns " + callee.declaredRetCount()
                            + " values; the call passes " + dc.value(ins, 3) + " and expects " + dc.value(ins, 4));
                }
            }
            case RET -> {
                checkEffects(func, dc, ins, 0, -1);
                if (dc.value(ins, 1) != fn.retCount()) {
                    throw err(func, dc, "ReturnArityMismatch", ins, "the function returns " + fn.retCount()
                            + " values but ret lists " + dc.value(ins, 1));
                }
            }
            case HOST_CALL -> {
                checkEffects(func, dc, ins, 2, 0);
                HostSig hs = program.hostSigs().get((int) dc.value(ins, 1));
                if (dc.value(ins, 3) != hs.args().size() || dc.value(ins, 4) != hs.rets().size()) {
                    throw err(func, dc, "HostCallArityMismatch", ins, "host signature " + dc.value(ins, 1) + " has "
                            + hs.args().size() + " arguments and " + hs.rets().size() + " results; the call has "
                            + dc.value(ins, 3) + " and " + dc.value(ins, 4));
                }
            }
            case CALL_INDIRECT -> {
                checkEffects(func, dc, ins, 3, 0);
                CallSig cs = program.callSigs().get((int) dc.value(ins, 1));
                if (dc.value(ins, 4) != cs.args().size() || dc.value(ins, 5) != cs.rets().size()) {
                    throw err(func, dc, "CallArityMismatch", ins, "call signature " + dc.value(ins, 1) + " has "
                            + cs.args().size() + " arguments and " + cs.rets().size() + " results; the call has "
                            + dc.value(ins, 4) + " and " + dc.value(ins, 5));
                }
            }
            default -> {
                // no instruction-specific rule
            }
        }
        List<Operand> ops = dc.opcode(ins).operands();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() != Access.READ) {
                continue;
            }
            if (ops.get(i).kind() == OperandKind.REG) {
                initialised(func, dc, ins, init, dc.reg(ins, i));
            } else if (ops.get(i).kind() == OperandKind.REG_LIST) {
                for (int e = 0; e < dc.value(ins, i); e++) {
                    initialised(func, dc, ins, init, dc.listReg(ins, i, e));
                }
            }
        }
    }

    /** Sets the bits of the registers instruction {@code ins} writes in {@code bits} from word {@code at}. */
    private static void orWrites(DecodedCode dc, int ins, long[] bits, int at) {
        List<Operand> ops = dc.opcode(ins).operands();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).access() != Access.WRITE) {
                continue;
            }
            if (ops.get(i).kind() == OperandKind.REG_LIST) {
                for (int e = 0; e < dc.value(ins, i); e++) {
                    int w = dc.listReg(ins, i, e);
                    bits[at + (w >>> 6)] |= 1L << w;
                }
            } else {
                int w = dc.reg(ins, i);
                bits[at + (w >>> 6)] |= 1L << w;
            }
        }
    }

    private static void initialised(int func, DecodedCode dc, int ins, long[] init, int r) throws VerifyException {
        if ((init[r >>> 6] & (1L << r)) == 0) {
            throw err(func, dc, "UninitializedRead", ins, "r" + r + " is read before it is written on some path");
        }
    }

    /**
     * The reference's effect-register rule: the effect input register ({@code effIn}-th operand)
     * and, for {@code effOut} 0 or more, the effect output register must be r0.
     *
     * @throws VerifyException {@code EffectInNotR0} or {@code EffectOutNotR0} at the instruction
     */
    static void checkEffects(int func, DecodedCode dc, int ins, int effIn, int effOut) throws VerifyException {
        if (dc.reg(ins, effIn) != 0) {
            throw err(func, dc, "EffectInNotR0", ins, "the effect input must be r0, found r" + dc.reg(ins, effIn));
        }
        if (effOut >= 0 && dc.reg(ins, effOut) != 0) {
            throw err(func, dc, "EffectOutNotR0", ins, "the effect output must be r0, found r" + dc.reg(ins, effOut));
        }
    }

    /** A verify error of {@code kind} at instruction {@code ins} (pc -1 and no mnemonic for {@code ins < 0}). */
    static VerifyException err(int func, DecodedCode dc, String kind, int ins, String reason) {
        return new VerifyException(kind, func, ins < 0 ? -1 : dc.pc(ins), ins < 0 ? null
                : dc.opcode(ins).mnemonic(), reason);
    }
}
