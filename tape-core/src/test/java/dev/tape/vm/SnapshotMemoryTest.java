package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An {@code OutOfMemoryError} anywhere on a snapshot's write or read path, before the writer's or
 * the reader's own handler: loading a class the path uses first (a heap full at the first write or
 * restore a JVM makes; here a {@link FailingLoader} that throws it once, as in {@link RunEntryTest}), or
 * making the write's table of ids ({@code new SnapshotIds()}), the reader, or the restored
 * {@link Run}. Each must leave as the documented {@link SnapshotException} ("the JVM ran out of
 * memory ..."), never as an error to the embedder; the next write or restore, in the same
 * context, works.
 */
class SnapshotMemoryTest {
    /** The write's table of ids is made inside the writer's handler: before, its error left {@link Run#snapshot()}. */
    @ParameterizedTest
    @CsvSource({"dev.tape.vm.SnapshotIds", "dev.tape.vm.Snapshots$Writer"})
    void anErrorMakingTheWriteIsASnapshotException(String failing) throws Exception {
        String snapshot = SnapshotMemoryProbe.write();
        try (FailingLoader l = FailingLoader.once(failing)) {
            assertEquals("snapshot error: the JVM ran out of memory writing the snapshot", l.call(SnapshotMemoryProbe.class, "write"));
            assertEquals(snapshot, l.call(SnapshotMemoryProbe.class, "write"));
        }
    }

    /**
     * The reader and the restored run are made inside the restore's handler: before, the error of
     * the reader's class or of the run's left {@link Vm#restore}; the context is left empty and a
     * restore into it works.
     */
    @ParameterizedTest
    @CsvSource({"dev.tape.vm.SnapshotReader, 0", "dev.tape.vm.RunStretches, -1"})
    void anErrorMakingTheRestoreIsASnapshotException(String failing, int at) throws Exception {
        String snapshot = SnapshotMemoryProbe.write();
        String whole = SnapshotMemoryProbe.whole();
        assertEquals(whole, SnapshotMemoryProbe.restore(snapshot));
        int offset = at < 0 ? snapshot.length() / 2 : at;
        for (String method : new String[] {"restore", "restoreFresh"}) {
            try (FailingLoader l = FailingLoader.once(failing)) {
                assertEquals("snapshot error at byte " + offset + ": the JVM ran out of memory restoring the snapshot",
                        l.call(SnapshotMemoryProbe.class, method, snapshot), method);
                assertEquals(whole, l.call(SnapshotMemoryProbe.class, method, snapshot), method);
            }
        }
    }
}
