package dev.tape.vm;

import dev.tape.jfr.HostCallEvent;
import dev.tape.jfr.RunEvent;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The interpreter's quick host call ({@link WordCalls#quick}) under JFR: a run takes it while no
 * recording wants {@code dev.tape.HostCall} events (here a recording that turns it off; one that
 * does not name it leaves it off too, {@code AttackJdkSettingsHostCallTest}), and does not while one
 * does, which then gets every call's event
 * ({@link ExecutionContext#hostCallsWanted}, looked at when the run starts).
 */
class QuickHostCallRecordingTest {
    /** Whether {@link WordCalls#quick} is on the calling thread's stack. */
    private static boolean inQuick() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(WordCalls.class.getName()) && f.getMethodName().equals("quick")));
    }

    /** @return the {@code dev.tape.HostCall} events of {@code symbol} in the dumped recording */
    private static long events(Recording r, Path file, String symbol) throws Exception {
        r.stop();
        r.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                .filter(e -> e.getString("symbol").equals(symbol)).count();
    }

    @Test
    void aRecordingWithHostCallsOffKeepsTheQuickPath(@TempDir Path dir) throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> {
            seen.add(inQuick());
            return a;
        }));
        try (Recording r = new Recording()) {
            r.enable(RunEvent.class).withThreshold(Duration.ZERO);
            r.disable(HostCallEvent.class);
            r.start();
            ExecutionContext c = new ExecutionContext();
            assertEquals(List.of(Value.i64(10)), vm.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
            assertEquals(List.of(true, true, true, true, true), seen);
            assertEquals(5, c.hostCallsMade());
            assertEquals(0, events(r, dir.resolve("off.jfr"), "t.id"));
        }
    }

    @Test
    void aRecordingWithHostCallsOnGetsEveryCallOffTheQuickPath(@TempDir Path dir) throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> {
            seen.add(inQuick());
            return a;
        }));
        try (Recording r = new Recording()) {
            r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            r.start();
            ExecutionContext c = new ExecutionContext();
            assertEquals(List.of(Value.i64(10)), vm.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
            assertEquals(List.of(false, false, false, false, false), seen);
            assertEquals(5, events(r, dir.resolve("on.jfr"), "t.id"));
        }
        // once the recording is closed, the next run is quick again
        seen.clear();
        assertEquals(List.of(Value.i64(10)), vm.run(0, List.of(Value.i64(5)), Limits.DEFAULT));
        assertEquals(List.of(true, true, true, true, true), seen);
    }
}
