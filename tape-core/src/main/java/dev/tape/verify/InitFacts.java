package dev.tape.verify;

import dev.tape.format.DecodedCode;
import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.verify.internal.LoweredFunction;

import java.util.Arrays;
import java.util.List;

/**
 * Which registers of one function are written on every path to each instruction: the
 * init-before-use analysis of the spec (section "Verification (normative)") kept in a form the VM
 * can query after verification. A register written on every path to an instruction holds a value
 * of its type when a run is there; a register that is not may hold nothing (or a stale value of an
 * earlier frame), and the verifier guarantees that no path from there reads it before writing it.
 * Snapshots use this to write only the registers that matter and to refuse a restored state with
 * a missing value where the program may read one (docs/SNAPSHOT.md).
 *
 * <p>Built once per function on first use ({@link VerifiedProgram#initFacts(int)}), in time
 * proportional to the function's bytecode plus (reachable blocks x registers / 64) per fixpoint
 * pass, which the verifier's own type analysis already paid for; it keeps one bit per register per
 * block. Immutable and thread-safe.
 */
public final class InitFacts {
    private final int regCount;
    /** the instruction index starting at each byte pc, else -1 (length code + 1) */
    private final int[] indexAtPc;
    /** the lowered code index of each instruction */
    private final int[] ipOf;
    private final int[] blockOf;
    private final int[] blockStart;
    private final boolean[] reachable;
    /** per block: the registers written on every path into it (null for unreachable blocks) */
    private final long[][] in;
    /** per instruction: the registers it writes */
    private final int[][] writes;
    /** the entry state: r0 and the arguments */
    private final long[] entry;
    /** the registers some instruction of the function reads (a register operand of read access) */
    private final long[] read;

    private InitFacts(int regCount, int[] indexAtPc, int[] ipOf, int[] blockOf, int[] blockStart, boolean[] reachable,
                      long[][] in, int[][] writes, long[] entry, long[] read) {
        this.regCount = regCount;
        this.indexAtPc = indexAtPc;
        this.ipOf = ipOf;
        this.blockOf = blockOf;
        this.blockStart = blockStart;
        this.reachable = reachable;
        this.in = in;
        this.writes = writes;
        this.entry = entry;
        this.read = read;
    }

    static InitFacts compute(Program program, LoweredFunction lf) {
        Function fn = program.functions().get(lf.id());
        int regs = lf.regCount();
        int words = (regs + 63) >>> 6;
        long[] entry = new long[words];
        for (int r = 0; r <= fn.argCount() && r < regs; r++) {
            entry[r >>> 6] |= 1L << r;
        }
        DecodedCode dc;
        ControlFlow cfg;
        try {
            dc = ControlFlow.decode(lf.id(), fn, new DecodedCode());
            cfg = ControlFlow.build(lf.id(), dc, fn.codeLength());
        } catch (VerifyException e) {
            throw new IllegalStateException("a verified function does not decode: " + e.getMessage(), e);
        }
        int n = dc.count();
        int[] ipOf = new int[n];
        for (int i = 0; i < n; i++) {
            ipOf[i] = lf.instructionStart(i);
        }
        int[][] writes = new int[n][];
        long[] read = new long[words];
        for (int i = 0; i < n; i++) {
            writes[i] = TypeChecker.writes(dc, i);
            for (int r : TypeChecker.reads(dc, i)) {
                read[r >>> 6] |= 1L << r;
            }
        }
        int nb = cfg.blockStart.length;
        long[][] in = new long[nb][];
        if (nb > 0) {
            in[0] = entry.clone();
        }
        long[] st = new long[words];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int b : cfg.order) {
                if (in[b] == null) {
                    continue;
                }
                System.arraycopy(in[b], 0, st, 0, words);
                for (int i = cfg.blockStart[b]; i < cfg.blockEnd[b]; i++) {
                    for (int r : writes[i]) {
                        st[r >>> 6] |= 1L << r;
                    }
                }
                for (int s : cfg.successors[b]) {
                    if (in[s] == null) {
                        in[s] = st.clone();
                        changed = true;
                    } else {
                        for (int k = 0; k < words; k++) {
                            long m = in[s][k] & st[k];
                            if (m != in[s][k]) {
                                in[s][k] = m;
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        return new InitFacts(regs, cfg.indexAtPc, ipOf, cfg.blockOf, cfg.blockStart, cfg.reachable, in, writes,
                entry, read);
    }

    /**
     * The registers some instruction of the function reads, reachable or not. A register outside
     * this set never decides anything the function does, whatever it holds; compiled code may
     * leave it unwritten in the register files.
     *
     * @return a fresh bit set of {@link #regCount()} bits, register r at bit {@code r % 64} of
     *     word {@code r / 64}
     */
    public long[] readAnywhere() {
        return read.clone();
    }

    /**
     * The register count of the function the facts are about.
     *
     * @return the function's register count (the bits of {@link #writtenBefore}'s sets)
     */
    public int regCount() {
        return regCount;
    }

    /**
     * Finds the lowered code index of the instruction at a pc.
     *
     * @param pc a byte offset in the function's bytecode
     * @return the lowered code index ({@link LoweredFunction#code()}) of the instruction that starts
     *     at {@code pc} in reachable code, or -1 when none does (out of range, inside an instruction,
     *     or unreachable); an empty body has one point, pc 0 at code index 0
     */
    public int ipAt(long pc) {
        if (in.length == 0) {
            return pc == 0 ? 0 : -1;
        }
        if (pc < 0 || pc >= indexAtPc.length) {
            return -1;
        }
        int i = indexAtPc[(int) pc];
        return i < 0 || !reachable[blockOf[i]] ? -1 : ipOf[i];
    }

    /**
     * The registers written on every path to each of some instructions, each set computed in one
     * walk of its block (so a batch costs the blocks it touches plus one set per point).
     *
     * @param ips lowered code indices, each one {@link #ipAt} gives for some pc, in increasing order
     * @return for each, a bit set of {@link #regCount()} bits (bit r of word r / 64): r0 and the
     *     arguments at the function's entry, and every register an instruction before it writes on
     *     every path
     * @throws IllegalArgumentException when an index is not such a point, or the order is wrong
     */
    public long[][] writtenBefore(int[] ips) {
        long[][] out = new long[ips.length][];
        if (in.length == 0) {
            for (int q = 0; q < ips.length; q++) {
                if (ips[q] != 0) {
                    throw new IllegalArgumentException("code index " + ips[q] + " of an empty body");
                }
                out[q] = entry.clone();
            }
            return out;
        }
        int words = entry.length;
        long[] st = new long[words];
        int block = -1;
        int at = 0;
        int last = -1;
        for (int q = 0; q < ips.length; q++) {
            int i = Arrays.binarySearch(ipOf, ips[q]);
            if (i < 0 || ips[q] <= last || !reachable[blockOf[i]]) {
                throw new IllegalArgumentException("code index " + ips[q] + " is not a reachable instruction here");
            }
            last = ips[q];
            if (blockOf[i] != block) {
                block = blockOf[i];
                System.arraycopy(in[block], 0, st, 0, words);
                at = blockStart[block];
            }
            for (; at < i; at++) {
                for (int r : writes[at]) {
                    st[r >>> 6] |= 1L << r;
                }
            }
            out[q] = st.clone();
        }
        return out;
    }
}
