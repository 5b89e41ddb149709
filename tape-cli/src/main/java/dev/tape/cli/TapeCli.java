package dev.tape.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The {@code tape} command: run (and pause and resume), debug, profile, replay, verify, assemble, disassemble,
 * benchmark and conformance-test
 * {@code execution_tape} v1 programs.
 *
 * <p>Exit codes ({@link ExitCodes}): 0 success; 1 the program trapped or conformance cases
 * failed; 2 anything that stopped the command from doing its work (bad option, missing or
 * malformed file, verification failure, internal error, a damaged or mismatched snapshot, stdout
 * or stderr that could not be written ({@link #writeErrors}), a security manager); 3
 * {@code tape run --timeout} reached its deadline; 4 {@code tape run --pause-at} paused the run and
 * wrote its snapshot. Every error is one line on stderr; no
 * Java stack trace is ever printed.
 *
 * <p>Its picocli model, and that of {@code tape run}, are built by {@link TapeSpec} and
 * {@link RunSpec} rather than read from annotations (a cold {@code tape run} reads no annotation);
 * the other commands are annotated.
 */
public final class TapeCli implements Callable<Integer> {
    /** Creates the top-level command; {@link TapeSpec#of(TapeCli)} makes its model. */
    public TapeCli() {}

    /** the model, set by {@link TapeSpec#of(TapeCli)} */
    CommandSpec spec;

    /** Prints the usage on stderr: {@code tape} needs a subcommand. */
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.getErr().println("tape: missing a command (run, resume, debug, dap, profile, replay, verify, inspect, disasm, asm, conformance, bench, completion); see 'tape --help'");
        return ExitCodes.ERROR;
    }

    /** Reports the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TapeCli.class.getPackage().getImplementationVersion();
            return new String[] {"tape " + (v == null ? "(development build)" : v)};
        }
    }

    /**
     * Builds the command line with its error handling: a bad option or argument prints one line
     * naming the command and exits 2; an expected failure ({@link CliException}) prints its line
     * and exits with its code; any other exception prints one line and exits 2. Every such line
     * passes through {@link Escape}, so no text from a program, a file or the command line can
     * break it in two.
     *
     * @param out the standard output for results and help
     * @param err the standard error for errors, traps and traces
     * @return the command line, ready for {@link CommandLine#execute(String...)}
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return commandLine(out, err, null);
    }

    /**
     * The subcommands' names (as each one's {@code @Command} says), in the order the help lists
     * them; {@link #commandClass} gives each one's class, {@link #subcommand} makes it. Picocli
     * reads a command's annotations, and loads the classes of its fields, when the command is added,
     * so {@link #commandLine(PrintWriter, PrintWriter, String)} adds only the one a command line
     * names.
     */
    static final List<String> SUBCOMMANDS = List.of("run", "resume", "debug", "dap", "verify", "disasm", "asm",
            "conformance", "bench", "inspect", "profile", "replay", "completion", "help");

    /**
     * Makes a subcommand's object: for {@code run} its model ({@link RunSpec}, built without
     * reflection), for any other the no-argument constructor of its class in {@link #commandClass},
     * the one table of names and classes, so that no other command's class is even loaded.
     *
     * @param name one of {@link #SUBCOMMANDS}
     * @return the command object, or for {@code run} its model ({@link RunSpec})
     * @throws IllegalArgumentException for any other name
     * @throws IllegalStateException when the class cannot be made (never for the jar's classes,
     *     each public with a public no-argument constructor: {@code ColdStartTest})
     * @throws RuntimeException or {@link Error} what the constructor threw, unwrapped, as
     *     {@code new} would throw it (the CLI's report then names it)
     */
    static Object subcommand(String name) {
        Class<?> c = commandClass(name);
        if (c == RunCommand.class) {
            return RunSpec.of(new RunCommand());
        }
        return make(c, name);
    }

    /**
     * Makes an object of {@code c} by its public no-argument constructor, as {@code new} would.
     *
     * @param c a class with a public no-argument constructor
     * @param name the subcommand's name, for the error
     * @return the object
     * @throws RuntimeException or {@link Error} what the constructor threw, unwrapped
     * @throws IllegalStateException when {@code c} has no such constructor or cannot be made
     */
    static Object make(Class<?> c, String name) {
        try {
            return c.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            // what the constructor threw, as a `new` would have thrown it (attack-c26: the report
            // named the reflective wrapper, not the cause)
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("cannot make the " + name + " command: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make the " + name + " command: " + e, e);
        }
    }

    /**
     * {@code tape}'s version options, {@code -V} and {@code --version}: given alone, the command
     * line needs no subcommand ({@link #first}).
     */
    static final List<String> VERSION = List.of("-V", "--version");

    /**
     * What {@link #execute} passes {@link #commandLine(PrintWriter, PrintWriter, String)} as the
     * first argument: the first argument, except that a version or help option followed by more
     * arguments ({@code tape --version run}, {@code tape --help run}) is null (every subcommand, for
     * picocli to parse them as before), since {@code -V} or {@code --version} alone builds none and
     * {@code -h} or {@code --help} alone builds none but lists them; no argument is {@code ""}.
     *
     * @param args the command-line arguments
     * @return the first argument, "" for none, or null
     */
    static String first(String[] args) {
        if (args.length == 0) {
            return "";
        }
        if (args.length > 1 && (VERSION.contains(args[0]) || HELP.contains(args[0]))) {
            return null;
        }
        return args[0];
    }

    /**
     * {@code tape}'s help options, {@code -h} and {@code --help}: given alone, the command line needs
     * each subcommand's name and description only, for the list it prints ({@link #listed}).
     */
    static final List<String> HELP = List.of("-h", "--help");

    /**
     * A subcommand as {@code tape --help}'s list shows it, without building it: its name, and the
     * header and description of its {@code @Command} (for {@code run}, {@link RunSpec#DESCRIPTION}),
     * which picocli's list reads and renders as it does those of the subcommand built. The
     * command's class is loaded for its annotation but not initialised, and picocli reflects over
     * none of its fields.
     *
     * @param name one of {@link #SUBCOMMANDS}
     * @return a command line of that name that only lists
     */
    static CommandLine listed(String name) {
        CommandSpec s = CommandSpec.create().name(name);
        if (name.equals("run")) {
            s.usageMessage().description(RunSpec.DESCRIPTION.toArray(new String[0]));
        } else {
            CommandLine.Command c = commandClass(name).getAnnotation(CommandLine.Command.class);
            s.usageMessage().header(c.header()).description(c.description());
        }
        return new CommandLine(s);
    }

    /**
     * The table of subcommands: the class of each name of {@link #SUBCOMMANDS}, which
     * {@link #subcommand} makes and {@link #listed} reads the annotation of. A switch of class
     * literals rather than a map: a literal is resolved, its class loaded, only when its case runs,
     * so a cold {@code tape run} loads no other command's class (a map would hold all fourteen), and
     * it spins no lambda (a table of constructor references would).
     *
     * @param name one of {@link #SUBCOMMANDS}
     * @return the class of subcommand {@code name}; for {@code run} {@link RunCommand}, whose model
     *     {@link RunSpec} builds
     * @throws IllegalArgumentException for any other name
     */
    static Class<?> commandClass(String name) {
        return switch (name) {
            case "run" -> RunCommand.class;
            case "resume" -> ResumeCommand.class;
            case "debug" -> DebugCommand.class;
            case "dap" -> DapCommand.class;
            case "verify" -> VerifyCommand.class;
            case "disasm" -> DisasmCommand.class;
            case "asm" -> AsmCommand.class;
            case "conformance" -> ConformanceCommand.class;
            case "bench" -> BenchCommand.class;
            case "inspect" -> InspectCommand.class;
            case "profile" -> ProfileCommand.class;
            case "replay" -> ReplayCommand.class;
            case "completion" -> CompletionCommand.class;
            case "help" -> CommandLine.HelpCommand.class;
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /**
     * As {@link #commandLine(PrintWriter, PrintWriter)}, but when {@code first} (the first
     * command-line argument) names a subcommand that reads no other subcommand, the command line
     * has only that one: its parsing, help, errors and results are the same, and a cold
     * {@code tape run} does not pay for building the other twelve (picocli reflects over each,
     * about 0.1 s in all). A version option ({@link #VERSION}: {@code tape --version} prints the
     * version alone) or no argument ({@code ""}: one line, no list) gets none; a help option alone
     * ({@link #HELP}: {@code tape --help} lists every subcommand with its description) gets each as
     * {@link #listed}, its name and description without building it. {@code help} and
     * {@code completion}, which read the whole tree, any other option or an unknown name get every
     * subcommand.
     *
     * @param out the standard output for results and help
     * @param err the standard error for errors, traps and traces
     * @param first the first command-line argument ({@link #first}), {@code ""} for none, or null
     *     for every subcommand
     * @return the command line, ready for {@link CommandLine#execute(String...)}
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String first) {
        // (a factory that makes picocli's default one only when asked to create something: see
        // LazyFactory)
        CommandLine cl = new CommandLine(TapeSpec.of(new TapeCli()), new LazyFactory());
        boolean one = first != null && SUBCOMMANDS.contains(first) && !first.equals("help")
                && !first.equals("completion");
        boolean none = first != null && (VERSION.contains(first) || first.isEmpty());
        boolean listing = first != null && HELP.contains(first);
        for (String name : SUBCOMMANDS) {
            if (listing) {
                cl.addSubcommand(name, listed(name));
            } else if (!none && (!one || name.equals(first))) {
                cl.addSubcommand(name, subcommand(name));
                if (!name.equals("run")) {
                    // what the annotated root's mixinStandardHelpOptions gave each subcommand it
                    // passed to (TapeSpec builds the root's and run's help options itself)
                    cl.getSubcommands().get(name).getCommandSpec().mixinStandardHelpOptions(true);
                }
            }
        }
        processErrors(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            processErrors(sub.getCommandSpec());
        }
        cl.setOut(out);
        cl.setErr(err);
        CommandLine replay = cl.getSubcommands().get("replay");
        if (replay != null) {
            ReplayCommand.relabel(replay.getCommandSpec());
        }
        // anonymous classes, not lambdas: picocli's interfaces are class-file version 49, and the
        // JVM (17) cannot put a lambda implementing one into the class-data sharing archive, so
        // every cold run spun both at run time (docs/PERFORMANCE-LOG.md, "Cold start, third round")
        cl.setParameterExceptionHandler(new CommandLine.IParameterExceptionHandler() {
            @Override
            public int handleParseException(CommandLine.ParameterException ex, String[] args) {
                String name = ex.getCommandLine().getCommandSpec().qualifiedName();
                cl.getErr().println(name + ": " + Escape.text(ex.getMessage()) + " (see '" + name
                        + " --help')");
                return ExitCodes.ERROR;
            }
        });
        cl.setExecutionExceptionHandler(new CommandLine.IExecutionExceptionHandler() {
            @Override
            public int handleExecutionException(Exception ex, CommandLine cmd,
                    CommandLine.ParseResult parseResult) {
                cl.getOut().flush();
                String name = cmd.getCommandSpec().qualifiedName();
                if (ex instanceof CliException c) {
                    cl.getErr().println(Escape.line(prefixed(name, c.getMessage())));
                    return c.exitCode();
                }
                cl.getErr().println(name + ": internal error: " + ProgramFiles.describe(ex));
                return ExitCodes.ERROR;
            }
        });
        return cl;
    }

    /**
     * Appends {@link ExitCodes#PROCESS_ERRORS} to the code 2 line of a command's help exit-code
     * list, once: every command declares its own list (its annotation, or {@link TapeSpec} and
     * {@link RunSpec}), and every one of them can end with code 2 for these reasons
     * ({@link #writeErrors}, {@link #securityManagerDenies}). A command whose list it inherits
     * ({@code help}, from {@code tape}'s) or that has no code 2 is left as it is.
     *
     * @param s the command's model
     */
    static void processErrors(CommandSpec s) {
        Map<String, String> codes = s.usageMessage().exitCodeList();
        String two = codes.get("2");
        if (two != null && !two.endsWith(ExitCodes.PROCESS_ERRORS)) {
            Map<String, String> more = new LinkedHashMap<>(codes);
            more.put("2", two + ExitCodes.PROCESS_ERRORS);
            s.usageMessage().exitCodeList(more);
        }
    }

    /**
     * One error line in the one format every command uses: {@code tape COMMAND: WHAT}, where WHAT
     * often starts with the file it is about ({@code tape run: x.tape: no such file}).
     *
     * @param command the command's qualified name, for example {@code "tape run"}
     * @param message the failure's own words, with or without a leading {@code "tape: "}
     * @return the line
     */
    static String prefixed(String command, String message) {
        String m = message == null ? "failed" : message;
        if (m.startsWith("tape: ")) {
            m = m.substring("tape: ".length());
        }
        return m.startsWith(command + ": ") ? m : command + ": " + m;
    }

    /**
     * Runs the command line and flushes both streams. Even a {@link Throwable} that escapes picocli
     * (say, {@link OutOfMemoryError}) becomes one line on {@code err} and exit code 2.
     *
     * @param out the standard output
     * @param err the standard error
     * @param args the command-line arguments
     * @return the exit code: 0 to 4 ({@link ExitCodes})
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        int code;
        try {
            code = commandLine(out, err, first(args)).execute(args);
        } catch (Throwable t) {
            out.flush();
            err.println("tape: internal error: " + ProgramFiles.describe(t));
            code = ExitCodes.ERROR;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Picocli's system property naming (comma-separated regular expressions) the types whose
     * built-in converters it does not register.
     */
    static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    /**
     * Picocli's system property that, set to {@code true}, keeps its default factory's static
     * initialiser from looking up Groovy's closure class ({@code Class.forName("groovy.lang.Closure")}),
     * which it does to let an annotation name a closure instead of a class. {@link #main} sets it
     * unless the JVM was started with it: the jar holds no Groovy, so the answer is the same (no
     * closure class), but a class the class-data sharing archive or AOT cache does not have is
     * looked for on the class path, and that lookup opened the 4.5 MB jar from Java code (its
     * central directory read and hashed, in HotSpot's bytecode interpreter) in every cold annotated
     * command ({@code verify}, {@code asm}, {@code disasm}, ...), which initialise the default
     * factory through picocli's static helpers whatever factory the command line has
     * ({@link LazyFactory} spares only {@code tape} and {@code tape run}).
     */
    static final String DISABLE_CLOSURES = "picocli.disable.closures";

    /**
     * The types {@link #main} keeps picocli from registering converters for: {@code java.sql} and
     * {@code java.time}. Picocli looks each one up with {@code Class.forName}, which initializes it
     * ({@code java.time}'s classes build their date-time formatters), about 10 ms of CPU and a
     * hundred classes in every cold run; no {@code tape} option or parameter has such a type
     * ({@code ProgrammaticSpecTest} checks every command's). Written {@code java\.[st].*} (the
     * names picocli asks about that start {@code java.s} or {@code java.t} are exactly its
     * {@code java.sql} and {@code java.time} ones), not {@code java\.(sql|time)\..*}: picocli
     * compiles it again for each of its 19 optional types in each command line, 38 times in a
     * cold {@code tape run}, and this one compiles in about two thirds of the time.
     */
    static final String EXCLUDED_CONVERTERS = "java\\.[st].*";

    /**
     * The {@code tape} program. Writes UTF-8 to stdout and stderr and exits with the code of
     * {@link #execute(PrintWriter, PrintWriter, String...)}: by {@link System#exit(int)}, except
     * for code 0 when no other live thread would keep the JVM running ({@link #mustExit}), where it
     * returns and the JVM ends as after {@code System.exit(0)} (the same shutdown hooks, status 0;
     * a non-daemon thread started after that look is ended by {@link ExitWatch}'s
     * {@code System.exit(0)}) without {@code Runtime.exit}'s logging: from JDK 21 on, {@code System.exit} looks up the
     * {@code java.lang.Runtime} system logger first, whose service lookup scans the class path and
     * so opens the 4.5 MB jar from Java code (its central directory read and hashed, in HotSpot's
     * bytecode interpreter): 30 to 45 ms of wall and 47 to 57 of CPU at a cold exit on JDK 25 on a
     * machine at load 8 to 11, where {@code java -version} took about three times its idle time
     * (docs/PERFORMANCE-LOG.md, "Cold start, twenty-first round"). Unless the JVM was started with
     * {@value #CONVERTER_EXCLUDES} set, it is set to {@link #EXCLUDED_CONVERTERS} first, and
     * {@value #DISABLE_CLOSURES} to {@code true} unless set. For
     * {@code tape run FILE ...} it starts loading the program on a second thread ({@link Preload})
     * while picocli builds and parses the command line. It writes to the standard streams' file
     * descriptors through {@link CheckedStream}s, not through {@code System.out} and
     * {@code System.err}, which swallow write failures: a failure is reported by
     * {@link #writeErrors}. Under a security manager that denies what it needs first
     * ({@link #securityManagerDenies}) it prints {@link #SECURITY_MANAGER} and exits 2.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        int code = run(args);
        if (mustExit(code)) {
            System.exit(code);
        }
        // (a non-daemon thread started from now on, which mustExit could not see, would keep the
        // JVM running: the watch ends it as System.exit(0) would have)
        ExitWatch.start(Thread.currentThread());
    }

    /**
     * What {@link #main} does before it ends the JVM: the security manager's check, the standard
     * streams, picocli's system properties, the preload, the command and its write errors. {@link
     * Train} calls it once per command line of the launcher's training run.
     *
     * @param args the command-line arguments
     * @return the exit code, 0 to 4 ({@link ExitCodes}); under a security manager it does not return
     *     (it exits 2)
     */
    static int run(String[] args) {
        if (securityManagerDenies()) {
            // (System.err: a security manager denies opening the descriptor, writeFileDescriptor)
            System.err.println(SECURITY_MANAGER);
            System.exit(ExitCodes.ERROR);
        }
        CheckedStream stdout = new CheckedStream(new FileOutputStream(FileDescriptor.out));
        CheckedStream stderr = new CheckedStream(new FileOutputStream(FileDescriptor.err));
        PrintWriter err = new CheckedWriter(stderr);
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, EXCLUDED_CONVERTERS);
        }
        if (System.getProperty(DISABLE_CLOSURES) == null) {
            System.setProperty(DISABLE_CLOSURES, "true");
        }
        Preload.start(args);
        PrintWriter out = new CheckedWriter(stdout);
        return writeErrors(execute(out, err, args), stdout, stderr, err);
    }

    /**
     * Asks to be told when a command line's stdout or stderr fails to be written for a reason other
     * than a broken pipe ({@link CheckedStream#onFailure}): {@code tape run} interrupts its run
     * then. Only writers that {@link #run} made ({@link CheckedWriter}) are watched; a caller of
     * {@link #execute} with writers of its own is not.
     *
     * @param out the command line's stdout writer
     * @param err the command line's stderr writer
     * @param listener the action (idempotent, not throwing), or null to stop being told
     * @return whether both streams are watched
     */
    static boolean onWriteFailure(PrintWriter out, PrintWriter err, Runnable listener) {
        CheckedStream o = CheckedWriter.stream(out);
        CheckedStream e = CheckedWriter.stream(err);
        if (o == null || e == null) {
            return false;
        }
        o.onFailure(listener);
        e.onFailure(listener);
        return true;
    }

    /**
     * Whether a command line's stdout or stderr has failed to be written for a reason other than a
     * broken pipe, so that {@link #writeErrors} will end the command with exit 2 ({@link
     * CheckedWriter#failed}). A command that runs a program asks it once the run has stopped
     * ({@link RunCommand#ended}), before it reports a trap, a timeout, a pause or results: the run
     * was asked to pause at the failure ({@link #onWriteFailure}) or its prints trap
     * ({@link StdHost}), but compiled code polls only every {@link dev.tape.vm.Run#COMPILED_CHUNK}
     * fuel units and may trap, return or reach a fuel pause first, which the interpreter (pausing
     * right after the host call that wrote) never does; answering by the failure alone gives both
     * tiers the one line.
     *
     * @param out the command line's stdout writer
     * @param err the command line's stderr writer
     * @return true when such a failure happened; false for writers {@link #run} did not make
     */
    static boolean writeFailed(PrintWriter out, PrintWriter err) {
        return CheckedWriter.failed(out) || CheckedWriter.failed(err);
    }

    /**
     * Whether {@link #onWriteFailure} would watch these writers.
     *
     * @param out the command line's stdout writer
     * @param err the command line's stderr writer
     * @return true when {@link #run} made both
     */
    static boolean writesWatched(PrintWriter out, PrintWriter err) {
        return CheckedWriter.stream(out) != null && CheckedWriter.stream(err) != null;
    }

    /**
     * The standard output as bytes, for a command that writes there other than through its
     * {@code out} writer ({@code tape dap}'s protocol messages): the {@link CheckedStream} under
     * {@code out} when {@link #run} made it, whose failures {@link #writeErrors} reports; otherwise
     * (a caller of {@link #execute}) the file descriptor's own stream.
     *
     * @param out the command line's stdout writer
     * @return the stream; closing it does nothing (a {@link CheckedStream})
     */
    static OutputStream standardOutput(PrintWriter out) {
        CheckedStream s = CheckedWriter.stream(out);
        return s != null ? s : new CheckedStream(new FileOutputStream(FileDescriptor.out));
    }

    /**
     * The line {@link #main} prints, before exiting with code 2, when the JVM runs under a security
     * manager ({@code -Djava.security.manager}, possible up to JDK 23) whose policy denies what
     * {@link #run} does first ({@link #securityManagerDenies}): the default policy lets application
     * code read neither the system properties nor the files {@code tape} reads, so the first read
     * died of an {@code AccessControlException} and its stack trace.
     */
    static final String SECURITY_MANAGER = "tape: cannot run under a security manager (-Djava.security.manager):"
            + " it denies the reads of files and system properties that every command makes";

    /**
     * Whether a security manager is installed (never on JDK 24 and later, which cannot install one)
     * and denies a permission {@link #run} needs before the command runs: reading and setting
     * picocli's two system properties ({@value #CONVERTER_EXCLUDES}, {@value #DISABLE_CLOSURES}) and
     * writing the standard streams' descriptors. A policy that grants these (say
     * {@code AllPermission}, as a policy for trusted code gives) runs the command, as before the
     * check; a permission it denies later, a file's read say, is one line and code 2 as every
     * error inside a command ({@link #execute}).
     *
     * @return true when {@link #run} must print {@link #SECURITY_MANAGER} and exit 2
     */
    @SuppressWarnings("removal")
    static boolean securityManagerDenies() {
        SecurityManager sm = System.getSecurityManager();
        if (sm == null) {
            return false;
        }
        try {
            sm.checkPermission(new java.util.PropertyPermission(CONVERTER_EXCLUDES, "read,write"));
            sm.checkPermission(new java.util.PropertyPermission(DISABLE_CLOSURES, "read,write"));
            sm.checkPermission(new RuntimePermission("writeFileDescriptor"));
            return false;
        } catch (SecurityException e) {
            return true;
        }
    }

    /**
     * The exit code after the standard streams' write failures ({@link CheckedStream}): a failure
     * to write stdout other than a broken pipe (a full disk, say) prints one line on stderr,
     * {@code tape: cannot write the standard output: REASON}, and gives code 2 ({@link
     * ExitCodes#ERROR}, whatever the command's code was: its output is lost); such a failure on
     * stderr gives code 2 with no line (there is nowhere to print it). A broken pipe (the reader
     * gone, {@code tape ... | head -c1}) is quiet and keeps the command's code.
     *
     * @param code the command's exit code, 0 to 4
     * @param stdout the standard output's stream
     * @param stderr the standard error's stream
     * @param err the writer over {@code stderr}, for the line
     * @return {@code code}, or 2
     */
    static int writeErrors(int code, CheckedStream stdout, CheckedStream stderr, PrintWriter err) {
        IOException o = stdout.failure();
        if (o != null && !CheckedStream.brokenPipe(o)) {
            err.println("tape: cannot write the standard output: " + Escape.text(String.valueOf(o.getMessage())));
            err.flush();
            return ExitCodes.ERROR;
        }
        IOException e = stderr.failure();
        if (e != null && !CheckedStream.brokenPipe(e)) {
            return ExitCodes.ERROR;
        }
        return code;
    }

    /**
     * Whether {@link #main} must end the JVM with {@link System#exit(int)}: for any code but 0
     * (only {@code System.exit} sets another status), and for 0 while a thread other than the
     * caller is alive and not a daemon, which would keep a JVM whose {@code main} returned running
     * (a library's worker, say). A non-daemon thread started after this looked is {@link ExitWatch}'s.
     *
     * @param code the exit code, 0 to 4 ({@link ExitCodes})
     * @return true to call {@code System.exit(code)}, false when returning from {@code main} ends
     *     the JVM with status 0 as {@code System.exit(0)} would
     */
    static boolean mustExit(int code) {
        return code != 0 || nonDaemonAlive(Thread.currentThread(), false);
    }

    /**
     * Whether a live thread other than {@code self} is not a daemon, that is, would keep a JVM whose
     * {@code main} returned running ({@link #mustExit}, {@link ExitWatch}).
     *
     * @param self the thread asking, not counted
     * @param exiting whether {@code main} has returned: then HotSpot's {@code DestroyJavaVM}, the
     *     thread that waits for the others before the JVM exits, is not counted either
     * @return true also when the threads cannot be told (no thread group, more threads than the
     *     array made for them holds)
     */
    static boolean nonDaemonAlive(Thread self, boolean exiting) {
        ThreadGroup g = self.getThreadGroup();
        if (g == null) {
            return true;
        }
        while (g.getParent() != null) {
            g = g.getParent();
        }
        // (room for threads started meanwhile: a full array may have left some out)
        Thread[] all = new Thread[g.activeCount() + 16];
        int n = g.enumerate(all, true);
        if (n == all.length) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            Thread t = all[i];
            if (t != self && !t.isDaemon() && t.isAlive()
                    && !(exiting && ExitWatch.DESTROY_JAVA_VM.equals(t.getName()))) {
                return true;
            }
        }
        return false;
    }
}
