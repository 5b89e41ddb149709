package dev.tape.vm;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The Jazzer fuzz target of snapshot restoring, set up like {@code dev.tape.fuzz.TapeFuzzTest}: in
 * a normal build it runs in regression mode, once on the empty input and once on every file under
 * {@code src/test/resources/dev/tape/vm/SnapshotFuzzTestInputs/restore/} (genuine snapshots of
 * {@link SnapshotPrograms#KINDS} at several pause points, written by {@link SnapshotMain}). To fuzz
 * it for a set time:
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl tape-core -Dtest=SnapshotFuzzTest#restore -Djazzer.max_duration=10m \
 *     -DargLine=-Xmx1g -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class SnapshotFuzzTest {
    /** Bytes into the restorer: a SnapshotException, or a state that runs and round-trips (see {@link SnapshotChecks}). */
    @FuzzTest(maxDuration = "30s")
    void restore(byte[] data) {
        SnapshotChecks.restore(data);
    }
}
