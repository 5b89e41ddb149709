package dev.tape.jit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

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
            TestLoaders.CompilePath path = TestLoaders.compilePath();
            assertEquals("[i64:6765] [i64:499500]", path.interpreted());
            // the loop's callee is a leaf, inline in main: one function compiled
            assertEquals("[i64:6765] 1 [i64:499500] 1", path.whole());
            // among them the compiled tier's runtime, its view and shapes, the generator, the warm-up
            assertTrue(path.asked().containsAll(Set.of("dev.tape.vm.JitTier", "dev.tape.vm.JitRuntime",
                    "dev.tape.vm.JitView", "dev.tape.vm.JitTier$Shape", "dev.tape.vm.JitAccess", "dev.tape.jit.Jit",
                    "dev.tape.jit.JitCompiler", "dev.tape.jit.ClassInitList", "dev.tape.jit.Warmup")),
                    path.asked().toString());
            // but Jit itself and what the JVM loads to link it (the code generator's interface, for the
            // verifier): a failure there is the embedder's own reference's to Jit, before any of tape's
            // code runs
            assertTrue(path.linking().contains("dev.tape.jit.Jit"), path.linking().toString());
            assertTrue(path.refusable().containsAll(Set.of("dev.tape.vm.JitTier", "dev.tape.vm.JitRuntime",
                    "dev.tape.vm.JitTier$Definer", "dev.tape.vm.internal.Holder")), path.refusable().toString());
            // each refused once: the first compile's runs give the same results, the later compile
            // compiles as ever
            assertEquals(List.of(), TestLoaders.refuseEach(1, 1, TestLoaders::noHeap, true, Set.of()));
        });
    }
}
