package dev.tape.vm;

import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An error thrown where {@code execute} calls {@link DecimalRun#run}, before the run's own handler
 * can note its position: an {@code OutOfMemoryError} while the JVM loads the class on its first
 * use (a heap full at the first decimal instruction a JVM's interpreter runs; here a class loader
 * that throws it once). The trap must be {@code heap_limit_exceeded} at that decimal instruction,
 * paid for, as an allocation failing there was before {@code DecimalRun}: not where the context's
 * {@code runIp} and {@code runUsed} happen to point (code index 0, function 0's first instruction,
 * in a context no run has trapped in).
 */
class DecimalRunEntryTest {
    /** tape-core's classes and this test's, over the platform's, with DecimalRun failing to load once */
    private static final class FailingOnce extends URLClassLoader {
        private boolean failed;

        FailingOnce() {
            super(new URL[] {Vm.class.getProtectionDomain().getCodeSource().getLocation(),
                DecimalRunEntryProbe.class.getProtectionDomain().getCodeSource().getLocation()},
                    ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(DecimalRun.class.getName()) && !failed) {
                failed = true;
                throw new OutOfMemoryError("no heap to load " + name + " (the test's)");
            }
            return super.loadClass(name, resolve);
        }
    }

    private static String run(ClassLoader l, long fuel) throws Exception {
        return (String) Class.forName(DecimalRunEntryProbe.class.getName(), true, l)
                .getMethod("run", long.class).invoke(null, fuel);
    }

    @Test
    void anErrorLoadingTheRunTrapsAtTheDecimalInstruction() throws Exception {
        int before = DecimalRunEntryProbe.BEFORE;
        // where the first decimal instruction is: the fuel runs out there
        String at = DecimalRunEntryProbe.run(before);
        assertTrue(at.startsWith("FUEL_EXCEEDED f1 pc ") && at.endsWith(" fuel 0"), at);
        String pc = at.substring("FUEL_EXCEEDED ".length(), at.length() - " fuel 0".length());
        String whole = DecimalRunEntryProbe.run(1000);
        try (FailingOnce l = new FailingOnce()) {
            assertEquals("HEAP_LIMIT_EXCEEDED " + pc + " fuel " + (1000 - before - 1), run(l, 1000));
            // and the next run loads the class and ends as it should
            assertEquals(whole, run(l, 1000));
        }
    }
}
