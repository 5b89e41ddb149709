package dev.tape.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.IScope;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The picocli model of {@code tape run}, built with picocli's programmatic API instead of read from
 * annotations. Reading annotations cost a cold {@code tape run} about 0.1 s of CPU (annotation
 * proxy classes defined at run time, reflection over every field and its type:
 * docs/PERFORMANCE-LOG.md, "Cold start, fourth round"); this builds the same model (names, labels,
 * descriptions, defaults, types and so converters, order) directly, bound to a {@link RunCommand}
 * and its {@link RunOptions} and {@link EngineOptions} by {@link Field}, a getter and setter per
 * field with no reflection. Its help, errors and parse results are those of the annotated command
 * it replaced ({@code ProgrammaticSpecTest} compares them with text captured from it); so are the
 * words picocli uses for each option in its messages and its trace ({@code -Dpicocli.trace}): the
 * annotated field's description ({@link Field#DESCRIPTIONS}) and the object that holds it.
 */
final class RunSpec {
    /** {@code tape run}'s description, in its help and in {@code tape --help}'s list ({@link TapeCli#listed}). */
    static final List<String> DESCRIPTION = List.of(
            "Run a function of a program and print each returned value on its own line.",
            "A trap prints 'trap: KIND at FUNC (NAME) pc P span S' and the call stack on stderr and exits 1.");

    private RunSpec() {}

    /**
     * Builds the {@code run} command's model.
     *
     * @param run the command object the model fills in and picocli calls; its {@code spec} is set to
     *     the model
     * @return the model, for {@link picocli.CommandLine#addSubcommand(String, Object)}
     */
    static CommandSpec of(RunCommand run) {
        // (not picocli's default factory: LazyFactory says why)
        CommandSpec s = CommandSpec.wrapWithoutInspection(run, new LazyFactory());
        run.spec = s;
        s.name("run");
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "the function returned; its results are printed");
        codes.put("1", "the program trapped");
        codes.put("2", "bad usage, an unreadable, malformed or invalid program, an argument that does not fit, or an "
                + "internal error");
        codes.put("3", "--timeout: the run was still going at the deadline ('timeout: ...' on stderr)");
        codes.put("4", "--pause-at: the run paused and its snapshot was written ('paused: ...' on stderr)");
        s.usageMessage().sortOptions(false).exitCodeListHeading("%nExit codes:%n").exitCodeList(codes)
                .description(DESCRIPTION.toArray(new String[0]));
        Field file = new Field(run, Field.FILE);
        s.addPositional(PositionalParamSpec.builder().index("0").arity("1").required(true).paramLabel("FILE").type(Path.class)
                .converters(pathConverters()).description(RunOptions.FILE_HELP).setter(file).getter(file).scope(file.owner())
                .withToString(file.description()).build());
        s.addOption(option(run, Field.ENTRY, String.class, "ID|NAME", RunOptions.ENTRY_HELP, "--entry"));
        Field arg = new Field(run, Field.ARG);
        s.addOption(OptionSpec.builder("--arg").paramLabel("VALUE").type(List.class).auxiliaryTypes(String.class)
                .description(RunOptions.ARG_HELP).initialValue(arg.value()).hasInitialValue(true)
                .setter(arg).getter(arg).scope(arg.owner()).withToString(arg.description()).build());
        s.addOption(option(run, Field.FUEL, String.class, "N", EngineOptions.FUEL_HELP, "--fuel"));
        s.addOption(option(run, Field.DEPTH, String.class, "N", EngineOptions.DEPTH_HELP, "--max-call-depth"));
        s.addOption(option(run, Field.HOST_CALLS, String.class, "N", EngineOptions.HOST_CALLS_HELP,
                "--max-host-calls"));
        s.addOption(option(run, Field.HEAP, String.class, "N", EngineOptions.HEAP_HELP, "--max-heap-bytes"));
        s.addOption(option(run, Field.REGISTERS, String.class, "N", EngineOptions.REGISTERS_HELP, "--max-registers"));
        s.addOption(option(run, Field.OUTPUT_BYTES, long.class, "N", EngineOptions.OUTPUT_BYTES_HELP,
                "--max-output-bytes"));
        s.addOption(optionBuilder(run, Field.HOST, HostChoice.class, "std|test", EngineOptions.HOST_HELP, "--host")
                .completionCandidates(candidates(HostChoice.values())).build());
        s.addOption(optionBuilder(run, Field.TIER, Tier.class, "jit|interp", EngineOptions.TIER_HELP, "--tier")
                .completionCandidates(candidates(Tier.values())).build());
        Field trace = new Field(run, Field.TRACE);
        s.addOption(OptionSpec.builder("--trace").paramLabel("GROUP").splitRegex(",").type(List.class)
                .auxiliaryTypes(TraceGroup.class).completionCandidates(candidates(TraceGroup.values()))
                .description(EngineOptions.TRACE_HELP)
                .initialValue(trace.value()).hasInitialValue(true)
                .setter(trace).getter(trace).scope(trace.owner()).withToString(trace.description()).build());
        s.addOption(option(run, Field.SLICE, String.class, "N", RunCommand.SLICE_HELP, "--slice"));
        s.addOption(option(run, Field.TIMEOUT, String.class, "DURATION", RunCommand.TIMEOUT_HELP, "--timeout"));
        s.addOption(option(run, Field.PAUSE_AT, String.class, "FUEL", RunCommand.PAUSE_AT_HELP, "--pause-at"));
        s.addOption(option(run, Field.OUTPUT, Path.class, "FILE.snap", RunCommand.OUTPUT_HELP, "-o", "--output"));
        s.addOption(option(run, Field.RECORD, Path.class, "FILE.rec", RunCommand.RECORD_HELP, "--record"));
        TapeSpec.standardHelpOptions(s);
        return s;
    }

    /** A single-value option bound to one field, its initial value the field's value now. */
    private static OptionSpec option(RunCommand run, int field, Class<?> type, String label, String description,
            String name, String... names) {
        return optionBuilder(run, field, type, label, description, name, names).build();
    }

    /** As {@link #option(RunCommand, int, Class, String, String, String, String...)}, not yet built. */
    private static OptionSpec.Builder optionBuilder(RunCommand run, int field, Class<?> type, String label,
            String description, String name, String... names) {
        Field f = new Field(run, field);
        OptionSpec.Builder b = OptionSpec.builder(name, names).paramLabel(label).type(type).description(description)
                .initialValue(f.value()).hasInitialValue(true).setter(f).getter(f).scope(f.owner())
                .withToString(f.description());
        return type == Path.class ? b.converters(pathConverters()) : b;
    }

    /**
     * The converters of {@code tape run}'s {@link Path} operand and options ({@code FILE}, {@code -o},
     * {@code --record}): {@link PathConverter}, unless the system property
     * {@value TapeCli#CONVERTER_EXCLUDES} excludes picocli's own {@code Path} converter, where none
     * (picocli then reports its {@code No TypeConverter registered for java.nio.file.Path ...} as
     * before). Excluded as picocli decides it: one of the property's comma-separated regular
     * expressions matches {@code java.nio.file.Path} ({@link TapeCli#EXCLUDED_CONVERTERS}, the value
     * {@link TapeCli#run} sets when the property is unset, does not, and is not compiled again).
     *
     * @return the converters, one or none
     * @throws java.util.regex.PatternSyntaxException when the property holds an invalid regular
     *     expression (picocli's own converter registry, built first, throws it before)
     */
    static ITypeConverter<?>[] pathConverters() {
        String excludes = System.getProperty(TapeCli.CONVERTER_EXCLUDES, "");
        if (!excludes.equals(TapeCli.EXCLUDED_CONVERTERS)) {
            for (String regex : excludes.split(",")) {
                if (Path.class.getName().matches(regex)) {
                    return new ITypeConverter<?>[0];
                }
            }
        }
        return new ITypeConverter<?>[] {new PathConverter()};
    }

    /**
     * Converts a {@link Path} operand or option's text as picocli's built-in converter does
     * ({@code Paths.get(text)}), with its message for a text that is no path ({@code cannot convert
     * 'TEXT' to interface java.nio.file.Path (EXCEPTION)}, which picocli puts in its {@code Invalid
     * value for ...} line), but without reflection: picocli's converter calls {@code Paths.get}
     * through {@code Method.invoke}, which on JDK 18 and later spins four method-handle forms that no
     * AOT cache holds, about 3 ms of a cold {@code tape run}'s main thread on JDK 25, and on JDK 17
     * checks the method for {@code @CallerSensitive} (docs/PERFORMANCE-LOG.md, "cold29"). A class,
     * not a lambda, for the class-data sharing archive (see {@link Field}).
     */
    static final class PathConverter implements ITypeConverter<Path> {
        /**
         * @param text the operand or option value as given
         * @return {@code Path.of(text)}, which is what {@code Paths.get(text)} returns
         * @throws TypeConversionException when {@code Path.of} throws (on Linux, a NUL character)
         */
        @Override
        public Path convert(String text) {
            try {
                return Path.of(text);
            } catch (RuntimeException e) {
                // (picocli's words: Method.getReturnType() of Paths.get, formatted with %s)
                throw new TypeConversionException(String.format("cannot convert '%s' to %s (%s)", text, Path.class, e));
            }
        }
    }

    /**
     * An enum-typed option's completion candidates (its help's {@code ${COMPLETION-CANDIDATES}}, the
     * completion scripts' values): each constant's {@code toString()} in declaration order, the list
     * picocli makes itself when none is given. Given here, picocli does not ask the type for its
     * constants: {@code Class.getEnumConstants()} calls {@code values()} by reflection, which cost a
     * cold {@code tape run} about a millisecond of its main thread (the reflective call's accessor
     * and privileged action classes, the method's lookup, in the interpreter).
     *
     * @param constants the enum's constants, from its {@code values()}
     * @return their names as picocli shows them
     */
    static List<String> candidates(Enum<?>[] constants) {
        List<String> names = new ArrayList<>(constants.length);
        for (Enum<?> c : constants) {
            names.add(c.toString());
        }
        return Collections.unmodifiableList(names);
    }

    /**
     * The object that holds an option's field, as picocli's scope of the option: its trace names
     * it ({@code ... for option --fuel on EngineOptions@1b6d3586}), as it named the annotated
     * field's. A class, not a lambda, for the class-data sharing archive (see {@link Field}).
     */
    static final class Owner implements IScope {
        private final Object object;

        /** @param object the object holding the field: a {@link RunCommand}, {@link RunOptions} or {@link EngineOptions} */
        Owner(Object object) {
            this.object = object;
        }

        /** @return the object holding the field */
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) object;
        }

        /**
         * Picocli calls this only for argument groups, which {@code tape run} has none of.
         *
         * @throws UnsupportedOperationException always: the holder is fixed
         */
        @Override
        public <T> T set(T value) {
            throw new UnsupportedOperationException("the holder of a tape run option is fixed");
        }
    }

    /**
     * One field of a {@link RunCommand} (or of its options) as picocli's getter and setter, chosen by
     * a number: a class with a switch, not a lambda per field, because the JVM's class-data sharing
     * archive cannot hold a lambda implementing picocli's (class-file version 49) interfaces.
     */
    static final class Field implements IGetter, ISetter {
        static final int FILE = 0;
        static final int ENTRY = 1;
        static final int ARG = 2;
        static final int FUEL = 3;
        static final int DEPTH = 4;
        static final int HOST_CALLS = 5;
        static final int HEAP = 6;
        static final int REGISTERS = 7;
        static final int OUTPUT_BYTES = 8;
        static final int HOST = 9;
        static final int TIER = 10;
        static final int TRACE = 11;
        static final int SLICE = 12;
        static final int TIMEOUT = 13;
        static final int PAUSE_AT = 14;
        static final int OUTPUT = 15;
        static final int RECORD = 16;

        /**
         * Each field as picocli described it when it read the annotated field, indexed by the
         * constants above ({@code "field " + type + " " + class + "." + name}, {@code java.lang.}
         * left out): picocli puts it in some messages, for one a user-set
         * {@code picocli.converters.excludes} that leaves out a converter tape needs ({@code No
         * TypeConverter registered for java.nio.file.Path of field ...}), and in its trace.
         */
        static final List<String> DESCRIPTIONS = List.of(
                "field java.nio.file.Path dev.tape.cli.RunOptions.file",
                "field String dev.tape.cli.RunOptions.entry",
                "field java.util.List<String> dev.tape.cli.RunOptions.args",
                "field String dev.tape.cli.EngineOptions.fuel",
                "field String dev.tape.cli.EngineOptions.maxCallDepth",
                "field String dev.tape.cli.EngineOptions.maxHostCalls",
                "field String dev.tape.cli.EngineOptions.maxHeapBytes",
                "field String dev.tape.cli.EngineOptions.maxRegisters",
                "field long dev.tape.cli.EngineOptions.maxOutputBytes",
                "field dev.tape.cli.HostChoice dev.tape.cli.EngineOptions.host",
                "field dev.tape.cli.Tier dev.tape.cli.EngineOptions.tier",
                "field java.util.List<dev.tape.cli.TraceGroup> dev.tape.cli.EngineOptions.trace",
                "field String dev.tape.cli.RunCommand.slice",
                "field String dev.tape.cli.RunCommand.timeout",
                "field String dev.tape.cli.RunCommand.pauseAt",
                "field java.nio.file.Path dev.tape.cli.RunCommand.output",
                "field java.nio.file.Path dev.tape.cli.RunCommand.record");

        private final RunCommand run;
        private final int field;

        /**
         * @param run the command whose field this is
         * @param field one of the constants above
         */
        Field(RunCommand run, int field) {
            this.run = run;
            this.field = field;
        }

        /** @return the field as picocli described the annotated one ({@link #DESCRIPTIONS}) */
        String description() {
            return DESCRIPTIONS.get(field);
        }

        /** @return the object holding the field, as picocli's scope of the option */
        Owner owner() {
            return new Owner(field <= ARG ? run.options : field <= TRACE ? run.options.engine : run);
        }

        /** @return the field's value now */
        Object value() {
            RunOptions o = run.options;
            EngineOptions e = o.engine;
            return switch (field) {
                case FILE -> o.file;
                case ENTRY -> o.entry;
                case ARG -> o.args;
                case FUEL -> e.fuel;
                case DEPTH -> e.maxCallDepth;
                case HOST_CALLS -> e.maxHostCalls;
                case HEAP -> e.maxHeapBytes;
                case REGISTERS -> e.maxRegisters;
                case OUTPUT_BYTES -> e.maxOutputBytes;
                case HOST -> e.host;
                case TIER -> e.tier;
                case TRACE -> e.trace;
                case SLICE -> run.slice;
                case TIMEOUT -> run.timeout;
                case PAUSE_AT -> run.pauseAt;
                case OUTPUT -> run.output;
                case RECORD -> run.record;
                default -> throw new IllegalStateException("no field " + field);
            };
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            T old = get();
            RunOptions o = run.options;
            EngineOptions e = o.engine;
            switch (field) {
                case FILE -> o.file = (Path) value;
                case ENTRY -> o.entry = (String) value;
                case ARG -> o.args = (List<String>) value;
                case FUEL -> e.fuel = (String) value;
                case DEPTH -> e.maxCallDepth = (String) value;
                case HOST_CALLS -> e.maxHostCalls = (String) value;
                case HEAP -> e.maxHeapBytes = (String) value;
                case REGISTERS -> e.maxRegisters = (String) value;
                case OUTPUT_BYTES -> e.maxOutputBytes = (Long) value;
                case HOST -> e.host = (HostChoice) value;
                case TIER -> e.tier = (Tier) value;
                case TRACE -> e.trace = (List<TraceGroup>) value;
                case SLICE -> run.slice = (String) value;
                case TIMEOUT -> run.timeout = (String) value;
                case PAUSE_AT -> run.pauseAt = (String) value;
                case OUTPUT -> run.output = (Path) value;
                case RECORD -> run.record = (Path) value;
                default -> throw new IllegalStateException("no field " + field);
            }
            return old;
        }
    }
}
