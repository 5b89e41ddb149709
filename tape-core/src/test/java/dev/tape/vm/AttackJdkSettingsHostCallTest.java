package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attack on mend20's quick host call under JFR: which recordings keep it. The docs said a recording
 * that leaves {@code dev.tape.HostCall} off is "a profile of the JDK's own events"; but
 * {@code dev.tape.HostCall} is enabled by its annotations (threshold 0 ns), and a settings file
 * that does not name it (the JDK's {@code default} and {@code profile}, what
 * {@code -XX:StartFlightRecording} uses) keeps those defaults: such a recording wants every host
 * call's event, so the quick path is off and each call is recorded. Only a recording that turns
 * {@code dev.tape.HostCall} off (as {@code JfrBench}'s {@code jdk} recording does) keeps it.
 */
class AttackJdkSettingsHostCallTest {
    /** Whether {@link WordCalls#quick} is on the calling thread's stack. */
    private static boolean inQuick() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(WordCalls.class.getName()) && f.getMethodName().equals("quick")));
    }

    /** @return the {@code dev.tape.HostCall} events of {@code t.id} in the stopped and dumped recording */
    private static long events(Recording r, Path file) throws Exception {
        r.stop();
        r.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                .filter(e -> e.getString("symbol").equals("t.id")).count();
    }

    @Test
    void theJdksOwnSettingsRecordEveryHostCallAndTurningItOffKeepsTheQuickPath(@TempDir Path dir) throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> {
            seen.add(inQuick());
            return a;
        }));
        int files = 0;
        for (String settings : new String[] {"default", "profile"}) {
            for (boolean hostCallsOff : new boolean[] {false, true}) {
                seen.clear();
                try (Recording r = new Recording(Configuration.getConfiguration(settings))) {
                    if (hostCallsOff) {
                        r.disable("dev.tape.HostCall");
                    }
                    r.start();
                    ExecutionContext c = new ExecutionContext();
                    assertEquals(List.of(Value.i64(10)), vm.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
                    String what = settings + (hostCallsOff ? " with dev.tape.HostCall off" : "");
                    assertEquals(List.of(hostCallsOff, hostCallsOff, hostCallsOff, hostCallsOff, hostCallsOff), seen,
                            "quick calls under " + what);
                    assertEquals(hostCallsOff ? 0 : 5, events(r, dir.resolve("s" + files++ + ".jfr")), what);
                }
            }
        }
    }
}
