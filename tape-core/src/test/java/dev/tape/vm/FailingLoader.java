package dev.tape.vm;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * A test class loader over the platform's with tape-core's classes and its tests' (one code source
 * each, whichever probe the test loads through it), in which one class fails to load with an
 * {@code OutOfMemoryError} the first {@code times} times it is asked for, whichever thread asks:
 * a heap full at the first use of that class, as a JVM may meet it. After that, and for every other
 * class, it loads as a {@link URLClassLoader} does. Used by {@link RunEntryTest},
 * {@link DecimalRunEntryTest}, {@link SnapshotMemoryTest} and {@link AttackSnapshotClassLoadTest}.
 */
final class FailingLoader extends URLClassLoader {
    private final String failing;
    private int left;

    /**
     * A loader in which {@code failing} fails {@code times} times.
     *
     * @param failing the binary name of the class that fails to load (e.g. {@code dev.tape.vm.Snapshots$Writer})
     * @param times how many asks for it throw before it loads, at least 1
     */
    FailingLoader(String failing, int times) {
        super(new URL[] {Vm.class.getProtectionDomain().getCodeSource().getLocation(),
            FailingLoader.class.getProtectionDomain().getCodeSource().getLocation()},
                ClassLoader.getPlatformClassLoader());
        if (times < 1) {
            throw new IllegalArgumentException("times " + times);
        }
        this.failing = failing;
        this.left = times;
    }

    /**
     * A loader in which {@code failing} fails once.
     *
     * @param failing the binary name of the class that fails to load once
     * @return the loader; the caller closes it
     */
    static FailingLoader once(String failing) {
        return new FailingLoader(failing, 1);
    }

    /**
     * Calls a public static method of this loader's own copy of {@code probe} (initialised, so that
     * the classes it uses come from this loader) and returns what it returns, as text.
     *
     * @param probe a test class (in the test's code source) whose methods return text
     * @param method the name of a public static method of {@code probe}, the only one of that name
     *     with {@code args.length} parameters
     * @param args its arguments (boxed)
     * @return what it returns
     * @throws Exception if there is no such method or it throws (the probes catch every throwable)
     */
    String call(Class<?> probe, String method, Object... args) throws Exception {
        Class<?> copy = Class.forName(probe.getName(), true, this);
        for (java.lang.reflect.Method m : copy.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                return (String) m.invoke(null, args);
            }
        }
        throw new NoSuchMethodException(probe.getName() + "." + method + " of " + args.length + " parameters");
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
