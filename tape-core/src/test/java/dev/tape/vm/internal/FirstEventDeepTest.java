package dev.tape.vm.internal;

import dev.tape.classinit.ClassInit;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack of a program whose run makes the first JFR event of its class loader (a run, a host
 * call, a trap) from deep in a recursion, while a recording is on: JFR adds its instrumentation to
 * an event class on the thread that loads it, and when that thread has no stack left for it, the
 * class is left unregistered for good ({@code IllegalStateException: Event class ... is not
 * registered}): every later host call in that class loader would trap {@code host_call_failed}
 * while the recording is on, whatever the program and the stack. So tape loads its event classes
 * on {@link ClassInit}'s thread, once JFR is initialised, before the first event.
 *
 * <p>Tape-core and {@link DeepEventChain} are loaded again in a class loader of their own, after the
 * recording has started, so that the event classes are loaded there for the first time.
 */
class FirstEventDeepTest {
    @Test
    void aFirstEventWithNoStackLeftBreaksNothing() throws Exception {
        DeepEventChain.prepare();
        String expected = DeepEventChain.once();
        assertTrue(expected.startsWith("trapped DIV_BY_ZERO"), expected);
        try (Recording recording = new Recording()) {
            recording.enable("dev.tape.Run");
            recording.enable("dev.tape.Trap");
            recording.enable("dev.tape.HostCall");
            recording.start();
            try (URLClassLoader l = fresh()) {
                Class<?> chain = Class.forName(DeepEventChain.class.getName(), true, l);
                chain.getMethod("prepare").invoke(null);
                String deep = (String) chain.getMethod("fromEveryDepth").invoke(null);
                // the deepest runs had no stack for the run itself
                assertTrue((int) chain.getMethod("failed").invoke(null) > 0);
                assertEquals(expected, deep, "the deepest run that got through");
                assertEquals(expected, chain.getMethod("once").invoke(null), "with a full stack");
            }
        }
    }

    /** a class loader of tape-core's classes and this test's, over the platform's */
    private static URLClassLoader fresh() throws Exception {
        URL core = ClassInit.class.getProtectionDomain().getCodeSource().getLocation();
        URL tests = DeepEventChain.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {core, tests}, ClassLoader.getPlatformClassLoader());
    }
}
