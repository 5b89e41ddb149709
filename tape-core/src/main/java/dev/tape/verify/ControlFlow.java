package dev.tape.verify;

import dev.tape.format.DecodeException;
import dev.tape.format.DecodedCode;
import dev.tape.program.Function;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.format.OperandKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes one function's bytecode and builds its control-flow graph: jump targets on instruction
 * boundaries, basic blocks that each end in a terminator, and reachability from pc 0 (spec
 * section "Implemented verifier rules (v1, current)": bytecode decode, CFG targets, no fallthrough
 * between blocks, reachability).
 */
final class ControlFlow {
    final int func;
    /** the function's decoded instructions (the verifier's one {@link DecodedCode}, refilled per function) */
    final DecodedCode dc;
    /** instruction index for each byte pc that starts an instruction, else -1; length code + 1 */
    final int[] indexAtPc;
    /** first instruction index of each block */
    final int[] blockStart;
    /** one past the last instruction index of each block */
    final int[] blockEnd;
    /** block index of each instruction */
    final int[] blockOf;
    /** successor block indices of each block */
    final int[][] successors;
    final boolean[] reachable;
    /** reachable blocks in reverse post-order */
    final int[] order;

    private ControlFlow(int func, DecodedCode dc, int[] indexAtPc, int[] blockStart, int[] blockEnd,
                        int[] blockOf, int[][] successors, boolean[] reachable, int[] order) {
        this.func = func;
        this.dc = dc;
        this.indexAtPc = indexAtPc;
        this.blockStart = blockStart;
        this.blockEnd = blockEnd;
        this.blockOf = blockOf;
        this.successors = successors;
        this.reachable = reachable;
        this.order = order;
    }

    /**
     * @param into the object to decode into (refilled)
     * @return {@code into}, holding the body's instructions
     */
    static DecodedCode decode(int func, Function fn, DecodedCode into) throws VerifyException {
        try {
            return fn.decode(into);
        } catch (DecodeException e) {
            throw new VerifyException("BytecodeDecode", func, (int) e.offset(), null,
                    "bytecode does not decode: " + e.reason());
        }
    }

    private static final int[] BR_TARGETS = {1, 2};
    private static final int[] JMP_TARGETS = {0};
    private static final int[] NO_TARGETS = {};

    /** @return the positions of the opcode's jump-target operands (a shared array: do not modify) */
    static int[] targetOperands(Opcode op) {
        if (op == Opcode.BR) {
            return BR_TARGETS;
        }
        if (op == Opcode.JMP) {
            return JMP_TARGETS;
        }
        return NO_TARGETS;
    }

    static ControlFlow build(int func, DecodedCode dc, int codeLength) throws VerifyException {
        Lowerer.Buffers own = new Lowerer.Buffers();
        own.indexAtPc = new int[codeLength + 1];
        return build(func, dc, codeLength, own);
    }

    /**
     * @param buffers scratch arrays, kept as {@link #indexAtPc} and {@link #blockOf} (the verifier
     *     passes one set for all its functions): {@code indexAtPc} of at least {@code codeLength + 1}
     *     entries (entries past {@code codeLength} are left as they are and never read); the others
     *     are grown here as needed, and {@code blockOf} may be longer than the instruction count
     */
    static ControlFlow build(int func, DecodedCode dc, int codeLength, Lowerer.Buffers buffers)
            throws VerifyException {
        int[] indexAtPc = buffers.indexAtPc;
        Arrays.fill(indexAtPc, 0, codeLength + 1, -1);
        for (int i = 0; i < dc.count(); i++) {
            indexAtPc[dc.pc(i)] = i;
        }
        int n = dc.count();
        if (buffers.blockOf.length < n + 1) {
            int len = Math.max(n + 1, 2 * buffers.blockOf.length);
            buffers.blockOf = new int[len];
            buffers.isStart = new boolean[len];
            buffers.scratch = new int[len * 3];
        }
        boolean[] starts = buffers.isStart;
        Arrays.fill(starts, 0, n + 1, false);
        if (n > 0) {
            starts[0] = true;
        }
        for (int i = 0; i < n; i++) {
            int ins = i;
            for (int k : targetOperands(dc.opcode(ins))) {
                long target = dc.value(ins, k);
                if (target >= codeLength) {
                    throw new VerifyException("InvalidJumpTarget", func, dc.pc(ins), dc.opcode(ins).mnemonic(),
                            "jump target " + target + " is out of range (the bytecode is " + codeLength
                                    + " bytes) [OutOfRange]");
                }
                int idx = indexAtPc[(int) target];
                if (idx < 0) {
                    throw new VerifyException("InvalidJumpTarget", func, dc.pc(ins), dc.opcode(ins).mnemonic(),
                            "jump target " + target + " is not the start of an instruction [NotInstructionBoundary]");
                }
                starts[idx] = true;
            }
            if (dc.opcode(ins).isTerminator()) {
                starts[i + 1] = true;
            }
        }
        int nb = 0;
        for (int i = 0; i < n; i++) {
            if (starts[i]) {
                nb++;
            }
        }
        int[] scratch = buffers.scratch;
        // block starts, then (below) the DFS stack, cursors and post-order: 3 x nb <= 3 x n entries
        int[] bs = scratch;
        for (int i = 0, b = 0; i < n; i++) {
            if (starts[i]) {
                bs[b++] = i;
            }
        }
        int[] blockStart = new int[nb];
        int[] blockEnd = new int[nb];
        int[] blockOf = buffers.blockOf;
        for (int b = 0; b < nb; b++) {
            blockStart[b] = bs[b];
            blockEnd[b] = b + 1 < nb ? bs[b + 1] : n;
            for (int i = blockStart[b]; i < blockEnd[b]; i++) {
                blockOf[i] = b;
            }
            int last = blockEnd[b] - 1;
            if (!dc.opcode(last).isTerminator()) {
                throw new VerifyException("MissingTerminator", func, dc.pc(last), dc.opcode(last).mnemonic(),
                        "the block ends without a terminator (ret, trap, br or jmp): execution would fall "
                                + (blockEnd[b] == n ? "off the end of the function" : "through into a jump target"));
            }
        }
        int[][] succ = new int[nb][];
        for (int b = 0; b < nb; b++) {
            int last = blockEnd[b] - 1;
            int[] ops = targetOperands(dc.opcode(last));
            succ[b] = ops.length == 0 ? NO_TARGETS : new int[ops.length];
            for (int k = 0; k < ops.length; k++) {
                succ[b][k] = blockOf[indexAtPc[(int) dc.value(last, ops[k])]];
            }
        }
        boolean[] reachable = new boolean[nb];
        // iterative DFS for reverse post-order
        int nPost = 0;
        int[] post = scratch;
        int stack0 = nb;
        int next0 = 2 * nb;
        Arrays.fill(scratch, next0, next0 + nb, 0);
        int sp = 0;
        if (nb > 0) {
            // an empty body (0 bytes) has no block, as in the reference: nothing to reach
            scratch[stack0 + sp++] = 0;
            reachable[0] = true;
        }
        while (sp > 0) {
            int b = scratch[stack0 + sp - 1];
            if (scratch[next0 + b] < succ[b].length) {
                int s = succ[b][scratch[next0 + b]++];
                if (!reachable[s]) {
                    reachable[s] = true;
                    scratch[stack0 + sp++] = s;
                }
            } else {
                post[nPost++] = b;
                sp--;
            }
        }
        int[] order = new int[nPost];
        for (int i = 0; i < order.length; i++) {
            order[i] = post[nPost - 1 - i];
        }
        return new ControlFlow(func, dc, indexAtPc, blockStart, blockEnd, blockOf, succ, reachable, order);
    }

    static boolean isIdOperand(OperandKind k) {
        return k == OperandKind.CONST_ID || k == OperandKind.FUNC_ID || k == OperandKind.HOST_SIG_ID
                || k == OperandKind.CALL_SIG_ID || k == OperandKind.TYPE_ID || k == OperandKind.ELEM_TYPE_ID;
    }
}
