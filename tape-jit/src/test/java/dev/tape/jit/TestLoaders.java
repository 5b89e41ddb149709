package dev.tape.jit;

import dev.tape.testing.FibText;
import dev.tape.vm.Vm;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test support: class loaders of their own over tape-core's, tape-jit's and ASM's classes (no
 * parent but the platform's, so every tape class is loaded, linked and initialised afresh), one
 * that refuses chosen classes once and notes what it is asked for, and runs of a program through
 * such a loader by reflection.
 */
final class TestLoaders {
    private TestLoaders() {}

    /** fib(n) by two direct calls per call */
    static final String FIB = FibText.FIB;

    /**
     * sum of i for i < n, each read back from a struct and an array built in the loop, through a
     * call. Its first 15 lines are {@code WarmupTest.AGG_LOOP}'s, on purpose not shared: that one
     * reads the array in the loop ({@code array.get_imm}) to test the kept aggregate reads of the
     * warm-up, this one passes it to a second function to test calls in fresh loaders; each is
     * read whole where it is used, and a change to one must not change the other's test.
     */
    static final String AGG_CALL_LOOP = """
            program agg_call_loop
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
                array.len r10, r8
                call r0, second, r0, [r8] -> [r9]
                i64.add r3, r3, r9
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            func second(xs: agg array ints) -> (i64) {
                array.get_imm r2, r1, 1
                ret r0, [r2]
            }
            """;

    /**
     * tape-core's, tape-jit's and ASM's classes, loading each class of {@code refusing} only on its
     * second request (the first throws an {@link OutOfMemoryError}, as the JVM may while it loads a
     * class); notes the name of every class it is asked for while {@link #noting}.
     */
    static final class RefusingOnce extends URLClassLoader {
        private final Set<String> refusing;
        /** the classes refused so far */
        final Set<String> refused = ConcurrentHashMap.newKeySet();
        /** the classes asked for while {@link #noting} */
        final Set<String> asked = ConcurrentHashMap.newKeySet();
        /** whether to note the classes asked for */
        volatile boolean noting;

        RefusingOnce(Set<String> refusing) {
            super(new URL[] {url(Jit.class), url(Vm.class), url(ClassWriter.class)}, ClassLoader.getPlatformClassLoader());
            this.refusing = refusing;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (noting) {
                asked.add(name);
            }
            synchronized (getClassLoadingLock(name)) {
                if (refusing.contains(name) && refused.add(name)) {
                    throw new OutOfMemoryError("no heap to load " + name + " (the test's)");
                }
            }
            return super.loadClass(name, resolve);
        }
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
