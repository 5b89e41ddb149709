package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jfr.HostCallEvent;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM's first recording, started by a word host function of a {@link Run} that is going:
 * the run's later word host calls are recorded alike on both tiers (by the run's looks at the
 * Flight Recorder, at its start and at each resume, which come at the same points on both tiers),
 * not from wherever each tier's driver happens to poll between its stretches (every
 * {@link Run#CHUNK} instructions interpreted, every {@link Run#COMPILED_CHUNK} fuel units
 * compiled). Checked in a fresh JVM per tier, as nothing may have started the Flight Recorder
 * before.
 */
class WordHostFirstRecordingTest {
    /** Iterations of {@link JitWordHostBlockTest#LATE}'s loop: some 7 fuel each, several stretches of either tier. */
    static final int TURNS = 120_000;

    @Test
    void theFirstRecordingStartedInAHostFunctionRecordsTheSameWordCallsOnBothTiers(@TempDir Path dir)
            throws Exception {
        String interpreted = child("interp", dir.resolve("i.jfr"));
        String compiled = child("jit", dir.resolve("c.jfr"));
        // the one-resume run: none of its word calls after the start (it looked before); the run
        // paused on fuel and resumed: each of its later calls
        assertEquals(interpreted, compiled, "interpreted, then compiled");
        assertEquals("initialized=false one-resume=0 resumed-unrecorded=0", interpreted);
    }

    private static String child(String tier, Path file) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), tier, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The child: a run whose host function starts the JVM's first recording, on one tier. */
    static final class Child {
        private Child() {}

        static Recording recording;

        public static void main(String[] args) throws Exception {
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(JitWordHostBlockTest.LATE));
            long[] trigger = {-1};
            HostRegistry h = new HostRegistry().registerWords("w.f", JitWordHostBlockTest.SIG1, a -> a + 1)
                    .registerWords("w.t", JitWordHostBlockTest.SIG1, a -> {
                        if (a == trigger[0]) {
                            recording = new Recording();
                            recording.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
                            recording.start();
                        }
                        return 0;
                    });
            Vm vm = args[0].equals("jit") ? Jit.compile(vp, h) : new Vm(vp, h);
            if (args[0].equals("jit") && Jit.precompile(vm) != 1) {
                throw new AssertionError("not compiled");
            }
            boolean initialized = FlightRecorder.isInitialized();
            long sum = (long) TURNS * (TURNS + 1) / 2;
            // one resume that runs the whole loop; w.t(10) starts the JVM's first recording
            trigger[0] = 10;
            Run one = vm.start(0, JitWordHostBlockTest.args(TURNS, 10), Limits.DEFAULT);
            check(one.resume(), sum);
            long first = wf(Path.of(args[1] + ".1"));
            // a run paused on fuel has its calls after the resume recorded
            trigger[0] = -1;
            Run two = vm.start(0, JitWordHostBlockTest.args(TURNS, -1), Limits.DEFAULT.withFuel(200));
            if (!(two.resume() instanceof Outcome.Paused)) {
                throw new AssertionError("not paused");
            }
            long made = two.hostCallsMade();
            recording = new Recording();
            recording.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            recording.start();
            two.addFuel(Limits.DEFAULT.fuel());
            check(two.resume(), sum);
            long second = wf(Path.of(args[1] + ".2"));
            // w.f calls after the resume: the turns not begun before it, and the one between w.t and w.f
            System.out.println("initialized=" + initialized + " one-resume=" + first + " resumed-unrecorded="
                    + (TURNS - made / 2 - second));
        }

        private static void check(Outcome o, long sum) {
            if (!(o instanceof Outcome.Done d) || !d.values().equals(List.of(Value.i64(sum)))) {
                throw new AssertionError(o.toString());
            }
        }

        /** @return the w.f events of {@link #recording}, which it stops and closes */
        private static long wf(Path file) throws Exception {
            try (Recording r = recording) {
                r.stop();
                r.dump(file);
            }
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.tape.HostCall"))
                    .filter(e -> e.getString("symbol").equals("w.f")).count();
        }
    }
}
