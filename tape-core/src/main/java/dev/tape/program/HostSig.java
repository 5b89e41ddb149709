package dev.tape.program;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A host-call target (spec section "Host signatures"): a symbol, the signature hash, and the
 * argument and result types.
 *
 * @param u32SymbolId the symbol id as the host signatures section declares it (a ULEB128 u32) in
 *     an {@code int}'s 32 bits: 0 to 2^31-1 as such, 2^31 to 2^32-1 as a negative {@code int}
 *     ({@link #declaredSymbolId()} gives it as a {@code long}, {@link #symbolId()} as kept)
 * @param sigHash the FNV-1a signature hash (see {@link #hash(List, List)})
 * @param args argument types
 * @param rets result types
 */
public record HostSig(int u32SymbolId, long sigHash, List<ValueType> args, List<ValueType> rets) {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final byte[] DOMAIN = "execution_tape:v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * Copies the lists.
     *
     * @param u32SymbolId index into the symbol table; must be non-zero (a negative {@code int}
     *     stands for a u32 of 2^31 to 2^32-1, which no symbol table holds)
     * @param sigHash the FNV-1a signature hash (see {@link #hash(List, List)})
     * @param args argument types
     * @param rets result types
     */
    public HostSig {
        args = List.copyOf(args);
        rets = List.copyOf(rets);
    }

    /**
     * A host signature with a symbol id as a file declares it (spec section "Host signatures": a
     * ULEB128 u32).
     *
     * @param declaredSymbolId the symbol id, 0 to 2^32-1
     * @param sigHash the FNV-1a signature hash
     * @param args argument types
     * @param rets result types
     * @return the signature
     * @throws IllegalArgumentException when the symbol id is negative or 2^32 or more
     */
    public static HostSig declared(long declaredSymbolId, long sigHash, List<ValueType> args, List<ValueType> rets) {
        return new HostSig(U32.of(declaredSymbolId, "symbol_id"), sigHash, args, rets);
    }

    /**
     * The id of the host function's symbol, as an int the VM can index by.
     *
     * @return index into the symbol table: the declared id, kept as 2^31-1 when it is 2^31 to
     *     2^32-1 (no symbol table that large fits in a file: the verifier refuses it)
     */
    public int symbolId() {
        return U32.capped(u32SymbolId);
    }

    /**
     * The id of the host function's symbol exactly as the file declares it.
     *
     * @return the symbol id as declared (spec section "Host signatures"), 0 to 2^32-1
     */
    public long declaredSymbolId() {
        return U32.declared(u32SymbolId);
    }

    /**
     * Makes a host signature whose hash is computed from its types.
     *
     * @param symbolId the symbol id
     * @param args argument types
     * @param rets result types
     * @return the signature
     */
    public static HostSig of(int symbolId, List<ValueType> args, List<ValueType> rets) {
        return new HostSig(symbolId, hash(args, rets), args, rets);
    }

    /**
     * Computes the signature hash: FNV-1a 64 over {@code "execution_tape:v1"}, a NUL byte, the
     * argument count (u32le), each argument's type tag (an {@code obj} followed by its host type
     * id as u64le), the result count (u32le) and each result's type ({@code reference/README.md},
     * "Host signature hash").
     *
     * @param args argument types
     * @param rets result types
     * @return the 64-bit hash
     */
    public static long hash(List<ValueType> args, List<ValueType> rets) {
        long h = FNV_OFFSET;
        for (byte b : DOMAIN) {
            h = (h ^ (b & 0xFF)) * FNV_PRIME;
        }
        h = (h ^ 0) * FNV_PRIME;
        h = hashTypes(h, args);
        h = hashTypes(h, rets);
        return h;
    }

    private static long hashTypes(long h, List<ValueType> types) {
        int n = types.size();
        for (int i = 0; i < 4; i++) {
            h = (h ^ ((n >>> (8 * i)) & 0xFF)) * FNV_PRIME;
        }
        for (ValueType t : types) {
            h = (h ^ t.kind().tag()) * FNV_PRIME;
            if (t.kind() == ValueKind.OBJ) {
                for (int i = 0; i < 8; i++) {
                    h = (h ^ ((t.hostType() >>> (8 * i)) & 0xFF)) * FNV_PRIME;
                }
            }
        }
        return h;
    }
}
