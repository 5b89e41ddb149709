package dev.tape.testing;

/**
 * fib in tape's text form, as the tests of class loading, warm-up, preloading and cold start run it
 * (tape-jit's and tape-cli's tests use it through tape-core's test jar): compile-time constants, so a
 * test class loaded in a class loader of its own needs no other test class.
 */
public final class FibText {
    private FibText() {}

    /** the function {@code fib(n: i64) -> (result: i64)}, by two direct calls per call, alone */
    public static final String FIB_FUNC = """
            func fib(n: i64) -> (result: i64) {
                const.i64 r2, 2
                i64.lt r3, r1, r2
                br r3, small, big
            small:
                ret r0, [r1]
            big:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, fib, r0, [r5] -> [r6]
                i64.sub r7, r1, r2
                call r0, fib, r0, [r7] -> [r8]
                i64.add r9, r6, r8
                ret r0, [r9]
            }
            """;

    /** the program {@code fib} of {@link #FIB_FUNC} alone */
    public static final String FIB = "program fib\n" + FIB_FUNC;
}
