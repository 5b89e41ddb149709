package dev.tape.jit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier's start-up when the JVM fails, once, to load one of its classes (an
 * {@code OutOfMemoryError} while it loads it; attack, fourteenth round): for each of tape's classes
 * that a compile and a compiled run load and an interpreted run does not, refused once in a class
 * loader of its own, the {@code Jit.compile} and runs that meet the refusal let no exception out
 * and end as in a loader that refuses nothing (the functions may be interpreted), and every later
 * compile in that loader compiles as there: a passing failure does not break the tier for good.
 * Before the mend, a refusal of {@code JitRuntime} or {@code JitTier$Definer} left {@code JitTier}
 * erroneous (its static initialiser failed: every later compile threw
 * {@code NoClassDefFoundError}), one of {@code dev.tape.vm.internal.Holder} left {@code JitAccess}
 * so (every later VM interpreted), and one of {@code JitView}, {@code JitTier$Shape},
 * {@code ClassInitList} or {@code Warmup} made that {@code Jit.compile} throw the error.
 */
class CompileLoadersTest {
    @Test
    void everyClassOfTheCompilePathRefusedOnceChangesNoRunAndNoLaterCompile() throws Exception {
        // no warm-up thread: the classes are loaded where a compile needs them
        TestLoaders.withoutWarmUp(() -> {
            Set<String> path = new TreeSet<>();
            String whole;
            try (TestLoaders.RefusingOnce plain = new TestLoaders.RefusingOnce(Set.of())) {
                assertEquals("[i64:6765] [i64:499500]", interpreted(plain));
                plain.noting = true;
                whole = compiled(plain);
                for (String name : plain.asked) {
                    if (name.startsWith("dev.tape.")) {
                        path.add(name);
                    }
                }
            }
            // the loop's callee is a leaf, inline in main: one function compiled
            assertEquals("[i64:6765] 1 [i64:499500] 1", whole);
            // among them the compiled tier's runtime, its view and shapes, the generator, the warm-up
            assertTrue(path.containsAll(Set.of("dev.tape.vm.JitTier", "dev.tape.vm.JitRuntime", "dev.tape.vm.JitView",
                    "dev.tape.vm.JitTier$Shape", "dev.tape.vm.JitAccess", "dev.tape.jit.Jit", "dev.tape.jit.JitCompiler",
                    "dev.tape.jit.ClassInitList", "dev.tape.jit.Warmup")), path.toString());
            List<String> wrong = new ArrayList<>();
            // but Jit itself and what the JVM loads to link it (the code generator's interface, for the
            // verifier): a failure there is the embedder's own reference's to Jit, before any of tape's
            // code runs
            Set<String> linking = new TreeSet<>();
            try (TestLoaders.RefusingOnce plain = new TestLoaders.RefusingOnce(Set.of())) {
                interpreted(plain);
                plain.noting = true;
                Class.forName(Jit.class.getName(), true, plain);
                for (String name : plain.asked) {
                    if (name.startsWith("dev.tape.")) {
                        linking.add(name);
                    }
                }
            }
            path.removeAll(linking);
            for (String name : path) {
                try (TestLoaders.RefusingOnce l = new TestLoaders.RefusingOnce(Set.of(name))) {
                    interpreted(l);
                    String first = compiled(l);
                    String later = compiled(l);
                    if (!l.refused.contains(name)) {
                        wrong.add(name + ": never asked for");
                    } else if (!results(first).equals(results(whole)) || !later.equals(whole)) {
                        wrong.add(name + ": " + first + " then " + later);
                    }
                }
            }
            assertEquals(List.of(), wrong);
        });
    }

    private static String interpreted(ClassLoader l) throws Exception {
        return TestLoaders.interpret(l, TestLoaders.FIB, 20) + " " + TestLoaders.interpret(l, TestLoaders.AGG_CALL_LOOP, 1000);
    }

    private static String compiled(ClassLoader l) throws Exception {
        return TestLoaders.run(l, TestLoaders.FIB, 20, true) + " "
                + TestLoaders.run(l, TestLoaders.AGG_CALL_LOOP, 1000, true);
    }

    /** the runs' results without their counts of compiled functions */
    private static String results(String runs) {
        return runs.replaceAll("\\] \\d+", "]");
    }
}
