package dev.tape.classinit;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClassInit}'s initialising thread: one thread serves the calls that come while it lives
 * (the groups of a first run pay one thread start), every call's classes are initialised on it
 * before the call returns, callers on many threads at once each get theirs, an interrupt of the
 * idle thread does not end it (an end would mark queued calls done), and the thread ends when idle and a later call starts another.
 * Each test loads {@link ClassInit} and {@link ClassInitProbes} again in a class loader of its own,
 * so that no other test's use of the thread is seen.
 */
class ClassInitThreadTest {
    @Test
    void oneThreadServesSuccessiveCallsAndInitialisesBeforeReturning() throws Exception {
        try (URLClassLoader l = fresh()) {
            Map<String, Thread> init = probes(l);
            for (int i = 0; i < 3; i++) {
                assertTrue(initialise(l, ClassInitProbes.NAMES[i]));
                // initialised before the call returned, on the initialising thread
                assertNotNull(init.get(letter(i)), letter(i));
            }
            Thread first = init.get("A");
            assertEquals(ClassInit.THREAD_NAME, first.getName());
            assertTrue(first.isDaemon());
            assertNotSame(Thread.currentThread(), first);
            assertSame(first, init.get("B"), "the second call's thread");
            assertSame(first, init.get("C"), "the third call's thread");
        }
    }

    @Test
    void theThreadEndsWhenIdleAndTheNextCallStartsAnother() throws Exception {
        try (URLClassLoader l = fresh()) {
            Map<String, Thread> init = probes(l);
            assertTrue(initialise(l, ClassInitProbes.NAMES[0]));
            Thread first = init.get("A");
            first.join(60_000);
            assertFalse(first.isAlive(), "still alive a minute after its last call");
            assertEquals(null, running(l), "the ended thread is still the initialising thread");
            assertTrue(initialise(l, ClassInitProbes.NAMES[1]));
            Thread second = init.get("B");
            assertEquals(ClassInit.THREAD_NAME, second.getName());
            assertNotSame(first, second);
            assertNotSame(Thread.currentThread(), second);
        }
    }

    @Test
    void callersOnManyThreadsEachGetTheirClassesOnTheThread() throws Exception {
        try (URLClassLoader l = fresh()) {
            Map<String, Thread> init = probes(l);
            int n = ClassInitProbes.NAMES.length;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = ClassInitProbes.NAMES[i];
                String letter = letter(i);
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        if (!initialise(l, name) || init.get(letter) == null) {
                            failures.add(letter + " not initialised when its call returned");
                        }
                    } catch (Throwable e) {
                        failures.add(letter + ": " + e);
                    }
                });
                t.start();
                callers.add(t);
            }
            go.countDown();
            for (Thread t : callers) {
                t.join(60_000);
                assertFalse(t.isAlive(), "a caller still waits");
            }
            assertEquals(List.of(), failures);
            assertEquals(n, init.size());
            for (Map.Entry<String, Thread> e : init.entrySet()) {
                assertEquals(ClassInit.THREAD_NAME, e.getValue().getName(), e.getKey());
                assertFalse(callers.contains(e.getValue()), e.getKey() + " initialised on its caller's thread");
            }
        }
    }

    @Test
    void anInterruptOfTheIdleThreadDoesNotEndIt() throws Exception {
        try (URLClassLoader l = fresh()) {
            Map<String, Thread> init = probes(l);
            assertTrue(initialise(l, ClassInitProbes.NAMES[0]));
            Thread first = init.get("A");
            first.interrupt();
            assertTrue(initialise(l, ClassInitProbes.NAMES[1]));
            assertSame(first, init.get("B"), "the thread after its interrupt");
        }
    }

    /**
     * A call that comes just as the idle thread's wait runs out: the thread has timed out and waits
     * for the lock to look at the queue once more, while the call, holding the lock, queues its
     * classes and waits (which lets the lock go). The thread must then serve it (it looks at the
     * queue under the lock before it ends), not end on its timeout with the call queued: nothing
     * else would ever serve the call. The test holds the lock of the fresh loader's
     * {@code ClassInit} (its monitor, as every call does) from the thread's last idle moments to
     * make the order certain.
     */
    @Test
    void aCallQueuedAsTheIdleWaitRunsOutIsServed() throws Exception {
        try (URLClassLoader l = fresh()) {
            Map<String, Thread> init = probes(l);
            assertTrue(initialise(l, ClassInitProbes.NAMES[0]));
            Thread first = init.get("A");
            Class<?> lock = Class.forName(ClassInit.class.getName(), false, l);
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread caller = new Thread(() -> {
                try {
                    synchronized (lock) {
                        // the thread's idle wait has run out: it wants the lock back to end
                        while (first.isAlive() && first.getState() != Thread.State.BLOCKED) {
                            Thread.sleep(1);
                        }
                        assertTrue(first.isAlive(), "the thread ended without the lock");
                        assertTrue(initialise(l, ClassInitProbes.NAMES[1]));
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            caller.setDaemon(true);
            caller.start();
            caller.join(60_000);
            assertFalse(caller.isAlive(), "the call queued as the thread timed out still waits");
            assertEquals(List.of(), failures);
            assertSame(first, init.get("B"), "the call's thread");
        }
    }

    /**
     * The initialising thread serves every caller of its class loader for as long as calls keep
     * coming (and 1 s after), so it must not carry its first caller's context: a thread inherits its
     * creator's {@link InheritableThreadLocal} values and context class loader unless told otherwise,
     * which pinned the first caller's (an embedder's request-scoped values, a web application's class
     * loader) for the thread's whole life, and let a static initialiser run for a later caller see
     * the first one's. The probe's initialiser, run on the thread, records what it sees there.
     */
    @Test
    void theThreadCarriesNoneOfItsFirstCallersContext() throws Exception {
        try (URLClassLoader l = fresh(); URLClassLoader callers = new URLClassLoader(new URL[0])) {
            Map<String, Thread> init = probes(l);
            Class<?> probes = Class.forName(ClassInitProbes.class.getName(), true, l);
            Field inherited = probes.getDeclaredField("INHERITED");
            inherited.setAccessible(true);
            Object marker = new Object();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread caller = new Thread(() -> {
                try {
                    ((ThreadLocal<?>) inherited.get(null)).getClass().getMethod("set", Object.class)
                            .invoke(inherited.get(null), marker);
                    assertTrue(initialise(l, ClassInitProbes.class.getName() + "$Inherits"));
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            caller.setContextClassLoader(callers);
            caller.start();
            caller.join(60_000);
            assertFalse(caller.isAlive(), "the caller still waits");
            assertEquals(List.of(), failures);
            Thread thread = init.get("Inherits");
            assertEquals(ClassInit.THREAD_NAME, thread.getName());
            Field seenField = probes.getDeclaredField("SEEN");
            seenField.setAccessible(true);
            Map<?, ?> seen = (Map<?, ?>) seenField.get(null);
            assertFalse(seen.get("value") == marker, "the caller's InheritableThreadLocal value, on the thread");
            assertNotSame(callers, seen.get("loader"), "the caller's context class loader, on the thread");
            assertNotSame(callers, thread.getContextClassLoader(), "the thread's context class loader");
        }
    }

    private static String letter(int i) {
        return String.valueOf((char) ('A' + i));
    }

    /** calls the fresh loader's {@code ClassInit.initialise} with its own anchor */
    private static boolean initialise(URLClassLoader l, String name) throws Exception {
        Class<?> init = Class.forName(ClassInit.class.getName(), false, l);
        Method m = init.getMethod("initialise", Class.class, String[].class);
        return (boolean) m.invoke(null, init, new String[] {name});
    }

    /** the fresh loader's initialising thread, or null */
    private static Object running(URLClassLoader l) throws Exception {
        Field f = Class.forName(ClassInit.class.getName(), false, l).getDeclaredField("running");
        f.setAccessible(true);
        return f.get(null);
    }

    /** the fresh loader's record of the probes' initialising threads */
    @SuppressWarnings("unchecked")
    private static Map<String, Thread> probes(URLClassLoader l) throws Exception {
        Field f = Class.forName(ClassInitProbes.class.getName(), true, l).getDeclaredField("INIT");
        f.setAccessible(true);
        return (Map<String, Thread>) f.get(null);
    }

    /** a class loader of tape-core's classes and this test's, over the platform's */
    private static URLClassLoader fresh() throws Exception {
        URL core = ClassInit.class.getProtectionDomain().getCodeSource().getLocation();
        URL tests = ClassInitProbes.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {core, tests}, ClassLoader.getPlatformClassLoader());
    }
}
