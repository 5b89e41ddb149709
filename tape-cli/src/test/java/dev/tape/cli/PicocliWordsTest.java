package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The words picocli itself uses for {@code tape}'s and {@code tape run}'s options, outside the help,
 * are those of the annotated commands {@link TapeSpec} and {@link RunSpec} replaced: each option's
 * description and initial value in the model, the message of a user-set
 * {@code picocli.converters.excludes} that leaves out the {@code Path} converter, and the lines of
 * {@code -Dpicocli.trace=INFO}.
 *
 * <p>Every expected text was printed by the annotated commands (main at d1cf04c, its
 * {@code tape-cli.jar}): {@code golden/arg-specs.txt} lists each option's {@code ArgSpec.toString()},
 * longest name or label, initial value and whether it has one, sorted; {@code golden/trace-run.txt}
 * is the stderr and exit code of two {@code java -Dpicocli.trace=INFO -jar tape-cli.jar run ...} in
 * a folder holding {@code fib.tasm}, without the first line (picocli's and the JVM's versions) and
 * with each object's identity hash replaced by {@code HASH}.
 */
class PicocliWordsTest {
    @TempDir
    Path tmp;

    private static String golden(String name) throws IOException {
        try (InputStream in = PicocliWordsTest.class.getResourceAsStream("golden/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String line(String command, ArgSpec arg) {
        String name = arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
        return command + "\t" + arg + "\t" + name + "\t" + arg.initialValue() + "\t" + arg.hasInitialValue();
    }

    @Test
    void everyOptionIsDescribedAsTheAnnotatedOne() throws IOException {
        CommandLine cl = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "run");
        List<String> got = new ArrayList<>();
        for (ArgSpec arg : cl.getCommandSpec().args()) {
            got.add(line("tape", arg));
        }
        for (ArgSpec arg : cl.getSubcommands().get("run").getCommandSpec().args()) {
            got.add(line("run", arg));
        }
        got.sort(null);
        assertEquals(golden("arg-specs.txt"), String.join("\n", got) + "\n");
    }

    @Test
    void aUserExcludedPathConverterIsReportedAsBefore() {
        String key = TapeCli.CONVERTER_EXCLUDES;
        String was = System.getProperty(key);
        System.setProperty(key, "java\\.nio\\..*");
        try {
            String[][] lines = {{"run", "fib.tasm", "--arg", "5"}, {"run", "-o", "x.snap", "fib.tasm"},
                {"run", "--record", "r.rec", "fib.tasm"}, {"run", "--output=x.snap"}};
            String[] fields = {"RunOptions.file", "RunCommand.output", "RunCommand.record", "RunCommand.output"};
            for (int i = 0; i < lines.length; i++) {
                assertEquals(new Cli.Result(2, "", "tape run: No TypeConverter registered for java.nio.file.Path of "
                        + "field java.nio.file.Path dev.tape.cli." + fields[i] + " (see 'tape run --help')\n"),
                        Cli.run(lines[i]), String.join(" ", lines[i]));
            }
        } finally {
            if (was == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, was);
            }
        }
    }

    /**
     * {@code FILE} parsed by a one-operand command of type {@code Path} with the given converters:
     * the value, or the message of picocli's error.
     */
    private static String parsed(String text, CommandLine.ITypeConverter<?>... converters) {
        CommandSpec spec = CommandSpec.create();
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("FILE").type(Path.class)
                .converters(converters).build());
        try {
            Object value = new CommandLine(spec).parseArgs(text).matchedPositional(0).getValue();
            return value.getClass().getName() + " " + value;
        } catch (CommandLine.ParameterException e) {
            return e.getMessage();
        }
    }

    /**
     * {@code tape run}'s {@code Path} converter ({@link RunSpec.PathConverter}, which takes the place
     * of picocli's reflective one) gives what picocli's own gives: the same path, and for a text that
     * is no path (a NUL character) the same message.
     */
    @Test
    void thePathConverterConvertsAndFailsAsPicocliWould() {
        assertEquals(1, RunSpec.pathConverters().length, "tape's converter, under tape's default excludes or none");
        for (String text : new String[] {"fib.tasm", "/tmp//a/../b c/", "a\u0000b", "\u0000", "x\u0000", "caf\u00e9"}) {
            String picocli = parsed(text);
            assertEquals(picocli, parsed(text, RunSpec.pathConverters()), text);
            assertEquals(text.indexOf(0) >= 0, picocli.startsWith("Invalid value for positional parameter at index 0 "
                    + "(FILE): cannot convert '"), picocli);
        }
    }

    /**
     * The converter is left out exactly when one of the comma-separated regular expressions of a
     * user-set {@code picocli.converters.excludes} matches {@code java.nio.file.Path}, as picocli
     * leaves out its own then ({@link #aUserExcludedPathConverterIsReportedAsBefore} checks the
     * message that follows).
     */
    @Test
    void thePathConverterIsLeftOutWhenPicocliLeavesOutItsOwn() {
        String key = TapeCli.CONVERTER_EXCLUDES;
        String was = System.getProperty(key);
        try {
            String[] values = {"java\\.nio\\..*", "java\\.time\\..*,java\\.nio\\.file\\.Path", ".*", "java\\.time\\..*",
                "java\\.nio\\.file", TapeCli.EXCLUDED_CONVERTERS, ""};
            int[] converters = {0, 0, 0, 1, 1, 1, 1};
            for (int i = 0; i < values.length; i++) {
                System.setProperty(key, values[i]);
                assertEquals(converters[i], RunSpec.pathConverters().length, values[i]);
            }
            System.clearProperty(key);
            assertEquals(1, RunSpec.pathConverters().length, "unset");
        } finally {
            if (was == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, was);
            }
        }
    }

    /** {@code tape ARGS} in a child JVM in {@link #tmp} under the C locale: its stderr, then "rc=N". */
    private String inC(String... args) throws Exception {
        ChildJvm.Result r = ChildJvm.in(tmp).env(Map.of("LC_ALL", "C")).tape(args);
        return r.err() + "rc=" + r.status() + "\n";
    }

    /**
     * The second text {@code Path.of} refuses besides a NUL (which no command line can hold): one
     * with a character the file-name encoding cannot map, here any non-ASCII one under the C locale
     * (on Linux {@code sun.jnu.encoding} is then ASCII, and the JVM decodes each byte of a
     * non-ASCII argument as U+FFFD). {@code tape run}'s {@code FILE}, {@code -o} and
     * {@code --record} ({@link RunSpec.PathConverter}) report it in the words of the commands that
     * still convert with picocli's own reflective converter ({@code tape verify}'s {@code FILE},
     * {@code tape asm}'s {@code --output}): one line, exit code 2.
     */
    @Test
    void anUnmappablePathIsReportedAsByPicocliOwnConverter() throws Exception {
        Files.writeString(tmp.resolve("fib.tasm"), "program fib\nfunc fib(n: i64) -> (i64) {\n    ret r0, [r1]\n}\n");
        String name = "caf\u00e9.tape";
        String run = inC("run", name);
        assertEquals(inC("verify", name).replace("tape verify", "tape run"), run);
        String asm = inC("asm", "fib.tasm", "-o", name).replace("tape asm", "tape run");
        assertEquals(asm, inC("run", "fib.tasm", "-o", name));
        assertEquals(asm.replace("'--output'", "'--record'"), inC("run", "fib.tasm", "--record", name));
        assertEquals(2, run.split("\n").length, run);
        assertTrue(run.endsWith("\nrc=2\n"), run);
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertTrue(run.contains("cannot convert 'caf\ufffd\ufffd.tape' to interface java.nio.file.Path (java.nio.file."
                    + "InvalidPathException: Malformed input or input contains unmappable characters"), run);
        }
    }

    /** {@code java -Dpicocli.trace=INFO dev.tape.cli.TapeCli ARGS} in {@link #tmp}: stderr and "rc=N". */
    private String traced(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Dpicocli.trace=INFO", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), TapeCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        StringBuilder b = new StringBuilder();
        for (String l : err.split("\n", -1)) {
            if (!l.isEmpty() && !l.startsWith("[picocli INFO] Picocli version: ")) {
                b.append(l.replaceAll("@[0-9a-f]+$", "@HASH")).append('\n');
            }
        }
        return b.append("rc=").append(p.exitValue()).append('\n').toString();
    }

    @Test
    void picocliTracesRunAsTheAnnotatedCommand() throws Exception {
        Files.writeString(tmp.resolve("fib.tasm"), "program fib\nfunc fib(n: i64) -> (i64) {\n    ret r0, [r1]\n}\n");
        String got = traced("run", "fib.tasm", "--entry", "0", "--arg", "5", "--fuel", "100", "--max-call-depth", "9",
                "--max-host-calls", "9", "--max-heap-bytes", "99999", "--max-registers", "999", "--max-output-bytes",
                "99", "--host", "std", "--tier", "interp", "--trace", "run,call", "--slice", "50", "--timeout", "1s",
                "--pause-at", "10", "--record", "r.rec")
                + traced("run", "fib.tasm", "-o", "x.snap");
        assertEquals(golden("trace-run.txt"), got);
        assertEquals(List.of("fib.tasm"), List.of(tmp.toFile().list()), "no file written");
    }
}
