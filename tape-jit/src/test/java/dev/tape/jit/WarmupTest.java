package dev.tape.jit;

import dev.tape.testing.FibText;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Warmup}: what it loads exists, it initialises none of tape's classes, it never lets a
 * failure out of its thread, it starts once, and a VM works with it turned off. The "fresh JVM"
 * cases load tape-core, tape-jit (and ASM, or not) again in a class loader of their own, where no
 * class of theirs has been loaded, linked or initialised yet, and nothing has started a warm-up.
 */
class WarmupTest {
    private static final String FIB = FibText.FIB;

    @Test
    void everyListedClassExistsAndLinks() {
        ClassLoader l = Warmup.class.getClassLoader();
        for (String[] list : new String[][] {Warmup.Work.ASM_CLASSES, Warmup.Work.TAPE_CLASSES}) {
            for (String name : list) {
                assertTrue(Warmup.link(name, l), name);
            }
        }
        assertFalse(Warmup.link("dev.tape.jit.NoSuchClass", l));
        // every step succeeds: one per class, one for ASM's initialisers and one for the method-handle forms
        assertEquals(Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2, Warmup.run());
        assertTrue(Warmup.asmInitialised());
        assertTrue(Warmup.spinEntryShape());
    }

    @Test
    void initialisesNoClassOfTape() throws Exception {
        try (URLClassLoader fresh = fresh(true)) {
            Class<?> w = Class.forName(Warmup.class.getName(), true, fresh);
            Method run = w.getDeclaredMethod("run");
            run.setAccessible(true);
            int steps = (int) run.invoke(null);
            assertEquals(Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2, steps);
            // ASM's that a compile needs initialised are, and the warm-up says so
            Method asm = w.getDeclaredMethod("asmInitialised");
            asm.setAccessible(true);
            assertTrue((boolean) asm.invoke(null));
            for (String name : ClassInitList.ASM.split(" ")) {
                assertFalse(ClassStates.uninitialised(Class.forName(name, false, fresh)), name);
            }
            for (String name : Warmup.Work.TAPE_CLASSES) {
                Class<?> c = Class.forName(name, false, fresh);
                assertTrue(ClassStates.uninitialised(c), name + " was initialised");
            }
            // the check itself tells: ASM's writer was initialised (the forms' class was generated)
            assertFalse(ClassStates.uninitialised(Class.forName(ClassWriter.class.getName(), false, fresh)));
        }
    }

    /** a loop that makes a tuple and passes it to a small function each time round: sum of i for i < n */
    private static final String TUPLE_LOOP = """
            program tuple_loop
            func main(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                tuple.new r6, [r2, r4]
                call r0, first, r0, [r6] -> [r7]
                i64.add r3, r3, r7
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            func first(t: agg tuple(i64, i64)) -> (i64) {
                tuple.get r2, r1, 0
                ret r0, [r2]
            }
            """;

    /**
     * tape-bench's array_loop: n arrays of 16 elements built in a loop, each summed by a call to a
     * looping function that takes it as an argument: 16 n (n - 1) / 2 + 120 n
     */
    private static final String ARRAY_LOOP = """
            program array_loop
            array ints = i64
            func array_loop(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                i64.lt r6, r3, r1
                br r6, build, done
            build:
                i64.add r7, r3, r4
                i64.add r8, r7, r4
                i64.add r9, r8, r4
                i64.add r10, r9, r4
                i64.add r11, r10, r4
                i64.add r12, r11, r4
                i64.add r13, r12, r4
                i64.add r14, r13, r4
                i64.add r15, r14, r4
                i64.add r16, r15, r4
                i64.add r17, r16, r4
                i64.add r18, r17, r4
                i64.add r19, r18, r4
                i64.add r20, r19, r4
                i64.add r21, r20, r4
                array.new r22, ints, [r3, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21]
                array.len r23, r22
                const.u64 r24, 0
                call r0, sum, r0, [r22, r24, r2, r23] -> [r2]
                i64.add r3, r3, r4
                i64.lt r6, r3, r1
                br r6, build, done
            done:
                ret r0, [r2]
            }
            func sum(xs: agg array ints, j: u64, acc: i64, len: u64) -> (total: i64) {
            top:
                array.get r5, r1, r2
                i64.add r3, r3, r5
                const.u64 r6, 1
                u64.add r2, r2, r6
                u64.lt r7, r2, r4
                br r7, top, out
            out:
                ret r0, [r3]
            }
            """;

    /**
     * a loop over the aggregate reads the generator may keep in locals ({@code struct.get},
     * {@code array.get_imm}, {@code array.len}): sum of i for i &lt; n ({@link TestLoaders#aggLoop},
     * whose {@code AGG_CALL_LOOP} passes the array to a second function instead: a call in fresh
     * loaders).
     */
    private static final String AGG_LOOP = TestLoaders.aggLoop("agg_loop", "    array.get_imm r9, r8, 1\n", "", "");

    /**
     * After the warm-up's work, first compiles (a recursion, a loop with a tuple and a call the
     * generator inlines, array_loop's loops, a loop of kept aggregate reads) load no class of the generator's or ASM's on the running thread: the lists
     * hold every one they need (a class missing from them is loaded, linked and verified on the
     * running thread during its first run). Counts the classes the loader itself defines during the
     * compiled runs, from their start (a VM's making initialises its own group before: {@link
     * ClassInitList}); hidden classes, the generated ones and lambdas, are not defined by it.
     */
    @Test
    void aFirstCompileAfterTheWarmUpLoadsNoGeneratorClass() throws Exception {
        String old = System.getProperty(Warmup.OFF_PROPERTY);
        // the VM's own Jit.compile must not start a second warm-up in the fresh loader
        System.setProperty(Warmup.OFF_PROPERTY, "false");
        try (Recording fresh = new Recording(urls(true))) {
            Class<?> w = Class.forName(Warmup.class.getName(), true, fresh);
            Method run = w.getDeclaredMethod("run");
            run.setAccessible(true);
            assertEquals(Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2, (int) run.invoke(null));
            // what running a program needs besides the compile: assembling, verifying, the values
            runProgram(fresh, FIB, 20L, 6765L, false);
            // runProgram starts recording when the compiled run starts (after the VM is made)
            runProgram(fresh, FIB, 20L, 6765L, true);
            runProgram(fresh, TUPLE_LOOP, 1000L, 499_500L, true);
            runProgram(fresh, ARRAY_LOOP, 100L, 91_200L, true);
            runProgram(fresh, AGG_LOOP, 1000L, 499_500L, true);
            List<String> generator = new ArrayList<>();
            for (String name : fresh.defined) {
                if (name.startsWith("dev.tape.jit.") || name.startsWith("org.objectweb.asm.")
                        || name.equals("dev.tape.vm.internal.Generated")
                        || name.startsWith("dev.tape.verify.internal.")) {
                    generator.add(name);
                }
            }
            assertEquals(List.of(), generator);
        } finally {
            restore(old);
        }
    }

    /**
     * The first compiles of programs with call sites (fib), with array reads, array_loop's looping
     * callee and the aggregate reads the generator may keep in locals spin no lambda of the
     * generator's: each would be a hidden class and a method-handle form made on the running thread
     * (0.6 to 3 ms of a first run's wall in class-load logs, fourteenth round). Hidden classes are
     * not defined by a class loader, so a fresh JVM ({@link WarmupFirstCompileMain}) logs its class
     * loads ({@code -Xlog:class+load}), and the check reads what it loaded after the marker class it
     * loads right before the first compile.
     */
    @Test
    void aFirstCompileAfterTheWarmUpSpinsNoLambda() throws Exception {
        Path log = Files.createTempFile("warmup-load", ".log");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xshare:auto", "-Xlog:class+load=info:file=" + log, "-cp",
                    System.getProperty("java.class.path"), WarmupFirstCompileMain.class.getName(), FIB, "20",
                    ARRAY_LOOP, "100", AGG_LOOP, "1000").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
            assertEquals(0, p.exitValue(), out);
            int steps = Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2;
            assertEquals("warm-up " + steps + " interpreted [i64:6765] interpreted [i64:91200] interpreted [i64:499500]"
                    + " compiled [i64:6765] 1 compiled [i64:91200] 1 compiled [i64:499500] 1", out.trim());
            String loads = Files.readString(log);
            int marker = loads.indexOf(WarmupFirstCompileMain.Marker.class.getName() + " ");
            assertTrue(marker > 0, "the marker is in the log");
            List<String> lambdas = new ArrayList<>();
            Matcher m = Pattern.compile("\\] (dev\\.tape\\.jit\\.\\S*\\$\\$Lambda\\S*)").matcher(loads);
            while (m.find(marker)) {
                lambdas.add(m.group(1).replaceAll("\\$\\$Lambda.*", ""));
                marker = m.end();
            }
            assertEquals(List.of(), lambdas);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A class loader over the given class path that, once {@link #recording}, notes each class it defines. */
    private static final class Recording extends URLClassLoader {
        volatile boolean recording;
        final List<String> defined = new CopyOnWriteArrayList<>();

        Recording(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            Class<?> c = super.findClass(name);
            if (recording) {
                defined.add(name);
            }
            return c;
        }
    }

    @Test
    void aFailureNeverLeavesTheThread() throws Exception {
        // without ASM every link of its classes and the forms' class generation fail
        try (URLClassLoader noAsm = fresh(false)) {
            Class<?> w = Class.forName(Warmup.class.getName(), true, noAsm);
            Method spawn = w.getDeclaredMethod("spawn");
            spawn.setAccessible(true);
            List<Throwable> leaked = new CopyOnWriteArrayList<>();
            Thread.UncaughtExceptionHandler old = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> leaked.add(e));
            try {
                Thread t = (Thread) spawn.invoke(null);
                assertTrue(t.isDaemon());
                assertEquals(Warmup.THREAD_NAME, t.getName());
                t.join(60_000);
                assertFalse(t.isAlive());
            } finally {
                Thread.setDefaultUncaughtExceptionHandler(old);
            }
            assertEquals(List.of(), leaked);
            Method run = w.getDeclaredMethod("run");
            run.setAccessible(true);
            // no ASM class links, nor the forms' step; of tape's, those whose verification needs no ASM
            // type (tape-core's) do
            int steps = (int) run.invoke(null);
            assertTrue(steps >= 6 && steps <= Warmup.Work.TAPE_CLASSES.length, "steps " + steps);
            // and it does not claim ASM's classes initialised: a compile would do it on ClassInit's thread
            Method asm = w.getDeclaredMethod("asmInitialised");
            asm.setAccessible(true);
            assertFalse((boolean) asm.invoke(null));
        }
    }

    @Test
    void startsOnceAndAVmWorksWhenItNeverRuns() throws Exception {
        String old = System.getProperty(Warmup.OFF_PROPERTY);
        try (URLClassLoader off = fresh(true)) {
            System.setProperty(Warmup.OFF_PROPERTY, "false");
            runFib(off);
            Class<?> w = Class.forName(Warmup.class.getName(), true, off);
            Method start = w.getDeclaredMethod("start");
            start.setAccessible(true);
            assertNull(start.invoke(null));
            // no thread was ever started: started is set before the only spawn
            Field started = w.getDeclaredField("started");
            started.setAccessible(true);
            assertFalse((boolean) started.get(null));
        } finally {
            restore(old);
        }
        try (URLClassLoader on = fresh(true)) {
            System.clearProperty(Warmup.OFF_PROPERTY);
            Method start = Class.forName(Warmup.class.getName(), true, on).getDeclaredMethod("start");
            start.setAccessible(true);
            Thread first = (Thread) start.invoke(null);
            assertNotNull(first);
            // a second start, and every compile, start none
            assertNull(start.invoke(null));
            runFib(on);
            assertNull(start.invoke(null));
            first.join(60_000);
            assertFalse(first.isAlive());
        } finally {
            restore(old);
        }
    }

    /**
     * An embedder deep in its own recursion may make its first call into the compiled tier with almost
     * no stack left: that call may fail with a {@link StackOverflowError}, as any call may, but must
     * leave nothing broken. When {@code Warmup} had a static initialiser, the call that overflowed in
     * it left the class unusable for good: every later {@link Jit#warmUp()} and {@link Jit#compile}
     * with that class loader threw {@code NoClassDefFoundError: Could not initialize class
     * dev.tape.jit.Warmup}, with any stack. (The classes are loaded and linked beforehand, as another
     * thread or a class-data archive may have done, so that the deep calls only initialise.)
     */
    @Test
    void aFirstStartWithNoStackLeftBreaksNothingLater() throws Exception {
        URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
            location(WarmupTest.class)};
        try (URLClassLoader l = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            for (String name : new String[] {Jit.class.getName(), Warmup.class.getName(),
                Warmup.class.getName() + "$1", WarmupDeepCaller.class.getName()}) {
                assertNotNull(Class.forName(name, false, l).getDeclaredConstructors());
            }
            Method deep = Class.forName(WarmupDeepCaller.class.getName(), true, l).getDeclaredMethod("fromEveryDepth");
            deep.setAccessible(true);
            int failed = (int) deep.invoke(null);
            // the deepest calls had no stack for the call itself
            assertTrue(failed > 0, "failed " + failed);
            Class.forName(Jit.class.getName(), true, l).getMethod("warmUp").invoke(null);
            runFib(l);
        }
        // what makes it so: no code of Warmup (nor of its thread's Runnable) runs when it is initialised
        for (String name : new String[] {"Warmup", "Warmup$1"}) {
            try (InputStream in = Warmup.class.getResourceAsStream(name + ".class")) {
                List<String> methods = new ArrayList<>();
                new ClassReader(in.readAllBytes()).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String n, String d, String s, String[] e) {
                        methods.add(n);
                        return null;
                    }
                }, ClassReader.SKIP_CODE);
                assertTrue(methods.contains("start") || methods.contains("run"), name + " " + methods);
                assertFalse(methods.contains("<clinit>"), name + " has a static initialiser");
            }
        }
    }

    /**
     * In a fresh JVM whose only work is the warm-up ({@link WarmupAloneMain}), the JVM's own log of
     * class initialisation ({@code -Xlog:class+init}, on any JDK, unlike {@code Unsafe}'s check) shows
     * no class of tape's initialised but the warm-up's own: the main class, {@link Warmup} and the
     * thread's {@code Runnable} (neither of which has an initialiser to run), {@link Warmup.Work} and
     * the hidden class. It covers every class, listed or not, whichever thread initialised it.
     */
    @Test
    void aFreshJvmInitialisesOnlyTheWarmUpsOwnClasses() throws Exception {
        Path log = Files.createTempFile("warmup-init", ".log");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xshare:auto", "-Xlog:class+init=info:file=" + log, "-cp",
                    System.getProperty("java.class.path"), WarmupAloneMain.class.getName())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
            assertEquals(0, p.exitValue(), out);
            assertEquals("ended", out.trim());
            Set<String> initialised = new TreeSet<>();
            Matcher m = Pattern.compile("Initializing '(dev/tape/[^'+]*)").matcher(Files.readString(log));
            while (m.find()) {
                initialised.add(m.group(1));
            }
            assertEquals(new TreeSet<>(List.of("dev/tape/jit/Warmup", "dev/tape/jit/Warmup$1",
                    "dev/tape/jit/Warmup$Work", "dev/tape/jit/WarmupAloneMain", "dev/tape/jit/WarmupShape")),
                    initialised);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void restore(String old) {
        if (old == null) {
            System.clearProperty(Warmup.OFF_PROPERTY);
        } else {
            System.setProperty(Warmup.OFF_PROPERTY, old);
        }
    }

    /**
     * Runs a program's first function with one i64 argument on a VM made with {@code l}'s classes,
     * compiled or interpreted, and checks its one i64 result (and, compiled, that a function was compiled).
     */
    private static void runProgram(ClassLoader l, String text, long in, long out, boolean compiled) throws Exception {
        Class<?> asm = Class.forName("dev.tape.asm.Assembler", true, l);
        Object program = asm.getMethod("assemble", String.class, String.class).invoke(null, text, "p.tasm");
        Class<?> programClass = Class.forName("dev.tape.program.Program", true, l);
        Object verified = Class.forName("dev.tape.verify.Verifier", true, l).getMethod("verify", programClass)
                .invoke(null, program);
        Class<?> hostClass = Class.forName("dev.tape.host.Host", true, l);
        Object none = hostClass.getField("NONE").get(null);
        Class<?> verifiedClass = Class.forName("dev.tape.verify.VerifiedProgram", true, l);
        Class<?> jit = Class.forName(Jit.class.getName(), true, l);
        Object vm = compiled ? jit.getMethod("compile", verifiedClass, hostClass).invoke(null, verified, none)
                : Class.forName(Vm.class.getName(), true, l).getConstructor(verifiedClass, hostClass)
                        .newInstance(verified, none);
        Class<?> value = Class.forName("dev.tape.value.Value", true, l);
        Class<?> limits = Class.forName("dev.tape.vm.Limits", true, l);
        Method run = vm.getClass().getMethod("run", int.class, List.class, limits);
        List<Object> args = List.of(value.getMethod("i64", long.class).invoke(null, in));
        Object defaults = limits.getField("DEFAULT").get(null);
        if (compiled && l instanceof Recording r) {
            r.recording = true;
        }
        Object result = run.invoke(vm, 0, args, defaults);
        assertEquals(List.of(value.getMethod("i64", long.class).invoke(null, out)), result);
        int n = (int) jit.getMethod("compiledFunctions", Class.forName(Vm.class.getName(), true, l)).invoke(null, vm);
        assertTrue(compiled ? n >= 1 : n == 0, "compiled functions " + n);
    }

    /** Runs fib(20) on a compiled-tier VM made with {@code l}'s classes; checks 6765 and that fib was compiled. */
    private static void runFib(ClassLoader l) throws Exception {
        assertEquals("[i64:6765] 1", TestLoaders.run(l, FIB, 20, true));
    }

    /** a class loader of its own over tape-core and tape-jit, and ASM when {@code withAsm} */
    private static URLClassLoader fresh(boolean withAsm) throws Exception {
        return new URLClassLoader(urls(withAsm), ClassLoader.getPlatformClassLoader());
    }

    /** the class path of tape-core and tape-jit, and ASM's when {@code withAsm} */
    private static URL[] urls(boolean withAsm) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(location(Jit.class));
        urls.add(location(Vm.class));
        if (withAsm) {
            urls.add(location(ClassWriter.class));
        }
        return urls.toArray(new URL[0]);
    }

    private static URL location(Class<?> c) throws Exception {
        URL u = TestLoaders.url(c);
        assertTrue(Files.exists(Path.of(u.toURI())), u.toString());
        return u;
    }
}
