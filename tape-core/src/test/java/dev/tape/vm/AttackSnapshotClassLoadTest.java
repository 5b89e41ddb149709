package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A class of a snapshot's write or restore failing to load with an {@code OutOfMemoryError} the
 * first {@code times} times it is asked for, whichever thread asks: the first ask is usually the
 * class initialiser's thread ({@code ClassInit}), which skips a class it cannot load, so the second
 * is where the path first uses it. {@link SnapshotMemoryTest} fails each class once, which that
 * thread absorbs for the classes it loads ahead; here {@link Snapshots} failing twice made the
 * error leave {@link Run#snapshot()} (its call was outside the write's handler), where it must be
 * the documented {@link SnapshotException}; the next write in the same loader works.
 */
class AttackSnapshotClassLoadTest {
    /**
     * Each of {@code times + 1} calls in one loader either fails as documented (a message ending with {@code oom}) or gives the
     * snapshot (or outcome) a run in the test's own loader gives; the last one, with no failure
     * left, gives it.
     */
    private static void check(String failing, int times, String method, String arg, String ok, String oom)
            throws Exception {
        try (FailingLoader l = new FailingLoader(failing, times)) {
            String got = null;
            for (int k = 0; k <= times; k++) {
                got = arg == null ? l.call(SnapshotMemoryProbe.class, method)
                        : l.call(SnapshotMemoryProbe.class, method, arg);
                if (!got.endsWith(oom)) {
                    assertEquals(ok, got, method + " call " + k);
                }
            }
            assertEquals(ok, got, method);
        }
    }

    @ParameterizedTest
    @CsvSource({"dev.tape.vm.Snapshots, 1", "dev.tape.vm.Snapshots, 2", "dev.tape.vm.Snapshots, 3",
        "dev.tape.vm.Snapshots$1, 2", "dev.tape.vm.Snapshots$Writer, 2", "dev.tape.vm.SnapshotIds, 2"})
    void aWriteWhoseClassFailsToLoadFailsAsDocumented(String failing, int times) throws Exception {
        check(failing, times, "write", null, SnapshotMemoryProbe.write(),
                "snapshot error: the JVM ran out of memory writing the snapshot");
    }

    @ParameterizedTest
    @CsvSource({"dev.tape.vm.Snapshots, 2", "dev.tape.vm.Snapshots, 3", "dev.tape.vm.SnapshotReader, 2",
        "dev.tape.vm.SnapshotReader, 3", "dev.tape.vm.SnapshotReader$1, 2", "dev.tape.vm.RunStretches, 2"})
    void aRestoreWhoseClassFailsToLoadFailsAsDocumented(String failing, int times) throws Exception {
        String snapshot = SnapshotMemoryProbe.write();
        for (String method : new String[] {"restore", "restoreFresh"}) {
            check(failing, times, method, snapshot, SnapshotMemoryProbe.whole(),
                    "the JVM ran out of memory restoring the snapshot");
        }
    }
}
