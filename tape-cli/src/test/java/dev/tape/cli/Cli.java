package dev.tape.cli;

import org.junit.jupiter.api.Assertions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Runs the tape command line in-process with captured stdout and stderr. */
final class Cli {
    private Cli() {}

    /**
     * What one invocation did.
     *
     * @param code the exit code
     * @param out everything written to stdout
     * @param err everything written to stderr
     */
    record Result(int code, String out, String err) {
        List<String> outLines() {
            return lines(out);
        }

        List<String> errLines() {
            return lines(err);
        }

        private static List<String> lines(String s) {
            return s.isEmpty() ? List.of() : Arrays.asList(s.split("\n"));
        }

        /** Asserts the command failed with exactly one line on stderr, no stack trace, and returns it. */
        String oneErrorLine(int expectedCode) {
            Assertions.assertEquals(expectedCode, code, () -> "exit code; stderr: " + err + "; stdout: " + out);
            assertNoStackTrace();
            List<String> lines = errLines();
            Assertions.assertEquals(1, lines.size(), () -> "expected one stderr line, got: " + err);
            Assertions.assertTrue(err.endsWith("\n"), "the line ends with a newline");
            return lines.get(0);
        }

        /**
         * {@link #oneErrorLine} for a command whose error line names it: checks the line starts
         * with {@code "tape COMMAND: "} and returns the rest, so lines of different commands about
         * the same failure compare equal.
         */
        String oneErrorOf(String command, int expectedCode) {
            String line = oneErrorLine(expectedCode);
            String prefix = "tape " + command + ": ";
            Assertions.assertTrue(line.startsWith(prefix), () -> "expected '" + prefix + "...', got: " + line);
            return line.substring(prefix.length());
        }

        void assertNoStackTrace() {
            for (String s : List.of(out, err)) {
                Assertions.assertFalse(s.contains("\tat ") || s.matches("(?s).*\\bat [a-z]+(\\.[a-zA-Z_$0-9]+)+\\(.*")
                        || s.contains("Exception in thread") || s.contains("Caused by:"), () -> "stack trace: " + s);
            }
        }
    }

    /**
     * Runs {@code tape ARGS...} through {@link TapeCli#commandLine}.
     *
     * @param args the arguments
     * @return what happened
     */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = TapeCli.commandLine(o, e).execute(args);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code tape ARGS...} through the command line {@link TapeCli#execute} builds for them
     * ({@link TapeCli#commandLine(PrintWriter, PrintWriter, String)}: only the subcommand named
     * first, the programmatic {@code run}).
     *
     * @param args the arguments
     * @return what happened
     */
    static Result lazy(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = TapeCli.commandLine(o, e, TapeCli.first(args)).execute(args);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    /** @return the shared conformance folder: {@code tape.shared.dir}, or a {@code shared} folder found upwards */
    static Path conformanceDir() {
        String prop = System.getProperty("tape.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop, "conformance"))) {
            return Path.of(prop, "conformance");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path c : new Path[] {p.resolveSibling("shared").resolve("conformance"),
                p.resolve("shared").resolve("conformance")}) {
                if (Files.isDirectory(c)) {
                    return c;
                }
            }
        }
        throw new IllegalStateException("cannot find shared/conformance (set -Dtape.shared.dir)");
    }

    /** @param name a file in the conformance folder @return its path as a string */
    static String vector(String name) {
        return conformanceDir().resolve(name).toString();
    }
}
