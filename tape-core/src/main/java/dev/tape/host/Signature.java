package dev.tape.host;

import dev.tape.program.HostSig;
import dev.tape.program.ValueType;

import java.util.List;

/**
 * The argument and result types of a host function, with its signature hash
 * ({@code reference/README.md}, "Host signature hash").
 *
 * @param args argument types
 * @param rets result types
 */
public record Signature(List<ValueType> args, List<ValueType> rets) {
    /**
     * Copies the lists.
     *
     * @param args argument types
     * @param rets result types
     */
    public Signature {
        args = List.copyOf(args);
        rets = List.copyOf(rets);
    }

    /**
     * Makes the signature of a host function.
     *
     * @param args argument types
     * @param rets result types
     * @return the signature
     */
    public static Signature of(List<ValueType> args, List<ValueType> rets) {
        return new Signature(args, rets);
    }

    /**
     * The signature's hash, as the program's host signature table must declare it.
     *
     * @return the FNV-1a signature hash the verifier checks programs against
     */
    public long hash() {
        return HostSig.hash(args, rets);
    }

    /** @return {@code (i64, i64) -> (i64)}: the types as the assembler writes them */
    @Override
    public String toString() {
        return "(" + String.join(", ", args.stream().map(ValueType::toString).toList()) + ") -> ("
                + String.join(", ", rets.stream().map(ValueType::toString).toList()) + ")";
    }
}
