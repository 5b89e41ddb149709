package dev.tape.jit;

import dev.tape.testing.FibText;
import dev.tape.vm.Vm;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Test support: class loaders of their own over tape-core's, tape-jit's and ASM's classes (no
 * parent but the platform's, so every tape class is loaded, linked and initialised afresh), one
 * that refuses chosen classes and notes what it is asked for, runs of a program through such a
 * loader by reflection, and the sweep that refuses each class of the compile path in turn
 * ({@code CompileLoadersTest}, {@code AttackCompileLoadersTest}).
 */
final class TestLoaders {
    private TestLoaders() {}

    /** fib(n) by two direct calls per call */
    static final String FIB = FibText.FIB;

    /**
     * A loop over aggregates (sum of i for i &lt; n): each pass builds a struct and an array of
     * i64 from it and reads i back, by {@code read} (lines that leave it in {@code r9}, placed
     * around {@code array.len r10, r8}); then {@code more} (other functions). The aggregate loops
     * below and {@code WarmupTest}'s differ only there.
     *
     * @param name the program's name
     * @param beforeLen the lines before the {@code array.len} (each indented 4 and ending in a newline), or ""
     * @param afterLen the lines after it, or ""
     * @param more what follows {@code main}, or ""
     * @return the program's text
     */
    static String aggLoop(String name, String beforeLen, String afterLen, String more) {
        return "program " + name + "\n" + """
                struct Point = { x: i64, y: i64 }
                array ints = i64
                func main(n: i64) -> (total: i64) {
                    const.i64 r2, 0
                    const.i64 r3, 0
                    const.i64 r4, 1
                    jmp head
                head:
                    i64.lt r5, r2, r1
                    br r5, body, done
                body:
                    struct.new r6, Point, [r2, r4]
                    struct.get r7, r6, 0
                    array.new r8, ints, [r7, r2, r4]
                """ + beforeLen + "    array.len r10, r8\n" + afterLen + """
                    i64.add r3, r3, r9
                    i64.add r2, r2, r4
                    jmp head
                done:
                    ret r0, [r3]
                }
                """ + more;
    }

    /**
     * sum of i for i &lt; n, each read back from a struct and an array built in the loop, through a
     * call ({@link #aggLoop}): calls in fresh loaders. {@code WarmupTest.AGG_LOOP} reads the array
     * in the loop instead, to test the kept aggregate reads of the warm-up.
     */
    static final String AGG_CALL_LOOP = aggLoop("agg_call_loop", "", "    call r0, second, r0, [r8] -> [r9]\n", """
            func second(xs: agg array ints) -> (i64) {
                array.get_imm r2, r1, 1
                ret r0, [r2]
            }
            """);

    /**
     * tape-core's, tape-jit's and ASM's classes, refusing each class of {@code refusing} on its
     * first {@code times} requests with {@code failure}'s throwable (an error or a runtime
     * exception, as the JVM may throw while it loads a class); notes the name of every class it is
     * asked for while {@link #noting}.
     */
    static final class Refusing extends URLClassLoader {
        private final Set<String> refusing;
        private final int times;
        private final Function<String, ? extends Throwable> failure;
        /** per class refused so far, how many times */
        final Map<String, Integer> refused = new ConcurrentHashMap<>();
        /** the classes asked for while {@link #noting} */
        final Set<String> asked = ConcurrentHashMap.newKeySet();
        /** whether to note the classes asked for */
        volatile boolean noting;

        /**
         * @param refusing the classes to refuse
         * @param times how many requests of each to refuse (then it loads)
         * @param failure what a refusal throws, from the class's name: an {@link Error} or a
         *     {@link RuntimeException}
         */
        Refusing(Set<String> refusing, int times, Function<String, ? extends Throwable> failure) {
            super(new URL[] {url(Jit.class), url(Vm.class), url(ClassWriter.class)}, ClassLoader.getPlatformClassLoader());
            this.refusing = refusing;
            this.times = times;
            this.failure = failure;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (noting) {
                asked.add(name);
            }
            synchronized (getClassLoadingLock(name)) {
                if (refusing.contains(name) && refused.merge(name, 1, Integer::sum) <= times) {
                    Throwable t = failure.apply(name);
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) t;
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    /**
     * @return a loader that refuses each class of {@code refusing} once, with an
     *     {@link OutOfMemoryError} (as the JVM may throw while it loads a class)
     */
    static Refusing refusingOnce(Set<String> refusing) {
        return new Refusing(refusing, 1, TestLoaders::noHeap);
    }

    /** @return the {@link OutOfMemoryError} of a refusal of class {@code name} */
    static OutOfMemoryError noHeap(String name) {
        return new OutOfMemoryError("no heap to load " + name + " (the test's)");
    }

    /** @return fib(20) and {@link #AGG_CALL_LOOP}(1000) interpreted in {@code l}: {@code "[i64:6765] [i64:499500]"} */
    static String interpreted(ClassLoader l) throws Exception {
        return interpret(l, FIB, 20) + " " + interpret(l, AGG_CALL_LOOP, 1000);
    }

    /** @return fib(20) and {@link #AGG_CALL_LOOP}(1000) compiled in {@code l}, with their counts of compiled functions */
    static String compiled(ClassLoader l) throws Exception {
        return run(l, FIB, 20, true) + " " + run(l, AGG_CALL_LOOP, 1000, true);
    }

    /** @return {@link #compiled}'s runs without their counts of compiled functions */
    static String results(String runs) {
        return runs.replaceAll("\\] \\d+", "]");
    }

    /**
     * What a compile and compiled run load that an interpreted run does not, in a loader that
     * refuses nothing.
     *
     * @param interpreted {@link #interpreted}'s runs there
     * @param whole {@link #compiled}'s runs there
     * @param asked tape's classes ({@code dev.tape.}) the compiled runs asked for
     * @param linking of those, the ones that loading and linking {@link Jit} asks for (an
     *     embedder's own reference to it, before any of tape's code runs)
     */
    record CompilePath(String interpreted, String whole, Set<String> asked, Set<String> linking) {
        /** @return {@link #asked} but {@link #linking}: the classes the refusal sweeps refuse */
        Set<String> refusable() {
            Set<String> p = new TreeSet<>(asked);
            p.removeAll(linking);
            return p;
        }
    }

    private static CompilePath compilePath;

    /** @return the {@link CompilePath}, found once (with the warm-up off: {@link #withoutWarmUp}) */
    static synchronized CompilePath compilePath() throws Exception {
        if (compilePath != null) {
            return compilePath;
        }
        String interpreted;
        String whole;
        Set<String> asked = new TreeSet<>();
        try (Refusing plain = refusingOnce(Set.of())) {
            interpreted = interpreted(plain);
            plain.noting = true;
            whole = compiled(plain);
            tapeClasses(plain.asked, asked);
        }
        Set<String> linking = new TreeSet<>();
        try (Refusing plain = refusingOnce(Set.of())) {
            interpreted(plain);
            plain.noting = true;
            Class.forName(Jit.class.getName(), true, plain);
            tapeClasses(plain.asked, linking);
        }
        compilePath = new CompilePath(interpreted, whole, Set.copyOf(asked), Set.copyOf(linking));
        return compilePath;
    }

    private static void tapeClasses(Set<String> names, Set<String> into) {
        for (String name : names) {
            if (name.startsWith("dev.tape.")) {
                into.add(name);
            }
        }
    }

    /**
     * For each class of {@link CompilePath#refusable} but {@code skip}, in a loader of its own that
     * refuses it {@code times} times with {@code failure}: runs {@link #interpreted}, then
     * {@link #compiled} {@code compiles} times and once more (the later compile).
     *
     * @param laterWhole whether the later compile must compile as in a loader that refuses nothing
     *     (its counts of compiled functions too), not only give the same results
     * @return the classes for which a run's results differ from {@link CompilePath#whole}'s, the
     *     later compile's counts differ when {@code laterWhole}, or the class was never asked for,
     *     each with the runs
     */
    static List<String> refuseEach(int times, int compiles, Function<String, ? extends Throwable> failure,
                                   boolean laterWhole, Set<String> skip) throws Exception {
        CompilePath p = compilePath();
        List<String> wrong = new ArrayList<>();
        for (String name : p.refusable()) {
            if (skip.contains(name)) {
                continue;
            }
            try (Refusing l = new Refusing(Set.of(name), times, failure)) {
                interpreted(l);
                List<String> runs = new ArrayList<>();
                for (int i = 0; i < compiles; i++) {
                    runs.add(compiled(l));
                }
                String later = compiled(l);
                boolean bad = !l.refused.containsKey(name) || later.contains("threw")
                        || !results(later).equals(results(p.whole())) || laterWhole && !later.equals(p.whole());
                for (String r : runs) {
                    bad |= !results(r).equals(results(p.whole()));
                }
                if (bad) {
                    wrong.add(name + ": " + runs + " then " + later);
                }
            }
        }
        return wrong;
    }

    /**
     * Runs a program's first function with one i64 argument on a VM made with {@code l}'s classes,
     * compiled ({@code Jit.compile}) or interpreted.
     *
     * @return the results and the VM's compiled functions ({@code "[i64:6765] 1"}), or
     *     {@code "threw "} and what the API let out
     */
    static String run(ClassLoader l, String text, long in, boolean compiled) throws Exception {
        return run(l, text, in, compiled, true);
    }

    /**
     * {@link #run(ClassLoader, String, long, boolean)}, interpreted, without the VM's count of
     * compiled functions: loads no class of tape-jit's or of the compiled tier's.
     *
     * @return the results ({@code "[i64:6765]"}), or {@code "threw "} and what the API let out
     */
    static String interpret(ClassLoader l, String text, long in) throws Exception {
        return run(l, text, in, false, false);
    }

    private static String run(ClassLoader l, String text, long in, boolean compiled, boolean count) throws Exception {
        try {
            Object program = Class.forName("dev.tape.asm.Assembler", true, l).getMethod("assemble", String.class,
                    String.class).invoke(null, text, "p.tasm");
            Object verified = Class.forName("dev.tape.verify.Verifier", true, l)
                    .getMethod("verify", Class.forName("dev.tape.program.Program", true, l)).invoke(null, program);
            Class<?> hostClass = Class.forName("dev.tape.host.Host", true, l);
            Class<?> verifiedClass = Class.forName("dev.tape.verify.VerifiedProgram", true, l);
            Class<?> vmClass = Class.forName(Vm.class.getName(), true, l);
            Object none = hostClass.getField("NONE").get(null);
            Object vm = compiled ? Class.forName(Jit.class.getName(), true, l).getMethod("compile", verifiedClass,
                    hostClass).invoke(null, verified, none)
                    : vmClass.getConstructor(verifiedClass, hostClass).newInstance(verified, none);
            Class<?> limits = Class.forName("dev.tape.vm.Limits", true, l);
            Object arg = Class.forName("dev.tape.value.Value", true, l).getMethod("i64", long.class).invoke(null, in);
            Object result = vmClass.getMethod("run", int.class, List.class, limits).invoke(vm, 0, List.of(arg),
                    limits.getField("DEFAULT").get(null));
            return count ? result + " " + Class.forName(Jit.class.getName(), true, l).getMethod("compiledFunctions",
                    vmClass).invoke(null, vm) : String.valueOf(result);
        } catch (InvocationTargetException e) {
            // an exception out of the API: the test's message says which
            return "threw " + e.getCause();
        }
    }

    /** @return where {@code c}'s class file was loaded from (a jar or a folder) */
    static URL url(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** @return {@link #url} as a path */
    static Path path(Class<?> c) throws Exception {
        return Path.of(url(c).toURI());
    }

    /** A test's work, which may throw. */
    interface Work {
        /** @throws Exception when the work fails */
        void run() throws Exception;
    }

    /**
     * Does {@code work} with the warm-up turned off ({@link Warmup#OFF_PROPERTY} {@code false}: the
     * compiles' own {@code Jit.compile} starts no thread), then puts the property back as it was.
     */
    static void withoutWarmUp(Work work) throws Exception {
        String old = System.getProperty(Warmup.OFF_PROPERTY);
        System.setProperty(Warmup.OFF_PROPERTY, "false");
        try {
            work.run();
        } finally {
            if (old == null) {
                System.clearProperty(Warmup.OFF_PROPERTY);
            } else {
                System.setProperty(Warmup.OFF_PROPERTY, old);
            }
        }
    }
}
