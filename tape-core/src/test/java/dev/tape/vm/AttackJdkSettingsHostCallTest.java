package dev.tape.vm;

import dev.tape.jfr.TapeEvents;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which recordings record {@code dev.tape.HostCall} and so turn the interpreter's quick word host
 * call off. The event is opt-in ({@code @Enabled(false)} on {@code HostCallEvent}, since the
 * twenty-first round of issue 14; attack-m20 had found it on by its annotations, so that the JDK's
 * {@code default} and {@code profile} settings and plain {@code -XX:StartFlightRecording} recorded
 * every host call and paid {@code Calls.host} for each): a recording whose settings do not name it
 * records none and keeps the quick path; one that turns it on records every call, none of them
 * quick; one that turns it off, as before, records none.
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

    /**
     * Runs main(5) of {@link QuickHostCallTest#loop} (five calls of {@code t.id}).
     *
     * @return for each call, whether it was made from {@link WordCalls#quick}
     */
    private static List<Boolean> fiveCalls() throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> {
            seen.add(inQuick());
            return a;
        }));
        assertEquals(List.of(Value.i64(10)), vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
        return seen;
    }

    @Test
    void onlyARecordingThatTurnsItOnRecordsHostCalls(@TempDir Path dir) throws Exception {
        int files = 0;
        for (String settings : new String[] {"default", "profile", "none"}) {
            for (String mode : new String[] {"as is", "off", "on"}) {
                try (Recording r = settings.equals("none") ? new Recording()
                        : new Recording(Configuration.getConfiguration(settings))) {
                    if (mode.equals("off")) {
                        r.disable("dev.tape.HostCall");
                    } else if (mode.equals("on")) {
                        r.enable("dev.tape.HostCall");
                    }
                    r.start();
                    boolean on = mode.equals("on");
                    assertEquals(on, TapeEvents.hostCallsRecorded(), settings + " " + mode);
                    List<Boolean> seen = fiveCalls();
                    String what = settings + " settings, dev.tape.HostCall " + mode;
                    assertEquals(List.of(!on, !on, !on, !on, !on), seen, "quick calls under " + what);
                    assertEquals(on ? 5 : 0, events(r, dir.resolve("s" + files++ + ".jfr")), what);
                }
            }
        }
    }

    /**
     * The command line, in a fresh JVM: plain {@code -XX:StartFlightRecording} (the JDK's
     * {@code default} settings) records no host call and keeps the quick path; with
     * {@code +dev.tape.HostCall#enabled=true} it records each.
     */
    @Test
    void theCommandLinesRecordingTurnsItOnOnlyWhenAsked(@TempDir Path dir) throws Exception {
        assertEquals("wanted=false quick=[true, true, true, true, true] events=0",
                child(dir, "filename=" + dir.resolve("a.jfr")));
        assertEquals("wanted=true quick=[false, false, false, false, false] events=5",
                child(dir, "filename=" + dir.resolve("b.jfr") + ",+dev.tape.HostCall#enabled=true"));
    }

    /** @return what {@link Child} prints in a JVM started with {@code -XX:StartFlightRecording:options} */
    private static String child(Path dir, String options) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:StartFlightRecording:" + options, "-Xlog:jfr*=off", "-cp", System.getProperty("java.class.path"),
                Child.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.split("\\R");
        return lines[lines.length - 1];
    }

    /** The child: five calls under the command line's recording, then that recording's events. */
    static final class Child {
        private Child() {}

        /**
         * @param args none
         * @throws Exception when the run or the reading of the recording fails
         */
        public static void main(String[] args) throws Exception {
            Recording r = FlightRecorder.getFlightRecorder().getRecordings().get(0);
            boolean wanted = TapeEvents.hostCallsRecorded();
            List<Boolean> seen = fiveCalls();
            r.stop(); // writes the recording to its file, the command line's filename
            long events = RecordingFile.readAllEvents(r.getDestination()).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                    .filter(e -> e.getString("symbol").equals("t.id")).count();
            System.out.println("wanted=" + wanted + " quick=" + seen + " events=" + events);
        }
    }
}
