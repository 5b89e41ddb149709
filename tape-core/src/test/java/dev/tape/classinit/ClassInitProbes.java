package dev.tape.classinit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classes with static initialisers for {@code ClassInitThreadTest}: each one's initialiser records
 * the thread it ran on under its letter, in {@link #INIT}, which the test reads without touching
 * the class itself.
 */
final class ClassInitProbes {
    private ClassInitProbes() {}

    /** the letter of each probe initialised so far, and the thread its initialiser ran on */
    static final Map<String, Thread> INIT = new ConcurrentHashMap<>();

    /** the binary names of the probes, in letter order */
    static final String[] NAMES = {name("A"), name("B"), name("C"), name("D"), name("E"), name("F"), name("G"),
        name("H"), name("I"), name("J")};

    private static String name(String letter) {
        return ClassInitProbes.class.getName() + "$" + letter;
    }

    /**
     * a value the caller of {@code ClassInitThreadTest} sets on its own thread, which a thread it
     * creates inherits unless told not to
     */
    static final InheritableThreadLocal<Object> INHERITED = new InheritableThreadLocal<>();

    /**
     * what {@link Inherits}' initialiser saw on its thread: {@link #INHERITED}'s value ({@code "value"})
     * and the thread's context class loader ({@code "loader"}); absent for null
     */
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    /** Records the current thread as letter's initialiser's. */
    static void record(String letter) {
        INIT.put(letter, Thread.currentThread());
    }

    static final class A { static { record("A"); } }
    static final class B { static { record("B"); } }
    static final class C { static { record("C"); } }
    static final class D { static { record("D"); } }
    static final class E { static { record("E"); } }
    static final class F { static { record("F"); } }
    static final class G { static { record("G"); } }
    static final class H { static { record("H"); } }
    static final class I { static { record("I"); } }
    static final class J { static { record("J"); } }

    /** records what its thread inherited, in {@link #SEEN} */
    static final class Inherits {
        static {
            record("Inherits");
            Object v = INHERITED.get();
            if (v != null) {
                SEEN.put("value", v);
            }
            ClassLoader l = Thread.currentThread().getContextClassLoader();
            if (l != null) {
                SEEN.put("loader", l);
            }
        }
    }
}
