package dev.tape.jit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * For {@code FirstCallsAtOnceTest}, the main class of a fresh JVM, where nothing of tape's nor of
 * the JDK's method-handle machinery has been initialised yet: {@link FirstCallsAtOnceWorker}'s kinds
 * of work on threads of their own, all at once (each kind twice, the second with its interrupt
 * status set; three more in static initialisers), then one line per thread, in name order: its
 * name, a tab, the length and hash of what it gave. Then main returns, with tape's daemon threads
 * (ClassInit's, which waits 1 s for more calls, and the warm-up) perhaps still alive: they must not
 * keep the JVM alive.
 */
final class FirstCallsAtOnceMain {
    private FirstCallsAtOnceMain() {}

    /**
     * Runs the work and prints what each thread gave.
     *
     * @param args ignored
     * @throws Exception when the conformance vectors cannot be read, or interrupted
     */
    public static void main(String[] args) throws Exception {
        byte[][] programs = FirstUseDeepTest.programs();
        FirstCallsAtOnceWorker.programs = programs;
        Map<String, String> said = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < FirstCallsAtOnceWorker.KINDS; k++) {
            for (int i = 0; i < 2; i++) {
                int kind = k;
                boolean interrupt = i == 1;
                String name = "kind " + k + (interrupt ? " interrupted" : "");
                threads.add(new Thread(() -> said.put(name, call(go, interrupt, kind)), name));
            }
        }
        for (int kind : new int[] {2, 4, 6}) {
            String name = "initialiser " + kind;
            threads.add(new Thread(() -> said.put(name, call(go, false, -kind - 1)), name));
        }
        for (Thread t : threads) {
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        for (Map.Entry<String, String> e : new TreeMap<>(said).entrySet()) {
            System.out.println(e.getKey() + "\t" + line(e.getValue()));
        }
    }

    /**
     * @param said what a thread gave
     * @return its length and hash, as a line of the output
     */
    static String line(String said) {
        return said.length() + " " + said.hashCode();
    }

    /** kind's work (or, for {@code -k - 1}, that of the initialiser of kind k), or what it threw */
    private static String call(CountDownLatch go, boolean interrupt, int kind) {
        try {
            go.await();
            if (interrupt) {
                Thread.currentThread().interrupt();
            }
            String s = switch (kind) {
                case -3 -> FirstCallsAtOnceWorker.InInitialiser.Compiled.SAID;
                case -5 -> FirstCallsAtOnceWorker.InInitialiser.Paused.SAID;
                case -7 -> FirstCallsAtOnceWorker.InInitialiser.Assembled.SAID;
                default -> FirstCallsAtOnceWorker.work(kind, FirstCallsAtOnceWorker.programs);
            };
            if (interrupt && !Thread.currentThread().isInterrupted()) {
                return "lost its interrupt status";
            }
            return s;
        } catch (Throwable e) {
            return "threw " + e;
        }
    }
}
