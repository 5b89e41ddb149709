package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jfr.HostCallEvent;
import dev.tape.jit.Jit;
import dev.tape.verify.VerifiedProgram;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on mend20's per-stretch look ({@link ExecutionContext#hostCallsWanted}): recordings
 * stopped and started from inside a run's host functions, mid-stretch, while a recording wanted
 * {@code dev.tape.HostCall} at the run's start. Each word call then asks JFR itself, so every
 * recording gets exactly the calls of its own time, the same on both tiers, with the same fields
 * (symbol, signature hash, failed); and a recording that starts wanting the events mid-run does get
 * that run's later calls, since another one wanted them at the look (the docs said a one-shot run
 * had none of them recorded, which holds only when no recording wanted them at its start).
 */
class AttackHostCallRecordingSwapTest {
    /** @return "symbol sigHash failed" of each dev.tape.HostCall event of the stopped recording, counted */
    private static Map<String, Integer> events(Recording r, Path file) throws Exception {
        if (r.getState() == jdk.jfr.RecordingState.RUNNING) {
            r.stop();
        }
        r.dump(file);
        Map<String, Integer> out = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("dev.tape.HostCall")) {
                String key = e.getString("symbol") + " " + Long.toHexString(e.getLong("sigHash")) + " "
                        + e.getBoolean("failed");
                out.merge(key, 1, Integer::sum);
            }
        }
        return out;
    }

    private static Recording hostCalls() {
        Recording r = new Recording();
        r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
        r.start();
        return r;
    }

    @Test
    void recordingsSwappedMidRunGetTheSameCallsOnBothTiers(@TempDir Path dir) throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(JitWordHostBlockTest.LATE));
        Recording[] rec = new Recording[3];
        HostRegistry h = new HostRegistry().registerWords("w.f", JitWordHostBlockTest.SIG1, a -> {
            if (a == 30) {
                throw new IllegalStateException("w.f refuses 30");
            }
            return a + 1;
        }).registerWords("w.t", JitWordHostBlockTest.SIG1, a -> {
            if (a == 10) {
                rec[0].stop();
                rec[1] = hostCalls();
            } else if (a == 20) {
                rec[1].stop();
            } else if (a == 25) {
                rec[2] = hostCalls();
            }
            return 0;
        });
        Vm[] tiers = {new Vm(vp, h), Jit.compile(vp, h)};
        assertEquals(1, Jit.precompile(tiers[1]));
        List<List<Map<String, Integer>>> seen = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        int files = 0;
        for (Vm vm : tiers) {
            rec[0] = hostCalls();
            try {
                outcomes.add("done " + vm.run(0, JitWordHostBlockTest.args(40, 0), Limits.DEFAULT));
            } catch (Trap t) {
                outcomes.add(t.kind() + " " + t.pc());
            }
            List<Map<String, Integer>> got = new ArrayList<>();
            for (Recording r : rec) {
                try (r) {
                    got.add(events(r, dir.resolve("s" + files++ + ".jfr")));
                }
            }
            seen.add(got);
        }
        assertTrue(outcomes.get(0).startsWith("HOST_CALL_FAILED"), outcomes.get(0));
        assertEquals(outcomes.get(0), outcomes.get(1), "the trap");
        assertEquals(seen.get(0), seen.get(1), "each recording's events, interpreter then compiled");
        List<Map<String, Integer>> got = seen.get(0);
        // the first recording: w.t(0..9) and w.f(0..9) (w.t(10) ends after it stopped)
        assertEquals(List.of(10, 10), List.copyOf(got.get(0).values()), got.get(0).toString());
        // the one started mid-run (a one-shot Vm.run), after the run's look: the calls of its time, w.f(30)'s failure last
        assertTrue(got.get(2).keySet().stream().anyMatch(k -> k.startsWith("w.f") && k.endsWith("true")),
                got.get(2).toString());
        assertTrue(got.get(1).values().stream().mapToInt(Integer::intValue).sum() >= 18, got.get(1).toString());
    }
}
