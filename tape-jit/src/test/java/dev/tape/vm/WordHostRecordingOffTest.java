package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jfr.HostCallEvent;
import dev.tape.jfr.RunEvent;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Word host calls while a recording runs that leaves {@code dev.tape.HostCall} off (the quick
 * paths stay on: {@link ExecutionContext#hostCallsWanted}): no events, and a recording that turns
 * them on while a run is going records the same calls on both tiers, from the run's next look
 * (its start, a resume) on ({@link JitWordHostBlockTest#LATE}'s program).
 */
class WordHostRecordingOffTest {
    /** @return the w.f events of the recording so far (a recording's dump holds every event of its time) */
    private static long wf(Recording r, Path file) throws Exception {
        r.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                .filter(e -> e.getString("symbol").equals("w.f")).count();
    }

    /** @return a recording of run events in which host-call events are off, started */
    private static Recording hostCallsOff() {
        Recording r = new Recording();
        r.enable(RunEvent.class).withThreshold(Duration.ZERO);
        r.disable(HostCallEvent.class);
        r.start();
        return r;
    }

    @Test
    void hostCallsOffThenOnRecordTheSameCallsOnBothTiers(@TempDir Path dir) throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(JitWordHostBlockTest.LATE));
        Recording[] late = new Recording[1];
        long[] trigger = {-1};
        HostRegistry h = new HostRegistry().registerWords("w.f", JitWordHostBlockTest.SIG1, a -> a + 1)
                .registerWords("w.t", JitWordHostBlockTest.SIG1, a -> {
                    if (a == trigger[0]) {
                        late[0] = new Recording();
                        late[0].enable(HostCallEvent.class).withThreshold(Duration.ZERO);
                        late[0].start();
                    }
                    return 0;
                });
        Vm[] tiers = {new Vm(vp, h), Jit.compile(vp, h)};
        assertEquals(1, Jit.precompile(tiers[1]));
        int files = 0;
        List<Value> sum = List.of(Value.i64(40 * 41 / 2));
        for (Vm vm : tiers) {
            try (Recording off = hostCallsOff()) {
                // no events while only a recording that leaves them off runs
                trigger[0] = -1;
                ExecutionContext c = new ExecutionContext();
                for (int k = 0; k < 50; k++) {
                    assertEquals(sum, vm.run(c, 0, JitWordHostBlockTest.args(40, -1), Limits.DEFAULT, null));
                }
                assertEquals(80, c.hostCallsMade());
                assertEquals(0, wf(off, dir.resolve("o" + files++ + ".jfr")), "the recording with them off, " + vm);
                // one-shot: w.t(10) starts a recording of host calls, which sees none of the run's
                trigger[0] = 10;
                assertEquals(sum, vm.run(new ExecutionContext(), 0, JitWordHostBlockTest.args(40, 10), Limits.DEFAULT,
                        null));
                try (Recording r = late[0]) {
                    assertEquals(0, wf(r, dir.resolve("a" + files++ + ".jfr")), "one-shot, " + vm);
                }
                // a Run started before and resumed after it: each call after the resume
                trigger[0] = 10;
                Run run = vm.start(0, JitWordHostBlockTest.args(40, 10), Limits.DEFAULT.withFuel(200));
                assertTrue(run.resume() instanceof Outcome.Paused);
                long made = run.hostCallsMade();
                assertTrue(made > 22 && made < 80, "paused after w.t(10), made " + made);
                run.addFuel(1_000_000);
                assertTrue(run.resume() instanceof Outcome.Done, "the run ends");
                try (Recording r = late[0]) {
                    assertEquals(40 - made / 2, wf(r, dir.resolve("b" + files++ + ".jfr")), "resumed, " + vm);
                }
            }
        }
    }
}
