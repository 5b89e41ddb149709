package dev.tape.jit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FirstUseDeepTest}'s compiled-tier stages with the warm-up turned off
 * ({@value Warmup#OFF_PROPERTY}{@code =false}): ASM's classes, which the warm-up thread initialises
 * when it runs, are then initialised only when a compile asks {@code ClassInit}'s thread for them
 * ({@code ClassInitList.generate}), the first time from an exhausted stack. A path that left one
 * for the caller's thread to initialise would leave it erroneous for good, and every later compile
 * in the class loader would fail (its functions left interpreted, the stage's outcome the same but
 * its class count not).
 */
class FirstUseDeepNoWarmupTest {
    /**
     * @param stage as {@link FirstUseDeepTest#aFirstUseWithNoStackLeftBreaksNothing}: 4 {@link Jit#compile},
     *     5 its run, 9 start and resume, 10 snapshot, 11 restore, on the compiled tier
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 5, 9, 10, 11})
    void aFirstCompiledUseWithNoStackLeftAndNoWarmUpBreaksNothing(int stage) throws Exception {
        String old = System.getProperty(Warmup.OFF_PROPERTY);
        System.setProperty(Warmup.OFF_PROPERTY, "false");
        try {
            new FirstUseDeepTest().aFirstUseWithNoStackLeftBreaksNothing(stage);
        } finally {
            if (old == null) {
                System.clearProperty(Warmup.OFF_PROPERTY);
            } else {
                System.setProperty(Warmup.OFF_PROPERTY, old);
            }
        }
    }
}
