package dev.tape.debug;

import dev.tape.vm.SnapshotException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Periodic copies of a debugged run ({@link Debuggee#fork()}), by position (instructions run), so
 * that moving backward replays at most one interval of instructions instead of the whole run from
 * its start.
 *
 * <p>A checkpoint is taken at each position that is a multiple of the interval, first
 * {@link #FIRST_INTERVAL} instructions. At most {@link #MAX_CHECKPOINTS} are kept, copying at most
 * {@link #MAX_REGISTERS} registers in all (16 bytes each, 64 MiB): when one more would not fit, the
 * interval doubles and the checkpoints off the new interval are dropped, so a run of {@code n}
 * instructions keeps checkpoints every {@code n / 32} to {@code n / 64} instructions or closer, and
 * a backward move replays at most that many. A run whose registers alone are over the budget gets
 * no checkpoints (it is replayed from its start, as it would have been without them); a copy the
 * JVM has no memory for is skipped the same way.
 *
 * <p>A run's states depend only on the target (program, entry, arguments, limits and the recorded
 * host answers), never on breakpoints, so checkpoints stay valid for the whole session, across
 * restarts of the program.
 */
final class Checkpoints {
    /** The first interval, in instructions: 4,096. */
    static final long FIRST_INTERVAL = 1 << 12;
    /** The most checkpoints kept: 64. */
    static final int MAX_CHECKPOINTS = 64;
    /** The most registers all checkpoints together copy: 4 Mi (64 MiB). */
    static final long MAX_REGISTERS = 1L << 22;

    private final TreeMap<Long, Debuggee> byPosition = new TreeMap<>();
    private final TreeMap<Long, Long> cost = new TreeMap<>();
    private long interval = FIRST_INTERVAL;
    private long registers;

    /**
     * Takes a checkpoint of a paused run when its position is on the interval and none is kept there.
     *
     * @param position the run's position, in instructions run
     * @param run the run, paused there (it is copied, not kept)
     */
    void offer(long position, Debuggee run) {
        if (position <= 0 || position % interval != 0 || byPosition.containsKey(position)
                || run.state() != Debuggee.State.PAUSED) {
            return;
        }
        long need = run.footprint();
        if (need > MAX_REGISTERS) {
            return;
        }
        while (byPosition.size() >= MAX_CHECKPOINTS || registers + need > MAX_REGISTERS) {
            thin();
            if (position % interval != 0) {
                return;
            }
        }
        Debuggee copy;
        try {
            copy = run.fork();
        } catch (SnapshotException e) {
            return;
        }
        byPosition.put(position, copy);
        cost.put(position, need);
        registers += need;
    }

    /** Doubles the interval and drops the checkpoints off it. */
    private void thin() {
        interval *= 2;
        Iterator<Map.Entry<Long, Long>> it = cost.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getKey() % interval != 0) {
                registers -= e.getValue();
                byPosition.remove(e.getKey());
                it.remove();
            }
        }
    }

    /**
     * @param position a position, 0 or more
     * @return the checkpoint at the greatest position at or before it, or {@code null} for none
     *     (the run's start is not kept: a fresh start is as cheap)
     */
    Map.Entry<Long, Debuggee> atOrBefore(long position) {
        return byPosition.floorEntry(position);
    }

    /**
     * @param position a position
     * @return 0 and the positions of the checkpoints before it, ascending: where backward scans
     *     start
     */
    List<Long> startsBefore(long position) {
        List<Long> out = new ArrayList<>();
        out.add(0L);
        out.addAll(byPosition.headMap(position, false).keySet());
        return out;
    }

    /** @return checkpoints kept (for tests) */
    int size() {
        return byPosition.size();
    }

    /** @return the interval now, in instructions (for tests) */
    long interval() {
        return interval;
    }
}
