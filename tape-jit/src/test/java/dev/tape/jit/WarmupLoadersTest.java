package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Warmup}'s lists in class loaders other than the test's one class path (attack, fourteenth
 * round): tape-core and tape-jit as named modules of a module layer, each with a loader of its own
 * (where tape-jit's loader sees only the packages tape-core exports to it: a listed class of a
 * package not exported to {@code dev.tape.jit} would fail to link there, quietly, and be loaded on
 * the running thread again); and a loader that refuses each listed class once (an
 * {@code OutOfMemoryError} while the JVM loads it, as {@code RunEntryTest} does for
 * {@code FloatRun}): the warm-up meets it, lets nothing out, and every later compile and run, on
 * both tiers, ends as in a loader that refuses nothing.
 */
class WarmupLoadersTest {
    /** fib(20) by two direct calls per call */
    private static final String FIB = """
            program fib
            func fib(n: i64) -> (result: i64) {
                const.i64 r2, 2
                i64.lt r3, r1, r2
                br r3, small, big
            small:
                ret r0, [r1]
            big:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, fib, r0, [r5] -> [r6]
                i64.sub r7, r1, r2
                call r0, fib, r0, [r7] -> [r8]
                i64.add r9, r6, r8
                ret r0, [r9]
            }
            """;

    /** sum of i for i < n, each read back from a struct and an array built in the loop, through a call */
    private static final String AGG_CALL_LOOP = """
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

    @Test
    void everyListedClassLinksInAModuleLayerWithALoaderPerModule() throws Exception {
        Path[] path = {path(Vm.class), path(Jit.class), path(ClassWriter.class)};
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(path), ModuleFinder.of(), Set.of("dev.tape.jit"));
        ModuleLayer.Controller c = ModuleLayer.defineModulesWithManyLoaders(cf, List.of(boot),
                ClassLoader.getPlatformClassLoader());
        ModuleLayer layer = c.layer();
        c.addOpens(layer.findModule("dev.tape.jit").orElseThrow(), "dev.tape.jit", getClass().getModule());
        ClassLoader jit = layer.findLoader("dev.tape.jit");
        assertNotSame(jit, layer.findLoader("dev.tape.core"));
        Class<?> w = Class.forName(Warmup.class.getName(), true, jit);
        assertTrue(w.getModule().isNamed(), w.getModule().toString());
        Method link = w.getDeclaredMethod("link", String.class, ClassLoader.class);
        link.setAccessible(true);
        List<String> failed = new ArrayList<>();
        for (String[] list : new String[][] {Warmup.Work.ASM_CLASSES, Warmup.Work.TAPE_CLASSES}) {
            for (String name : list) {
                if (!(boolean) link.invoke(null, name, jit)) {
                    failed.add(name);
                }
            }
        }
        assertEquals(List.of(), failed);
        // and the warm-up's whole work succeeds there
        Method run = w.getDeclaredMethod("run");
        run.setAccessible(true);
        assertEquals(Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2, (int) run.invoke(null));
    }

    @Test
    void aListedClassRefusedOnceInTheWarmUpChangesNoRun() throws Exception {
        String old = System.getProperty(Warmup.OFF_PROPERTY);
        // the compiles' own Jit.compile must not start a thread: the warm-up's work runs here, first
        System.setProperty(Warmup.OFF_PROPERTY, "false");
        try {
            String whole;
            try (RefusingOnce plain = new RefusingOnce(Set.of())) {
                whole = runs(plain);
            }
            // the loop's callee is a leaf, inline in main: one function compiled
            assertEquals("[i64:6765] 1 [i64:499500] 1 [i64:6765] 0 [i64:499500] 0", whole);
            int steps = Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2;
            for (String name : Warmup.Work.TAPE_CLASSES) {
                try (RefusingOnce l = new RefusingOnce(Set.of(name))) {
                    Method run = Class.forName(Warmup.class.getName(), true, l).getDeclaredMethod("run");
                    run.setAccessible(true);
                    // the one refused step fails (or, for a nested class, the link of its host too)
                    int done = (int) run.invoke(null);
                    assertTrue(done >= steps - 2 && done < steps, name + ": steps " + done);
                    assertTrue(l.refused.contains(name), name);
                    assertEquals(whole, runs(l), name);
                }
            }
        } finally {
            if (old == null) {
                System.clearProperty(Warmup.OFF_PROPERTY);
            } else {
                System.setProperty(Warmup.OFF_PROPERTY, old);
            }
        }
    }

    /** tape-core's, tape-jit's and ASM's classes, loading each class of {@code refusing} only on its second request */
    private static final class RefusingOnce extends URLClassLoader {
        private final Set<String> refusing;
        final Set<String> refused = new HashSet<>();

        RefusingOnce(Set<String> refusing) throws Exception {
            super(new URL[] {url(Jit.class), url(Vm.class), url(ClassWriter.class)}, ClassLoader.getPlatformClassLoader());
            this.refusing = refusing;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (refusing.contains(name) && refused.add(name)) {
                    throw new OutOfMemoryError("no heap to load " + name + " (the test's)");
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    /** fib(20) and the aggregate loop (1000) compiled, then interpreted: results and compiled functions */
    private static String runs(ClassLoader l) throws Exception {
        return run(l, FIB, 20, true) + " " + run(l, AGG_CALL_LOOP, 1000, true) + " " + run(l, FIB, 20, false) + " "
                + run(l, AGG_CALL_LOOP, 1000, false);
    }

    private static String run(ClassLoader l, String text, long in, boolean compiled) throws Exception {
        try {
            Object program = Class.forName("dev.tape.asm.Assembler", true, l).getMethod("assemble", String.class,
                    String.class).invoke(null, text, "p.tasm");
            Object verified = Class.forName("dev.tape.verify.Verifier", true, l)
                    .getMethod("verify", Class.forName("dev.tape.program.Program", true, l)).invoke(null, program);
            Class<?> hostClass = Class.forName("dev.tape.host.Host", true, l);
            Class<?> verifiedClass = Class.forName("dev.tape.verify.VerifiedProgram", true, l);
            Class<?> jit = Class.forName(Jit.class.getName(), true, l);
            Class<?> vmClass = Class.forName(Vm.class.getName(), true, l);
            Object none = hostClass.getField("NONE").get(null);
            Object vm = compiled ? jit.getMethod("compile", verifiedClass, hostClass).invoke(null, verified, none)
                    : vmClass.getConstructor(verifiedClass, hostClass).newInstance(verified, none);
            Class<?> limits = Class.forName("dev.tape.vm.Limits", true, l);
            Object arg = Class.forName("dev.tape.value.Value", true, l).getMethod("i64", long.class).invoke(null, in);
            Object result = vmClass.getMethod("run", int.class, List.class, limits).invoke(vm, 0, List.of(arg),
                    limits.getField("DEFAULT").get(null));
            return result + " " + jit.getMethod("compiledFunctions", vmClass).invoke(null, vm);
        } catch (InvocationTargetException e) {
            // an exception out of the API: the test's message says which
            return "threw " + e.getCause();
        }
    }

    private static URL url(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    private static Path path(Class<?> c) throws Exception {
        return Path.of(url(c).toURI());
    }
}
