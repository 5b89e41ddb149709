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
    private final int argCount;
    private final int retCount;
    private final int regCount;
    /** holds the bytecode at {@link #from}, {@link #length} bytes (never modified) */
    private final byte[] code;
    private final int from;
    private final int length;
    private final List<SpanEntry> spans;
    private final FunctionSig sig;

    /**
     * @param argCount value arguments from the function table (the effect token not counted)
     * @param retCount value results from the function table
     * @param regCount registers from the function table, r0 included
     * @param code the bytecode (copied)
     * @param spans the span table entries, in order
     * @param sig the typed signature; the verifier checks it agrees with the counts
     * @throws IllegalArgumentException when a count is negative or an argument is null
     */
    public Function(int argCount, int retCount, int regCount, byte[] code, List<SpanEntry> spans, FunctionSig sig) {
        this(argCount, retCount, regCount, code == null ? null : code.clone(), 0, code == null ? 0 : code.length,
                spans, sig);
    }

    private Function(int argCount, int retCount, int regCount, byte[] code, int from, int length,
                     List<SpanEntry> spans, FunctionSig sig) {
        if (argCount < 0 || retCount < 0 || regCount < 0) {
            throw new IllegalArgumentException("function counts must not be negative");
        }
        this.argCount = argCount;
        this.retCount = retCount;
        this.regCount = regCount;
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
    static Function sharing(int argCount, int retCount, int regCount, byte[] code, int from, int length,
                            List<SpanEntry> spans, FunctionSig sig) {
        return new Function(argCount, retCount, regCount, code, from, length, spans, sig);
    }

    /**
     * @return value arguments (table entry; 2^31-1 for a decoded entry of 2^31 to 2^32-1, which the
     *     verifier refuses)
     */
    public int argCount() {
        return argCount;
    }

    /**
     * @return value results (table entry; 2^31-1 for a decoded entry of 2^31 to 2^32-1, which the
     *     verifier refuses)
     */
    public int retCount() {
        return retCount;
    }

    /**
     * @return registers, r0 included (table entry; 2^31-1 for a decoded entry of 2^31 to 2^32-1,
     *     which the verifier refuses as {@code RegCountTooLarge})
     */
    public int regCount() {
        return regCount;
    }

    /** @return a copy of the bytecode */
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

    /** @return the bytecode length in bytes */
    public int codeLength() {
        return length;
    }

    /** @return the span table entries */
    public List<SpanEntry> spans() {
        return spans;
    }

    /** @return the typed signature */
    public FunctionSig sig() {
        return sig;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Function f && argCount == f.argCount && retCount == f.retCount && regCount == f.regCount
                && Arrays.equals(code, from, from + length, f.code, f.from, f.from + f.length)
                && spans.equals(f.spans) && sig.equals(f.sig);
    }

    @Override
    public int hashCode() {
        return Objects.hash(argCount, retCount, regCount, hashCode(code, from, length), spans, sig);
    }

    @Override
    public String toString() {
        return "Function[args=" + argCount + ", rets=" + retCount + ", regs=" + regCount + ", code="
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
