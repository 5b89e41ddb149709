package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the inline caches of compiled {@code call.indirect} sites ({@link IndirectSite}) that
 * {@link JitIndirectCacheTest} leaves out: several threads driving one VM's one site through
 * different callees at once; runs paused for fuel inside a cached callee, then snapshotted and
 * restored (on the same VM, a fresh compiled VM and the interpreter) or forked; runs interrupted
 * from another thread while they loop through the cache; and a VM whose class budget is spent
 * while its site caches. Every case is checked against the interpreter or the known sums of
 * {@link JitIndirectCacheTest#POLY}.
 */
class AttackIndirectCacheTest {
    private static final int MAIN = 0;
    private static final int MAINC = 7;

    /** What {@code main(n, k, start)} computes for k up to 5, or with f5 called only at i != 1000. */
    private static long expected(long n, int k, int start) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            total += switch ((int) ((start + i) % k)) {
                case 0 -> i + 1;
                case 1 -> i + i;
                case 2 -> i - 3;
                case 3 -> i ^ 5;
                case 4 -> i * 7 + 11;
                default -> 100_000 / (i - 1000);
            };
        }
        return total;
    }

    private static VerifiedProgram poly() {
        return Tiers.verified(JitIndirectCacheTest.program());
    }

    /**
     * Four threads run one compiled VM at once, each through the same sites with its own set of
     * callees (k = 1, 2, 4 and 6, func values and closures), so the site's cache fills and gives up
     * while other threads call through it: every run gives its known sum.
     */
    @Test
    void threadsDrivingOneSiteThroughDifferentCalleesStayCorrect() throws Exception {
        // framed (no leaf inlined): the leaf callees f0 to f4 reach the site's cache on every call,
        // not only where an inlined leaf's guard fails, so that the cache fills and gives up
        Vm vm = Jit.compileFramed(poly(), Host.NONE, VmOptions.DEFAULT);
        int[] ks = {1, 2, 4, 6};
        ExecutorService pool = Executors.newFixedThreadPool(ks.length);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < ks.length; t++) {
                int k = ks[t];
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    int runs = 0;
                    for (int round = 0; round < 60; round++) {
                        // 999 iterations: f5 (k = 6) never reaches i = 1000
                        long n = round % 3 == 0 ? 999 : 1 + round;
                        int start = (thread + round) % k;
                        List<Value> got = vm.run(MAIN, JitIndirectCacheTest.args(n, k, start), Limits.DEFAULT);
                        assertEquals(List.of(Value.i64(expected(n, k, start))), got,
                                "main(" + n + ", " + k + ", " + start + ")");
                        List<Value> gotc = vm.run(MAINC, JitIndirectCacheTest.args(n, k, start), Limits.DEFAULT);
                        assertEquals(List.of(Value.i64(JitIndirectCacheTest.expectedClosures(n, k, start))), gotc,
                                "mainc(" + n + ", " + k + ", " + start + ")");
                        runs += 2;
                    }
                    return runs;
                }));
            }
            go.countDown();
            for (Future<Integer> f : done) {
                assertEquals(120, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        List<IndirectSite> sites = ((JitTier) vm.tier).indirectSites();
        assertTrue(sites.stream().anyMatch(s -> s.entries() > IndirectSite.MAX_ENTRIES),
                "six callees through main's site: it gave up, " + sites.stream().map(IndirectSite::entries).toList());
    }

    /**
     * Runs paused for want of fuel at every fuel limit of a short polymorphic run, on a VM whose
     * caches are warm: the pause happens in the caller or inside a cached callee. The compiled
     * run's snapshot is the interpreter's, byte for byte; restored on the same VM, on a fresh
     * compiled VM and on the interpreter, and forked, each copy given fuel ends with the known sum
     * and the interpreter's fuel.
     */
    @Test
    void pausedInsideCachedCalleesSnapshotRestoreAndForkAlike() {
        VerifiedProgram p = poly();
        Vm compiled = Jit.compile(p, Host.NONE);
        Vm interpreted = new Vm(p, Host.NONE);
        for (int k : new int[] {1, 3, 6}) {
            compiled.run(MAIN, JitIndirectCacheTest.args(5_000, k, 0), Limits.DEFAULT);
            compiled.run(MAINC, JitIndirectCacheTest.args(5_000, k, 0), Limits.DEFAULT);
        }
        for (int entry : new int[] {MAIN, MAINC}) {
            for (int k : new int[] {1, 3, 6}) {
                List<Value> a = JitIndirectCacheTest.args(6, k, 1);
                long want = entry == MAIN ? expected(6, k, 1) : JitIndirectCacheTest.expectedClosures(6, k, 1);
                Run whole = interpreted.start(entry, a, Limits.DEFAULT);
                assertEquals(new Outcome.Done(List.of(Value.i64(want))), whole.resume());
                long used = Limits.DEFAULT.fuel() - whole.fuelRemaining();
                for (long fuel = 1; fuel < used; fuel += 3) {
                    String what = "entry " + entry + " k " + k + " fuel " + fuel;
                    Limits l = Limits.DEFAULT.withFuel(fuel);
                    Run ri = interpreted.start(entry, a, l);
                    Run rc = compiled.start(entry, a, l);
                    Outcome oi = ri.resume();
                    Outcome oc = rc.resume();
                    assertInstanceOf(Outcome.Paused.class, oi, what);
                    assertEquals(oi, oc, what);
                    assertEquals(ri.frames(), rc.frames(), what);
                    byte[] si = ri.snapshot();
                    byte[] sc = rc.snapshot();
                    assertArrayEquals(si, sc, what + ": snapshots");
                    List<Run> copies = List.of(rc, rc.fork(), compiled.restore(sc), Jit.compile(p, Host.NONE)
                            .restore(sc), interpreted.restore(sc), ri);
                    for (int i = 0; i < copies.size(); i++) {
                        Run r = copies.get(i);
                        r.addFuel(used);
                        assertEquals(new Outcome.Done(List.of(Value.i64(want))), r.resume(), what + " copy " + i);
                    }
                    long left = copies.get(copies.size() - 1).fuelRemaining();
                    for (int i = 0; i < copies.size(); i++) {
                        assertEquals(left, copies.get(i).fuelRemaining(), what + " copy " + i + "'s fuel");
                    }
                }
            }
        }
    }

    /**
     * A long run through a megamorphic site (k = 6 but f5 never at i = 1000: start 0, 1000 rem 6 =
     * 4) interrupted from another thread pauses; resumed it ends with the known sum, and its fuel is
     * the uninterrupted run's.
     */
    @Test
    void interruptedWhileLoopingThroughTheCacheResumes() throws Exception {
        Vm vm = Jit.compile(poly(), Host.NONE);
        long n = 10_000_000;
        List<Value> a = JitIndirectCacheTest.args(n, 6, 0);
        Limits l = Limits.DEFAULT.withFuel(1L << 40);
        Run plain = vm.start(MAIN, a, l);
        assertEquals(new Outcome.Done(List.of(Value.i64(expected(n, 6, 0)))), plain.resume());
        int paused = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Run r = vm.start(MAIN, a, l);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.interrupt();
            });
            t.start();
            Outcome o = r.resume();
            t.join();
            while (o instanceof Outcome.Paused pz) {
                assertInstanceOf(PauseReason.Interrupted.class, pz.reason());
                paused++;
                o = r.resume();
            }
            assertEquals(new Outcome.Done(List.of(Value.i64(expected(n, 6, 0)))), o);
            assertEquals(plain.fuelRemaining(), r.fuelRemaining());
        }
        assertTrue(paused > 0, "ten million iterations outlast 5 ms at least once in three");
    }

    /**
     * A VM allowed two classes (main and one callee): the site caches the one callee that has a
     * method and hands the others to the interpreter, every run giving the interpreter's outcome;
     * and a VM allowed one class: main's site caches nothing.
     */
    @Test
    void classBudgetSpentWhileTheSiteCaches() {
        VerifiedProgram p = poly();
        for (int classes : new int[] {1, 2, 3}) {
            Vm vm = Tiers.compile(p, Host.NONE, new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
                    classes), JitTier.hidden());
            Vm interp = new Vm(p, Host.NONE);
            for (int k : new int[] {1, 2, 6, 3, 1}) {
                for (long n : new long[] {3, 999}) {
                    for (int entry : new int[] {MAIN, MAINC}) {
                        List<Value> a = JitIndirectCacheTest.args(n, k, 0);
                        Tiers.Outcome oi = Tiers.run(interp, null, new ExecutionContext(), entry, a, Limits.DEFAULT, null);
                        Tiers.Outcome oc = Tiers.run(vm, null, new ExecutionContext(), entry, a, Limits.DEFAULT, null);
                        Tiers.assertSame(oi, oc, () -> "classes " + classes + " k " + k + " n " + n);
                    }
                }
            }
            JitTier tier = (JitTier) vm.tier;
            assertTrue(tier.classes() <= classes, "classes " + tier.classes());
            for (IndirectSite s : tier.indirectSites()) {
                assertTrue(s.entries() <= classes - 1, "budget " + classes + ": entries "
                        + Arrays.toString(tier.indirectSites().stream().mapToInt(IndirectSite::entries).toArray()));
            }
        }
    }
}
