package dev.tape.trace;

import dev.tape.program.Program;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A sink's default mask is the groups whose methods it overrides, nothing more. */
class TraceMaskDefaultTest {
    @Test
    void theDefaultMaskFollowsWhatTheSinkOverrides() {
        assertEquals(TraceMask.NONE, new TraceSink() {}.mask());
        assertEquals(TraceMask.RUN, new TraceSink() {
            @Override
            public void runEnd(Program program, boolean trapped, long fuelUsed) {}
        }.mask());
        assertEquals(TraceMask.INSTR, new TraceSink() {
            @Override
            public void instr(int func, int pc, long span, int opcode) {}
        }.mask());
        assertEquals(TraceMask.CALL | TraceMask.HOST, new TraceSink() {
            @Override
            public void callExit(int func, int depth) {}

            @Override
            public void hostEnter(int hostSig, String symbol, int func, int pc) {}
        }.mask());
        assertEquals(TraceMask.ALL, new AllSink().mask());
        // a subclass inherits what its superclass overrides
        assertEquals(TraceMask.ALL, new AllSink() {}.mask());
        // an explicit mask wins
        assertEquals(TraceMask.RUN, new AllSink() {
            @Override
            public int mask() {
                return TraceMask.RUN;
            }
        }.mask());
    }

    static class AllSink implements TraceSink {
        @Override
        public void runStart(Program program, int entry, int argCount) {}

        @Override
        public void instr(int func, int pc, long span, int opcode) {}

        @Override
        public void callEnter(int func, int depth) {}

        @Override
        public void hostExit(int hostSig, String symbol) {}
    }
}
