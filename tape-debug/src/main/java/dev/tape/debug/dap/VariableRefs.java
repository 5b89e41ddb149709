package dev.tape.debug.dap;

import dev.tape.debug.DebugException;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code variablesReference} numbers {@code scopes} gives, one per frame asked for, valid (as
 * the protocol says) only while the program stays paused where they were given: {@link #clear()}
 * at every move ends them all, and a reference given before is then refused with an error that
 * says so, rather than showing the frame that has its number after the move. Numbers are not given
 * twice (until 2<sup>31</sup> - 1 of them have been given: then they start again at 1, skipping
 * those still valid). Used on the debugger's thread only.
 *
 * <p>Memory: one entry per frame asked for since the last move, so at most the call depth.
 */
final class VariableRefs {
    /** frame level by reference, for the references of this stop */
    private final Map<Integer, Integer> frameOf = new HashMap<>();
    /** reference by frame level, for this stop */
    private final Map<Integer, Integer> refOf = new HashMap<>();
    /** the last reference given, 0 before the first */
    private int last;
    /** whether the numbers have started again at 1 */
    private boolean wrapped;

    /** No reference given yet: the first is 1. */
    VariableRefs() {
        this(0);
    }

    /** @param last the reference taken as the last given (for tests of the numbers starting again) */
    VariableRefs(int last) {
        this.last = last;
    }

    /**
     * @param frame a frame level of the paused run, 0 for the innermost
     * @return its reference for this stop: the same for the same frame until {@link #clear()}
     */
    int of(int frame) {
        Integer r = refOf.get(frame);
        if (r != null) {
            return r;
        }
        do {
            if (last == Integer.MAX_VALUE) {
                last = 1;
                wrapped = true;
            } else {
                last++;
            }
        } while (frameOf.containsKey(last));
        frameOf.put(last, frame);
        refOf.put(frame, last);
        return last;
    }

    /** The program moves: every reference given so far ends. */
    void clear() {
        frameOf.clear();
        refOf.clear();
    }

    /**
     * @param reference a reference the client sent
     * @return the frame level it was given for
     * @throws DebugException when it was not given in this stop: given before a move, or never,
     *     named as the client sent it
     */
    int frame(int reference) throws DebugException {
        Integer f = frameOf.get(reference);
        if (f != null) {
            return f;
        }
        if (reference > 0 && (reference <= last || wrapped)) {
            throw new DebugException("the variables reference " + reference + " is from an earlier stop of the program"
                    + " (a reference lasts only while the program stays paused where it was given): ask scopes for a"
                    + " new one");
        }
        throw new DebugException("no variables reference " + reference + " (scopes gives one for each frame)");
    }
}
