package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack on mend25's sink rule (twenty-fifth round, attack-m25): {@code TraceSink}'s javadoc says a
 * sink whose {@code runEnd} throws leaves the run's outcome as it was, and a {@link Run} keeps its
 * {@code Done}; {@link Vm#run} must too, on both tiers, whatever {@code runEnd} throws (an exception,
 * an {@code Error}, {@code OutOfMemoryError}, {@code StackOverflowError}), telling {@code runEnd}
 * once; a {@code ThreadDeath} from it is thrown on with the run's JFR event {@code ok}. And when a
 * run traps and {@code runEnd} then throws {@code ThreadDeath}, the run's JFR event names the trap
 * (not {@code ok}) and a Trap event is written.
 */
class AttackRunEndTest {
    @Test
    @SuppressWarnings("removal")
    void aThrowingRunEndLeavesVmRunsResultAndIsToldOnce() {
        List<String> wrong = new ArrayList<>();
        Vm[] tiers = ThrowingSink.tiers(ThrowingSink.SOURCE);
        List<Supplier<Throwable>> errors = List.of(() -> new IllegalStateException("sink"),
                () -> new AssertionError("sink"), () -> new OutOfMemoryError("sink"),
                () -> new StackOverflowError("sink"), ThreadDeath::new);
        int checked = 0;
        for (Vm vm : tiers) {
            for (int mask : new int[] {TraceMask.RUN, TraceMask.ALL}) {
                for (Supplier<Throwable> e : errors) {
                    String where = (vm == tiers[0] ? "interpreter" : "compiled") + " mask " + mask + " "
                            + e.get().getClass().getSimpleName();
                    ExecutionContext ctx = new ExecutionContext();
                    ThrowingSink sink = ThrowingSink.at("runEnd", mask, e);
                    String got;
                    try {
                        got = "ok " + vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
                    } catch (ThreadDeath d) {
                        got = "thrown";
                    } catch (Trap t) {
                        got = "trap " + t.kind().label() + " " + t.detail();
                    } catch (Throwable t) {
                        got = "escaped " + t;
                    }
                    String want = e.get() instanceof ThreadDeath ? "thrown" : "ok [i64:7]";
                    if (!got.equals(want) || sink.calls("runEnd") != 1) {
                        wrong.add(where + ": " + got + ", runEnd told " + sink.calls("runEnd") + " times");
                    }
                    ThrowingSink runSink = ThrowingSink.at("runEnd", mask, e);
                    Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT, runSink);
                    int before = runSink.calls("runEnd");
                    String asRun;
                    try {
                        asRun = String.valueOf(run.resume());
                    } catch (ThreadDeath d) {
                        asRun = "thrown";
                    }
                    String wantRun = e.get() instanceof ThreadDeath ? "thrown" : "Done[values=[i64:7]]";
                    int told = runSink.calls("runEnd") - before;
                    if (!asRun.equals(wantRun) || told != 1) {
                        wrong.add(where + " Run: " + asRun + ", runEnd told " + told + " times");
                    }
                    checked++;
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(2 * 2 * 5, checked);
    }

    @Test
    @SuppressWarnings("removal")
    void aRunEndsThreadDeathAfterATrapKeepsTheTrapInTheRunEvent(@TempDir Path dir) throws Exception {
        Vm[] tiers = ThrowingSink.tiers(ThrowingSink.SOURCE);
        Path file = dir.resolve("rec.jfr");
        int[] thrown = {0};
        try (Recording r = new Recording()) {
            r.enable("dev.tape.Run").withThreshold(Duration.ZERO);
            r.enable("dev.tape.Trap");
            r.start();
            for (Vm vm : tiers) {
                // the instruction event fails (the run traps internal_error), then runEnd throws ThreadDeath
                TraceSink sink = ThrowingSink.at("instr", TraceMask.ALL, () -> new IllegalStateException("instr"))
                        .and("runEnd", ThreadDeath::new);
                try {
                    vm.run(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
                } catch (ThreadDeath d) {
                    thrown[0]++;
                } catch (Trap t) {
                    // counted below: not thrown on
                }
            }
            r.stop();
            r.dump(file);
        }
        assertEquals(2, thrown[0]);
        List<String> runs = new ArrayList<>();
        int traps = 0;
        for (RecordedEvent ev : RecordingFile.readAllEvents(file)) {
            String name = ev.getEventType().getName();
            if (name.equals("dev.tape.Run") && ev.getString("entryName").equals("main")) {
                runs.add(ev.getString("outcome"));
            } else if (name.equals("dev.tape.Trap")) {
                traps++;
            }
        }
        assertEquals(List.of("internal_error", "internal_error"), runs);
        assertEquals(2, traps);
    }
}
