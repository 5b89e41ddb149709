package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;

/**
 * Which aggregate registers a method clears at its block starts, so that C2 can scalar-replace an
 * aggregate built and read within one block, a loop iteration say. Escape analysis (JDK 17) gives
 * up on an object that reaches a phi or the state of a call that may throw into the method's
 * hand-over handler (which reads every local): without the clearing, the register's local still
 * holds the last iteration's aggregate at the loop's head and after the loop.
 *
 * <p>A register is cleared (its {@code Object} local set to null) at the start of a reachable
 * block other than the first when it is the destination of a {@code tuple.new}, {@code struct.new}
 * or {@code array.new} of the function and is not written on every path to that block (the
 * verifier's {@code InitFacts.writtenBefore}). Nothing can tell the difference: the verifier lets
 * no instruction read it before writing it again, a snapshot keeps no such register
 * ({@code Snapshots.liveSets}) and {@code Run.registers} shows it as null; the interpreter's
 * register file gets the null if the run is handed over there, and no one reads it either.
 *
 * <p>At most {@link #MAX_REGISTERS} registers per function are considered, so a block start costs
 * at most 5 bytes of bytecode per register, 30 in all (within {@code MethodSize.bound}'s 80
 * bytes per int of lowered code, with a block's fuel check and resume switch entry: a block has at
 * least one instruction of at least one int).
 */
final class DeadAggregates {
    private DeadAggregates() {}

    /** How many aggregate destination registers a function's blocks may clear. */
    static final int MAX_REGISTERS = 6;

    /**
     * Functions longer than {@link #MAX_CODE} ints of lowered code, or with more than
     * {@link #MAX_BLOCKS} block leaders or {@link #MAX_FUNCTION_REGISTERS} registers, clear
     * nothing: the verifier's facts this reads ({@code InitFacts}, which the verified program keeps
     * once computed, as it does for a snapshot or {@code Run.registers} of the function) hold a
     * set of the function's registers per block and a write list per instruction, so these bound
     * what a compiled function adds: at most 256 sets of 4 words and 4,096 instructions' lists.
     */
    static final int MAX_BLOCKS = 256;

    /** See {@link #MAX_BLOCKS}. */
    static final int MAX_FUNCTION_REGISTERS = 256;

    /** See {@link #MAX_BLOCKS}. */
    static final int MAX_CODE = 4096;

    /**
     * @param view the program
     * @param f the function
     * @param code the code image
     * @param entry the function's entry in it
     * @param starts per code index of the function: whether an instruction starts there
     * @param blockStart per code index: whether a reachable block starts there (its label)
     * @param cls per register, its class ({@code LOp.WORD_CLASS}, {@code REF_CLASS}, {@code UNIT_CLASS})
     * @param dec per register, whether it is a decimal held unboxed
     * @param leaders how many block leaders the function has, reachable or not
     * @return per code index, the registers to clear at the block starting there (null: none)
     */
    static int[][] of(CompileView view, int f, int[] code, int entry, boolean[] starts, boolean[] blockStart,
                      int[] cls, boolean[] dec, int leaders) {
        int len = starts.length;
        if (len > MAX_CODE || leaders > MAX_BLOCKS || cls.length > MAX_FUNCTION_REGISTERS) {
            return null;
        }
        int[] candidates = new int[MAX_REGISTERS];
        int n = 0;
        int headers = 0;
        for (int i = 0; i < len; i++) {
            if (!starts[i]) {
                continue;
            }
            int g = entry + i;
            int op = code[g];
            if (op == LOp.TUPLE_NEW_W || op == Op.TUPLE_NEW || op == Op.STRUCT_NEW || op == Op.ARRAY_NEW) {
                int dst = code[g + 1];
                if (n < MAX_REGISTERS && dst >= 0 && dst < cls.length && cls[dst] == LOp.REF_CLASS && !dec[dst]
                        && !contains(candidates, n, dst)) {
                    candidates[n++] = dst;
                }
            }
            if (i > 0 && blockStart[i]) {
                headers++;
            }
        }
        if (n == 0 || headers == 0) {
            return null;
        }
        int[] ips = new int[headers];
        int k = 0;
        for (int i = 1; i < len; i++) {
            if (blockStart[i]) {
                ips[k++] = i;
            }
        }
        long[][] written;
        try {
            written = view.writtenBefore(f, ips);
        } catch (IllegalArgumentException e) {
            return null; // a block the verifier does not see as reachable: clear nothing
        }
        int[][] out = new int[len][];
        for (int q = 0; q < ips.length; q++) {
            int[] clear = new int[n];
            int m = 0;
            for (int j = 0; j < n; j++) {
                int r = candidates[j];
                if ((written[q][r >>> 6] & (1L << r)) == 0) {
                    clear[m++] = r;
                }
            }
            if (m > 0) {
                out[ips[q]] = java.util.Arrays.copyOf(clear, m);
            }
        }
        return out;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }
}
