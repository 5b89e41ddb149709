package dev.tape.conformance;

import java.util.List;

/**
 * One case of a {@code tape-conformance-v1} manifest ({@code conformance/README.md}).
 *
 * @param name the case name
 * @param program the program file, relative to the manifest's folder
 * @param entry the entry function id
 * @param args argument literals
 * @param fuel the fuel limit
 * @param maxCallDepth the call depth limit
 * @param maxHostCalls the host call limit
 * @param expect what the reference did
 */
public record ConformanceCase(String name, String program, int entry, List<String> args, long fuel, int maxCallDepth,
                              long maxHostCalls, Expect expect) {
    /**
     * The expected outcome: exactly one of returns, trap, or reject is set.
     *
     * @param returns result literals, or {@code null}
     * @param trap the trap kind label, or {@code null}
     * @param func the trapping function
     * @param pc the trapping byte pc
     * @param span the span id, an unsigned 64-bit number held by its bits (2^64-1 is {@code -1L};
     *     read it with {@link Long#toUnsignedString(long)}), never 0; or {@code null} for none
     * @param reject {@code "decode"} or {@code "verify"}, or {@code null}
     * @param detail the reference's rejection detail, for humans
     */
    public record Expect(List<String> returns, String trap, int func, int pc, Long span, String reject, String detail) {}

    @Override
    public String toString() {
        return name;
    }
}
