package dev.tape.program;

/**
 * The program encoder with a small bound ({@link ProgramEncoder#encode(Program, int)}, package
 * private), for tests in other packages of the error a program too large to encode gives
 * ({@link ProgramEncoder#TOO_LARGE}) without a 2 GiB program.
 */
public final class BoundedEncoder {
    private BoundedEncoder() {}

    /**
     * @param p the program
     * @param maxBytes the most bytes the encoding may have
     * @return the encoding
     * @throws IllegalArgumentException with {@link ProgramEncoder#TOO_LARGE} when it is longer
     */
    public static byte[] encode(Program p, int maxBytes) {
        return ProgramEncoder.encode(p, maxBytes);
    }
}
