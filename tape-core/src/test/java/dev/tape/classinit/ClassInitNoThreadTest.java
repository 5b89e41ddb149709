package dev.tape.classinit;

import dev.tape.testing.SwitchMaps;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack of a JVM that cannot start the initialising thread (a process or cgroup thread limit,
 * no memory for a stack: {@code OutOfMemoryError: unable to create native thread}): every entry
 * must still work, initialising where first used, and tape must soon stop trying, since each
 * failed start costs a system call and the JVM prints two warning lines for it, which would
 * otherwise come with every decode, run and {@code Run.step} for as long as the limit holds.
 *
 * <p>Tape-core and {@link NoThreadChain} are loaded again in a class loader of their own, where
 * {@link ClassInit} refuses every start as the JVM would.
 */
class ClassInitNoThreadTest {
    private static final int ROUNDS = 3;

    @Test
    void withNoThreadToBeHadEveryEntryWorksAndTapeSoonStopsTrying() throws Exception {
        String expected = NoThreadChain.go(ROUNDS);
        assertTrue(expected.contains("[i64:45]") && expected.contains("Done"), expected);
        try (URLClassLoader l = fresh()) {
            Class<?> init = Class.forName(ClassInit.class.getName(), false, l);
            field(init, "refuseThreadsForTest").setBoolean(null, true);
            Class<?> chain = Class.forName(NoThreadChain.class.getName(), true, l);
            assertEquals(expected, chain.getMethod("go", int.class).invoke(null, ROUNDS));
            int refused = field(init, "refusedForTest").getInt(null);
            assertTrue(refused > 0 && refused <= ClassInit.MAX_FAILED_STARTS, "tries: " + refused);
            // the same again: no more tries
            assertEquals(expected, chain.getMethod("go", int.class).invoke(null, ROUNDS));
            assertEquals(refused, field(init, "refusedForTest").getInt(null), "tries after the first rounds");
            // and every class of ClassInit's lists is initialised there, where it was first used
            for (String list : new String[] {ClassInit.CORE, ClassInit.DECODER, ClassInit.INTERPRETER,
                ClassInit.RUNS, ClassInit.INDIRECT, ClassInit.BUILDER, ClassInit.ASSEMBLER, ClassInit.DISASSEMBLER}) {
                for (String name : list.split(" ")) {
                    if (!SwitchMaps.present(name, l)) {
                        assertTrue(SwitchMaps.notGenerated(name, l),
                                name + ": no such class, and not a switch map this javac leaves out");
                        continue;
                    }
                    Class.forName(name, true, l);
                }
            }
        }
    }

    /** a class loader of tape-core's classes and this test's, over the platform's */
    private static URLClassLoader fresh() throws Exception {
        URL core = ClassInit.class.getProtectionDomain().getCodeSource().getLocation();
        URL tests = NoThreadChain.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {core, tests}, ClassLoader.getPlatformClassLoader());
    }

    private static Field field(Class<?> c, String name) throws Exception {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
