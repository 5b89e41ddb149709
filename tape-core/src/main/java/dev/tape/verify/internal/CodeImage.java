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
    /** {@link #leafLength(int)} by function id */
    private final byte[] leaf;
    /** {@link #callEntries()} */
    private final int[] callEntry;
    /** {@link #runEntries()} */
    private final int[] runEntry;

    /**
     * Lays out a verified program's functions; O(total code length). Made by {@code VerifiedProgram}.
     * Each function then drops its own copy of its code and its instruction table
     * ({@link LoweredFunction#code()} and the tables are made again, by lowering the function
     * again, when asked), so the program keeps its lowered code once.
     *
     * @param functions every function, by id
     * @throws IllegalArgumentException when their code would be {@link #MAX_LENGTH} ints or more
     *     (the verifier refuses such a program first)
     */
    public CodeImage(LoweredFunction[] functions) {
        long length = length(functions);
        if (length >= MAX_LENGTH) {
            // the verifier refused it (ExecutionFormTooLarge): every entry stays below HOT
            throw new IllegalArgumentException("an image of " + length + " code ints; at most " + (MAX_LENGTH - 1));
        }
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
        java.util.HashMap<String, byte[]> seen = new java.util.HashMap<>();
        for (int f = 0; f < functions.length; f++) {
            LoweredFunction lf = functions[f];
            int at = entry[f];
            System.arraycopy(lf.code(), 0, code, at, lf.codeLength());
            lf.relocate(code, at, at, refAt, tagAt);
            System.arraycopy(lf.refs(), 0, refs, refAt, lf.refs().length);
            shareTags(lf.tags(), tagAt, seen);
            refAt += lf.refs().length;
            tagAt += lf.tags().length;
            // last: a placed function's code, table and constants are made again when asked
            lf.placed();
        }
        leaf = new byte[functions.length];
        for (int f = 0; f < functions.length; f++) {
            leaf[f] = (byte) leafScan(code, entry[f], entry[f] + functions[f].codeLength());
        }
        callEntry = new int[functions.length];
        runEntry = new int[functions.length];
        for (int f = 0; f < functions.length; f++) {
            callEntry[f] = leaf[f] != 0 ? ~entry[f] : entry[f];
            // decided once here: the interpreter's direct call tests the value it loads anyway; a small
            // leaf is always CallLoop's (the loop around its calls, as call_loop's, then runs there too)
            boolean hot = leaf[f] != 0 || LOp.callLoopTakes(code[entry[f]] & 0xFF);
            runEntry[f] = hot ? callEntry[f] ^ HOT : callEntry[f];
        }
    }

    /**
     * Copies a function's tag lists into {@link #tags} from {@code at}, each list equal to one
     * copied before as that one (a program whose functions build tuples of one shape keeps the list
     * once; nothing modifies a tag list). O(total tag-list length) and O(log lists) comparisons a
     * lookup, whatever hashes the lists have ({@link #tagKey(byte[])}).
     */
    private void shareTags(byte[][] lists, int at, java.util.HashMap<String, byte[]> seen) {
        for (int i = 0; i < lists.length; i++) {
            byte[] l = lists[i];
            if (at + i > 0 && java.util.Arrays.equals(tags[at + i - 1], l)) {
                // as the list before: no key made (a program of one tuple shape allocates nothing)
                tags[at + i] = tags[at + i - 1];
                continue;
            }
            byte[] first = seen.putIfAbsent(tagKey(l), l);
            tags[at + i] = first == null ? l : first;
        }
    }

    /**
     * The map key of a tag list in {@link #shareTags}: a Latin-1 string of its bytes (kind tags 0
     * to 11), equal and hashing by content. A program chooses its lists and so can make any number
     * of them hash alike (the hash is a polynomial in 31 mod 2^32); {@link java.util.HashMap} keeps
     * such keys in a tree bin, ordered by {@code compareTo}, only when their class is {@code String}
     * or a {@code Comparable} of exactly itself. {@code ByteBuffer.wrap}'s keys were neither (their
     * class is {@code HeapByteBuffer}, a {@code Comparable<ByteBuffer>}): every lookup then compared
     * the list with every earlier one of its hash, quadratic work in the verifier (16,384 such
     * lists in an 11 MB program took 6 to 15 s to verify, 0.3 to 0.4 s before the lists were
     * shared). A JDK class: compiling a program after the warm-up loads no class of ours.
     *
     * @param list a tag list
     * @return its key, equal to another list's key exactly when the lists are equal
     */
    static String tagKey(byte[] list) {
        return new String(list, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * The flag of {@link #runEntries()} that marks a callee whose direct calls the interpreter
     * hands to its call loop: bit 30, above every entry (an image has fewer than
     * {@link #MAX_LENGTH} code ints, so no entry and no {@code ~entry} has it or loses it).
     */
    public static final int HOT = 1 << 30;

    /**
     * The bound on an image's length, exclusive: {@code 2^30} code ints (4 GiB of code), so that
     * every entry is below {@link #HOT}. The verifier refuses a program whose lowered code would
     * reach it ({@code ExecutionFormTooLarge}) before an image is made; the constructor asserts it.
     */
    public static final long MAX_LENGTH = HOT;

    /**
     * Computes the length of an image of the given functions without making it.
     *
     * @param functions every function, by id
     * @return the length an image of them would have, in code ints (the sum of their lowered code
     *     lengths, which may be {@link #MAX_LENGTH} or more)
     */
    public static long length(LoweredFunction[] functions) {
        long total = 0;
        for (LoweredFunction lf : functions) {
            total += lf.codeLength();
        }
        return total;
    }

    /**
     * What the interpreter's outer loop ({@code dev.tape.vm.Interpreter}) reads for a callee, by
     * function id: {@link #callEntries()}'s value {@code e} with bit 30 ({@link #HOT}) flipped,
     * {@code e ^ HOT}, for a callee whose direct calls (when calls are not traced) run in a loop of
     * their own: every small leaf ({@code ~entry ^ HOT}, negative, bit 30 clear; in
     * {@code dev.tape.vm.LeafLoop}) and every other function whose first lowered op
     * {@link LOp#callLoopTakes(int)} lists ({@code entry | HOT}; in {@code dev.tape.vm.CallLoop});
     * {@code e} itself for any other function. Decided once, when the image
     * is made, so that no call reads the callee's code to decide it. A value {@code v} is marked
     * exactly when {@link #isHot(int)} holds ({@code (v ^ (v << 1)) < 0}: bit 30 differs from the
     * sign); {@code v ^ HOT} is then its {@link #callEntries()} value, and
     * {@code (v ^ (v >> 31)) & (HOT - 1)} is the entry of any value {@code v}.
     *
     * @return by function id (do not modify)
     */
    public int[] runEntries() {
        return runEntry;
    }

    /**
     * Whether a {@link #runEntries()} value marks a callee whose direct calls run in
     * {@code dev.tape.vm.LeafLoop} (a negative value) or {@code dev.tape.vm.CallLoop}: bit 30 ({@link #HOT}) differs from the sign bit (an entry and
     * {@code ~entry} of an entry below {@code HOT}, the image's every entry, have them equal).
     *
     * @param v a value of {@link #runEntries()}
     * @return true when marked
     */
    public static boolean isHot(int v) {
        return (v ^ (v << 1)) < 0;
    }

    /**
     * What the interpreter's direct {@code call} reads for its callee: the entry (global ip) of a
     * function, or {@code ~entry} ({@code -1 - entry}, negative) for a small leaf ({@link #leafLength(int)}), so
     * that a call of any other function tests the sign of the value it loads anyway.
     *
     * @return by function id (do not modify)
     */
    public int[] callEntries() {
        return callEntry;
    }

    /** The most instructions, its {@code ret} included, of a function {@link #leafLength(int)} counts. */
    public static final int LEAF_MAX = 8;

    /**
     * Whether a function is a small leaf the interpreter may run inside its caller's {@code call}
     * (see {@code Calls.leaf}): a straight line of at most {@link #LEAF_MAX} instructions, the
     * {@code ret} included, of word constants, word moves and the wrapping integer and boolean
     * operations {@code add}, {@code sub}, {@code mul}, {@code and}, {@code or}, {@code xor} (none
     * of which can trap, branch, call or allocate), ending in a {@code ret} of word or unit
     * values only.
     *
     * @param func a function id
     * @return the number of its instructions, the {@code ret} included (1, a function that only returns, to {@link #LEAF_MAX}),
     *     when it is such a leaf, else 0
     */
    public int leafLength(int func) {
        return leaf[func];
    }

    private static int leafScan(int[] code, int at, int end) {
        int n = 0;
        while (at < end && n < LEAF_MAX) {
            int op = code[at];
            n++;
            if (op == dev.tape.format.Op.RET) {
                int k = code[at + 1];
                for (int i = 0; i < k; i++) {
                    if ((code[at + 2 + i] & 3) == LOp.REF_CLASS) {
                        return 0;
                    }
                }
                return n;
            }
            int len = leafOpLength(op);
            if (len == 0) {
                return 0;
            }
            at += len;
        }
        return 0;
    }

    /**
     * The length of a lowered op a leaf may hold.
     *
     * @param op a lowered op
     * @return its length in code ints when a leaf ({@link #leafLength(int)}) may hold it, else 0
     */
    private static int leafOpLength(int op) {
        return switch (op) {
            case LOp.MOV_W -> 3;
            // a constant fused with the add or sub behind it: that instruction follows in the code
            case LOp.CONST_W, LOp.CONST_ADD, LOp.CONST_SUB -> 4;
            case dev.tape.format.Op.I64_ADD, dev.tape.format.Op.U64_ADD, dev.tape.format.Op.I64_SUB,
                dev.tape.format.Op.U64_SUB, dev.tape.format.Op.I64_MUL, dev.tape.format.Op.U64_MUL,
                dev.tape.format.Op.I64_AND, dev.tape.format.Op.U64_AND, dev.tape.format.Op.BOOL_AND,
                dev.tape.format.Op.I64_OR, dev.tape.format.Op.U64_OR, dev.tape.format.Op.BOOL_OR,
                dev.tape.format.Op.I64_XOR, dev.tape.format.Op.U64_XOR, dev.tape.format.Op.BOOL_XOR -> 4;
            default -> 0;
        };
    }

    /**
     * The code of all functions, one after another in one array.
     *
     * @return the image (do not modify)
     */
    public int[] code() {
        return code;
    }

    /**
     * Where a function's code starts in the image.
     *
     * @param func a function id
     * @return the global ip of its first instruction
     */
    public int entry(int func) {
        return entry[func];
    }

    /**
     * Where each function's code starts in the image.
     *
     * @return every function's entry, by id (do not modify)
     */
    public int[] entries() {
        return entry;
    }

    /**
     * The register count of each function.
     *
     * @return every function's register count, by id (do not modify)
     */
    public int[] regCounts() {
        return regCount;
    }

    /**
     * The register count of one function.
     *
     * @param func a function id
     * @return its register count
     */
    public int regCount(int func) {
        return regCount[func];
    }

    /**
     * The reference constants the image's code loads by index.
     *
     * @return the reference constants of all functions (do not modify)
     */
    public Object[] refs() {
        return refs;
    }

    /**
     * The aggregate kind-tag lists the image's code uses by index.
     *
     * @return the aggregate tag lists of all functions (do not modify)
     */
    public byte[][] tags() {
        return tags;
    }

    /**
     * Finds the function whose code holds an index of the image.
     *
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
