package dev.tape.cli;

import dev.tape.testing.FibText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cold start (issue 14): {@code tape run} builds only the {@code run} subcommand and loads nothing
 * of the other commands, Jackson or JFR, and a command line with only the named subcommand
 * behaves exactly as the one with all of them.
 */
class ColdStartTest {
    @TempDir
    Path tmp;

    private static final String FIB = FibText.FIB;

    @Test
    void theTableNamesEverySubcommandByItsOwnName() {
        CommandLine all = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertEquals(TapeCli.SUBCOMMANDS, List.copyOf(all.getSubcommands().keySet()));
        for (var e : all.getSubcommands().entrySet()) {
            assertEquals(e.getKey(), e.getValue().getCommandSpec().name());
        }
        assertEquals(14, all.getSubcommands().size());
        assertThrows(IllegalArgumentException.class, () -> TapeCli.subcommand("nosuch"));
        assertThrows(IllegalArgumentException.class, () -> TapeCli.commandClass("nosuch"));
    }

    /**
     * The one table ({@link TapeCli#commandClass}): each name's class is the one its command line
     * runs ({@link TapeCli#subcommand} makes it, {@link TapeCli#listed} reads its annotation), and
     * each annotated class's {@code @Command} names it so.
     */
    @Test
    void oneTableGivesEachSubcommandItsClass() {
        CommandLine all = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        Set<Class<?>> classes = new java.util.HashSet<>();
        for (String name : TapeCli.SUBCOMMANDS) {
            Class<?> c = TapeCli.commandClass(name);
            assertTrue(classes.add(c), name + ": " + c);
            Object made = TapeCli.subcommand(name);
            Object user = made instanceof CommandLine.Model.CommandSpec s ? s.userObject() : made;
            assertEquals(c, user.getClass(), name);
            assertEquals(c, all.getSubcommands().get(name).getCommandSpec().userObject().getClass(), name);
            if (!name.equals("run")) {
                assertEquals(name, c.getAnnotation(CommandLine.Command.class).name(), name);
            }
        }
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        for (String name : TapeCli.SUBCOMMANDS) {
            CommandLine cl = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                    name);
            Set<String> built = cl.getSubcommands().keySet();
            if (name.equals("help") || name.equals("completion")) {
                assertEquals(Set.copyOf(TapeCli.SUBCOMMANDS), built, name);
            } else {
                assertEquals(Set.of(name), built, name);
            }
        }
        for (String first : new String[] {"--help", "-h", "nosuch", "RUN"}) {
            assertEquals(Set.copyOf(TapeCli.SUBCOMMANDS), TapeCli.commandLine(new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()), first).getSubcommands().keySet(), first);
        }
        // a help option alone lists the subcommands without building them (mend25): no options, no
        // object; no argument at all needs none
        for (String first : TapeCli.HELP) {
            for (CommandLine sub : TapeCli.commandLine(new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()), first).getSubcommands().values()) {
                assertEquals(List.of(), sub.getCommandSpec().options(), first + " " + sub.getCommandName());
                assertEquals(null, sub.getCommandSpec().userObject(), first + " " + sub.getCommandName());
            }
            assertEquals(null, TapeCli.first(new String[] {first, "run"}), first + " run: every subcommand");
        }
        assertEquals("", TapeCli.first(new String[0]));
        assertEquals(Set.of(), TapeCli.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), "").getSubcommands().keySet(), "no argument");
        for (String first : TapeCli.VERSION) {
            assertEquals(Set.of(), TapeCli.commandLine(new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()), first).getSubcommands().keySet(), first);
            assertEquals(null, TapeCli.first(new String[] {first, "run"}), first + " run: every subcommand");
        }
    }

    @Test
    void everySubcommandHelpsAndFailsAsWithAllOfThem() {
        for (String name : TapeCli.SUBCOMMANDS) {
            for (String[] args : new String[][] {{name, "--help"}, {name, "--no-such-option"}, {name, "-V"}}) {
                assertEquals(Cli.run(args), Cli.lazy(args), String.join(" ", args));
            }
        }
        for (String[] args : new String[][] {{"--version"}, {"-V"}, {"--version", "run"}, {"-V", "nosuch"},
            {"--version", "--help"}, {"--help"}, {"-h"}, {}, {"--help", "run"}, {"-h", "nosuch"}, {"--help", "-V"}}) {
            assertEquals(Cli.run(args), Cli.lazy(args), String.join(" ", args));
        }
        assertTrue(Cli.lazy("--version").out().startsWith("tape "), "the version");
        Cli.Result help = Cli.lazy("run", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().startsWith("Usage: tape run "), help.out());
        assertTrue(Cli.lazy("run", "-V").out().startsWith("tape "), "the version");
    }

    @Test
    void runsAndTrapsAsWithAllOfThem() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FIB);
        for (String[] args : new String[][] {
            {"run", fib.toString(), "--arg", "i64:20"},
            {"run", fib.toString(), "--arg", "i64:20", "--tier", "interp"},
            {"run", fib.toString(), "--arg", "i64:20", "--fuel", "1000"},
            {"run", fib.toString(), "--arg", "i64:20", "--fuel", "1000", "--tier", "interp"},
            {"run", tmp.resolve("missing.tasm").toString()},
            {"verify", fib.toString()},
            {"replay", tmp.resolve("missing.rec").toString(), fib.toString()}}) {
            assertEquals(Cli.run(args), Cli.lazy(args), String.join(" ", args));
        }
        assertEquals(new Cli.Result(0, "i64:6765\n", ""), Cli.lazy("run", fib.toString(), "--arg", "i64:20"));
        Cli.Result trap = Cli.lazy("run", fib.toString(), "--arg", "i64:20", "--fuel", "1000");
        assertEquals(1, trap.code());
        assertTrue(trap.err().startsWith("trap: fuel_exceeded"), trap.err());
    }

    /**
     * In a fresh JVM, {@code tape run} of a program that runs compiled code loads the run command
     * and the compiled tier, but no other command, nothing of Jackson and no JFR event class (no
     * recording is on); no record's generated {@code equals}/{@code hashCode} is bootstrapped
     * ({@code ObjectMethods}, whose method-handle classes no class-data sharing archive holds) and
     * {@code TapeCli} spins no lambda (picocli's handler interfaces cannot be archived as lambdas);
     * picocli reads no annotation ({@link TapeSpec} and {@link RunSpec} build the models: no
     * annotation proxy, nothing bound to a field by reflection) and registers no converter of a
     * {@code java.time} or {@code java.sql} type, so none of those classes is loaded; the compiled
     * tier's shape map makes no digest (setting up the JCA for one cost a cold run about 12 ms);
     * picocli's default factory is not loaded (its initialiser's {@code groovy.lang.Closure} lookup
     * opened the jar: {@link LazyFactory}) and, the run having succeeded, no system logger is set up
     * ({@code System.exit} looks one up from JDK 21 on: {@link TapeCli#mustExit}); and no enum is
     * asked for its constants, picocli's three least of all ({@link RunSpec#candidates}): on JDK 17
     * that call runs {@code values()} by reflection inside a privileged action,
     * {@code java.lang.Class$3}, which JDK 25's {@code Class} no longer has. (A binary program's
     * decoding asks for some: not checked there.) Nor is any method called by reflection, picocli's
     * {@code Paths.get} for {@code FILE} least of all ({@link RunSpec.PathConverter}): JDK 17's
     * {@code Method.invoke} loads {@code NativeMethodAccessorImpl} (JDK 25's reflection, whose
     * accessor class its launcher loads, spun four method-handle forms there instead).
     */
    @Test
    void aColdRunLoadsOnlyWhatItUses() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FIB);
        String classes = coldRunClasses(fib);
        onlyWhatARunUses(classes);
        assertFalse(classes.contains("java.lang.Class$3 "), "an enum's constants asked for by reflection");
        assertFalse(classes.contains("jdk.internal.reflect.NativeMethodAccessorImpl "), "a method called by reflection");
    }

    /**
     * The same of a binary {@code .tape} program, which the decoder reads (its signature table
     * included) instead of the assembler: no record's generated {@code equals}/{@code hashCode}
     * either.
     */
    @Test
    void aColdRunOfABinaryProgramLoadsOnlyWhatItUses() throws Exception {
        Path fib = tmp.resolve("fib.tasm");
        Files.writeString(fib, FIB);
        Path bin = tmp.resolve("fib.tape");
        assertEquals(0, Cli.lazy("asm", "-o", bin.toString(), fib.toString()).code());
        onlyWhatARunUses(coldRunClasses(bin));
    }

    /**
     * Each of {@code tape run}'s enum-typed options ({@code --host}, {@code --tier}, {@code --trace})
     * completes, and lists in its help, the values picocli lists for an option of that type given
     * no candidates: {@link RunSpec} gives them so that picocli need not ask the enum for its
     * constants by reflection.
     */
    @Test
    void theRunModelsEnumOptionsCompleteAsPicocliWould() {
        CommandLine cl = TapeCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "run");
        int enums = 0;
        for (CommandLine.Model.OptionSpec o : cl.getSubcommands().get("run").getCommandSpec().options()) {
            Class<?> type = o.auxiliaryTypes()[0];
            if (type.isEnum()) {
                enums++;
                CommandLine.Model.OptionSpec picocli = CommandLine.Model.OptionSpec.builder("--x").type(o.type())
                        .auxiliaryTypes(o.auxiliaryTypes()).build();
                List<String> want = new ArrayList<>();
                picocli.completionCandidates().forEach(want::add);
                List<String> got = new ArrayList<>();
                o.completionCandidates().forEach(got::add);
                assertEquals(want, got, o.longestName());
            }
        }
        assertEquals(3, enums, "--host, --tier and --trace");
    }

    /** @return the class-load log of {@code tape run FILE --arg i64:20} in a fresh JVM (fib's 6765 checked) */
    private String coldRunClasses(Path program) throws Exception {
        Path log = tmp.resolve("classes.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                TapeCli.class.getName(), "run", program.toString(), "--arg", "i64:20"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("i64:6765", out.trim());
        return Files.readString(log);
    }

    private static void onlyWhatARunUses(String classes) {
        assertTrue(classes.contains(" dev.tape.cli.RunCommand "), "the run command");
        assertTrue(classes.contains(" dev.tape.vm.JitTier "), "the compiled tier");
        for (String absent : new String[] {"dev.tape.cli.DapCommand", "dev.tape.cli.ConformanceCommand",
            "dev.tape.cli.ReplayCommand", "dev.tape.cli.ProfileCommand", "com.fasterxml.jackson", "jdk.jfr.Event ",
            "dev.tape.jfr.RunEvent", "dev.tape.jfr.CompileEvent", "dev.tape.jfr.TrapEvent",
            "java.lang.runtime.ObjectMethods ", "dev.tape.cli.TapeCli$$Lambda", "$Proxy", "picocli.CommandLine$Option ",
            "java.time.", "java.sql.", "java.security.MessageDigest ", "sun.security.provider.SHA",
            "picocli.CommandLine$Model$FieldBinding ", "picocli.CommandLine$DefaultFactory ",
            "jdk.internal.logger.BootstrapLogger"}) {
            assertFalse(classes.contains(absent), absent + " is loaded");
        }
    }
}
