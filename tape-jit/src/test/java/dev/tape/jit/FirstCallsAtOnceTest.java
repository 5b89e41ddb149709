package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The attack of many embedder threads making their first calls into tape at once, in a class
 * loader where nothing of tape's has been loaded yet: decode and verify, both tiers' VMs and runs,
 * {@link Jit#compile}, {@link Jit#compileFramed} with {@link Jit#precompile} (every function's class,
 * {@code call.indirect} sites' group among them), pauses, snapshots and restores, disassembly and
 * assembly, {@link Jit#warmUp()}; some of them from inside a static initialiser of a class of their
 * own (whose initialisation lock they hold while tape's first call waits for {@code ClassInit}'s
 * thread), half of them with their interrupt status set before their first call. No thread may
 * wait for good (a deadlock between them, {@code ClassInit}'s thread and the warm-up thread), each
 * must give what the same work gives in this test's own class loader, and each interrupted thread
 * must still be interrupted at its end (the wait keeps the status).
 */
class FirstCallsAtOnceTest {
    /** the class loaders tried, each a fresh first use */
    private static final int ROUNDS = 3;

    @Test
    void manyFirstCallsAtOnceNeitherDeadlockNorDiffer() throws Exception {
        byte[][] programs = FirstUseDeepTest.programs();
        String[] expected = new String[FirstCallsAtOnceWorker.KINDS];
        for (int k = 0; k < expected.length; k++) {
            expected[k] = FirstCallsAtOnceWorker.work(k, programs);
            assertTrue(!expected[k].contains("internal error"), expected[k]);
        }
        assertTrue(expected[2].contains("returned [") && expected[5].contains("restored "), expected[5]);
        for (int round = 0; round < ROUNDS; round++) {
            try (URLClassLoader l = fresh()) {
                oneRound(l, programs, expected);
            }
        }
    }

    /**
     * The same in fresh JVMs ({@link FirstCallsAtOnceMain}), where the JDK's own classes a first run
     * needs (the method-handle machinery the warm-up, the generator's classes and
     * {@code call.indirect}'s cache spin) are first used at once as well; and each JVM ends when its
     * main returns, whatever tape's threads are doing (they are daemons).
     */
    @Test
    void manyFirstCallsAtOnceInAFreshJvm() throws Exception {
        byte[][] programs = FirstUseDeepTest.programs();
        TreeMap<String, String> expected = new TreeMap<>();
        for (int k = 0; k < FirstCallsAtOnceWorker.KINDS; k++) {
            String line = FirstCallsAtOnceMain.line(FirstCallsAtOnceWorker.work(k, programs));
            expected.put("kind " + k, line);
            expected.put("kind " + k + " interrupted", line);
            if (k == 2 || k == 4 || k == 6) {
                expected.put("initialiser " + k, line);
            }
        }
        StringBuilder want = new StringBuilder();
        expected.forEach((k, v) -> want.append(k).append('\t').append(v).append('\n'));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path")));
        if (System.getProperty("tape.shared.dir") != null) {
            cmd.add("-Dtape.shared.dir=" + System.getProperty("tape.shared.dir"));
        }
        cmd.add(FirstCallsAtOnceMain.class.getName());
        for (int round = 0; round < ROUNDS; round++) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean ended = p.waitFor(300, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertTrue(ended, "the child JVM has not ended five minutes on: " + out);
            assertEquals(0, p.exitValue(), out);
            assertEquals(want.toString(), out);
        }
    }

    private static void oneRound(URLClassLoader l, byte[][] programs, String[] expected) throws Exception {
        Class<?> worker = Class.forName(FirstCallsAtOnceWorker.class.getName(), true, l);
        Field shared = worker.getDeclaredField("programs");
        shared.setAccessible(true);
        shared.set(null, programs);
        Method work = worker.getDeclaredMethod("work", int.class, byte[][].class);
        work.setAccessible(true);
        Map<String, String> said = new ConcurrentHashMap<>();
        Map<String, String> wanted = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int k = 0; k < FirstCallsAtOnceWorker.KINDS; k++) {
            for (int interrupted = 0; interrupted < 2; interrupted++) {
                int kind = k;
                boolean interrupt = interrupted == 1;
                String name = "kind " + k + (interrupt ? " interrupted" : "");
                wanted.put(name, expected[k]);
                threads.add(new Thread(() -> said.put(name, call(go, interrupt, () -> (String) work.invoke(null, kind,
                        programs))), name));
            }
        }
        String[][] initialisers = {{"Compiled", "2"}, {"Paused", "4"}, {"Assembled", "6"}};
        for (String[] c : initialisers) {
            String name = "initialiser " + c[0];
            wanted.put(name, expected[Integer.parseInt(c[1])]);
            threads.add(new Thread(() -> said.put(name, call(go, false, () -> {
                Class<?> in = Class.forName(FirstCallsAtOnceWorker.InInitialiser.class.getName() + "$" + c[0], true, l);
                Field f = in.getDeclaredField("SAID");
                f.setAccessible(true);
                return (String) f.get(null);
            })), name));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(300_000);
            if (t.isAlive()) {
                StringBuilder dump = new StringBuilder();
                for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                    dump.append(e.getKey().getName()).append(' ').append(e.getKey().getState()).append('\n');
                    for (StackTraceElement s : Arrays.copyOf(e.getValue(), Math.min(12, e.getValue().length))) {
                        dump.append("    ").append(s).append('\n');
                    }
                }
                fail(t.getName() + " still waits five minutes on; threads:\n" + dump);
            }
        }
        assertEquals(wanted.keySet(), said.keySet());
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            assertEquals(e.getValue(), said.get(e.getKey()), e.getKey());
        }
    }

    /** what a worker thread does */
    private interface Work {
        String run() throws Exception;
    }

    /** Waits for the start, sets the interrupt status when told, works; what it gave or threw. */
    private static String call(CountDownLatch go, boolean interrupt, Work w) {
        try {
            go.await();
            if (interrupt) {
                Thread.currentThread().interrupt();
            }
            String s = w.run();
            if (interrupt && !Thread.currentThread().isInterrupted()) {
                return "lost its interrupt status";
            }
            return s;
        } catch (InvocationTargetException e) {
            return "threw " + e.getCause();
        } catch (Throwable e) {
            return "threw " + e;
        }
    }

    private static URLClassLoader fresh() throws Exception {
        URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
            location(FirstCallsAtOnceTest.class)};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static URL location(Class<?> c) throws Exception {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
