package dev.tape.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LazyFactory} creates what picocli's default factory creates, and {@link TapeCli#mustExit}
 * lets {@code main} return only for code 0 with no other non-daemon thread alive.
 */
class LazyFactoryTest {
    /** A command object with no public constructor, as picocli's factory makes them. */
    static final class Hidden {
        private Hidden() {}
    }

    /** A class whose constructor fails. */
    static final class Failing {
        Failing() {
            throw new IllegalStateException("no");
        }
    }

    @Test
    void createsWhatPicocliCreates() throws Exception {
        LazyFactory lazy = new LazyFactory();
        CommandLine.IFactory picocli = CommandLine.defaultFactory();
        for (Class<?> c : new Class<?>[] {List.class, Collection.class, Set.class, SortedSet.class, ArrayList.class,
            Hidden.class, StringBuilder.class}) {
            Object a = lazy.create(c);
            Object b = picocli.create(c);
            assertEquals(b.getClass(), a.getClass(), c.getName());
        }
        assertEquals(ArrayList.class, lazy.create(List.class).getClass());
        assertEquals(TreeSet.class, lazy.create(SortedSet.class).getClass());
        assertEquals(LinkedHashSet.class, lazy.create(Set.class).getClass());
        assertNotSame(lazy.create(List.class), lazy.create(List.class));
        assertTrue(lazy.create(List.class).isEmpty());
        Exception mine = assertThrows(Exception.class, () -> lazy.create(Failing.class));
        Exception theirs = assertThrows(Exception.class, () -> picocli.create(Failing.class));
        assertEquals(theirs.getClass(), mine.getClass());
        assertThrows(Exception.class, () -> lazy.create(Runnable.class));
    }

    @Test
    void repeatedArgsStillCollectInOrder() {
        RunCommand run = new RunCommand();
        CommandLine cl = new CommandLine(RunSpec.of(run), new LazyFactory());
        cl.parseArgs("f.tasm", "--arg", "i64:1", "--arg", "i64:2");
        assertEquals(List.of("i64:1", "i64:2"), cl.getParseResult().matchedOptionValue("--arg", List.of()));
    }

    @Test
    void mainExitsForEveryCodeButZero() {
        for (int code = 1; code <= 4; code++) {
            assertTrue(TapeCli.mustExit(code), "code " + code);
        }
    }

    @Test
    void mainReturnsOnlyWhenNoOtherThreadWouldKeepTheJvm() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            started.countDown();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lazy-factory-test-worker");
        worker.setDaemon(false);
        worker.start();
        started.await();
        try {
            assertTrue(TapeCli.mustExit(0), "a non-daemon thread is alive");
        } finally {
            stop.countDown();
            worker.join();
        }
        Thread daemon = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lazy-factory-test-daemon");
        daemon.setDaemon(true);
        daemon.start();
        try {
            // (Surefire's and JUnit's own threads may be alive: only what they are decides)
            boolean others = false;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                others |= t != Thread.currentThread() && !t.isDaemon() && t.isAlive();
            }
            assertEquals(others, TapeCli.mustExit(0));
        } finally {
            daemon.interrupt();
            daemon.join();
        }
        assertFalse(worker.isAlive());
    }
}
