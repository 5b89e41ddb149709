package dev.tape.jit;

/**
 * For {@code WarmupTest}, loaded in a class loader of its own: calls {@link Jit#warmUp()} at every
 * depth of a recursion that ran out of stack, from the deepest up, the way an embedder deep in its
 * own recursion might make its first call into the compiled tier.
 */
final class WarmupDeepCaller {
    private WarmupDeepCaller() {}

    /** how many of the calls threw (the deepest, which had no stack left) */
    private static int failed;

    /**
     * Recurses until the stack overflows, then calls {@link Jit#warmUp()} at each depth on the way back.
     *
     * @return how many of those calls threw
     */
    static int fromEveryDepth() {
        failed = 0;
        down();
        return failed;
    }

    private static void down() {
        try {
            down();
        } catch (StackOverflowError e) {
            // the bottom: from here up, each depth calls warmUp once
        }
        try {
            Jit.warmUp();
        } catch (Throwable e) {
            failed++;
        }
    }
}
