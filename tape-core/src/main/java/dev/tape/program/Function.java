package dev.tape.program;

import dev.tape.format.DecodeException;
import dev.tape.format.DecodedCode;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One function of a program: its function-table entry resolved against the bytecode blobs, span
 * tables and function signatures (spec sections "Function table", "Bytecode blobs", "Span
 * tables", "Function signatures (typed)"). Immutable: the bytecode is copied in and out
 * ({@link #decode(DecodedCode)} decodes it without a copy of its own). A decoded program's
 * functions keep their bytecode as ranges of one array, the file's bytecode blobs section's.
 */
public final class Function {
    /**
     * the counts as the function table declares them (u32 values), each in an {@code int}'s 32 bits
     * ({@link U32}): 2^31 to 2^32-1 as a negative {@code int}
     */
    private final int u32ArgCount;
    private final int u32RetCount;
    private final int u32RegCount;
    /** holds the bytecode at {@link #from}, {@link #length} bytes (never modified) */
    private final byte[] code;
    private final int from;
    private final int length;
    private final List<SpanEntry> spans;
    private final FunctionSig sig;

    /**
     * Makes a function from its table entry, its bytecode, its span table and its typed signature.
     *
     * @param argCount value arguments from the function table (the effect token not counted)
     * @param retCount value results from the function table
     * @param regCount registers from the function table, r0 included
     * @param code the bytecode (copied)
     * @param spans the span table entries, in order
     * @param sig the typed signature; the verifier checks it agrees with the counts
     * @throws IllegalArgumentException when a count is negative or an argument is null
     */
    public Function(int argCount, int retCount, int regCount, byte[] code, List<SpanEntry> spans, FunctionSig sig) {
        this(nonNegative(argCount), nonNegative(retCount), nonNegative(regCount), code == null ? null : code.clone(),
                0, code == null ? 0 : code.length, spans, sig);
    }

    /** the counts are u32 values in an {@code int}'s 32 bits ({@link U32}) */
    private Function(int u32ArgCount, int u32RetCount, int u32RegCount, byte[] code, int from, int length,
                     List<SpanEntry> spans, FunctionSig sig) {
        this.u32ArgCount = u32ArgCount;
        this.u32RetCount = u32RetCount;
        this.u32RegCount = u32RegCount;
        if (code == null || spans == null || sig == null) {
            throw new IllegalArgumentException("function code, spans and signature are required");
        }
        this.code = code;
        this.from = from;
        this.length = length;
        this.spans = List.copyOf(spans);
        this.sig = sig;
    }

    /**
     * For the decoder: a function whose bytecode is {@code length} bytes of {@code code} from
     * {@code from}, kept without copying, so that a program's blobs are one array (no array header
     * per function) and functions sharing one bytecode blob (spec: several function-table rows may
     * name the same blob) share it. Otherwise a small file could name one large blob from many rows
     * and make the decoded program rows x blob bytes large. The caller must never change
     * {@code code}; pass an immutable {@code spans} list (from {@link List#copyOf}) to share it too.
     */
    static Function sharing(long argCount, long retCount, long regCount, byte[] code, int from, int length,
                            List<SpanEntry> spans, FunctionSig sig) {
        return new Function(U32.of(argCount, "arg_count"), U32.of(retCount, "ret_count"),
                U32.of(regCount, "reg_count"), code, from, length, spans, sig);
    }

    /**
     * A function whose function-table counts are u32 values as a file may declare them (spec
     * section "Function table": {@code arg_count}, {@code ret_count}, {@code reg_count}, each a
     * ULEB128 u32): a count from 2^31 to 2^32-1 is kept as 2^31-1 by {@link #argCount()},
     * {@link #retCount()} and {@link #regCount()} (which the verifier refuses) and as declared by
     * {@link #declaredArgCount()}, {@link #declaredRetCount()} and {@link #declaredRegCount()}.
     *
     * @param argCount value arguments, 0 to 2^32-1
     * @param retCount value results, 0 to 2^32-1
     * @param regCount registers, r0 included, 0 to 2^32-1
     * @param code the bytecode (copied)
     * @param spans the span table entries, in order
     * @param sig the typed signature; the verifier checks it agrees with the counts
     * @return the function
     * @throws IllegalArgumentException when a count is negative or 2^32 or more, or an argument is null
     */
    public static Function declared(long argCount, long retCount, long regCount, byte[] code, List<SpanEntry> spans,
                                    FunctionSig sig) {
        return new Function(U32.of(argCount, "arg_count"), U32.of(retCount, "ret_count"),
                U32.of(regCount, "reg_count"), code == null ? null : code.clone(), 0, code == null ? 0 : code.length,
                spans, sig);
    }

    private static int nonNegative(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("function counts must not be negative");
        }
        return count;
    }

    /**
     * The function's argument count exactly as the file declares it.
     *
     * @return value arguments as the function table declares them (spec section "Function table",
     *     {@code arg_count}: 0 to 2^32-1); {@link #argCount()} unless that is 2^31 or more
     */
    public long declaredArgCount() {
        return U32.declared(u32ArgCount);
    }

    /**
     * The function's result count exactly as the file declares it.
     *
     * @return value results as the function table declares them (spec section "Function table",
     *     {@code ret_count}: 0 to 2^32-1); {@link #retCount()} unless that is 2^31 or more
     */
    public long declaredRetCount() {
        return U32.declared(u32RetCount);
    }

    /**
     * The function's register count exactly as the file declares it.
     *
     * @return registers, r0 included, as the function table declares them (spec section "Function
     *     table", {@code reg_count}: 0 to 2^32-1); {@link #regCount()} unless that is 2^31 or more
     */
    public long declaredRegCount() {
        return U32.declared(u32RegCount);
    }

    /**
     * The function's argument count, as an int the VM can use.
     *
     * @return value arguments (table entry; 2^31-1 for a declared count of 2^31 to 2^32-1, which the
     *     verifier refuses; see {@link #declaredArgCount()})
     */
    public int argCount() {
        return U32.capped(u32ArgCount);
    }

    /**
     * The function's result count, as an int the VM can use.
     *
     * @return value results (table entry; 2^31-1 for a declared count of 2^31 to 2^32-1, which the
     *     verifier refuses; see {@link #declaredRetCount()})
     */
    public int retCount() {
        return U32.capped(u32RetCount);
    }

    /**
     * The function's register count, as an int the VM can use.
     *
     * @return registers, r0 included (table entry; 2^31-1 for a declared count of 2^31 to 2^32-1,
     *     which the verifier refuses as {@code RegCountTooLarge}; see {@link #declaredRegCount()})
     */
    public int regCount() {
        return U32.capped(u32RegCount);
    }

    /**
     * Copies out the function's bytecode.
     *
     * @return a copy of the bytecode
     */
    public byte[] code() {
        return Arrays.copyOfRange(code, from, from + length);
    }

    /**
     * Decodes the bytecode into {@code into} without a copy of its own (the verifier's path:
     * {@link #code()} would allocate one per body): {@code into} decodes the function's range of
     * the array it shares, through {@link DecodedCode#decode(byte[], int, int)}, or the function's
     * own array.
     *
     * @param into the table to fill, as {@link DecodedCode#decode(byte[])}
     * @return {@code into}
     * @throws DecodeException as {@link DecodedCode#decode(byte[])}, for the first bad instruction
     */
    public DecodedCode decode(DecodedCode into) throws DecodeException {
        return from == 0 && length == code.length ? into.decode(code) : into.decode(code, from, length);
    }

    /**
     * The length of the function's bytecode in bytes, without copying it.
     *
     * @return the bytecode length in bytes
     */
    public int codeLength() {
        return length;
    }

    /**
     * The function's span table, which maps pcs to span ids.
     *
     * @return the span table entries
     */
    public List<SpanEntry> spans() {
        return spans;
    }

    /**
     * The function's argument and result types.
     *
     * @return the typed signature
     */
    public FunctionSig sig() {
        return sig;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Function f && u32ArgCount == f.u32ArgCount && u32RetCount == f.u32RetCount
                && u32RegCount == f.u32RegCount && Arrays.equals(code, from, from + length, f.code, f.from, f.from + f.length)
                && spans.equals(f.spans) && sig.equals(f.sig);
    }

    @Override
    public int hashCode() {
        return Objects.hash(u32ArgCount, u32RetCount, u32RegCount, hashCode(code, from, length), spans, sig);
    }

    @Override
    public String toString() {
        return "Function[args=" + declaredArgCount() + ", rets=" + declaredRetCount() + ", regs="
                + declaredRegCount() + ", code="
                + length + " bytes, sig=" + sig + "]";
    }

    /** @return {@link Arrays#hashCode(byte[])} of the range */
    private static int hashCode(byte[] a, int from, int length) {
        int h = 1;
        for (int i = from; i < from + length; i++) {
            h = 31 * h + a[i];
        }
        return h;
    }
}
