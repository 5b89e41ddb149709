package dev.tape.jit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Attack (fifteenth round) on the compiled tier's start-up under class-loading failures: each class of
 * the compile path refused not once but twice, or every time, or with another error than an
 * {@code OutOfMemoryError} ({@code StackOverflowError}, {@code NoClassDefFoundError},
 * {@code SecurityException}): no exception reaches the embedder and every run's results are those of a
 * loader that refuses nothing.
 */
class AttackCompileLoadersTest {
    private static List<String> attack(int times, int compiles, Function<String, ? extends Throwable> failure,
            boolean laterWhole) throws Exception {
        return attack(times, compiles, failure, laterWhole, Set.of());
    }

    private static List<String> attack(int times, int compiles, Function<String, ? extends Throwable> failure,
            boolean laterWhole, Set<String> skip) throws Exception {
        List<String> wrong = TestLoaders.refuseEach(times, compiles, failure, laterWhole, skip);
        System.out.println("ATTACK times=" + times + " " + failure.apply("x").getClass().getSimpleName() + " wrong="
                + wrong);
        return wrong;
    }

    @Test
    void refusedTwiceThenCompilesAsEver() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(2, 2, n -> new OutOfMemoryError("no heap for " + n), true)));
    }

    /**
     * Before the fix, JitRuntime refused for good: fib's compile (no call site, so no need of
     * JitRuntime.lazy) made a class whose run then failed to load JitRuntime, a heap_limit_exceeded
     * trap at pc 0 where the interpreter returns 6765.
     */
    @Test
    void refusedForeverLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(Integer.MAX_VALUE, 2, n -> new OutOfMemoryError("no heap for " + n), false)));
    }

    /**
     * But ClassInitList's: Jit.compile lets out a StackOverflowError met before the compiled tier's
     * classes are initialised, by design (ClassInit.initialise: the caller's stack is too short), and
     * one while the JVM loads ClassInitList is that one.
     */
    @Test
    void stackOverflowOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, n -> new StackOverflowError("no stack for " + n), true,
                        Set.of("dev.tape.jit.ClassInitList"))));
    }

    @Test
    void noClassDefOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, n -> new NoClassDefFoundError(n), false)));
    }

    /**
     * Before the fix (JitAccess catching no RuntimeException), Holder refused once so left JitAccess
     * erroneous: every later Jit.compile of the loader made an interpreting VM (0 compiled functions).
     */
    @Test
    void securityExceptionOnceLetsNothingOut() throws Exception {
        TestLoaders.withoutWarmUp(() -> assertEquals(List.of(),
                attack(1, 1, n -> new SecurityException("refused " + n), true)));
    }
}
