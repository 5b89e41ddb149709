package dev.tape.conformance;

import dev.tape.vm.Limits;

import java.util.List;

/**
 * One case of a {@code tape-conformance-v1} manifest ({@code conformance/README.md}).
 *
 * @param name the case name
 * @param program the program file, relative to the manifest's folder
 * @param entry the entry function id
 * @param args argument literals
 * @param limits the run's limits: the manifest's {@code fuel}, {@code max_call_depth} and
 *     {@code max_host_calls} (unsigned, up to 2<sup>64</sup>-1; where absent, the reference's defaults,
 *     1,000,000, 256 and 1,000,000, not those of {@link Limits}), and the Java-only heap and register limits off unless the manifest names them
 *     ({@code max_heap_bytes}, {@code max_registers}): the reference has neither
 * @param expect what the reference did
 */
public record ConformanceCase(String name, String program, int entry, List<String> args, Limits limits,
                              Expect expect) {
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
