package dev.tape.program;

import dev.tape.classinit.ClassInit;
import dev.tape.format.Instruction;
import dev.tape.format.Operand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes a {@link Program} by hand, modelled on the reference implementation's {@code ProgramBuilder}
 * ({@code notes/container-format.md} section 2.3), so that a program built here with the same
 * calls in the same order encodes to the same bytes as one built with the Rust toolchain.
 *
 * <p>Tables are interned: {@link #symbol(String) symbols}, {@link #constant(Constant) constants},
 * {@link #structType(List) struct types}, {@link #arrayElem(ValueType) array element types},
 * {@link #hostSig(int, List, List) host signatures} and {@link #callSig(List, List) call
 * signatures} are each deduplicated by equality, and ids are given in order of first insertion.
 * Symbol ids start at 1: symbol 0 is the reserved empty string (spec section "Symbols"). As in the
 * reference, {@code symbol("")} therefore makes a new, non-zero symbol holding the empty string.
 *
 * <p>Functions are declared first ({@link #declareFunction(List, List)} gives the id, so calls may
 * refer to functions defined later, or to themselves) and their bodies are assembled with the
 * {@link FunctionBuilder} that {@link #function(int)} returns.
 *
 * <p>Errors: a method given bad input (a {@code null}, an unknown id, an index out of range)
 * throws {@link IllegalArgumentException} at that call. {@link #build()} throws
 * {@link IllegalStateException} for problems only a complete program shows. Not thread-safe.
 */
public final class ProgramBuilder {
    private static final class Decl {
        final List<ValueType> args;
        final List<ValueType> rets;
        final FunctionBuilder body;
        final Map<Integer, Integer> argNames = new TreeMap<>();
        final Map<Integer, Integer> retNames = new TreeMap<>();

        Decl(List<ValueType> args, List<ValueType> rets, FunctionBuilder body) {
            this.args = args;
            this.rets = rets;
            this.body = body;
        }
    }

    private final List<String> symbols = new ArrayList<>(List.of(""));
    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<Constant> constants = new ArrayList<>();
    private final Map<Constant, Integer> constantIds = new HashMap<>();
    private final List<String> fieldNames = new ArrayList<>();
    private final Map<String, Integer> fieldNameIds = new HashMap<>();
    private final List<StructType> structs = new ArrayList<>();
    private final Map<StructType, Integer> structIds = new HashMap<>();
    private final List<ValueType> arrayElems = new ArrayList<>();
    private final Map<ValueType, Integer> arrayElemIds = new HashMap<>();
    private final List<HostSig> hostSigs = new ArrayList<>();
    private final Map<HostSig, Integer> hostSigIds = new HashMap<>();
    private final List<CallSig> callSigs = new ArrayList<>();
    private final Map<CallSig, Integer> callSigIds = new HashMap<>();
    private final List<Decl> functions = new ArrayList<>();
    private final List<Boolean> bodyStarted = new ArrayList<>();
    private final Map<Integer, Integer> functionNames = new LinkedHashMap<>();
    private final List<AggShape.ArgShape> argShapes = new ArrayList<>();
    private int programName = -1;

    /** Makes an empty builder: only symbol 0, no functions. */
    public ProgramBuilder() {
        // the builders' and tape-core's classes, initialised up front (see ClassInit)
        ClassInit.builder();
    }

    private static <T> T nonNull(T v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        return v;
    }

    /**
     * Text must be valid Unicode: an unpaired surrogate has no UTF-8 form, and Java would silently
     * write it as {@code ?}.
     */
    private static String text(String s, String what) {
        nonNull(s, what);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " has an unpaired surrogate at index " + i
                        + ", which has no UTF-8 encoding");
            }
        }
        return s;
    }

    private static List<ValueType> types(List<ValueType> types, String what) {
        nonNull(types, what);
        for (ValueType t : types) {
            if (t == null) {
                throw new IllegalArgumentException(what + " contains null");
            }
        }
        return List.copyOf(types);
    }

    /**
     * Interns a symbol (a host-call name or a debug name).
     *
     * @param s the text, any valid Unicode string (the empty string too: it gets its own non-zero
     *     id)
     * @return its symbol id, 1 or more; the same id for the same text
     * @throws IllegalArgumentException when {@code s} is null or has an unpaired surrogate
     */
    public int symbol(String s) {
        text(s, "symbol");
        Integer id = symbolIds.get(s);
        if (id == null) {
            id = symbols.size();
            symbols.add(s);
            symbolIds.put(s, id);
        }
        return id;
    }

    /**
     * Sets the program's name in the names section (spec section "Names (optional)").
     *
     * @param name the name, interned as a symbol
     * @return its symbol id
     * @throws IllegalArgumentException when {@code name} is null or has an unpaired surrogate
     */
    public int programName(String name) {
        programName = symbol(nonNull(name, "program name"));
        return programName;
    }

    /**
     * Interns a constant-pool entry (spec section "Constant pool"). Equality is by value; an f64 is
     * compared by its bits, so two NaNs with the same payload share an entry and 0.0 and -0.0 do not.
     *
     * @param c the constant
     * @return its constant id, 0 or more
     * @throws IllegalArgumentException when {@code c} is null, or a string constant has an unpaired
     *     surrogate
     */
    public int constant(Constant c) {
        nonNull(c, "constant");
        if (c instanceof Constant.Str str) {
            text(str.value(), "string constant");
        }
        Integer id = constantIds.get(c);
        if (id == null) {
            id = constants.size();
            constants.add(c);
            constantIds.put(c, id);
        }
        return id;
    }

    /**
     * Interns a struct type (spec section "Types"). Field names are interned in the type table's
     * field-name list in order of first use.
     *
     * @param fields the fields in declaration order: (name, type) pairs, for example
     *     {@code List.of(Map.entry("x", ValueType.I64))}
     * @return the struct's type id, 0 or more; the same id for an equal field list
     * @throws IllegalArgumentException when the list, an entry, a name or a type is null, or a name
     *     has an unpaired surrogate
     */
    public int structType(List<? extends Map.Entry<String, ValueType>> fields) {
        nonNull(fields, "struct fields");
        for (Map.Entry<String, ValueType> f : fields) {
            nonNull(f, "struct field");
            text(f.getKey(), "struct field name");
            nonNull(f.getValue(), "struct field type");
        }
        // An equal struct can only exist when every field name is already interned.
        List<StructType.Field> out = new ArrayList<>(fields.size());
        for (Map.Entry<String, ValueType> f : fields) {
            Integer nameId = fieldNameIds.get(f.getKey());
            if (nameId == null) {
                out = null;
                break;
            }
            out.add(new StructType.Field(nameId, f.getValue()));
        }
        if (out != null) {
            Integer id = structIds.get(new StructType(out));
            if (id != null) {
                return id;
            }
        }
        out = new ArrayList<>(fields.size());
        for (Map.Entry<String, ValueType> f : fields) {
            Integer nameId = fieldNameIds.get(f.getKey());
            if (nameId == null) {
                nameId = fieldNames.size();
                fieldNames.add(f.getKey());
                fieldNameIds.put(f.getKey(), nameId);
            }
            out.add(new StructType.Field(nameId, f.getValue()));
        }
        StructType st = new StructType(out);
        int id = structs.size();
        structs.add(st);
        structIds.put(st, id);
        return id;
    }

    /**
     * Interns an array element type (spec section "Types").
     *
     * @param elem the element type
     * @return its element type id, 0 or more
     * @throws IllegalArgumentException when {@code elem} is null
     */
    public int arrayElem(ValueType elem) {
        nonNull(elem, "array element type");
        Integer id = arrayElemIds.get(elem);
        if (id == null) {
            id = arrayElems.size();
            arrayElems.add(elem);
            arrayElemIds.put(elem, id);
        }
        return id;
    }

    /**
     * Interns a host signature (spec section "Host signatures"), computing its hash with
     * {@link HostSig#of(int, List, List)}.
     *
     * @param symbolId the host function's symbol id, from {@link #symbol(String)}
     * @param args argument types
     * @param rets result types
     * @return its host signature id, 0 or more
     * @throws IllegalArgumentException when {@code symbolId} is not an interned symbol (0 is
     *     reserved) or a list is or contains null
     */
    public int hostSig(int symbolId, List<ValueType> args, List<ValueType> rets) {
        if (symbolId < 1 || symbolId >= symbols.size()) {
            throw new IllegalArgumentException("host signature symbol " + symbolId + " is not an interned symbol (1 to "
                    + (symbols.size() - 1) + ")");
        }
        HostSig h = HostSig.of(symbolId, types(args, "host signature arguments"), types(rets, "host signature results"));
        Integer id = hostSigIds.get(h);
        if (id == null) {
            id = hostSigs.size();
            hostSigs.add(h);
            hostSigIds.put(h, id);
        }
        return id;
    }

    /**
     * Interns the symbol, then a host signature for it.
     *
     * @param symbol the host function's name, for example {@code "test.add_i64"}
     * @param args argument types
     * @param rets result types
     * @return its host signature id
     * @throws IllegalArgumentException when an argument is or contains null, or the symbol has an
     *     unpaired surrogate
     */
    public int hostSig(String symbol, List<ValueType> args, List<ValueType> rets) {
        return hostSig(symbol(nonNull(symbol, "host symbol")), args, rets);
    }

    /**
     * Interns a call signature for {@code call.indirect} (spec section "Call signatures"); it lists
     * only the caller-visible arguments.
     *
     * @param args argument types
     * @param rets result types
     * @return its call signature id, 0 or more
     * @throws IllegalArgumentException when a list is or contains null
     */
    public int callSig(List<ValueType> args, List<ValueType> rets) {
        CallSig c = new CallSig(types(args, "call signature arguments"), types(rets, "call signature results"));
        Integer id = callSigIds.get(c);
        if (id == null) {
            id = callSigs.size();
            callSigs.add(c);
            callSigIds.put(c, id);
        }
        return id;
    }

    /**
     * Declares a function. Its body is added through {@link #function(int)}, before or after other
     * functions refer to the id.
     *
     * @param args argument types (r1 onwards; the effect token in r0 is not listed)
     * @param rets result types
     * @return the function id, 0 or more, in order of declaration
     * @throws IllegalArgumentException when a list is or contains null
     */
    public int declareFunction(List<ValueType> args, List<ValueType> rets) {
        List<ValueType> a = types(args, "function arguments");
        List<ValueType> r = types(rets, "function results");
        int id = functions.size();
        functions.add(new Decl(a, r, new FunctionBuilder(this, id, a.size())));
        bodyStarted.add(false);
        return id;
    }

    /**
     * Declares a function and returns its body builder.
     *
     * @param args argument types
     * @param rets result types
     * @return the new function's builder ({@link FunctionBuilder#funcId()} gives its id)
     * @throws IllegalArgumentException when a list is or contains null
     */
    public FunctionBuilder addFunction(List<ValueType> args, List<ValueType> rets) {
        return function(declareFunction(args, rets));
    }

    /**
     * The builder of a declared function's body.
     *
     * @param funcId a declared function id
     * @return the builder of that function's body (the same object on every call)
     * @throws IllegalArgumentException when no function has that id
     */
    public FunctionBuilder function(int funcId) {
        checkFunc(funcId);
        bodyStarted.set(funcId, true);
        return functions.get(funcId).body;
    }

    /**
     * Counts the functions declared so far.
     *
     * @return the number of functions declared so far
     */
    public int functionCount() {
        return functions.size();
    }

    /** Checks that a declared function has argument {@code arg}. */
    private static void checkArg(Decl d, int funcId, int arg) {
        if (arg < 0 || arg >= d.args.size()) {
            throw new IllegalArgumentException("function " + funcId + " has no argument " + arg + " (it takes "
                    + d.args.size() + ")");
        }
    }

    private Decl checkFunc(int funcId) {
        if (funcId < 0 || funcId >= functions.size()) {
            throw new IllegalArgumentException("function " + funcId + " is not declared (" + functions.size()
                    + " functions)");
        }
        return functions.get(funcId);
    }

    /**
     * Names a function in the names section; a second call for the same function replaces the name.
     *
     * @param funcId a declared function id
     * @param name the name, interned as a symbol
     * @return the name's symbol id
     * @throws IllegalArgumentException when no function has that id, or the name is null or has an
     *     unpaired surrogate
     */
    public int functionName(int funcId, String name) {
        checkFunc(funcId);
        int sym = symbol(nonNull(name, "function name"));
        functionNames.put(funcId, sym);
        return sym;
    }

    /**
     * Names an argument of a function (spec section "Function signatures (typed)"). Once one
     * argument of a function is named, the signature lists a name id for every argument, 0 for the
     * unnamed ones. A second call for the same argument replaces the name.
     *
     * @param funcId a declared function id
     * @param arg the argument's position, 0 to its argument count - 1
     * @param name the name, interned as a symbol
     * @return the name's symbol id
     * @throws IllegalArgumentException when the function or argument does not exist, or the name is
     *     null or has an unpaired surrogate
     */
    public int argName(int funcId, int arg, String name) {
        Decl d = checkFunc(funcId);
        checkArg(d, funcId, arg);
        int sym = symbol(nonNull(name, "argument name"));
        d.argNames.put(arg, sym);
        return sym;
    }

    /**
     * Names a result of a function, as {@link #argName(int, int, String)} does for arguments.
     *
     * @param funcId a declared function id
     * @param ret the result's position, 0 to its result count - 1
     * @param name the name, interned as a symbol
     * @return the name's symbol id
     * @throws IllegalArgumentException when the function or result does not exist, or the name is
     *     null or has an unpaired surrogate
     */
    public int retName(int funcId, int ret, String name) {
        Decl d = checkFunc(funcId);
        if (ret < 0 || ret >= d.rets.size()) {
            throw new IllegalArgumentException("function " + funcId + " has no result " + ret + " (it returns "
                    + d.rets.size() + ")");
        }
        int sym = symbol(nonNull(name, "result name"));
        d.retNames.put(ret, sym);
        return sym;
    }

    /**
     * Declares the aggregate shape of an {@code agg} argument (section 11,
     * {@code function_arg_agg_shapes}, {@code reference/README.md}); a second call for the same
     * argument replaces the shape in place. Entries are written in order of first declaration.
     *
     * @param funcId a declared function id
     * @param arg the argument's position, 0 to its argument count - 1 (0 is r1; a closure body's
     *     environment is argument 0)
     * @param shape the shape
     * @return this builder
     * @throws IllegalArgumentException when the function or argument does not exist or the shape is
     *     null
     */
    public ProgramBuilder argShape(int funcId, int arg, AggShape shape) {
        Decl d = checkFunc(funcId);
        nonNull(shape, "aggregate shape");
        checkArg(d, funcId, arg);
        AggShape.ArgShape entry = new AggShape.ArgShape(funcId, arg, shape);
        for (int i = 0; i < argShapes.size(); i++) {
            if (argShapes.get(i).funcId() == funcId && argShapes.get(i).arg() == arg) {
                argShapes.set(i, entry);
                return this;
            }
        }
        argShapes.add(entry);
        return this;
    }

    /**
     * Builds the program. The builder is not changed and may be used further.
     *
     * <p>Checks made, each an {@link IllegalStateException} naming the function and pc: every
     * declared function has had {@link #function(int)} called; every label that a branch refers to
     * or that has a name is placed; every branch target is the start of an instruction; every
     * constant, function, host signature, call signature, struct type and element type id in the
     * bytecode and in section 11 has an entry; a register count override is not below the inferred
     * count.
     *
     * @return the program, immutable
     * @throws IllegalStateException when a check fails
     */
    public Program build() {
        return build(true);
    }

    /**
     * Builds the program without the id, body, branch-target and register-count checks of
     * {@link #build()}, for making programs that a verifier must reject. The result still always
     * encodes to a file that decodes. A function whose body was never started gets empty bytecode
     * and a register count of its argument count + 1.
     *
     * @return the program, immutable
     * @throws IllegalStateException when a label that a branch refers to or that has a name is not
     *     placed (its pc is unknown)
     */
    public Program buildUnchecked() {
        return build(false);
    }

    private Program build(boolean checked) {
        List<Function> fs = new ArrayList<>(functions.size());
        List<Names.LabelName> labels = new ArrayList<>();
        for (int i = 0; i < functions.size(); i++) {
            Decl d = functions.get(i);
            if (checked && !bodyStarted.get(i)) {
                throw new IllegalStateException("function " + i + " is declared but has no body (call function(" + i
                        + "))");
            }
            FunctionBuilder.Parts parts = d.body.finish(checked);
            if (checked) {
                for (Instruction ins : parts.instructions()) {
                    checkIds(i, ins);
                }
            }
            for (int[] l : parts.labelNames()) {
                labels.add(new Names.LabelName(i, l[0], l[1]));
            }
            fs.add(new Function(d.args.size(), d.rets.size(), parts.regCount(), parts.code(), parts.spans(),
                    new FunctionSig(d.args, names(d.argNames, d.args.size()), d.rets, names(d.retNames, d.rets.size()))));
        }
        if (checked) {
            for (AggShape.ArgShape s : argShapes) {
                if (s.shape() instanceof AggShape.Struct st) {
                    checkId("section 11 shape of function " + s.funcId() + " argument " + s.arg(), "struct type",
                            st.declaredTypeId(), structs.size());
                } else if (s.shape() instanceof AggShape.Array a) {
                    checkId("section 11 shape of function " + s.funcId() + " argument " + s.arg(), "element type",
                            a.declaredElemTypeId(), arrayElems.size());
                }
            }
        }
        List<Names.FunctionName> fnames = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : functionNames.entrySet()) {
            fnames.add(new Names.FunctionName(e.getKey(), e.getValue()));
        }
        // The encoder sorts names; sorting here too makes the built program equal to its decoding.
        fnames.sort(Comparator.comparingInt(Names.FunctionName::funcId)
                .thenComparingInt(Names.FunctionName::nameSymbol));
        labels.sort(Comparator.comparingInt(Names.LabelName::funcId).thenComparingInt(Names.LabelName::pc)
                .thenComparingInt(Names.LabelName::nameSymbol));
        TypeTable tt = new TypeTable(fieldNames, structs, arrayElems);
        return new Program(symbols, constants, tt, fs, hostSigs, callSigs, argShapes,
                new Names(programName, fnames, labels));
    }

    private static List<Integer> names(Map<Integer, Integer> named, int count) {
        if (named.isEmpty()) {
            return null;
        }
        List<Integer> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(named.getOrDefault(i, 0));
        }
        return out;
    }

    private void checkIds(int funcId, Instruction ins) {
        List<Operand> schema = ins.opcode().operands();
        String where = "function " + funcId + ": " + ins.opcode().mnemonic() + " at pc " + ins.pc();
        for (int i = 0; i < schema.size(); i++) {
            long v = ins.value(i);
            switch (schema.get(i).kind()) {
                case CONST_ID -> checkId(where, "constant", v, constants.size());
                case FUNC_ID -> checkId(where, "function", v, functions.size());
                case HOST_SIG_ID -> checkId(where, "host signature", v, hostSigs.size());
                case CALL_SIG_ID -> checkId(where, "call signature", v, callSigs.size());
                case TYPE_ID -> checkId(where, "struct type", v, structs.size());
                case ELEM_TYPE_ID -> checkId(where, "element type", v, arrayElems.size());
                default -> { }
            }
        }
    }

    private static void checkId(String where, String what, long id, int count) {
        if (id < 0 || id >= count) {
            throw new IllegalStateException(where + " refers to " + what + " " + id + ", but there "
                    + (count == 1 ? "is 1" : "are " + count));
        }
    }
}
