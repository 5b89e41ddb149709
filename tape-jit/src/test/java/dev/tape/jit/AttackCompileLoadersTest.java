package dev.tape.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

/**
 * Attack (fifteenth round) on the compiled tier's start-up under class-loading failures: each class of
 * the compile path refused not once but twice, or every time, or with another error than an
 * {@code OutOfMemoryError} ({@code StackOverflowError}, {@code NoClassDefFoundError},
 * {@code SecurityException}): no exception reaches the embedder and every run's results are those of a
 * loader that refuses nothing.
 */
class AttackCompileLoadersTest {
    /** refuses each class of {@code refusing} on its first {@code times} requests with {@code error} */
    static final class Refusing extends URLClassLoader {
        private final Set<String> refusing;
        private final int times;
        private final Function<String, RuntimeException> runtime;
        private final Function<String, Error> error;
        final Map<String, Integer> refused = new ConcurrentHashMap<>();
        final Set<String> asked = ConcurrentHashMap.newKeySet();
        volatile boolean noting;

        Refusing(Set<String> refusing, int times, Function<String, Error> error, Function<String, RuntimeException> runtime) {
            super(new URL[] {TestLoaders.url(Jit.class), TestLoaders.url(dev.tape.vm.Vm.class),
                TestLoaders.url(ClassWriter.class)}, ClassLoader.getPlatformClassLoader());
            this.refusing = refusing;
            this.times = times;
            this.error = error;
            this.runtime = runtime;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (noting) {
                asked.add(name);
            }
            synchronized (getClassLoadingLock(name)) {
                if (refusing.contains(name)) {
                    int n = refused.merge(name, 1, Integer::sum);
                    if (n <= times) {
                        if (runtime != null) {
                            throw runtime.apply(name);
                        }
                        throw error.apply(name);
                    }
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    private static Set<String> path;
    private static String whole;

    private static synchronized void findPath() throws Exception {
        if (path != null) {
            return;
        }
        Set<String> p = new TreeSet<>();
        try (Refusing plain = new Refusing(Set.of(), 0, null, null)) {
            interpreted(plain);
            plain.noting = true;
            whole = compiled(plain);
            for (String name : plain.asked) {
                if (name.startsWith("dev.tape.")) {
                    p.add(name);
                }
            }
        }
        try (Refusing plain = new Refusing(Set.of(), 0, null, null)) {
            interpreted(plain);
            plain.noting = true;
            Class.forName(Jit.class.getName(), true, plain);
            for (String name : plain.asked) {
                if (name.startsWith("dev.tape.")) {
                    p.remove(name);
                }
            }
        }
        path = p;
    }

    private static List<String> attack(int times, int compiles, Function<String, Error> error,
            Function<String, RuntimeException> runtime, boolean laterWhole) throws Exception {
        return attack(times, compiles, error, runtime, laterWhole, Set.of());
    }

    private static List<String> attack(int times, int compiles, Function<String, Error> error,
            Function<String, RuntimeException> runtime, boolean laterWhole, Set<String> skip) throws Exception {
        findPath();
        List<String> wrong = new ArrayList<>();
        for (String name : path) {
            if (skip.contains(name)) {
                continue;
            }
            try (Refusing l = new Refusing(Set.of(name), times, error, runtime)) {
                interpreted(l);
                List<String> runs = new ArrayList<>();
                for (int i = 0; i < compiles; i++) {
                    runs.add(compiled(l));
                }
                String later = compiled(l);
                boolean bad = !l.refused.containsKey(name) || later.contains("threw")
                        || !results(later).equals(results(whole)) || laterWhole && !later.equals(whole);
                for (String r : runs) {
                    bad |= !results(r).equals(results(whole));
                }
                if (bad) {
                    wrong.add(name + ": " + runs + " then " + later);
                }
            }
        }
        System.out.println("ATTACK times=" + times + " " + (runtime != null ? "runtime" : "error") + " wrong=" + wrong);
        return wrong;
    }

    @Test
    void refusedTwiceThenCompilesAsEver() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(2, 2, n -> new OutOfMemoryError("no heap for " + n), null, true)));
    }

    /**
     * Before the fix, JitRuntime refused for good: fib's compile (no call site, so no need of
     * JitRuntime.lazy) made a class whose run then failed to load JitRuntime, a heap_limit_exceeded
     * trap at pc 0 where the interpreter returns 6765.
     */
    @Test
    void refusedForeverLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(Integer.MAX_VALUE, 2, n -> new OutOfMemoryError("no heap for " + n), null, false)));
    }

    /**
     * But ClassInitList's: Jit.compile lets out a StackOverflowError met before the compiled tier's
     * classes are initialised, by design (ClassInit.initialise: the caller's stack is too short), and
     * one while the JVM loads ClassInitList is that one.
     */
    @Test
    void stackOverflowOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, n -> new StackOverflowError("no stack for " + n), null, true,
                        Set.of("dev.tape.jit.ClassInitList"))));
    }

    @Test
    void noClassDefOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, n -> new NoClassDefFoundError(n), null, false)));
    }

    /**
     * Before the fix (JitAccess catching no RuntimeException), Holder refused once so left JitAccess
     * erroneous: every later Jit.compile of the loader made an interpreting VM (0 compiled functions).
     */
    @Test
    void securityExceptionOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, null, n -> new SecurityException("refused " + n), true)));
    }

    private static String interpreted(ClassLoader l) throws Exception {
        return TestLoaders.interpret(l, TestLoaders.FIB, 20) + " " + TestLoaders.interpret(l, TestLoaders.AGG_CALL_LOOP, 1000);
    }

    private static String compiled(ClassLoader l) throws Exception {
        return TestLoaders.run(l, TestLoaders.FIB, 20, true) + " "
                + TestLoaders.run(l, TestLoaders.AGG_CALL_LOOP, 1000, true);
    }

    private static String results(String runs) {
        return runs.replaceAll("\\] \\d+", "]");
    }
}
