package dev.tape.cli;

import dev.tape.asm.Assembler;
import dev.tape.asm.LineTable;
import dev.tape.debug.Target;
import dev.tape.host.Host;
import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options {@code tape run}, {@code tape bench}, {@code tape profile}, {@code tape replay} and
 * {@code tape debug} share (a picocli mixin; {@code tape run} binds them through {@link RunSpec}
 * instead): the program file, the entry function and its arguments, and the limits, host, tier and
 * tracing ({@link EngineOptions}).
 */
public final class RunOptions {
    /** Creates the options with their defaults; picocli fills them in. */
    public RunOptions() {}

    /** {@code FILE}'s description (here and in {@link RunSpec}). */
    static final String FILE_HELP = "The program: a binary .tape file, or text assembly when the name ends in .tasm.";
    /** {@code --entry}'s description. */
    static final String ENTRY_HELP = "The function to run: its id, or its name from the names section (default: 0).";
    /** {@code --arg}'s description. */
    static final String ARG_HELP = "An argument to the entry function, in order; repeat for each. A value literal "
            + "such as i64:20, f64:1.5, str:\"hi\" or tuple(i64:1, bool:true), or the plain form the parameter's "
            + "type allows: 20 for an i64 or u64, 1.5 for an f64, true for a bool, -1.50 for a decimal, 00ff "
            + "for bytes; for a str parameter, any text not starting with str: is the string itself.";

    @Parameters(index = "0", paramLabel = "FILE", description = FILE_HELP)
    Path file;

    @Option(names = "--entry", paramLabel = "ID|NAME", description = ENTRY_HELP)
    String entry;

    @Option(names = "--arg", paramLabel = "VALUE", description = ARG_HELP)
    List<String> args = new ArrayList<>();

    /** the limit, host, tier and trace options ({@code tape resume} takes them too) */
    @Mixin
    EngineOptions engine;

    /**
     * The program loaded ahead on a second thread ({@link Preload}), set by {@code tape run} before
     * {@link #prepare}, which takes it (or loads the file itself); null otherwise.
     */
    Preload preload;

    /**
     * A program ready to run: the VM, the entry, its arguments, the limits and the trace sink.
     *
     * @param file the program file
     * @param vm the VM
     * @param entry the entry function id
     * @param args the arguments, checked against the entry's signature
     * @param limits the limits
     * @param sink the trace sink, or {@code null} for none
     */
    record Prepared(Path file, Vm vm, int entry, List<Value> args, Limits limits, TraceSink sink) {}

    /**
     * Loads, verifies and binds the program, and checks the options against it.
     *
     * @param out the command's stdout (where the std host prints)
     * @param err the command's stderr (where traces go)
     * @return the prepared run
     * @throws CliException (exit 2) when the file cannot be loaded or verified, the entry does not
     *     exist, an argument is not a literal or does not fit the entry's signature, or a limit is
     *     out of range
     */
    Prepared prepare(PrintWriter out, PrintWriter err) throws CliException {
        return prepare(out, err, (program, host) -> host);
    }

    /**
     * Makes the host the run uses from the one the options name: {@code tape profile} counts what
     * it charges, {@code --record} records it, {@code tape replay} replaces it.
     */
    @FunctionalInterface
    interface HostWrapper {
        /**
         * @param program the verified program
         * @param host the host the options name
         * @return the host to run with
         * @throws CliException (exit 2) when the host cannot be made
         */
        Host wrap(VerifiedProgram program, Host host) throws CliException;
    }

    /**
     * Loads, verifies and binds the program as {@link #prepare(PrintWriter, PrintWriter)} does, with
     * the host the wrapper makes of the one the options name.
     *
     * @param out the command's stdout (where the std host prints)
     * @param err the command's stderr (where traces go)
     * @param wrapper makes the run's host
     * @return the prepared run
     * @throws CliException (exit 2) as {@link #prepare(PrintWriter, PrintWriter)}, or from the wrapper
     */
    Prepared prepare(PrintWriter out, PrintWriter err, HostWrapper wrapper) throws CliException {
        // first of all: from here on nothing runs beside the command
        Preload.Loaded ahead = preload == null ? null : preload.take(file);
        preload = null;
        Limits limits = engine.limits();
        engine.check();
        Program program = ahead != null ? ahead.program() : ProgramFiles.load(file);
        VerifiedProgram verified = ahead != null ? ahead.verified() : ProgramFiles.verify(file, program);
        // the host first: a replay refuses a recording of another program before the arguments
        Host h = wrapper.wrap(verified, engine.host(out));
        int id = entryId(program);
        List<Value> values = arguments(program, id);
        return new Prepared(file, engine.vm(verified, h), id, values, limits, engine.sink(err, program));
    }

    /**
     * Loads, verifies and binds the program for the debugger: as {@link #prepare}, keeping the
     * source text and its line table when the file is {@code .tasm}. The debugger always
     * interprets ({@code --tier} is ignored) and does not trace.
     *
     * @param out where the std host prints
     * @return the debugger's target
     * @throws CliException (exit 2) as {@link #prepare}, or when {@code --trace} is given
     */
    Target target(PrintWriter out) throws CliException {
        return target(out, (program, host) -> host);
    }

    /**
     * {@link #target(PrintWriter)} with the host the wrapper makes of the one the options name
     * ({@code tape debug --replay} answers from a recording).
     *
     * @param out where the std host prints
     * @param wrapper makes the debugger's host
     * @return the debugger's target
     * @throws CliException (exit 2) as {@link #target(PrintWriter)}, or from the wrapper
     */
    Target target(PrintWriter out, HostWrapper wrapper) throws CliException {
        Limits limits = engine.limits();
        engine.check();
        if (!engine.trace.isEmpty()) {
            throw new CliException("tape: --trace is not available while debugging");
        }
        String source = null;
        LineTable lines = LineTable.EMPTY;
        Program program;
        if (ProgramFiles.isAssembly(file)) {
            source = ProgramFiles.readAssembly(file);
            Assembler.Assembled a = Assembly.assembleWithLines(file, source);
            program = a.program();
            lines = a.lines();
        } else {
            program = ProgramFiles.load(file);
        }
        VerifiedProgram verified = ProgramFiles.verify(file, program);
        // the host first: a replay refuses a recording of another program before the arguments
        Host h = wrapper.wrap(verified, engine.host(out));
        int id = entryId(program);
        List<Value> values = arguments(program, id);
        return new Target(verified, file.toString(), source, lines, id, values, limits, h);
    }

    private int entryId(Program program) throws CliException {
        int count = program.functions().size();
        if (entry == null) {
            if (count == 0) {
                throw new CliException(Escape.path(file) + ": the program has no functions to run");
            }
            return 0;
        }
        if (entry.matches("[0-9]+")) {
            int id;
            try {
                id = Integer.parseInt(entry);
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0 || id >= count) {
                throw new CliException("tape: --entry " + Escape.text(entry) + ": no such function (the program has "
                        + count + (count == 1 ? " function" : " functions") + ")");
            }
            return id;
        }
        int id = program.functionId(entry);
        if (id < 0 || id >= count) {
            throw new CliException("tape: --entry " + Escape.text(entry) + ": no function has that name");
        }
        return id;
    }

    /**
     * Reads the {@code --arg} texts as the entry function's arguments, checking their count and
     * types against its signature. Each is a value literal ({@code i64:20}), or, where the
     * parameter's type has a plain form, that form alone ({@link #argument}).
     */
    private List<Value> arguments(Program program, int id) throws CliException {
        Function fn = program.functions().get(id);
        List<ValueType> types = fn.sig().args();
        String name = program.functionName(id);
        String who = "function " + id + (name == null ? "" : " (" + Escape.text(name) + ")");
        if (types.size() != args.size()) {
            throw new CliException("tape: " + who + " takes " + types.size()
                    + (types.size() == 1 ? " argument " : " arguments ") + typeList(types) + ", "
                    + args.size() + " given with --arg");
        }
        List<Value> values = new ArrayList<>(args.size());
        for (int i = 0; i < types.size(); i++) {
            String a = args.get(i);
            Value v;
            try {
                v = argument(a, types.get(i));
            } catch (IllegalArgumentException e) {
                throw new CliException("tape: --arg '" + Escape.text(a) + "' is not a value literal: "
                        + Escape.text(e.getMessage()));
            }
            if (!v.type().equals(types.get(i))) {
                throw new CliException("tape: argument " + (i + 1) + " of " + who + " must be " + types.get(i)
                        + ", got " + Escape.text(ValueLiteral.format(v, 200)));
            }
            values.add(v);
        }
        return values;
    }

    /**
     * One argument: a value literal ({@code i64:20}, {@code tuple(...)}), or, when the text is not
     * one, the plain form the parameter's type allows: {@code 20} for an i64 or u64, {@code 1.5} or
     * {@code 0x3ff8000000000000} for an f64, {@code true} for a bool, {@code -1.50} for a decimal,
     * {@code 00ff} for bytes. For a str parameter any text that does not start with {@code str:}
     * is the string itself.
     *
     * @param text the {@code --arg} text
     * @param type the parameter's type
     * @return the value (of another type when the text is a literal of another type)
     * @throws IllegalArgumentException when the text is neither a literal nor a plain form of the type
     */
    static Value argument(String text, ValueType type) {
        ValueKind k = type.kind();
        if (k == ValueKind.STR && !text.startsWith("str:")) {
            return Value.str(text);
        }
        try {
            return ValueLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            boolean plain = k == ValueKind.BOOL || k == ValueKind.I64 || k == ValueKind.U64 || k == ValueKind.F64
                    || k == ValueKind.DECIMAL || k == ValueKind.BYTES;
            if (!plain || text.indexOf(':') >= 0 || text.indexOf('(') >= 0) {
                throw e;
            }
            try {
                return ValueLiteral.parse(k.keyword() + ":" + text);
            } catch (IllegalArgumentException again) {
                throw new IllegalArgumentException("not a literal, nor a plain " + k.keyword() + " ("
                        + again.getMessage() + ")");
            }
        }
    }

    private static String typeList(List<ValueType> types) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < types.size(); i++) {
            b.append(i > 0 ? ", " : "").append(types.get(i));
        }
        return b.append(')').toString();
    }
}
