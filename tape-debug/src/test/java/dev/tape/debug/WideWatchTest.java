package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.Host;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A watchpoint on a function of 65,535 registers: reading a frame's registers costs O(its
 * registers and code), so the debugger reads them only after an instruction that may have changed
 * the watched one (one that writes it, or a call or return), not after every instruction.
 */
class WideWatchTest {
    /**
     * {@code wide(n)}: r2 counts down from n by 1, calling {@code one()} for each step, while r3,
     * written once, never changes; 65,535 registers. {@code one} returns 1 into r4.
     */
    private static Session session(long n) throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        int wide = pb.declareFunction(List.of(ValueType.I64), List.of(ValueType.I64));
        int one = pb.declareFunction(List.of(), List.of(ValueType.I64));
        pb.functionName(wide, "wide");
        pb.functionName(one, "one");
        FunctionBuilder f = pb.function(wide);
        FunctionBuilder.Label loop = f.newLabel();
        FunctionBuilder.Label body = f.newLabel();
        FunctionBuilder.Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 7).constI64(5, 0).jmp(loop);
        f.place(loop).i64Lt(6, 5, 1).br(6, body, done);
        f.place(body);
        for (int i = 0; i < 20; i++) {
            f.i64Add(2, 2, 3);
        }
        f.call(0, one, 0, new int[0], new int[] {4}).i64Add(5, 5, 4).jmp(loop);
        f.place(done).ret(0, 2);
        f.regCount(65_535);
        pb.function(one).constI64(1, 1).ret(0, 1);
        return new Session(new Target(Verifier.verify(pb.build()), "wide", null, null, 0, List.of(Value.i64(n)),
                Limits.DEFAULT, Host.NONE));
    }

    @Test
    void aWatchOnAWideFrameReadsItOnlyWhenItMayHaveChanged() throws Exception {
        Session s = session(500);
        s.start();
        s.step(2);
        Breakpoint w = s.watch("r3");
        assertEquals(Value.i64(7), w.last);
        long before = RunDebuggee.FRAME_READS.get();
        Session.Stop stop = s.cont();
        assertEquals(Session.Reason.RETURNED, stop.reason(), "r3 never changes");
        assertEquals(List.of(Value.i64(500 * 20 * 7)), s.results());
        long reads = RunDebuggee.FRAME_READS.get() - before;
        // about 13,000 instructions; the depth changes twice per iteration (the call and its return)
        assertTrue(s.instructions() > 12_000, s.instructions() + " instructions");
        assertTrue(reads <= 2 * 500 + 10, reads + " frame reads for " + s.instructions() + " instructions");
    }

    @Test
    void aWatchStillStopsAtEachChangeForwardAndBackward() throws Exception {
        Session s = session(3);
        s.start();
        s.step(1);
        s.watch("r2");
        long[] at = new long[4];
        for (int k = 1; k <= 3; k++) {
            Session.Stop stop = s.cont();
            assertEquals(Session.Reason.WATCH, stop.reason());
            assertEquals(Value.i64(7L * (k - 1)), stop.oldValue());
            assertEquals(Value.i64(7L * k), stop.newValue());
            at[k] = s.instructions();
        }
        // back from the third change to the second, then the first
        for (int k = 2; k >= 1; k--) {
            Session.Stop back = s.reverseContinue();
            assertEquals(Session.Reason.WATCH, back.reason(), "change " + k);
            assertEquals(at[k], s.instructions());
            assertEquals(Value.i64(7L * k), s.register(0, "r2").value());
        }
    }
}
