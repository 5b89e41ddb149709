package dev.tape.testing;

/**
 * sum_loop in tape's text form, as the tests of runs, resumption and class initialisation run it
 * (tape-jit's tests use it through tape-core's test jar): a compile-time constant, so a test class
 * loaded in a class loader of its own ({@code NoThreadChain}) needs no other test class.
 */
public final class SumText {
    private SumText() {}

    /** {@code sum(n) = 0 + 1 + ... + (n - 1)}: a loop of 5 instructions a turn */
    public static final String SUM = """
            program sum_loop
            func sum(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                i64.add r3, r3, r2
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            """;
}
