package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.value.Value;
import dev.tape.vm.SnapshotException;
import dev.tape.vm.Trap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoint table's bounds: count, register budget, interval, and copies that fail. */
class CheckpointsTest {
    /** A paused debuggee of a given footprint whose copies are itself, or fail. */
    private static final class Stub implements Debuggee {
        final long footprint;
        final boolean failCopy;
        int copies;

        Stub(long footprint, boolean failCopy) {
            this.footprint = footprint;
            this.failCopy = failCopy;
        }

        @Override
        public Debuggee fork() {
            if (failCopy) {
                throw new SnapshotException(-1, "the JVM ran out of memory copying the run");
            }
            copies++;
            return this;
        }

        @Override
        public long footprint() {
            return footprint;
        }

        @Override
        public State step(long n) {
            throw new UnsupportedOperationException();
        }

        @Override
        public State state() {
            return State.PAUSED;
        }

        @Override
        public int depth() {
            return 1;
        }

        @Override
        public int func(int frame) {
            return 0;
        }

        @Override
        public int pc(int frame) {
            return 0;
        }

        @Override
        public Value register(int frame, int reg) {
            return null;
        }

        @Override
        public long fuelRemaining() {
            return 0;
        }

        @Override
        public long hostCalls() {
            return 0;
        }

        @Override
        public List<Value> results() {
            return List.of();
        }

        @Override
        public Trap trap() {
            return null;
        }
    }

    @Test
    void onlyPositionsOnTheIntervalAreKept() {
        Checkpoints c = new Checkpoints();
        Stub run = new Stub(10, false);
        for (long p = 0; p <= 3 * Checkpoints.FIRST_INTERVAL + 5; p++) {
            c.offer(p, run);
        }
        assertEquals(3, c.size());
        assertEquals(3, run.copies);
        assertNull(c.atOrBefore(Checkpoints.FIRST_INTERVAL - 1), "the start is not kept");
        assertEquals(2 * Checkpoints.FIRST_INTERVAL, c.atOrBefore(3 * Checkpoints.FIRST_INTERVAL - 1).getKey());
        assertSame(run, c.atOrBefore(3 * Checkpoints.FIRST_INTERVAL).getValue());
        assertEquals(List.of(0L, Checkpoints.FIRST_INTERVAL, 2 * Checkpoints.FIRST_INTERVAL),
                c.startsBefore(3 * Checkpoints.FIRST_INTERVAL));
        c.offer(Checkpoints.FIRST_INTERVAL, run);
        assertEquals(3, run.copies, "a position kept is not copied again");
    }

    @Test
    void theCountStaysAtMost64AsTheIntervalDoubles() {
        Checkpoints c = new Checkpoints();
        Stub run = new Stub(1, false);
        for (long k = 1; k <= 1000; k++) {
            c.offer(k * Checkpoints.FIRST_INTERVAL, run);
            assertTrue(c.size() <= Checkpoints.MAX_CHECKPOINTS, "after " + k);
        }
        // 1000 intervals of 4,096: the interval is 16 times the first, 62 checkpoints
        assertEquals(16 * Checkpoints.FIRST_INTERVAL, c.interval());
        assertEquals(1000 / 16, c.size());
        for (long p : c.startsBefore(Long.MAX_VALUE)) {
            assertEquals(0, p % c.interval(), "kept on the interval: " + p);
        }
    }

    @Test
    void theRegisterBudgetBoundsTheCopies() {
        Checkpoints c = new Checkpoints();
        Stub quarter = new Stub(Checkpoints.MAX_REGISTERS / 4, false);
        for (long k = 1; k <= 40; k++) {
            c.offer(k * Checkpoints.FIRST_INTERVAL, quarter);
            assertTrue(c.size() <= 4, "after " + k + ": " + c.size());
        }
        assertTrue(c.size() >= 2, "kept " + c.size());
        Checkpoints none = new Checkpoints();
        Stub huge = new Stub(Checkpoints.MAX_REGISTERS + 1, false);
        none.offer(Checkpoints.FIRST_INTERVAL, huge);
        assertEquals(0, none.size(), "a run over the budget alone is not copied");
        assertEquals(0, huge.copies);
    }

    @Test
    void aCopyThatFailsIsSkipped() {
        Checkpoints c = new Checkpoints();
        c.offer(Checkpoints.FIRST_INTERVAL, new Stub(1, true));
        assertEquals(0, c.size());
        Stub ok = new Stub(1, false);
        c.offer(2 * Checkpoints.FIRST_INTERVAL, ok);
        assertEquals(1, c.size());
    }
}
