package dev.tape.jit;

/**
 * For {@code WarmupTest}, the main class of a fresh JVM: starts the warm-up, waits for its thread and
 * ends, doing nothing else, so that every class of tape's the JVM initialises is this one's, the
 * warm-up's start's, or the thread's.
 */
final class WarmupAloneMain {
    private WarmupAloneMain() {}

    /**
     * Starts the warm-up, waits up to a minute for it, and prints whether it started and ended.
     *
     * @param args ignored
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        Thread t = Warmup.start();
        if (t != null) {
            t.join(60_000);
        }
        System.out.println(t == null ? "not started" : t.isAlive() ? "still running" : "ended");
    }
}
