package dev.tape.verify.internal;


/**
 * All functions of a verified program in one execution form: their lowered code laid end to end in
 * one {@code int[]}, with branch targets, reference-constant indices and aggregate tag indices
 * relocated to the whole image. The interpreter runs on image indices ("global" ips), so a call
 * and a return change only {@code ip} and the register base, never the code array: the next
 * dispatch after a return does not wait for the caller's function object and code array to load.
 *
 * <p>Function ids stay ids in the code ({@code call} operands); {@link #entry(int)} and
 * {@link #regCount(int)} give what a call needs. A global ip maps back to its function with
 * {@link #funcAt(int)} and to the function's own code index by subtracting the entry, for traps
 * and tracing. Immutable and shared between threads; the arrays must not be modified.
 */
public final class CodeImage {
    private final int[] code;
    private final int[] entry;
    private final int[] regCount;
    private final Object[] refs;
    private final byte[][] tags;

    /**
     * Lays out a verified program's functions; O(total code length). Made by {@code VerifiedProgram}.
     * Each function then drops its own copy of its code and its instruction table
     * ({@link LoweredFunction#code()} and the tables are made again, by lowering the function
     * again, when asked), so the program keeps its lowered code once.
     *
     * @param functions every function, by id
     */
    public CodeImage(LoweredFunction[] functions) {
        int total = 0;
        entry = new int[functions.length];
        regCount = new int[functions.length];
        for (int f = 0; f < functions.length; f++) {
            entry[f] = total;
            regCount[f] = functions[f].regCount();
            total += functions[f].codeLength();
        }
        code = new int[total];
        long nRefs = 0;
        long nTags = 0;
        for (LoweredFunction lf : functions) {
            nRefs += lf.refs().length;
            nTags += lf.tags().length;
        }
        // each lowered ref and tag list takes a code slot: the counts are at most the image's length
        refs = new Object[(int) nRefs];
        tags = new byte[(int) nTags][];
        int refAt = 0;
        int tagAt = 0;
        for (int f = 0; f < functions.length; f++) {
            LoweredFunction lf = functions[f];
            int at = entry[f];
            System.arraycopy(lf.code(), 0, code, at, lf.codeLength());
            lf.relocate(code, at, at, refAt, tagAt);
            System.arraycopy(lf.refs(), 0, refs, refAt, lf.refs().length);
            System.arraycopy(lf.tags(), 0, tags, tagAt, lf.tags().length);
            refAt += lf.refs().length;
            tagAt += lf.tags().length;
            // last: a placed function's code, table and constants are made again when asked
            lf.placed();
        }
    }

    /** @return the image (do not modify) */
    public int[] code() {
        return code;
    }

    /**
     * @param func a function id
     * @return the global ip of its first instruction
     */
    public int entry(int func) {
        return entry[func];
    }

    /** @return every function's entry, by id (do not modify) */
    public int[] entries() {
        return entry;
    }

    /** @return every function's register count, by id (do not modify) */
    public int[] regCounts() {
        return regCount;
    }

    /**
     * @param func a function id
     * @return its register count
     */
    public int regCount(int func) {
        return regCount[func];
    }

    /** @return the reference constants of all functions (do not modify) */
    public Object[] refs() {
        return refs;
    }

    /** @return the aggregate tag lists of all functions (do not modify) */
    public byte[][] tags() {
        return tags;
    }

    /**
     * @param ip a global ip inside the image
     * @return the id of the function whose code holds it
     */
    public int funcAt(int ip) {
        // the last function whose entry is at or before ip (entries strictly increase: a verified
        // function has at least one instruction)
        int lo = 0;
        int hi = entry.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (entry[mid] <= ip) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
