package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URL;
import java.net.URLClassLoader;

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
    /** tape-core's classes and the probe's, over the platform's, with one class failing to load {@code times} times */
    private static final class Failing extends URLClassLoader {
        private final String failing;
        private int left;

        Failing(String failing, int times) {
            super(new URL[] {Vm.class.getProtectionDomain().getCodeSource().getLocation(),
                SnapshotMemoryProbe.class.getProtectionDomain().getCodeSource().getLocation()},
                    ClassLoader.getPlatformClassLoader());
            this.failing = failing;
            this.left = times;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (name.equals(failing) && left > 0 && findLoadedClass(name) == null) {
                    left--;
                    throw new OutOfMemoryError("no heap to load " + name + " (the test's)");
                }
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

    /**
     * Each of {@code times + 1} calls in one loader either fails as documented (a message ending with {@code oom}) or gives the
     * snapshot (or outcome) a run in the test's own loader gives; the last one, with no failure
     * left, gives it.
     */
    private static void check(String failing, int times, String method, String arg, String ok, String oom)
            throws Exception {
        try (Failing l = new Failing(failing, times)) {
            String got = null;
            for (int k = 0; k <= times; k++) {
                got = arg == null ? call(l, method) : call(l, method, arg);
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
