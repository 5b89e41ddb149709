package dev.tape.cli;

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
 * The options {@code tape run} and {@code tape bench} share (a picocli mixin): the program file,
 * the entry function and its arguments, and the limits, host, tier and tracing ({@link EngineOptions}).
 */
public final class RunOptions {
    /** Creates the options with their defaults; picocli fills them in. */
    public RunOptions() {}

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The program: a binary .tape file, or text assembly when the name ends in .tasm.")
    Path file;

    @Option(names = "--entry", paramLabel = "ID|NAME",
            description = "The function to run: its id, or its name from the names section (default: 0).")
    String entry;

    @Option(names = "--arg", paramLabel = "VALUE",
            description = "An argument to the entry function, in order; repeat for each. A value literal such as "
                    + "i64:20, f64:1.5, str:\"hi\" or tuple(i64:1, bool:true), or the plain form the parameter's "
                    + "type allows: 20 for an i64 or u64, 1.5 for an f64, true for a bool, -1.50 for a decimal, 00ff "
                    + "for bytes; for a str parameter, any text not starting with str: is the string itself.")
    List<String> args = new ArrayList<>();

    /** the limit, host, tier and trace options ({@code tape resume} takes them too) */
    @Mixin
    EngineOptions engine;

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
        Limits limits = engine.limits();
        engine.check();
        Program program = ProgramFiles.load(file);
        VerifiedProgram verified = ProgramFiles.verify(file, program);
        int id = entryId(program);
        List<Value> values = arguments(program, id);
        return new Prepared(file, engine.vm(verified, out), id, values, limits, engine.sink(err, program));
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
