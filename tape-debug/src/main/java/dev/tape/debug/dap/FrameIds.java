package dev.tape.debug.dap;

import dev.tape.debug.DebugException;

/**
 * The frame ids {@code stackTrace} gives, valid (as the protocol says) only while the program stays
 * paused where they were given: the frame at level {@code L} (0 for the innermost) has id
 * {@code base + L + 1}. The first id a stop gives reserves the ids of all its frames, and when the
 * program moves, {@code base} passes them ({@link #moved()}), so an id of an earlier stop is
 * refused with an error that says so, rather than naming the frame that has its number after the
 * move. In a stop that gave no id yet, an id that names one of its frames ({@code 1} for the
 * innermost, before any stop gave ids) is taken for that frame, as before. When a stop's whole
 * stack would not fit below 2<sup>31</sup> - 1 the ids start again at 1 (an id above all those
 * reserved before is still one never given). Used on the debugger's thread only.
 *
 * <p>Memory: three fields, whatever the depth.
 */
final class FrameIds {
    /** the ids of this stop are above this */
    private int base;
    /** the ids this stop reserved: its depth once it gave one, else 0 */
    private int reserved;
    /** the largest id reserved before the ids last started again at 1; 0 while they never have */
    private int earlier;

    /** No id given yet: the innermost frame's is 1. */
    FrameIds() {
        this(0);
    }

    /** @param base the ids of the first stop are above this (for tests of the ids starting again) */
    FrameIds(int base) {
        this.base = base;
    }

    /**
     * @param level a frame level of the paused run, 0 for the innermost, below {@code depth}
     * @param depth the paused run's number of frames
     * @return the frame's id for this stop: the same for the same frame until {@link #moved()}
     */
    int of(int level, int depth) {
        if (reserved == 0) {
            if ((long) base + depth > Integer.MAX_VALUE) {
                earlier = Math.max(earlier, base);
                base = 0;
            }
            reserved = depth;
        }
        return base + level + 1;
    }

    /** The program moves, or another is launched: every id this stop reserved ends. */
    void moved() {
        base += reserved;
        reserved = 0;
    }

    /**
     * @param id a frame id the client sent
     * @param depth the paused run's number of frames
     * @return the frame level it names in this stop
     * @throws DebugException when it names no frame of this stop: reserved by an earlier stop
     *     (also before the ids started again), or never, named as the client sent it
     */
    int frame(int id, int depth) throws DebugException {
        long level = (long) id - base - 1;
        if (level >= 0 && level < depth) {
            return (int) level;
        }
        if (id > 0 && (id <= base || id <= earlier)) {
            throw new DebugException("the frame id " + id + " is from an earlier stop of the program (a frame id lasts"
                    + " only while the program stays paused where it was given): ask stackTrace for new ones");
        }
        throw new DebugException("no frame " + id + " (stackTrace gives each frame's id)");
    }
}
