package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Moving backward from checkpoints: every view the debugger gives after a backward move (frames,
 * every register, fuel, host calls) is the one it gave at that position going forward, across
 * checkpoint boundaries, with the host asked each call once.
 */
class CheckpointTest {
    /**
     * main(n): n iterations of a call to mix (which leaves a string in a register no later
     * instruction reads) and, every 16th, a host call charging 2 fuel. About 18 instructions an
     * iteration.
     */
    static final String LOOP = String.join("\n",
            "program loop",
            "host charge = \"test.charge\" (u64) -> ()",
            "func main(n: i64) -> (i64) {",
            "    const.i64 r2, 0",
            "    const.i64 r3, 0",
            "    const.i64 r4, 1",
            "    const.i64 r5, 15",
            "    const.u64 r9, 2",
            "    jmp loop",
            "loop:",
            "    i64.lt r6, r2, r1",
            "    br r6, body, done",
            "body:",
            "    call r0, mix, r0, [r2, r3] -> [r3]",
            "    i64.and r7, r2, r5",
            "    const.i64 r8, 0",
            "    i64.eq r10, r7, r8",
            "    br r10, charge, next",
            "charge:",
            "    host_call r0, charge, r0, [r9] -> []",
            "    jmp next",
            "next:",
            "    i64.add r2, r2, r4",
            "    jmp loop",
            "done:",
            "    ret r0, [r3]",
            "}",
            "func mix(i: i64, acc: i64) -> (i64) {",
            "    const.i64 r3, 3",
            "    i64.mul r4, r1, r3",
            "    i64.add r4, r4, r2",
            "    const.pool r5, str:\"tmp\"",
            "    str.len r6, r5",
            "    u64.to_i64 r7, r6",
            "    i64.add r4, r4, r7",
            "    ret r0, [r4]",
            "}",
            "");

    private static Session session(AtomicInteger calls, long n) throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(LOOP, "loop.tasm");
        Host counting = TestTargets.countingConformanceHost(calls);
        return new Session(new Target(Verifier.verify(a.program()), "loop.tasm", LOOP, a.lines(), 0,
                List.of(Value.i64(n)), Limits.DEFAULT, counting));
    }

    /** What the debugger shows at the position: every frame with every register, fuel and counters. */
    static String view(Session s) throws DebugException {
        StringBuilder b = new StringBuilder("at " + s.instructions() + " fuel " + Long.toUnsignedString(s.fuelRemaining())
                + " host " + s.hostCalls() + " " + s.state());
        for (int f = 0; f < s.depth(); f++) {
            b.append("\n#").append(f).append(' ').append(s.place(s.frameFunc(f), s.framePc(f)));
            for (Session.Register r : s.registers(f)) {
                b.append(' ').append(Session.regName(r)).append('=').append(Session.valueText(r.value()));
            }
        }
        return b.toString();
    }

    /** The views at every position of a run forward, start to end. */
    private static List<String> forward(Session s) throws DebugException {
        List<String> views = new ArrayList<>();
        s.start();
        views.add(view(s));
        while (s.paused()) {
            s.step(1);
            views.add(view(s));
        }
        return views;
    }

    @Test
    void reverseStepsAndContinuesShowWhatForwardShowed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Session s = session(calls, 1200);
        List<String> views = forward(s);
        long end = views.size() - 1;
        assertEquals(Debuggee.State.DONE, s.state());
        assertEquals(75, calls.get(), "one call every 16 iterations");
        assertTrue(end > 5 * Checkpoints.FIRST_INTERVAL, "several checkpoints: " + end);
        assertEquals(end / Checkpoints.FIRST_INTERVAL, s.checkpoints().size());
        // back one instruction at a time over the end
        for (int k = 1; k <= 60; k++) {
            assertEquals(Session.Reason.STEP, s.reverseStep().reason());
            assertEquals(views.get((int) (end - k)), view(s), "reverse-step " + k);
        }
        // back over each checkpoint from 30 instructions past it (inside mix, too): the registers
        // a copy restores, stale ones of earlier frames included, are those forward showed
        for (long c = Checkpoints.FIRST_INTERVAL; c + 30 < end; c += Checkpoints.FIRST_INTERVAL) {
            s.start();
            s.step(c + 30);
            for (int k = 1; k <= 40; k++) {
                s.reverseStep();
                assertEquals(views.get((int) (c + 30 - k)), view(s), "checkpoint " + c + ", reverse-step " + k);
            }
        }
        s.start();
        s.step(end - 60);
        // back from host call to host call, over every checkpoint, to the start
        s.breakAtLine(20);
        long last = s.instructions();
        int stops = 0;
        Session.Stop stop;
        while ((stop = s.reverseContinue()).reason() == Session.Reason.BREAKPOINT) {
            assertTrue(s.instructions() < last, "moved back");
            last = s.instructions();
            assertEquals(views.get((int) last), view(s), "reverse-continue " + stops);
            assertTrue(view(s).contains("#0 main pc"), view(s));
            stops++;
        }
        assertEquals(Session.Reason.HISTORY_START, stop.reason());
        assertEquals(75, stops, "every host call, the last first");
        assertEquals(views.get(0), view(s));
        // and forward again to the end: the same end, and the host was never asked again
        s.deleteAll();
        assertEquals(Session.Reason.RETURNED, s.cont().reason());
        assertEquals(end, s.instructions());
        assertEquals(views.get((int) end), view(s));
        assertEquals(75, calls.get());
    }

    /** Backward to each change of a watched register: the changes forward found, in reverse order. */
    @Test
    void reverseContinueFindsTheWatchpointsChangesBackward() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Session s = session(calls, 400);
        s.start();
        s.watch("r3");
        List<Long> changes = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Session.Stop stop;
        while ((stop = s.cont()).reason() == Session.Reason.WATCH) {
            changes.add(s.instructions());
            seen.add(view(s));
        }
        assertEquals(Session.Reason.RETURNED, stop.reason());
        assertEquals(400, changes.size(), "acc changes every iteration");
        for (int k = changes.size() - 1; k >= changes.size() - 120; k--) {
            Session.Stop back = s.reverseContinue();
            assertEquals(Session.Reason.WATCH, back.reason(), "change " + k);
            assertEquals(changes.get(k), s.instructions(), "change " + k);
            assertEquals(seen.get(k), view(s));
        }
        assertEquals(25, calls.get());
    }

    /**
     * A run of over 64 intervals: the checkpoints thin to at most 64, the interval doubles, and a
     * reverse step from the end shows what a fresh session stepped forward to that position shows.
     */
    @Test
    void aLongRunKeepsAtMost64Checkpoints() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Session s = session(calls, 16_000);
        s.start();
        assertEquals(Session.Reason.RETURNED, s.cont().reason());
        long end = s.instructions();
        assertTrue(end > 64 * Checkpoints.FIRST_INTERVAL, "long enough: " + end);
        Checkpoints c = s.checkpoints();
        assertTrue(c.size() <= Checkpoints.MAX_CHECKPOINTS && c.size() >= Checkpoints.MAX_CHECKPOINTS / 2,
                "kept " + c.size());
        assertEquals(2 * Checkpoints.FIRST_INTERVAL, c.interval());
        assertEquals(end / c.interval(), c.size());
        assertEquals(Session.Reason.STEP, s.reverseStep().reason());
        assertEquals(1000, calls.get());
        AtomicInteger fresh = new AtomicInteger();
        Session t = session(fresh, 16_000);
        t.start();
        t.step(end - 1);
        assertEquals(view(t), view(s));
    }
}
