package dev.tape.vm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongFunction;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The drivers the attack tests share: a program's transcripts ({@link AttackAllDriver#transcripts})
 * on the interpreter, the compiled tier, the stepped interpreter and (when asked) a framed VM must
 * agree line by line, none may hold an {@code internal_error}, and when {@code -Dtape.before.jar=FILE}
 * names a build before a change, the same driver loaded over that build's classes must write the
 * same transcripts. Test support only; every method fails the calling test through JUnit's
 * assertions.
 */
final class TierCompare {
    /** The ways' names, in the order of {@link AttackAllDriver#transcripts}' transcripts. */
    private static final String[] NAMES = {"interpreted", "compiled", "stepped", "framed"};

    private TierCompare() {
    }

    /**
     * The build to compare with, when {@code -Dtape.before.jar=FILE} names one (never a default
     * path: a jar left on the machine by another session may be any build).
     *
     * @return its path, or null when the property is not set or empty
     * @throws IllegalStateException when the property names no regular file (a typo must not pass
     *     as a comparison made)
     */
    static Path beforeJar() {
        String named = System.getProperty("tape.before.jar");
        if (named == null || named.isEmpty()) {
            return null;
        }
        Path p = Path.of(named);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("-Dtape.before.jar names no file: " + named);
        }
        return p;
    }

    /**
     * Which seeds a sweep runs: {@code PREFIX.from} (default 0) and {@code PREFIX.seeds} (the
     * test's default count) from the system properties.
     *
     * @param from the first seed
     * @param count how many seeds, from {@code from} on
     */
    record Seeds(long from, long count) {
        /**
         * @param prefix the properties' prefix, such as {@code attack.peel}
         * @param count the count when {@code PREFIX.seeds} is not set
         * @return the seeds the properties name
         */
        static Seeds of(String prefix, long count) {
            return new Seeds(Long.getLong(prefix + ".from", 0), Long.getLong(prefix + ".seeds", count));
        }

        /** @return one past the last seed */
        long end() {
            return from + count;
        }
    }

    /**
     * The build before, when {@link #beforeJar()} names one: {@link AttackAllDriver} loaded again
     * (by {@link DriverLoader}) over that jar's classes, in a class loader of its own that
     * {@link #close()} closes.
     */
    static final class Before implements AutoCloseable {
        private final URLClassLoader loader;
        private final Method run;

        private Before(URLClassLoader loader, Method run) {
            this.loader = loader;
            this.run = run;
        }

        /**
         * Opens the build {@link #beforeJar()} names; checks that the driver loaded again runs on that
         * build's classes ({@link Vm} from its jar), not this build's.
         *
         * @return the build before, or one whose {@link #run()} is null when none is named
         */
        static Before open() throws Exception {
            Path jar = beforeJar();
            if (jar == null) {
                return new Before(null, null);
            }
            URLClassLoader old = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> d = Class.forName(AttackAllDriver.class.getName(), true, new DriverLoader(old));
            assertSame(old, d.getClassLoader().loadClass(Vm.class.getName()).getClassLoader());
            return new Before(old, d.getMethod("transcripts", String.class, long[].class, long.class, boolean.class,
                    int.class, boolean.class));
        }

        /**
         * @return the build before's {@link AttackAllDriver#transcripts(String, long[], long, boolean, int, boolean)},
         *     or null when no build before is named
         */
        Method run() {
            return run;
        }

        @Override
        public void close() throws IOException {
            if (loader != null) {
                loader.close();
            }
        }
    }

    /** Loads {@link AttackAllDriver} (and its nested classes) again, over its parent's classes. */
    static final class DriverLoader extends ClassLoader {
        DriverLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith(AttackAllDriver.class.getName())) {
                throw new ClassNotFoundException(name);
            }
            String res = name.replace('.', '/') + ".class";
            try (InputStream in = TierCompare.class.getClassLoader().getResourceAsStream(res)) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] b = in.readAllBytes();
                return defineClass(name, b, 0, b.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }

    /**
     * Runs {@code source}'s interpreted, compiled and stepped transcripts and, with {@code framed},
     * the framed VM's ({@link AttackAllDriver#transcripts(String, long[], long, boolean, int, boolean)});
     * fails when one holds an {@code internal_error} or differs from the interpreted one, and, when
     * {@code oldRun} is given, when any differs from the build before's.
     *
     * @param oldRun {@link Before#run()}: the build before's driver, or null
     * @param source an assembly program whose function 0 takes i64 arguments
     * @param argv the entry's arguments
     * @param depth the largest call-depth limit to try
     * @param pre whether the compiled VMs compile every function first
     * @param regsTo the largest register limit to try; 0 for none
     * @param framed whether to add the framed VM's transcript
     * @param what what a failure's message names (the seed, arguments and program)
     * @return the transcripts, in the driver's order
     */
    static String[] waysAgree(Method oldRun, String source, long[] argv, long depth, boolean pre, int regsTo,
                              boolean framed, String what) throws Exception {
        int ways = framed ? 4 : 3;
        String[] now;
        try {
            now = AttackAllDriver.transcripts(source, argv, depth, pre, regsTo, framed);
        } catch (RuntimeException e) {
            throw new AssertionError(what, e);
        }
        for (int k = 0; k < ways; k++) {
            assertTrue(!now[k].contains("internal_error"), NAMES[k] + " internal_error\n" + what + "\n" + now[k]);
        }
        for (int k = 1; k < ways; k++) {
            assertLines(NAMES[0], now[0], NAMES[k], now[k], what);
        }
        if (oldRun != null) {
            String[] then = (String[]) oldRun.invoke(null, source, argv, depth, pre, regsTo, framed);
            for (int k = 0; k < ways; k++) {
                assertLines("before " + NAMES[k], then[k], "now " + NAMES[k], now[k], what);
            }
        }
        return now;
    }

    /**
     * {@link #waysAgree} without the framed VM: the interpreted, compiled and stepped transcripts.
     *
     * @return the three transcripts and the driver's count of compiled functions
     */
    static String[] threeAgree(Method oldRun, String source, long[] argv, long depth, boolean pre, int regsTo,
                               String what) throws Exception {
        return waysAgree(oldRun, source, argv, depth, pre, regsTo, false, what);
    }

    /** What a sweep checks of one program besides the three ways' agreement (counts, code shape). */
    @FunctionalInterface
    interface Each {
        /**
         * @param seed the program's seed
         * @param g the program
         * @param what the failure message's text ({@link AttackPrograms.Generated#what})
         * @param now its three transcripts ({@link #threeAgree})
         */
        void check(long seed, AttackPrograms.Generated g, String what, String[] now) throws Exception;
    }

    /**
     * The round attacks' sweep: for each seed, the program, then {@link #threeAgree} with the
     * program's arguments, call depths to {@code d + 4}, every function compiled first for even
     * seeds (on first use for odd ones) and register limits to {@code regsTo(g)}, against the build
     * before when one is named; then {@code each}.
     *
     * @param seeds the seeds to run
     * @param program the generator
     * @param regsTo the largest register limit to try for a program
     * @param each the test's own checks and counts of one program
     */
    static void sweep(Seeds seeds, LongFunction<AttackPrograms.Generated> program,
                      ToIntFunction<AttackPrograms.Generated> regsTo, Each each) throws Exception {
        try (Before old = Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                AttackPrograms.Generated g = program.apply(seed);
                String what = g.what(seed);
                String[] now = threeAgree(old.run(), g.source(), g.argv(), g.d() + 4, seed % 2 == 0,
                        regsTo.applyAsInt(g), what);
                each.check(seed, g, what, now);
            }
        }
    }

    /**
     * Fails at the first line where {@code got} differs from {@code want}, naming both.
     *
     * @param wantName the first transcript's name
     * @param want the first transcript
     * @param gotName the second transcript's name
     * @param got the second transcript
     * @param what what the failure's message starts with
     */
    static void assertLines(String wantName, String want, String gotName, String got, String what) {
        if (want.equals(got)) {
            return;
        }
        String[] a = want.split("\n", -1);
        String[] b = got.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(none)";
            String y = i < b.length ? b[i] : "(none)";
            if (!x.equals(y)) {
                fail(what + "\nline " + i + "\n" + wantName + ": " + x + "\n" + gotName + ": " + y);
            }
        }
    }
}
