package dev.tape.jit;

import dev.tape.vm.Vm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassWriter;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack of an embedder deep in its own recursion whose first call into tape comes with almost
 * no Java stack left: the call may fail, but must leave nothing broken. A class whose static
 * initialiser fails (a {@link StackOverflowError} in it or in the JVM's call of it) is marked
 * erroneous for good: every later use in that class loader throws
 * {@code NoClassDefFoundError: Could not initialize class}, with any stack.
 *
 * <p>Each case loads tape-core, tape-jit and ASM again in a class loader of its own, loads and links
 * every class of theirs (as another thread or a class-data archive may have done, so that the deep
 * calls only initialise), runs {@link FirstUseChain}'s stages before {@code stage} with a full
 * stack, then the rest from every depth of an exhausted stack, from the deepest up (one vector of
 * each family of the reference's conformance vectors: decode, verify, both tiers' VMs and runs,
 * pause and resume, snapshot and restore). Then every class of tape-core and tape-jit must
 * initialise, what the deep calls gave must be what the same stages give in this test's own class
 * loader, and so must all the stages run again with a full stack.
 */
class FirstUseDeepTest {
    /**
     * @param stage the first stage run from the depths: 0 decode, 1 verify, 2 the interpreted VM, 3
     *     its run, 4 {@link Jit#compile}, 5 its run, 6 and 9 start and resume, 7 and 10 snapshot, 8 and
     *     11 restore (interpreted, compiled)
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void aFirstUseWithNoStackLeftBreaksNothing(int stage) throws Exception {
        byte[][] programs = programs();
        FirstUseChain.reset(programs);
        FirstUseChain.advance();
        String expected = FirstUseChain.transcript();
        assertTrue(expected.contains("returned [") && expected.contains("trapped ") && expected.contains("paused ")
                && expected.contains("rejected"), expected);
        try (URLClassLoader l = fresh()) {
            linkAll(l);
            Class<?> chain = Class.forName(FirstUseChain.class.getName(), true, l);
            call(chain, "reset", new Object[] {programs});
            call(chain, "prepare", stage);
            int failed = (int) call(chain, "fromEveryDepth");
            // the deepest calls had no stack for the call itself
            assertTrue(failed > 0, "failed " + failed);
            assertEquals(List.of(), broken(l));
            assertEquals(expected, call(chain, "transcript"), () -> "what the deep calls gave; the last failure: "
                    + lastFailure(chain));
            call(chain, "reset", new Object[] {programs});
            call(chain, "advance");
            assertEquals(expected, call(chain, "transcript"), "with a full stack");
        }
    }

    /** one vector of each family of the conformance vectors (the name less its {@code _N}) */
    static byte[][] programs() throws Exception {
        Map<String, Path> one = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(conformance())) {
            s.filter(p -> p.toString().endsWith(".tape")).sorted().forEach(p -> {
                String name = p.getFileName().toString().replaceAll("(_[0-9]+)?\\.tape$", "");
                one.putIfAbsent(name, p);
            });
        }
        assertTrue(one.size() > 100, one.keySet().toString());
        List<byte[]> out = new ArrayList<>();
        for (Path p : one.values()) {
            out.add(Files.readAllBytes(p));
        }
        return out.toArray(new byte[0][]);
    }

    private static Path conformance() {
        String prop = System.getProperty("tape.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop, "conformance"))) {
            return Path.of(prop, "conformance");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("conformance");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("cannot find shared/conformance next to the repository");
    }

    /** the binary names of every class of tape-core and tape-jit (from their class directories or jars) */
    static List<String> tapeClasses() throws Exception {
        List<String> names = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Vm.class, Jit.class}) {
            Path root = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<String> files = new ArrayList<>();
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.forEach(p -> files.add(root.relativize(p).toString().replace('\\', '/')));
                }
            } else {
                try (JarFile jar = new JarFile(root.toFile())) {
                    jar.stream().forEach(e -> files.add(e.getName()));
                }
            }
            for (String f : files) {
                if (f.endsWith(".class") && !f.endsWith("module-info.class") && !f.startsWith("META-INF/")) {
                    names.add(f.substring(0, f.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        names.sort(null);
        return names;
    }

    /** Loads and links (without initialising) every class of tape's and ASM's that a run may need. */
    private static void linkAll(ClassLoader l) throws Exception {
        List<String> names = new ArrayList<>(tapeClasses());
        names.addAll(List.of(Warmup.Work.ASM_CLASSES));
        for (String name : names) {
            Class.forName(name, false, l).getDeclaredConstructors();
        }
    }

    /**
     * the classes of tape-core and tape-jit, and ASM's that the generator needs initialised
     * ({@link ClassInitList#ASM}: one left erroneous fails every later compile, which a run survives
     * interpreted, so the transcripts would not tell), that do not initialise in {@code l}, with why
     */
    private static List<String> broken(ClassLoader l) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> names = new ArrayList<>(tapeClasses());
        names.addAll(List.of(ClassInitList.ASM.split(" ")));
        for (String name : names) {
            try {
                Class.forName(name, true, l);
            } catch (Throwable e) {
                out.add(name + ": " + e);
            }
        }
        return out;
    }

    private static String lastFailure(Class<?> chain) {
        try {
            return (String) call(chain, "lastFailure");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Object call(Class<?> c, String name, Object... args) throws Exception {
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                m.setAccessible(true);
                try {
                    return m.invoke(null, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception x ? x : new RuntimeException(e.getCause());
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static URLClassLoader fresh() throws Exception {
        URL[] urls = {location(Jit.class), location(Vm.class), location(ClassWriter.class),
            location(FirstUseDeepTest.class)};
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    private static URL location(Class<?> c) throws Exception {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }
}
