package dev.tape.bench;

import dev.tape.trace.TraceSink;

/** A trace sink that counts the events of one mask: the cheapest sink that still does something. */
public final class CountingSink implements TraceSink {
    private final int mask;
    /** Events seen (instructions, frame enters and exits). */
    public long events;

    /** @param mask the {@link dev.tape.trace.TraceMask} bits wanted */
    public CountingSink(int mask) {
        this.mask = mask;
    }

    @Override
    public int mask() {
        return mask;
    }

    @Override
    public void instr(int func, int pc, long span, int opcode) {
        events++;
    }

    @Override
    public void callEnter(int func, int depth) {
        events++;
    }

    @Override
    public void callExit(int func, int depth) {
        events++;
    }
}
