package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An {@code OutOfMemoryError} anywhere on a snapshot's write or read path, before the writer's or
 * the reader's own handler: loading a class the path uses first (a heap full at the first write or
 * restore a JVM makes; here a class loader that throws it once, as {@link RunEntryTest}), or
 * making the write's table of ids ({@code new SnapshotIds()}), the reader, or the restored
 * {@link Run}. Each must leave as the documented {@link SnapshotException} ("the JVM ran out of
 * memory ..."), never as an error to the embedder; the next write or restore, in the same
 * context, works.
 */
class SnapshotMemoryTest {
    /** tape-core's classes and this test's, over the platform's, with one class failing to load once */
    private static final class FailingOnce extends URLClassLoader {
        private final String failing;
        private boolean failed;

        FailingOnce(String failing) {
            super(new URL[] {Vm.class.getProtectionDomain().getCodeSource().getLocation(),
                SnapshotMemoryProbe.class.getProtectionDomain().getCodeSource().getLocation()},
                    ClassLoader.getPlatformClassLoader());
            this.failing = failing;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(failing) && !failed) {
                failed = true;
                throw new OutOfMemoryError("no heap to load " + name + " (the test's)");
            }
            return super.loadClass(name, resolve);
        }
    }

    private static String call(ClassLoader l, String method, String... args) throws Exception {
        Class<?> probe = Class.forName(SnapshotMemoryProbe.class.getName(), true, l);
        if (args.length == 0) {
            return (String) probe.getMethod(method).invoke(null);
        }
        return (String) probe.getMethod(method, String.class).invoke(null, (Object) args[0]);
    }

    /** The write's table of ids is made inside the writer's handler: before, its error left {@link Run#snapshot()}. */
    @ParameterizedTest
    @CsvSource({"dev.tape.vm.SnapshotIds", "dev.tape.vm.Snapshots$Writer"})
    void anErrorMakingTheWriteIsASnapshotException(String failing) throws Exception {
        String snapshot = SnapshotMemoryProbe.write();
        try (FailingOnce l = new FailingOnce(failing)) {
            assertEquals("snapshot error: the JVM ran out of memory writing the snapshot", call(l, "write"));
            assertEquals(snapshot, call(l, "write"));
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
            try (FailingOnce l = new FailingOnce(failing)) {
                assertEquals("snapshot error at byte " + offset + ": the JVM ran out of memory restoring the snapshot",
                        call(l, method, snapshot), method);
                assertEquals(whole, call(l, method, snapshot), method);
            }
        }
    }
}
