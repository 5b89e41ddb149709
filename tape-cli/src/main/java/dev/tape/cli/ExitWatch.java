package dev.tape.cli;

import java.util.concurrent.locks.LockSupport;

/**
 * Ends the JVM with {@code System.exit(0)} when a non-daemon thread would keep it running after
 * {@link TapeCli#main} returned (code 0, {@link TapeCli#mustExit} false): a thread that did not
 * exist when {@code mustExit} looked, started since by a daemon thread (a library's scheduler
 * submitting to a pool of non-daemon workers, an agent or {@code jcmd ManagementAgent.start}
 * starting JMX's). The JVM whose {@code main} has returned waits for every non-daemon thread, so
 * such a thread kept it running as long as the thread lived (for ever, for a pool's idle worker or
 * JMX's), where the {@code System.exit(0)} of every run before the twenty-first round ended it at
 * once ({@code AttackMainExitTest}).
 *
 * <p>{@link #start(Thread)} starts one daemon thread, {@code tape-exit-watch}, which waits for the
 * caller to end and then looks at the live threads, at once and again after 1, 2, 4, ... ms (at
 * most {@link #MAX_PAUSE_MS} between two looks), until the JVM ends: a non-daemon thread alive but
 * for itself and the JVM's own {@code DestroyJavaVM} (the thread that waits for the others before
 * the JVM exits) makes it call {@code System.exit(0)}, the same status and shutdown hooks, unless
 * the JVM has begun to shut down ({@link #shuttingDown()}: the thread is then a shutdown hook's). A JVM
 * that ends normally ends within a few milliseconds of {@code main}'s return, so the thread looks
 * once or a few times: one thread start and one enumeration of the threads added to a cold run,
 * none of them opening the jar. A JVM that another thread keeps running on purpose (an embedder
 * calling {@code main} and then going on) is left running until its caller's thread ends.
 */
final class ExitWatch {
    /** The longest pause between two looks, in milliseconds. */
    static final long MAX_PAUSE_MS = 64;

    /** The name HotSpot gives the thread that ends the JVM after {@code main} returns. */
    static final String DESTROY_JAVA_VM = "DestroyJavaVM";

    private ExitWatch() {}

    /**
     * Starts the watch of {@code caller}, {@link TapeCli#main}'s thread. Never throws: a thread
     * that cannot be had leaves the JVM as without the watch.
     *
     * @param caller the thread that returns from {@code main}
     */
    static void start(Thread caller) {
        try {
            // an anonymous class, not a lambda: no invokedynamic call site to link at the end of
            // every cold run
            Thread t = new Thread(new Runnable() {
                @Override
                public void run() {
                    watch(caller);
                }
            }, "tape-exit-watch");
            t.setDaemon(true);
            t.start();
        } catch (Throwable e) {
            // no thread to be had (out of memory, a limit on threads): as without the watch
        }
    }

    /**
     * Whether the JVM has begun to shut down (its shutdown hooks, non-daemon threads, started or
     * done), as {@link Runtime#addShutdownHook} tells by refusing a hook: then nothing but those
     * hooks keeps the JVM, which ends when they end, so the watch need not, and does not, call
     * {@code System.exit} (which from JDK 21 on would look up its logger over the class path while
     * the hooks run). Asked only when a non-daemon thread is alive.
     *
     * @return true once the shutdown has begun; false otherwise, and when the runtime does not say
     *     (a security manager refusing the hook)
     */
    static boolean shuttingDown() {
        Thread probe = new Thread("tape-exit-watch-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) {
            return true;
        } catch (RuntimeException e) {
            return false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(probe);
        } catch (IllegalStateException e) {
            // (begun meanwhile: the probe, a thread that does nothing, runs as a hook)
            return true;
        } catch (RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The watch's work: see the class comment. */
    private static void watch(Thread caller) {
        try {
            caller.join();
            long pause = 1;
            while (true) {
                if (TapeCli.nonDaemonAlive(Thread.currentThread(), true)) {
                    if (!shuttingDown()) {
                        System.exit(0);
                    }
                    // (shutting down: the thread is a shutdown hook's, or no longer keeps the JVM)
                    return;
                }
                // (parkNanos, not Thread.sleep: from JDK 21 on, sleep loads JFR's ThreadSleepEvent,
                // which a dynamic archive dumped at exit, -XX:+AutoCreateSharedArchive, then warns
                // about on stdout; .ci/launcher-test)
                LockSupport.parkNanos(pause * 1_000_000L);
                if (Thread.interrupted()) {
                    return;
                }
                pause = Math.min(MAX_PAUSE_MS, pause * 2);
            }
        } catch (InterruptedException e) {
            // interrupted: the watch ends
        }
    }
}
