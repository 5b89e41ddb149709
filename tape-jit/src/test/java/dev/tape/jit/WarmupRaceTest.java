package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Warmup} attacked with class initialisation: in class loaders of their own (where no class of
 * tape's has been loaded or initialised and no warm-up has started), several embedder threads start
 * at the same moment as the warm-up thread, each initialising tape's classes that have static
 * initialisers in a different order, then compiling and running; a cycle of initialisers between
 * them and the thread would hang one (a deadlock the JVM never breaks, caught here by a time-out).
 * Every thread gets the interpreter's outcomes (values, traps with their pc, stack and fuel left),
 * and nothing reaches the uncaught-exception handler.
 */
class WarmupRaceTest {
    /** rounds, each in a class loader of its own (about 0.1 to 0.3 s each on the build machine) */
    private static final int ROUNDS = 12;

    @Test
    void embedderThreadsRacingTheWarmUpGetTheInterpretersOutcomes() throws Exception {
        String expected = WarmupRaceWorker.outcomes(false, 0, false);
        List<String> lines = expected.lines().toList();
        assertEquals(3, lines.size(), expected);
        assertEquals("[i64:2584]", lines.get(0));
        assertTrue(lines.get(1).startsWith("FUEL_EXCEEDED func 0 pc "), expected);
        assertTrue(lines.get(2).startsWith("DIV_BY_ZERO func 1 pc 3 "), expected);
        List<Throwable> leaked = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler old = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> leaked.add(e));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
                    location(WarmupRaceTest.class)};
                try (URLClassLoader l = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
                    Class<?> jit = Class.forName(Jit.class.getName(), false, l);
                    Method outcomes = Class.forName(WarmupRaceWorker.class.getName(), false, l)
                            .getDeclaredMethod("outcomes", boolean.class, int.class, boolean.class);
                    outcomes.setAccessible(true);
                    CyclicBarrier go = new CyclicBarrier(4);
                    List<Future<Object>> done = new ArrayList<>();
                    int r = round;
                    for (int t = 0; t < 4; t++) {
                        int k = t;
                        done.add(pool.submit(() -> {
                            go.await();
                            if (k == 0) {
                                jit.getMethod("warmUp").invoke(null);
                            }
                            // threads 0 to 2 compile, 3 interprets; each starts its initialisations elsewhere
                            return outcomes.invoke(null, k < 3, r + 3 * k, (r + k) % 2 == 1);
                        }));
                    }
                    for (Future<Object> f : done) {
                        assertEquals(expected, f.get(60, TimeUnit.SECONDS), "round " + round);
                    }
                }
            }
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (Warmup.THREAD_NAME.equals(t.getName())) {
                    t.join(60_000);
                    assertFalse(t.isAlive());
                }
            }
        } finally {
            pool.shutdownNow();
            Thread.setDefaultUncaughtExceptionHandler(old);
        }
        assertEquals(List.of(), leaked);
    }

    private static URL location(Class<?> c) throws Exception {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
