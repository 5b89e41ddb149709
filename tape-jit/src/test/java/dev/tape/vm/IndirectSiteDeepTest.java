package dev.tape.vm;

import dev.tape.classinit.ClassInit;
import dev.tape.jit.ClassStates;
import dev.tape.jit.Jit;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IndirectSite}'s static initialiser (its method-handle forms) is its own group of
 * {@link ClassInit}'s ({@link ClassInit#INDIRECT}), run when the code generator first asks for a
 * {@code call.indirect} inline cache rather than with every compiled tier's classes: a first run with
 * no such instruction does not pay for it. That first request may come from a run's thread deep in
 * a program's recursion, so it must be made on ClassInit's thread: from every depth of an exhausted
 * stack, the request may fail, but must leave the class usable. Tape-core, tape-jit and ASM are loaded
 * again in a class loader of their own, and their classes loaded and linked first (as another thread
 * or a class-data archive may have done), so that the deep calls only initialise.
 */
class IndirectSiteDeepTest {
    @Test
    void theFirstCacheFromAnExhaustedStackBreaksNothing() throws Exception {
        try (URLClassLoader l = fresh()) {
            for (String name : tapeClasses()) {
                Class.forName(name, false, l).getDeclaredConstructors();
            }
            Class<?> chain = Class.forName(IndirectSiteDeepChain.class.getName(), true, l);
            call(chain, "prepare");
            Class<?> site = Class.forName(IndirectSite.class.getName(), false, l);
            // making a compiled-tier VM does not initialise it
            assertTrue(ClassStates.uninitialised(site), "initialised with the compiled tier's classes");
            int failed = (int) call(chain, "fromEveryDepth");
            assertTrue(failed > 0, "the deepest calls had no stack for the call itself: " + failed);
            assertTrue((boolean) call(chain, "made"), "no call made a cache");
            // usable: it initialises (a failed initialiser would throw NoClassDefFoundError here)
            Class.forName(IndirectSite.class.getName(), true, l);
            assertFalse(ClassStates.uninitialised(site));
        }
    }

    /** tape-core's and tape-jit's classes, as {@code FirstUseDeepTest} lists them */
    @SuppressWarnings("unchecked")
    private static java.util.List<String> tapeClasses() throws Exception {
        Method m = Class.forName("dev.tape.jit.FirstUseDeepTest").getDeclaredMethod("tapeClasses");
        m.setAccessible(true);
        return (java.util.List<String>) m.invoke(null);
    }

    private static Object call(Class<?> c, String name) throws Exception {
        Method m = c.getDeclaredMethod(name);
        m.setAccessible(true);
        return m.invoke(null);
    }

    private static URLClassLoader fresh() throws Exception {
        URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
            location(IndirectSiteDeepTest.class)};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static URL location(Class<?> c) throws Exception {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
