package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TapeCli#main} in a JVM of its own ends that JVM as {@code System.exit} did, whichever way it
 * ends (returning for code 0 since the twenty-first round, {@code System.exit} otherwise): with the
 * code as its status, the shutdown hooks run, stdout whole, and never kept alive by a non-daemon
 * thread, whether that thread was alive when {@code main} looked ({@link TapeCli#mustExit}) or was
 * started after it looked ({@link ExitWatch}). Each child JVM is bounded: a JVM still running after
 * {@link ChildJvm#BOUND_SECONDS} fails the test and is killed.
 */
class AttackMainExitTest {
    /** How many times a race is run. */
    static final int TRIES = 4;

    @TempDir
    Path tmp;

    /**
     * A library's daemon thread that starts a non-daemon worker as soon as {@code main} has returned
     * (its thread has no Java frame left), after {@link TapeCli#mustExit} looked and before the
     * JVM's exit waits for the non-daemon threads (most of the time: the two race, so the test runs
     * it several times).
     */
    static final class LateWorker {
        public static void main(String[] args) {
            Thread caller = Thread.currentThread();
            Thread starter = new Thread(() -> {
                while (caller.getStackTrace().length > 0) {
                    Thread.onSpinWait();
                }
                Thread worker = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "attack-late-worker");
                worker.setDaemon(false);
                worker.start();
            }, "attack-late-starter");
            starter.setDaemon(true);
            starter.start();
            TapeCli.main(args);
        }
    }

    /** A non-daemon thread alive, sleeping, when {@code main} ends. */
    static final class EarlyWorker {
        public static void main(String[] args) {
            Thread worker = new Thread(() -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "attack-early-worker");
            worker.setDaemon(false);
            worker.start();
            TapeCli.main(args);
        }
    }

    /** A shutdown hook that writes {@code hook ran} on stderr. */
    static final class WithHook {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("hook ran")));
            TapeCli.main(args);
        }
    }

    /**
     * A shutdown hook (a non-daemon thread, alive while the JVM shuts down) that takes a while and
     * writes on stderr whether {@link ExitWatch#shuttingDown()} tells the shutdown has begun.
     */
    static final class SlowHook {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.err.println("hook ran, shutting down " + ExitWatch.shuttingDown());
            }));
            TapeCli.main(args);
        }
    }

    /** Runs {@code main} of {@code mainClass} with {@code args} in a child JVM ({@link ChildJvm}), bounded. */
    private ChildJvm.Result child(Class<?> mainClass, String... args) throws Exception {
        return ChildJvm.in(tmp).run(mainClass, args);
    }

    /**
     * Fails on the twenty-first round's {@code main} (the JVM waited for the late worker forever):
     * {@code System.exit(0)} never waited for it.
     */
    @Test
    void aNonDaemonThreadStartedAfterMainLookedDoesNotKeepTheJvm() throws Exception {
        // (the late worker wins its race about five times in six on the twenty-first round's code)
        for (int i = 0; i < TRIES; i++) {
            ChildJvm.Result c = child(LateWorker.class, "--version");
            assertEquals(0, c.status(), c.err());
            assertTrue(c.out().startsWith("tape "), c.out());
            assertEquals("", c.err());
        }
    }

    /** The same after a whole run, and after a run that traps (code 1, {@code System.exit}). */
    @Test
    void aLateWorkerAfterARunOrATrap() throws Exception {
        Files.writeString(tmp.resolve("one.tasm"), ChildJvm.ONE);
        for (int i = 0; i < TRIES; i++) {
            ChildJvm.Result ok = child(LateWorker.class, "run", "one.tasm", "--tier", "interp");
            assertEquals(0, ok.status(), ok.err());
            assertEquals("i64:1\n", ok.out());
        }
        ChildJvm.Result trap = child(LateWorker.class, "run", "one.tasm", "--fuel", "1");
        assertEquals(1, trap.status(), trap.err());
        assertTrue(trap.err().startsWith("trap: fuel_exceeded"), trap.err());
    }

    /** A non-daemon thread alive when {@code main} looks: {@code System.exit(0)}, as before. */
    @Test
    void aNonDaemonThreadAliveAtTheEndDoesNotKeepTheJvm() throws Exception {
        ChildJvm.Result c = child(EarlyWorker.class, "--version");
        assertEquals(0, c.status(), c.err());
        assertTrue(c.out().startsWith("tape "), c.out());
    }

    /** Shutdown hooks run whether {@code main} returns (code 0) or exits (codes 1 and 2). */
    @Test
    void shutdownHooksRunOnEveryPath() throws Exception {
        Files.writeString(tmp.resolve("one.tasm"), ChildJvm.ONE);
        ChildJvm.Result ok = child(WithHook.class, "run", "one.tasm");
        assertEquals(0, ok.status());
        assertEquals("i64:1\n", ok.out());
        assertEquals("hook ran\n", ok.err());
        ChildJvm.Result trap = child(WithHook.class, "run", "one.tasm", "--fuel", "1");
        assertEquals(1, trap.status());
        assertTrue(trap.err().endsWith("hook ran\n"), trap.err());
        ChildJvm.Result usage = child(WithHook.class, "nonsense");
        assertEquals(2, usage.status());
        assertTrue(usage.err().endsWith("hook ran\n"), usage.err());
    }

    /**
     * A slow shutdown hook on the return path: it runs once, the JVM ends with status 0, and the
     * watch, which then sees the hook's thread alive, knows the JVM is shutting down; in the test's
     * own JVM it is not.
     */
    @Test
    void aSlowShutdownHookOnTheReturnPath() throws Exception {
        assertFalse(ExitWatch.shuttingDown());
        for (int i = 0; i < TRIES; i++) {
            ChildJvm.Result c = child(SlowHook.class, "--version");
            assertEquals(0, c.status(), c.err());
            assertTrue(c.out().startsWith("tape "), c.out());
            assertEquals("hook ran, shutting down true\n", c.err());
        }
    }

    /** A large output is whole when {@code main} returns: every line of the std host's and the result. */
    @Test
    void aLargeOutputIsWholeWhenMainReturns() throws Exception {
        Files.writeString(tmp.resolve("count.tasm"), ChildJvm.MANY);
        int n = 200_000;
        ChildJvm.Result c = child(TapeCli.class, "run", "count.tasm", "--arg", "i64:" + n, "--fuel", "100000000");
        assertEquals(0, c.status(), c.err());
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < n; i++) {
            want.append(i).append('\n');
        }
        want.append("i64:").append(n).append('\n');
        assertEquals(want.toString(), c.out());
        assertEquals("", c.err());
    }
}
