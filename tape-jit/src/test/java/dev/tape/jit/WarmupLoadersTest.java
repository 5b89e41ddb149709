package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
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
    @Test
    void everyListedClassLinksInAModuleLayerWithALoaderPerModule() throws Exception {
        Path[] path = {TestLoaders.path(Vm.class), TestLoaders.path(Jit.class), TestLoaders.path(ClassWriter.class)};
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
        // the compiles' own Jit.compile must not start a thread: the warm-up's work runs here, first
        TestLoaders.withoutWarmUp(() -> {
            String whole;
            try (TestLoaders.Refusing plain = TestLoaders.refusingOnce(Set.of())) {
                whole = runs(plain);
            }
            // the loop's callee is a leaf, inline in main: one function compiled
            assertEquals("[i64:6765] 1 [i64:499500] 1 [i64:6765] 0 [i64:499500] 0", whole);
            int steps = Warmup.Work.ASM_CLASSES.length + Warmup.Work.TAPE_CLASSES.length + 2;
            for (String name : Warmup.Work.TAPE_CLASSES) {
                try (TestLoaders.Refusing l = TestLoaders.refusingOnce(Set.of(name))) {
                    Method run = Class.forName(Warmup.class.getName(), true, l).getDeclaredMethod("run");
                    run.setAccessible(true);
                    // the one refused step fails (or, for a nested class, the link of its host too)
                    int done = (int) run.invoke(null);
                    assertTrue(done >= steps - 2 && done < steps, name + ": steps " + done);
                    assertTrue(l.refused.containsKey(name), name);
                    assertEquals(whole, runs(l), name);
                }
            }
        });
    }

    /** fib(20) and the aggregate loop (1000) compiled, then interpreted: results and compiled functions */
    private static String runs(ClassLoader l) throws Exception {
        return TestLoaders.run(l, TestLoaders.FIB, 20, true) + " " + TestLoaders.run(l, TestLoaders.AGG_CALL_LOOP, 1000, true)
                + " " + TestLoaders.run(l, TestLoaders.FIB, 20, false) + " "
                + TestLoaders.run(l, TestLoaders.AGG_CALL_LOOP, 1000, false);
    }
}
