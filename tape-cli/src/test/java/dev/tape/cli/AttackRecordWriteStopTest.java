package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tape run --record} whose stdout fails to be written still writes the whole recording:
 * the recording is the run's product, in a file that did not fail, so the run goes on to its end
 * (as before the twenty-third round) and exits 2 with the one line. Before the fix a failed write
 * interrupted the run (the interpreter right after the host call that wrote, about 1,860 calls
 * here; compiled code up to {@link dev.tape.vm.Run#COMPILED_CHUNK} fuel later), and the recording
 * was finished as if the run had ended there: {@code tape replay} of it reported a divergence
 * ("the recording ends after 1861 calls"), and what was recorded depended on the tier
 * (attack-c23). Child JVMs ({@link ChildJvm}).
 */
class AttackRecordWriteStopTest {
    @TempDir
    Path tmp;

    /** Fails before the fix on the interpreter: the replay diverged at call 1,862. */
    @Test
    void aRecordingIsWholeThoughStdoutFailed() throws Exception {
        File full = new File("/dev/full");
        assertTrue(full.exists(), "the test needs Linux's /dev/full");
        Files.writeString(tmp.resolve("many.tasm"), ChildJvm.MANY);
        for (String tier : new String[] {"interp", "jit"}) {
            Path rec = tmp.resolve(tier + ".rec");
            ChildJvm.Result run = ChildJvm.in(tmp).stdout(full).tape("run", "many.tasm", "--arg", "i64:5000",
                    "--record", rec.toString(), "--tier", tier);
            assertEquals(2, run.status(), tier + ": " + run.err());
            assertEquals(WriteErrorsStopTest.FULL, run.err(), tier);
            ChildJvm.Result replay = ChildJvm.in(tmp).tape("replay", rec.toString(), "many.tasm", "--tier", tier);
            assertEquals(0, replay.status(), tier + ": " + replay.err());
            assertEquals(5001, replay.out().lines().count(), tier);
            assertTrue(replay.out().endsWith("4999\ni64:5000\n"), tier);
        }
        assertEquals(Files.size(tmp.resolve("interp.rec")), Files.size(tmp.resolve("jit.rec")));
    }
}
