package dev.tape.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM for the tests of process-level behaviour (exit status, the standard streams, JVM
 * options): runs a main class with the test JVM's own {@code java} and class path and
 * {@code -XX:TieredStopAtLevel=1}, in a folder, with stdin from a file or closed at once, stdout
 * to a file (by default {@code out.txt} in the folder), to a device such as {@code /dev/full}, or
 * to a pipe whose reading end this JVM closes at once, and stderr to {@code err.txt} in the
 * folder or a device. It waits at most {@link #BOUND_SECONDS}: a child still running then fails the test (an
 * {@link AssertionError} that names the command line) and is killed.
 *
 * <p>Set up with the chained setters, then {@link #run}; each {@code run} starts a new child with
 * the same settings and overwrites the folder's {@code out.txt} and {@code err.txt}.
 */
final class ChildJvm {
    /** How long a child JVM may take, in seconds: far more than it needs on a loaded machine. */
    static final int BOUND_SECONDS = 120;

    /**
     * A program that prints the numbers 0 to n - 1 with {@code std.print_i64}, one a line, and
     * returns n: {@code tape run many.tasm --arg i64:N} writes about 6.9 bytes a line for N near
     * 200,000, far more than a pipe holds, and uses 5 fuel units a line.
     */
    static final String MANY = """
            program many
            host print_i64 = "std.print_i64" (i64) -> ()
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                host_call r0, print_i64, r0, [r2] -> []
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r2]
            }
            """;

    /** A program whose main returns {@code i64:1}: 2 fuel units. */
    static final String ONE = "program one\nfunc main() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n";

    /**
     * What a child JVM did.
     *
     * @param status its exit status
     * @param out its stdout, when that went to a regular file; "" otherwise
     * @param err its stderr, when that went to a regular file; "" otherwise
     */
    record Result(int status, String out, String err) {}

    private final Path dir;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private File stdin;
    private File stdout;
    private boolean closedStdout;
    private File stderr;

    private ChildJvm(Path dir) {
        this.dir = dir;
    }

    /**
     * A child JVM that runs in {@code dir} and writes its stdout and stderr files there.
     *
     * @param dir the working folder, a test's temporary one
     * @return the settings, stdout to {@code dir/out.txt}, stdin closed, no extra option
     */
    static ChildJvm in(Path dir) {
        return new ChildJvm(dir);
    }

    /**
     * Adds JVM options, given before the class path.
     *
     * @param options say {@code -Djava.security.manager}
     * @return this
     */
    ChildJvm options(List<String> options) {
        jvmOptions.addAll(options);
        return this;
    }

    /**
     * Adds variables to the child's environment (on top of this JVM's).
     *
     * @param variables the names and values
     * @return this
     */
    ChildJvm env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    /**
     * Reads stdin from a file.
     *
     * @param file the file, or null for a stdin closed at once (the default)
     * @return this
     */
    ChildJvm stdin(File file) {
        stdin = file;
        return this;
    }

    /**
     * Writes stdout to a file or device.
     *
     * @param file say {@code /dev/full}; null for {@code out.txt} in the folder (the default)
     * @return this
     */
    ChildJvm stdout(File file) {
        stdout = file;
        closedStdout = false;
        return this;
    }

    /**
     * Writes stderr to a file or device.
     *
     * @param file say {@code /dev/full}; null for {@code err.txt} in the folder (the default), read
     *     as {@link Result#err()}
     * @return this
     */
    ChildJvm stderr(File file) {
        stderr = file;
        return this;
    }

    /**
     * Writes stdout to a pipe whose reading end is closed at once, before the child writes: its
     * first write fails with a broken pipe.
     *
     * @return this
     */
    ChildJvm closedStdout() {
        stdout = null;
        closedStdout = true;
        return this;
    }

    /**
     * Runs {@code mainClass.main(args)} in a new child JVM and waits for it, bounded.
     *
     * @param mainClass the class whose {@code main} runs, on this JVM's class path
     * @param args its arguments
     * @return what it did
     * @throws Exception when the child cannot be started or its output read
     */
    Result run(Class<?> mainClass, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        Path err = stderr != null ? stderr.toPath() : dir.resolve("err.txt");
        File out = closedStdout ? null : stdout != null ? stdout : dir.resolve("out.txt").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        if (out != null) {
            pb.redirectOutput(out);
        }
        if (stdin != null) {
            pb.redirectInput(stdin);
        }
        Process p = pb.start();
        if (stdin == null) {
            p.getOutputStream().close();
        }
        if (out == null) {
            p.getInputStream().close();
        }
        try {
            boolean ended = p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
            assertTrue(ended, mainClass.getSimpleName() + " " + String.join(" ", args)
                    + ": the child JVM was still running after " + BOUND_SECONDS + " s");
        } finally {
            p.destroyForcibly();
            p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
        }
        return new Result(p.exitValue(), out == null || !out.isFile() ? "" : read(out.toPath()),
                Files.isRegularFile(err) ? read(err) : "");
    }

    /**
     * Runs {@link TapeCli#main} with {@code args}, as {@link #run(Class, String...)}.
     *
     * @param args the command line
     * @return what the child did
     * @throws Exception when the child cannot be started or its output read
     */
    Result tape(String... args) throws Exception {
        return run(TapeCli.class, args);
    }

    /** A file's text, strictly UTF-8 (malformed bytes fail the read). */
    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
