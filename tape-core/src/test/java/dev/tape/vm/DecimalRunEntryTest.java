package dev.tape.vm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An error thrown where {@code execute} calls {@link DecimalRun#run}, before the run's own handler
 * can note its position: an {@code OutOfMemoryError} while the JVM loads the class on its first
 * use (a heap full at the first decimal instruction a JVM's interpreter runs; here a {@link FailingLoader}
 * that throws it once). The trap must be {@code heap_limit_exceeded} at that decimal instruction,
 * paid for, as an allocation failing there was before {@code DecimalRun}: not where the context's
 * {@code runIp} and {@code runUsed} happen to point (code index 0, function 0's first instruction,
 * in a context no run has trapped in).
 */
class DecimalRunEntryTest {
    @Test
    void anErrorLoadingTheRunTrapsAtTheDecimalInstruction() throws Exception {
        int before = DecimalRunEntryProbe.BEFORE;
        // where the first decimal instruction is: the fuel runs out there
        String at = DecimalRunEntryProbe.run(before);
        assertTrue(at.startsWith("FUEL_EXCEEDED f1 pc ") && at.endsWith(" fuel 0"), at);
        String pc = at.substring("FUEL_EXCEEDED ".length(), at.length() - " fuel 0".length());
        String whole = DecimalRunEntryProbe.run(1000);
        try (FailingLoader l = FailingLoader.once(DecimalRun.class.getName())) {
            assertEquals("HEAP_LIMIT_EXCEEDED " + pc + " fuel " + (1000 - before - 1),
                    l.call(DecimalRunEntryProbe.class, "run", 1000L));
            // and the next run loads the class and ends as it should
            assertEquals(whole, l.call(DecimalRunEntryProbe.class, "run", 1000L));
        }
    }
}
