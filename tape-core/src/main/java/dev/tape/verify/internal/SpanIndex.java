package dev.tape.verify.internal;

import dev.tape.program.SpanEntry;

import java.util.List;

/**
 * A function's span table (spec section "Span table encoding (compact)") indexed for lookup by
 * byte pc: the pc at which each entry starts, in increasing order, and its span id, in two flat
 * arrays searched by bisection. Built once at verification (the verifier charges each function its
 * span entries against the analysis budget, and builds one index per distinct table, so rows that
 * share a table share its index): a lookup then costs O(log entries) however many frames or
 * trace events ask, never a scan of the table. 12 bytes per entry. Immutable.
 */
public final class SpanIndex {
    /** The index of an empty table: no pc has a span. */
    public static final SpanIndex EMPTY = new SpanIndex(new int[0], new long[0]);

    /** the byte pc where each entry takes effect, strictly increasing */
    private final int[] starts;
    /** the span id of each entry (unsigned 64-bit, never 0) */
    private final long[] ids;

    private SpanIndex(int[] starts, long[] ids) {
        this.starts = starts;
        this.ids = ids;
    }

    /**
     * Builds the index of a span table.
     *
     * @param spans a span table whose deltas the verifier has checked: the first may be 0, the
     *     others are not, and their sum stays within the function's bytecode (so within an int)
     * @return its index
     */
    public static SpanIndex of(List<SpanEntry> spans) {
        int n = spans.size();
        if (n == 0) {
            return EMPTY;
        }
        int[] starts = new int[n];
        long[] ids = new long[n];
        long at = 0;
        for (int i = 0; i < n; i++) {
            SpanEntry e = spans.get(i);
            at += e.pcDelta();
            starts[i] = (int) at;
            ids[i] = e.spanId();
        }
        return new SpanIndex(starts, ids);
    }

    /**
     * Finds the span id in force at a pc.
     *
     * @param pc a byte offset in the function
     * @return the id of the last entry that starts at or before {@code pc} (unsigned 64-bit), or
     *     0 when none does (span ids are never 0)
     */
    public long at(int pc) {
        int lo = 0;
        int hi = starts.length - 1;
        long found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= pc) {
                found = ids[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
