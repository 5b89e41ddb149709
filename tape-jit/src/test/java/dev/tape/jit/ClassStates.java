package dev.tape.jit;

import java.lang.reflect.Method;

/**
 * Tells whether a class is initialised without initialising it, for the tests of what the warm-up
 * and the first uses initialise: the JVM's own {@code jdk.internal.misc.Unsafe.shouldBeInitialized}
 * (JDK 17 and 25 have it; {@code sun.misc.Unsafe}'s is gone from JDK 22 on). Tape-jit's surefire
 * configuration exports its package to the tests.
 */
public final class ClassStates {
    private ClassStates() {}

    /**
     * Whether {@code c}'s static initialiser has not run yet (nor started).
     *
     * @param c a loaded class
     * @return true while the class is not initialised, false once it is (or is being)
     * @throws Exception when the JVM's {@code Unsafe} cannot be reached (its package not exported)
     */
    public static boolean uninitialised(Class<?> c) throws Exception {
        Class<?> u = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = u.getMethod("getUnsafe").invoke(null);
        Method should = u.getMethod("shouldBeInitialized", Class.class);
        return (boolean) should.invoke(unsafe, c);
    }
}
