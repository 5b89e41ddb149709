package dev.tape.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The picocli model of the top-level {@code tape} command, built with picocli's programmatic API
 * instead of read from annotations, as {@link RunSpec} builds {@code tape run}'s: a cold
 * {@code tape run} builds both and reads no annotation. Its scope is {@code INHERIT}, as the
 * annotated command's was: each subcommand takes the exit codes, version provider and usage
 * settings it does not set itself. Its help text is the annotated command's
 * ({@code ProgrammaticSpecTest}).
 */
final class TapeSpec {
    private TapeSpec() {}

    /**
     * Builds the {@code tape} command's model, without subcommands.
     *
     * @param cli the command object picocli calls when no subcommand is given; its {@code spec} is
     *     set to the model
     * @return the model, for {@link picocli.CommandLine#CommandLine(Object)}
     */
    static CommandSpec of(TapeCli cli) {
        // (not picocli's default factory: LazyFactory says why)
        CommandSpec s = CommandSpec.wrapWithoutInspection(cli, new LazyFactory());
        cli.spec = s;
        s.name("tape").scopeType(ScopeType.INHERIT).versionProvider(new TapeCli.Version());
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success");
        codes.put("1", "the program trapped, or conformance cases failed");
        codes.put("2", "bad usage, unreadable or invalid program, or internal error");
        codes.put("3", "tape run --timeout: the run reached its deadline");
        codes.put("4", "tape run --pause-at: the run paused and its snapshot was written");
        s.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes)
                .description("Run and inspect execution_tape v1 bytecode programs (.tape binary, .tasm text).");
        standardHelpOptions(s);
        return s;
    }

    /**
     * Adds picocli's standard help options, {@code -h}/{@code --help} and {@code -V}/{@code --version}
     * (the names, descriptions and description keys of picocli's {@code mixinStandardHelpOptions}),
     * as options of the command itself; {@code mixinStandardHelpOptions(true)} would read them from
     * annotations. An annotated subcommand gets picocli's own ({@link TapeCli#commandLine}). Each
     * starts false, and picocli names it in messages and its trace as it named the mixin's field.
     *
     * @param s the command's model, which gets the two options after those it has
     */
    static void standardHelpOptions(CommandSpec s) {
        s.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).type(boolean.class)
                .descriptionKey("mixinStandardHelpOptions.help").description("Show this help message and exit.")
                .initialValue(false).hasInitialValue(true)
                .withToString("field boolean picocli.CommandLine$AutoHelpMixin.helpRequested").build());
        s.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).type(boolean.class)
                .descriptionKey("mixinStandardHelpOptions.version").description("Print version information and exit.")
                .initialValue(false).hasInitialValue(true)
                .withToString("field boolean picocli.CommandLine$AutoHelpMixin.versionRequested").build());
    }
}
