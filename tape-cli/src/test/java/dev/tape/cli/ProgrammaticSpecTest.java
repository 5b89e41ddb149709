package dev.tape.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code tape} and {@code tape run} models built by {@link TapeSpec} and {@link RunSpec} behave as
 * the annotated commands they replaced: every help text, the completion script, and the parse
 * results and errors of {@code tape run}; and no command has an option of a type whose picocli
 * converter {@link TapeCli#main} leaves out.
 *
 * <p>The help texts in {@code golden/} were printed by the annotated commands (main at d1cf04c,
 * {@code java -jar tape-cli.jar CMD --help}, {@code tape help run}, {@code tape completion bash}),
 * before the programmatic models existed, each exit-code list's code 2 line since extended with
 * {@link ExitCodes#PROCESS_ERRORS} (twenty-third round, {@link TapeCli#processErrors}; the same
 * for every command, so the comparison still holds). {@link AnnotatedRun} is the annotated {@code run} command
 * as it was, kept here as the reference for parsing.
 */
class ProgrammaticSpecTest {
    private static String golden(String name) throws IOException {
        try (InputStream in = ProgrammaticSpecTest.class.getResourceAsStream("golden/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyHelpTextIsTheAnnotatedCommandsOne() throws IOException {
        for (String name : TapeCli.SUBCOMMANDS) {
            String want = golden("sub-" + name + ".txt");
            assertEquals(new Cli.Result(0, want, ""), Cli.run(name, "--help"), name);
            assertEquals(new Cli.Result(0, want, ""), Cli.lazy(name, "--help"), name);
        }
        assertEquals(new Cli.Result(0, golden("sub-run.txt"), ""), Cli.lazy("run", "-h"));
        assertEquals(new Cli.Result(0, golden("help.txt"), ""), Cli.lazy("--help"));
        assertEquals(new Cli.Result(0, golden("help-run.txt"), ""), Cli.lazy("help", "run"));
        assertEquals(new Cli.Result(0, golden("completion-bash.txt"), ""), Cli.lazy("completion", "bash"));
    }

    @Test
    void runsVersionAndUsageErrorsAreTheAnnotatedOnes() {
        assertEquals(Cli.lazy("--version"), Cli.lazy("run", "--version"));
        assertEquals(Cli.lazy("-V"), Cli.lazy("run", "-V"));
        assertEquals(new Cli.Result(2, "", "tape run: Missing required parameter: 'FILE' (see 'tape run --help')\n"),
                Cli.lazy("run"));
        assertEquals(new Cli.Result(2, "", "tape: missing a command (run, resume, debug, dap, profile, replay, verify, "
                + "inspect, disasm, asm, conformance, bench, completion); see 'tape --help'\n"), Cli.lazy());
        assertEquals("tape run: Invalid value for option '--trace' (GROUP): expected one of [run, call, host, instr, "
                + "all] (case-sensitive) but was 'foo' (see 'tape run --help')\n", Cli.lazy("run", "x", "--trace", "foo").err());
        assertEquals("tape run: Invalid value for option '--max-output-bytes': 'zz' is not a long (see 'tape run "
                + "--help')\n", Cli.lazy("run", "x", "--max-output-bytes", "zz").err());
    }

    @Test
    void noOptionNeedsAConverterMainExcludes() {
        CommandLine all = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CommandLine.Model.CommandSpec> specs = new ArrayList<>();
        specs.add(all.getCommandSpec());
        for (CommandLine sub : all.getSubcommands().values()) {
            specs.add(sub.getCommandSpec());
        }
        int checked = 0;
        for (CommandLine.Model.CommandSpec spec : specs) {
            assertEquals(List.of(), spec.subcommands().values().stream().filter(c -> c.getSubcommands().size() > 0)
                    .toList(), "no deeper subcommands");
            for (CommandLine.Model.ArgSpec arg : spec.args()) {
                List<Class<?>> types = new ArrayList<>(List.of(arg.type()));
                types.addAll(List.of(arg.auxiliaryTypes()));
                for (Class<?> t : types) {
                    checked++;
                    assertFalse(t.getName().matches(TapeCli.EXCLUDED_CONVERTERS), spec.qualifiedName() + " "
                            + arg + ": " + t.getName());
                }
            }
        }
        assertTrue(checked > 100, "types checked: " + checked);
        assertTrue("java.time.Duration".matches(TapeCli.EXCLUDED_CONVERTERS));
        assertTrue("java.sql.Timestamp".matches(TapeCli.EXCLUDED_CONVERTERS));
        assertFalse("java.nio.file.Path".matches(TapeCli.EXCLUDED_CONVERTERS));
        // every optional type picocli 4.7 looks up (CommandLine.Interpreter.registerBuiltInConverters):
        // java.sql's and java.time's excluded, Path kept
        for (String name : List.of("java.sql.Time", "java.sql.Connection", "java.sql.Driver", "java.sql.Timestamp",
                "java.time.Duration", "java.time.Instant", "java.time.LocalDate", "java.time.LocalDateTime",
                "java.time.LocalTime", "java.time.MonthDay", "java.time.OffsetDateTime", "java.time.OffsetTime",
                "java.time.Period", "java.time.Year", "java.time.YearMonth", "java.time.ZonedDateTime",
                "java.time.ZoneId", "java.time.ZoneOffset")) {
            assertTrue(name.matches(TapeCli.EXCLUDED_CONVERTERS), name);
        }
    }

    /** The annotated {@code tape run} as it was before {@link RunSpec}: the reference for parsing. */
    @Command(name = "run", sortOptions = false)
    static final class AnnotatedRun implements Callable<Integer> {
        @Mixin
        RunOptions options;

        @Option(names = "--slice", paramLabel = "N")
        String slice;

        @Option(names = "--timeout", paramLabel = "DURATION")
        String timeout;

        @Option(names = "--pause-at", paramLabel = "FUEL")
        String pauseAt;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.snap")
        Path output;

        @Option(names = "--record", paramLabel = "FILE.rec")
        Path record;

        @Override
        public Integer call() {
            return 0;
        }

        /** @return every field's value after parsing, in the order of {@link #values(RunCommand)} */
        List<Object> values() {
            return ProgrammaticSpecTest.values(options, slice, timeout, pauseAt, output, record);
        }
    }

    private static List<Object> values(RunCommand run) {
        return values(run.options, run.slice, run.timeout, run.pauseAt, run.output, run.record);
    }

    private static List<Object> values(RunOptions o, Object... own) {
        EngineOptions e = o.engine;
        List<Object> all = new ArrayList<>(Arrays.asList(o.file, o.entry, List.copyOf(o.args), e.fuel, e.maxCallDepth,
                e.maxHostCalls, e.maxHeapBytes, e.maxRegisters, e.maxOutputBytes, e.host, e.tier, List.copyOf(e.trace)));
        all.addAll(Arrays.asList(own));
        return all;
    }

    /** Parses {@code tape run ARGS} into {@code run}: null, or the usage error's message. */
    private static String parse(Object run, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine cl = new CommandLine(TapeSpec.of(new TapeCli()));
        cl.addSubcommand("run", run);
        try {
            cl.parseArgs(all);
        } catch (CommandLine.ParameterException e) {
            return "error: " + e.getMessage();
        }
        return null;
    }

    @Test
    void runParsesAsTheAnnotatedCommand() {
        String[][] lines = {
            {"f.tasm"},
            {"f.tasm", "--arg", "i64:20", "--arg=2", "--arg", "str:\"a b\""},
            {"--arg", "1", "f.tasm", "--entry", "fib"},
            {"f.tasm", "--fuel", "5", "--max-call-depth", "6", "--max-host-calls", "7", "--max-heap-bytes", "8",
                "--max-registers", "9", "--max-output-bytes", "10", "--host", "test", "--tier", "interp"},
            {"f.tasm", "--trace", "run,call", "--trace", "host", "--trace=all"},
            {"f.tasm", "--slice", "100", "--timeout", "2s", "--pause-at", "3", "-o", "x.snap", "--record", "r.rec"},
            {"f.tasm", "--output=y.snap", "--fuel", "1", "--fuel", "2"},
            {"--", "--arg"},
            {"f.tasm", "--fuel=-1", "--max-output-bytes", "-1"},
            {},
            {"f.tasm", "g.tasm"},
            {"f.tasm", "--bogus"},
            {"f.tasm", "--fuel"},
            {"f.tasm", "--arg"},
            {"f.tasm", "--tier", "JIT"},
            {"f.tasm", "--host", "none"},
            {"f.tasm", "--trace", "run,nope"},
            {"f.tasm", "--max-output-bytes", "1.5"},
            {"f.tasm", "--max-output-bytes", "99999999999999999999"},
            {"f.tasm", "-o"},
        };
        for (String[] args : lines) {
            AnnotatedRun annotated = new AnnotatedRun();
            RunCommand programmatic = new RunCommand();
            String want = parse(annotated, args);
            String got = parse(RunSpec.of(programmatic), args);
            assertEquals(want, got, String.join(" ", args));
            if (want == null) {
                assertEquals(annotated.values(), values(programmatic), String.join(" ", args));
            }
        }
        RunCommand run = new RunCommand();
        parse(RunSpec.of(run), "f.tasm", "--arg", "1", "--trace", "run,call", "--max-output-bytes", "5");
        assertEquals("[f.tasm, null, [1], 10000000, 1024, 1000000, 67108864, 8388608, 5, std, jit, [run, call], null, "
                + "null, null, null, null]", values(run).toString());
    }
}
