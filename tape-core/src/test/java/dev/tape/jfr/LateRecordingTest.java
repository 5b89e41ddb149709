package dev.tape.jfr;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TapeEvents} makes no event before a recording exists (so a run that no one records sets
 * up none of JFR), and records as usual once a recording starts later in the same JVM: checked in
 * a fresh JVM, where nothing else has started a recording.
 */
class LateRecordingTest {
    @Test
    void noJfrBeforeARecordingAndEventsAfterIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("classes.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), dir.resolve("rec.jfr").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        assertEquals("before: initialized=false runs=2 traps=1; after: runs=2 traps=1", out);
        List<String> lines = Files.readAllLines(log);
        int firstEvent = -1;
        int marker = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (firstEvent < 0 && (l.contains(" jdk.jfr.Event ") || l.contains(" dev.tape.jfr.RunEvent "))) {
                firstEvent = i;
            }
            if (marker < 0 && l.contains(" " + Main.Marker.class.getName() + " ")) {
                marker = i;
            }
        }
        assertTrue(marker > 0, "the marker class is loaded between the two halves");
        assertFalse(firstEvent >= 0 && firstEvent < marker, "an event class was loaded before the recording: "
                + (firstEvent >= 0 ? lines.get(firstEvent) : ""));
    }

    /** The child: two runs (one traps) unrecorded, then the same two runs recorded. */
    static final class Main {
        private Main() {}

        /** Loaded when the unrecorded half is over. */
        static final class Marker {
            private Marker() {}

            static void touch() {}
        }

        public static void main(String[] args) throws Exception {
            Vm vm = new Vm(Verifier.verify(Assembler.assemble(JfrEventsTest.SOURCE, "jfr.tasm")), new HostRegistry()
                    .register("env.twice", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                            a -> new Value[] {Value.i64(2 * ((Value.I64) a[0]).value())}));
            String before = "runs=" + runs(vm) + " traps=1";
            boolean initialized = FlightRecorder.isInitialized();
            Marker.touch();
            Path file = Path.of(args[0]);
            try (Recording r = new Recording()) {
                r.enable(RunEvent.class).withThreshold(Duration.ZERO);
                r.enable(TrapEvent.class);
                r.start();
                runs(vm);
                r.stop();
                r.dump(file);
            }
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            long runs = events.stream().filter(e -> e.getEventType().getName().equals("dev.tape.Run")).count();
            long traps = events.stream().filter(e -> e.getEventType().getName().equals("dev.tape.Trap")).count();
            System.out.println("before: initialized=" + initialized + " " + before + "; after: runs=" + runs
                    + " traps=" + traps);
        }

        /** Runs {@code ok(3)} and {@code main(5)}, which traps; returns how many ran. */
        private static int runs(Vm vm) {
            try {
                vm.run(1, List.of(Value.i64(3)), Limits.DEFAULT);
                vm.run(0, List.of(Value.i64(5)), Limits.DEFAULT);
                throw new AssertionError("main(5) returned");
            } catch (Trap t) {
                return 2;
            }
        }
    }
}
