package dev.tape.host;

import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An in-memory RecordingHost: runs again from the start get the recorded answers, the host is asked once per call. */
class InMemoryRecordingTest {
    /** Counts the calls that reach a host. */
    private static Host counting(Host h, int[] count) {
        return (symbol, hash, args, rets) -> {
            HostFunction fn = h.resolve(symbol, hash, args, rets);
            return fn == null ? null : (in, out, ctx) -> {
                count[0]++;
                fn.call(in, out, ctx);
            };
        };
    }

    @Test
    void aRewoundRunRepeatsTheFirstWithoutTheHost() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        RecordReplayTest.Outcome live = RecordReplayTest.run(p, RecordReplayTest.liveHost(new long[] {1}, -1), 5);
        int[] count = {0};
        RecordingHost memory = new RecordingHost(counting(RecordReplayTest.liveHost(new long[] {1}, -1), count));
        assertEquals(live, RecordReplayTest.run(p, memory, 5));
        assertEquals(5, count[0]);
        assertEquals(5, memory.callsRecorded());
        // the live host would now answer differently (its state moved on); the recording answers as before
        memory.rewind();
        assertEquals(live, RecordReplayTest.run(p, memory, 5), "same results and fuel, host charges included");
        assertEquals(5, count[0], "no call reached the host");
        // a longer run: the first 5 calls from memory, the next 2 from the host
        memory.rewind();
        RecordReplayTest.Outcome longer = RecordReplayTest.run(p, memory, 7);
        assertEquals(7, count[0]);
        assertEquals(7, memory.callsRecorded());
        assertEquals(RecordReplayTest.run(p, RecordReplayTest.liveHost(new long[] {1}, -1), 7), longer);
    }

    @Test
    void aFailureIsAnsweredAgainWithTheSameTrap() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        int[] count = {0};
        RecordingHost memory = new RecordingHost(counting(RecordReplayTest.liveHost(new long[] {1}, 2), count));
        RecordReplayTest.Outcome first = RecordReplayTest.run(p, memory, 5);
        assertEquals("host_call_failed IllegalStateException: the database is down", first.trap());
        memory.rewind();
        assertEquals(first, RecordReplayTest.run(p, memory, 5));
        assertEquals(3, count[0]);
    }

    /**
     * A copy of a run taken after 2 host calls ({@link dev.tape.vm.Run#fork()}) goes on with the
     * answers calls 3 to 5 got once the recording is rewound to call 2: the same results and fuel
     * as the run itself, and no call reaches the host again.
     */
    @Test
    void aCopyTakenMidRunReplaysTheCallsAfterItsOwn() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        int[] count = {0};
        RecordingHost memory = new RecordingHost(counting(RecordReplayTest.liveHost(new long[] {1}, -1), count));
        dev.tape.vm.Vm vm = new dev.tape.vm.Vm(p, memory);
        dev.tape.vm.Run run = vm.start(0, java.util.List.of(dev.tape.value.Value.i64(5)), dev.tape.vm.Limits.DEFAULT);
        while (run.hostCallsMade() < 2) {
            run.step(1);
        }
        dev.tape.vm.Run checkpoint = run.fork();
        dev.tape.vm.Outcome end = run.resume();
        assertEquals(5, count[0]);
        assertEquals(RecordReplayTest.run(p, RecordReplayTest.liveHost(new long[] {1}, -1), 5).results(),
                ((dev.tape.vm.Outcome.Done) end).values());
        memory.rewind(2);
        dev.tape.vm.Run again = checkpoint.fork();
        assertEquals(end, again.resume());
        assertEquals(run.fuelRemaining(), again.fuelRemaining(), "host charges replayed too");
        assertEquals(5, count[0], "no call reached the host");
        assertThrows(IllegalArgumentException.class, () -> memory.rewind(6));
        assertThrows(IllegalArgumentException.class, () -> memory.rewind(-1));
        RecordingHost file = new RecordingHost(Host.NONE, p.hash(), new ByteArrayOutputStream());
        assertThrows(IllegalStateException.class, () -> file.rewind(0));
    }

    @Test
    void onlyAnInMemoryRecordingRewindsAndOnlyAStreamOneFinishes() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        RecordingHost file = new RecordingHost(Host.NONE, p.hash(), new ByteArrayOutputStream());
        assertThrows(IllegalStateException.class, file::rewind);
        RecordingHost memory = new RecordingHost(Host.NONE);
        assertThrows(IllegalStateException.class, memory::finish);
        assertThrows(IllegalArgumentException.class, () -> new RecordingHost(null));
    }
}
