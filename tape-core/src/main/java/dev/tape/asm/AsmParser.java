package dev.tape.asm;

import dev.tape.asm.AsmDecls.ArraySpec;
import dev.tape.asm.AsmDecls.BytesItem;
import dev.tape.asm.AsmDecls.FieldDecl;
import dev.tape.asm.AsmDecls.FuncDecl;
import dev.tape.asm.AsmDecls.InstrItem;
import dev.tape.asm.AsmDecls.Item;
import dev.tape.asm.AsmDecls.LabelItem;
import dev.tape.asm.AsmDecls.LabelNameItem;
import dev.tape.asm.AsmDecls.Opnd;
import dev.tape.asm.AsmDecls.Ref;
import dev.tape.asm.AsmDecls.ShapeDecl;
import dev.tape.asm.AsmDecls.ShapeSpec;
import dev.tape.asm.AsmDecls.SpanItem;
import dev.tape.asm.AsmDecls.StructSpec;
import dev.tape.asm.AsmDecls.TupleSpec;
import dev.tape.asm.Scanner.Pos;
import dev.tape.format.ByteWriter;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The assembler proper: parses a whole source in one pass (interning symbols and pooling inline
 * constants in text order), then resolves names, lays out each function and builds the
 * {@link Program}. See {@code docs/ASSEMBLY.md} for the language. Single values are read by
 * {@link AsmValues}, the operands of instruction lines by {@link InstructionParser}.
 */
final class AsmParser {
    private static final String DECLARATIONS =
            "a declaration (program, symbols, const, struct, array, host, callsig, shape or func)";

    private final Scanner s;
    /** Literals, numbers, types and words, read from {@link #s}. */
    private final AsmValues values;
    /** Instruction lines' operands, read from {@link #s}. */
    private final InstructionParser instructions;
    /** Where each instruction and label came from, filled in by {@link #layout}. */
    final LineTable.Builder lines = new LineTable.Builder();
    private final List<String> symbols = new ArrayList<>(List.of(""));
    private final Map<String, Integer> symbolIds = new HashMap<>(Map.of("", 0));
    private boolean symbolsBlock;
    private int programName = -1;
    private Pos programPos;
    private final List<Constant> constants = new ArrayList<>();
    private final Map<Constant, Integer> firstConstant = new HashMap<>();
    private final Map<String, Integer> constNames = new HashMap<>();
    private final List<List<FieldDecl>> structs = new ArrayList<>();
    private final Map<String, Integer> structNames = new HashMap<>();
    private final List<ValueType> arrays = new ArrayList<>();
    private final Map<String, Integer> arrayNames = new HashMap<>();
    private final List<HostSig> hosts = new ArrayList<>();
    private final Map<String, Integer> hostNames = new HashMap<>();
    private final List<CallSig> callSigs = new ArrayList<>();
    private final Map<String, Integer> callSigNames = new HashMap<>();
    private final List<ShapeDecl> shapes = new ArrayList<>();
    private final List<FuncDecl> funcs = new ArrayList<>();
    private final Map<String, List<Integer>> funcNames = new HashMap<>();
    private final Map<String, Pos> declared = new HashMap<>();

    AsmParser(String source, String file) {
        this.s = new Scanner(source, file);
        this.values = new AsmValues(s);
        this.instructions = new InstructionParser(s, values, this::poolConstant);
    }

    /** @return where the parser is, for reporting an unexpected failure */
    Pos position() {
        return s.here();
    }

    Program parse() throws AsmException {
        while (true) {
            s.skipWs();
            if (s.eof()) {
                break;
            }
            Pos p = s.mark();
            if (!s.atWord()) {
                throw s.expected(DECLARATIONS);
            }
            String kw = s.word();
            switch (kw) {
                case "program" -> parseProgramName(p);
                case "symbols" -> parseSymbols(p);
                case "const" -> parseConst();
                case "struct" -> parseStruct();
                case "array" -> parseArray();
                case "host" -> parseHost();
                case "callsig" -> parseCallSig();
                case "shape" -> parseShape();
                case "func" -> parseFunc(p);
                default -> throw s.error(p, "expected " + DECLARATIONS + ", found '" + kw + "'");
            }
        }
        return resolve();
    }

    // ---------------------------------------------------------------- declarations

    private void parseProgramName(Pos p) throws AsmException {
        if (programPos != null) {
            throw s.error(p, "expected one program line, found a second (the first is at line " + programPos.line()
                    + ")");
        }
        programPos = p;
        programName = nameSymbol("the program's name (a string, an identifier or $N)");
        s.endLine("");
    }

    private void parseSymbols(Pos p) throws AsmException {
        if (symbolsBlock || symbols.size() > 1) {
            throw s.error(p, "expected the symbols block before anything that names a symbol (put it first),"
                    + " found it after " + (symbolsBlock ? "another symbols block" : "symbol "
                    + Syntax.quote(symbols.get(symbols.size() - 1))));
        }
        symbolsBlock = true;
        s.expect('{', "'{' after symbols");
        braceBlock(p, "the symbols block", "a symbol", () -> {
            String sym = s.string();
            symbols.add(sym);
            symbolIds.putIfAbsent(sym, symbols.size() - 1);
        });
    }

    /** Reads one entry of a block in braces. */
    private interface BlockEntry {
        void read() throws AsmException;
    }

    /**
     * Reads the entries of a block in braces, after its '{', through the '}' and the end of its
     * line; entries are separated by ',' or line breaks.
     *
     * @param open where the block starts, for the error at the end of the file
     * @param block the block as the errors name it ({@code the struct})
     * @param entry one entry as the errors name it ({@code a field})
     * @param reader reads one entry
     */
    private void braceBlock(Pos open, String block, String entry, BlockEntry reader) throws AsmException {
        while (true) {
            s.skipWs();
            if (s.eof()) {
                throw s.error(s.here(), "expected '}' to close " + block + " opened at line " + open.line()
                        + ", found end of file");
            }
            if (s.accept('}')) {
                break;
            }
            reader.read();
            if (!s.accept(',') && !s.atEol() && s.peek() != '}') {
                throw s.expected("',' or '}' after " + entry);
            }
        }
        s.endLine(" after '}'");
    }

    private String declName(String what, int index, Map<String, Integer> names) throws AsmException {
        Pos p = s.mark();
        if (!s.atWord()) {
            throw s.expected("a name or @" + index + " for the " + what);
        }
        String w = s.word();
        if (w.startsWith("@")) {
            ownIndex(w, p, index, what, "an index @" + index + " for the " + what);
            return null;
        }
        if (!Syntax.isIdentifier(w)) {
            throw s.error(p, "expected a name or @" + index + " for the " + what + ", found '" + w + "'");
        }
        if (names.containsKey(w)) {
            throw s.error(p, "duplicate " + what + " name '" + w + "' (first declared at line "
                    + declared.get(what + " " + w).line() + ")");
        }
        declared.put(what + " " + w, p);
        names.put(w, index);
        return w;
    }

    /**
     * Checks a declaration's {@code @N} (written instead of a name) against its place in the file.
     *
     * @param w the word, starting with '@'
     * @param p where it is
     * @param index the declaration's index: what N must be
     * @param what the kind of declaration ({@code function})
     * @param indexWhat what a malformed {@code @N} is called in its error
     */
    private void ownIndex(String w, Pos p, int index, String what, String indexWhat) throws AsmException {
        long n = values.index(w, p, indexWhat);
        if (n != index) {
            throw s.error(p, "expected @" + index + " (this is " + what + " number " + index + "), found '" + w + "'");
        }
    }

    private void parseConst() throws AsmException {
        declName("constant", constants.size(), constNames);
        s.expect('=', "'=' after the constant's name");
        Constant c = values.literal();
        firstConstant.putIfAbsent(c, constants.size());
        constants.add(c);
        s.endLine("");
    }

    private void parseStruct() throws AsmException {
        declName("struct", structs.size(), structNames);
        s.expect('=', "'=' after the struct's name");
        Pos open = s.mark();
        s.expect('{', "'{' to start the struct's fields");
        List<FieldDecl> fields = new ArrayList<>();
        braceBlock(open, "the struct", "a field", () -> {
            String name;
            if (s.peek() == '"') {
                name = s.string();
            } else {
                Pos fp = s.mark();
                if (!s.atWord()) {
                    throw s.expected("a field name or '}'");
                }
                name = s.word();
                if (!Syntax.isIdentifier(name)) {
                    throw s.error(fp, "expected a field name (an identifier or a string), found '" + name + "'");
                }
            }
            s.expect(':', "':' after the field name");
            fields.add(new FieldDecl(name, values.type()));
        });
        structs.add(fields);
    }

    private void parseArray() throws AsmException {
        declName("array", arrays.size(), arrayNames);
        s.expect('=', "'=' after the array's name");
        arrays.add(values.type());
        s.endLine("");
    }

    private void parseHost() throws AsmException {
        declName("host", hosts.size(), hostNames);
        s.expect('=', "'=' after the host's name");
        Pos sp = s.mark();
        int sym = symbolRef(false, true, "the host symbol (a string like \"std.print_i64\" or $N)");
        if (sym == 0) {
            throw s.error(sp, "expected a non-empty host symbol, found the empty symbol 0");
        }
        CallSig sig = signature();
        List<ValueType> args = sig.args();
        List<ValueType> rets = sig.rets();
        long hash = HostSig.hash(args, rets);
        if (optionalWord("hash")) {
            Pos vp = s.mark();
            hash = values.unsigned(values.word("a 64-bit hash like 0x6410ca15195c619a"), vp, 64,
                    "a 64-bit hash like 0x6410ca15195c619a");
        }
        hosts.add(new HostSig(sym, hash, args, rets));
        s.endLine("");
    }

    private void parseCallSig() throws AsmException {
        declName("callsig", callSigs.size(), callSigNames);
        s.expect('=', "'=' after the callsig's name");
        callSigs.add(signature());
        s.endLine("");
    }

    /** Parses {@code (TYPES) -> (TYPES)}, the types of a host's or callsig's arguments and results. */
    private CallSig signature() throws AsmException {
        List<ValueType> args = values.typeList("argument");
        if (!s.acceptArrow()) {
            throw s.expected("'->' and the result types");
        }
        return new CallSig(args, values.typeList("result"));
    }

    /**
     * Reads the optional keyword {@code kw} that may end a line.
     *
     * @return true when it is there (and read), false at the end of the line or a non-word
     * @throws AsmException when another word is there
     */
    private boolean optionalWord(String kw) throws AsmException {
        if (!s.atWord()) {
            return false;
        }
        Pos p = s.mark();
        String w = s.word();
        if (!w.equals(kw)) {
            throw s.error(p, "expected '" + kw + "' or end of line, found '" + w + "'");
        }
        return true;
    }

    private void parseShape() throws AsmException {
        Pos fp = s.mark();
        Ref func = values.ref(values.word("a function name or @N"), fp, "a function name or @N");
        Pos ap = s.mark();
        String w = values.word("'arg'");
        if (!w.equals("arg")) {
            throw s.error(ap, "expected 'arg', found '" + w + "'");
        }
        Pos np = s.mark();
        long arg = values.unsigned(values.word("an argument index"), np, 31,
                "an argument index (0 is the first argument)");
        s.expect('=', "'=' after the argument index");
        shapes.add(new ShapeDecl(func, -1, arg, np, shapeSpec()));
        s.endLine("");
    }

    private ShapeSpec shapeSpec() throws AsmException {
        Pos p = s.mark();
        String what = "a shape (tuple(...), struct NAME or array NAME)";
        String w = values.word(what);
        switch (w) {
            case "tuple" -> {
                s.expect('(', "'(' after tuple");
                List<ValueType> elems = new ArrayList<>();
                s.skipWs();
                if (!s.accept(')')) {
                    while (true) {
                        s.skipWs();
                        if (s.peekWord().equals("_")) {
                            s.word();
                            elems.add(null);
                        } else {
                            elems.add(values.type());
                        }
                        s.skipWs();
                        if (s.accept(')')) {
                            break;
                        }
                        s.expect(',', "',' or ')' in the tuple shape");
                    }
                }
                return new TupleSpec(elems);
            }
            case "struct" -> {
                Pos rp = s.mark();
                return new StructSpec(values.ref(values.word("a struct name or @N"), rp, "a struct name or @N"));
            }
            case "array" -> {
                Pos rp = s.mark();
                return new ArraySpec(values.ref(values.word("an array name or @N"), rp, "an array name or @N"));
            }
            default -> throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
    }

    private void parseFunc(Pos p) throws AsmException {
        int id = funcs.size();
        FuncDecl f = new FuncDecl();
        f.pos = p;
        Pos np = s.mark();
        String lookup;
        if (s.peek() == '"' || s.peekWord().startsWith("$")) {
            int sym = nameSymbol("a function name");
            f.nameSymbols.add(sym);
            lookup = symbols.get(sym);
            f.display = "'" + lookup + "'";
        } else {
            String w = values.word("a function name or @" + id);
            if (w.startsWith("@")) {
                ownIndex(w, np, id, "function", "@" + id);
                lookup = null;
                f.display = "@" + id;
            } else if (Syntax.isIdentifier(w)) {
                f.nameSymbols.add(intern(w));
                lookup = w;
                f.display = "'" + w + "'";
            } else {
                throw s.error(np, "expected a function name or @" + id + ", found '" + w + "'");
            }
        }
        if (lookup != null) {
            funcNames.computeIfAbsent(lookup, k -> new ArrayList<>()).add(id);
        }
        s.expect('(', "'(' to start the parameter list");
        f.argNames = params(f.args, id, true);
        if (s.acceptArrow()) {
            s.expect('(', "'(' to start the result list");
            f.retNames = params(f.rets, id, false);
        }
        while (s.atWord()) {
            Pos ap = s.mark();
            String a = s.word();
            Pos vp = s.mark();
            switch (a) {
                case "regs", "argc", "retc" -> {
                    long v = values.unsigned(values.word("a count"), vp, 31, "a count (0 to 2147483647) after " + a);
                    Long old = a.equals("regs") ? f.regs : a.equals("argc") ? f.argc : f.retc;
                    if (old != null) {
                        throw s.error(ap, "expected " + a + " at most once, found it twice");
                    }
                    switch (a) {
                        case "regs" -> f.regs = v;
                        case "argc" -> f.argc = v;
                        default -> f.retc = v;
                    }
                }
                default -> throw s.error(ap, "expected regs, argc, retc or '{', found '" + a + "'");
            }
        }
        s.expect('{', "'{' to start the function body");
        s.endLine(" after '{' (the body starts on the next line)");
        funcs.add(f);
        body(f);
    }

    /** Parses a parameter or result list after its '(' and returns the names list (null when none). */
    private List<Integer> params(List<ValueType> types, int funcId, boolean args) throws AsmException {
        List<Integer> names = new ArrayList<>();
        boolean named = false;
        s.skipWs();
        if (s.accept(')')) {
            return null;
        }
        while (true) {
            s.skipWs();
            int nameId = 0;
            int[] state = s.save();
            Pos pp = s.mark();
            boolean hasName = false;
            if (s.peek() == '"') {
                nameId = intern(s.string());
                hasName = true;
                s.expect(':', "':' after the parameter name");
            } else if (s.atWord()) {
                String w = s.word();
                if (s.accept(':')) {
                    hasName = true;
                    if (w.equals("_")) {
                        nameId = 0;
                    } else if (w.startsWith("$")) {
                        nameId = (int) symbolId(w, pp, false);
                    } else if (Syntax.isIdentifier(w)) {
                        nameId = intern(w);
                    } else {
                        throw s.error(pp, "expected a parameter name, found '" + w + "'");
                    }
                } else {
                    s.restore(state);
                }
            }
            named |= hasName;
            names.add(nameId);
            types.add(values.type());
            String next = s.peekWord();
            if (args && (next.equals("tuple") || next.equals("struct") || next.equals("array"))) {
                shapes.add(new ShapeDecl(null, funcId, types.size() - 1, s.mark(), shapeSpec()));
            }
            s.skipWs();
            if (s.accept(')')) {
                break;
            }
            if (!s.accept(',')) {
                throw s.expected("',' or ')'");
            }
        }
        return named ? names : null;
    }

    private void body(FuncDecl f) throws AsmException {
        while (true) {
            s.skipWs();
            Pos lp = s.mark();
            if (s.eof()) {
                throw s.error(lp, "expected '}' to close function " + f.display + " (opened at line " + f.pos.line()
                        + "), found end of file");
            }
            if (s.accept('}')) {
                s.endLine(" after '}'");
                return;
            }
            if (!s.atWord()) {
                throw s.expected("an instruction, a label, a directive or '}'");
            }
            String w = s.word();
            if (s.acceptHere(':')) {
                boolean recorded = s.acceptHere(':');
                if (!Syntax.isIdentifier(w)) {
                    throw s.error(lp, "expected a label name (letters, digits, '_' and '.'), found '" + w + "'");
                }
                LabelItem old = f.labels.get(w);
                if (old != null) {
                    throw s.error(lp, "duplicate label '" + w + "' (first defined at line " + old.pos().line() + ")");
                }
                LabelItem l = new LabelItem(w, recorded ? intern(w) : -1, lp);
                f.labels.put(w, l);
                f.body.add(l);
                if (s.atEol()) {
                    s.endLine("");
                    continue;
                }
                lp = s.mark();
                if (!s.atWord()) {
                    throw s.expected("an instruction or end of line after the label");
                }
                w = s.word();
            }
            if (w.startsWith(".")) {
                directive(f, w, lp);
            } else if (w.equals("func") && !s.atEol()) {
                throw s.error(lp, "expected '}' to close function " + f.display + " (opened at line " + f.pos.line()
                        + ") before the next function, found 'func'");
            } else {
                f.body.add(instructions.instruction(w, lp));
            }
        }
    }

    private void directive(FuncDecl f, String w, Pos p) throws AsmException {
        switch (w) {
            case ".span" -> {
                Pos vp = s.mark();
                long id = values.unsigned(values.word("a span id"), vp, 64, "a span id (1 to 18446744073709551615)");
                if (id == 0) {
                    throw s.error(vp, "expected a span id (1 to 18446744073709551615), found '0' (span id 0 is"
                            + " reserved)");
                }
                if (optionalWord("delta")) {
                    Pos np = s.mark();
                    long delta = values.unsigned(values.word("a pc delta"), np, 64,
                            "a pc delta (an unsigned 64-bit number)");
                    f.body.add(new SpanItem(id, true, delta, p));
                } else {
                    f.body.add(new SpanItem(id, false, 0, p));
                }
            }
            case ".label", ".name" -> {
                Pos sp = s.mark();
                int sym = symbolRef(true, false, "a name (an identifier, a string or $N)");
                if (sym == 0) {
                    throw s.error(sp, "expected a non-empty name, found the empty symbol 0");
                }
                if (w.equals(".name")) {
                    f.nameSymbols.add(sym);
                } else if (optionalWord("at")) {
                    Pos np = s.mark();
                    long pc = values.unsigned(values.word("a byte offset"), np, 31, "a byte offset (0 to 2147483647)");
                    f.body.add(new LabelNameItem(sym, true, pc, np));
                } else {
                    f.body.add(new LabelNameItem(sym, false, 0, p));
                }
            }
            case ".bytes" -> {
                ByteWriter b = new ByteWriter();
                if (s.atEol()) {
                    throw s.expected("hex bytes like 'ee 51 00'");
                }
                while (!s.atEol()) {
                    Pos hp = s.mark();
                    if (!s.atWord()) {
                        throw s.expected("hex bytes like 'ee 51 00'");
                    }
                    String h = s.word();
                    if (h.length() % 2 != 0 || !h.chars().allMatch(Scanner::isHex)) {
                        throw s.error(hp, "expected hex bytes like 'ee 51 00' (two hex digits each), found '" + h + "'");
                    }
                    for (int i = 0; i < h.length(); i += 2) {
                        b.u8(Integer.parseInt(h.substring(i, i + 2), 16));
                    }
                }
                f.body.add(new BytesItem(b.toByteArray()));
            }
            default -> throw s.error(p, "expected a directive (.span, .label, .name or .bytes), found '" + w + "'");
        }
        s.endLine("");
    }

    // ---------------------------------------------------------------- values, types, names

    /** Pools an inline constant: the id of the first equal constant, else a new one's. */
    private int poolConstant(Constant c) {
        Integer id = firstConstant.get(c);
        if (id == null) {
            id = constants.size();
            constants.add(c);
            firstConstant.put(c, id);
        }
        return id;
    }

    private int intern(String sym) {
        Integer id = symbolIds.get(sym);
        if (id == null) {
            id = symbols.size();
            symbols.add(sym);
            symbolIds.put(sym, id);
        }
        return id;
    }

    /** Parses $N; unless {@code unbounded}, N must name an existing symbol. */
    private long symbolId(String w, Pos p, boolean unbounded) throws AsmException {
        String digits = w.substring(1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw s.error(p, "expected a symbol id like $3, found '" + w + "'");
        }
        BigInteger v = new BigInteger(digits);
        if (v.bitLength() > 31) {
            throw s.error(p, "expected a symbol id $0 to $2147483647, found '" + w + "'");
        }
        if (!unbounded && v.longValue() >= symbols.size()) {
            throw s.error(p, "expected a symbol id below $" + symbols.size() + " (the symbols so far), found '" + w
                    + "'");
        }
        return v.longValue();
    }

    /** A symbol written as a string, $N or (when allowed) an identifier. */
    private int symbolRef(boolean allowIdent, boolean unbounded, String what) throws AsmException {
        Pos p = s.mark();
        if (s.peek() == '"') {
            return intern(s.string());
        }
        if (s.atWord()) {
            String w = s.peekWord();
            if (w.startsWith("$")) {
                s.word();
                return (int) symbolId(w, p, unbounded);
            }
            if (allowIdent && Syntax.isIdentifier(w)) {
                s.word();
                return intern(w);
            }
        }
        throw s.expected(what);
    }

    /** A name for the names section: string, identifier or $N, never symbol 0. */
    private int nameSymbol(String what) throws AsmException {
        Pos p = s.mark();
        int sym = symbolRef(true, false, what);
        if (sym == 0) {
            throw s.error(p, "expected " + what + ", found the empty symbol 0 (names must not be empty)");
        }
        return sym;
    }

    // ---------------------------------------------------------------- resolution and layout

    private long resolveRef(Ref r, Map<String, Integer> names, String what) throws AsmException {
        if (r.name() == null) {
            return r.index();
        }
        Integer id = names.get(r.name());
        if (id == null) {
            throw s.error(r.pos(), "undefined " + what + " '" + r.name() + "'" + AsmValues.suggest(r.name(), names.keySet()));
        }
        return id;
    }

    private long resolveFunc(Ref r, boolean mustExist) throws AsmException {
        if (r.name() == null) {
            if (mustExist && r.index() >= funcs.size()) {
                throw s.error(r.pos(), "expected a function @0 to @" + (funcs.size() - 1) + ", found '@" + r.index()
                        + "'");
            }
            return r.index();
        }
        List<Integer> ids = funcNames.get(r.name());
        if (ids == null) {
            throw s.error(r.pos(), "undefined function '" + r.name() + "'" + AsmValues.suggest(r.name(), funcNames.keySet()));
        }
        if (ids.size() > 1) {
            throw s.error(r.pos(), "function name '" + r.name() + "' is ambiguous (functions @" + ids.get(0) + " and @"
                    + ids.get(1) + " both have it): refer to one by index");
        }
        return ids.get(0);
    }

    private long argCount(FuncDecl f) {
        return f.argc != null ? f.argc : f.args.size();
    }

    private Program resolve() throws AsmException {
        List<AggShape.ArgShape> argShapes = new ArrayList<>();
        for (ShapeDecl d : shapes) {
            int fid = d.funcId() >= 0 ? d.funcId() : (int) resolveFunc(d.func(), true);
            FuncDecl f = funcs.get(fid);
            if (d.arg() >= argCount(f)) {
                throw s.error(d.argPos(), "expected an argument index below " + argCount(f) + " (function "
                        + f.display + " takes " + argCount(f) + (argCount(f) == 1 ? " argument" : " arguments") + "), found "
                        + d.arg());
            }
            AggShape shape;
            if (d.spec() instanceof TupleSpec t) {
                shape = new AggShape.Tuple(t.elems());
            } else if (d.spec() instanceof StructSpec st) {
                shape = new AggShape.Struct(checkedIndex(resolveRef(st.type(), structNames, "struct"), st.type()));
            } else {
                Ref a = ((ArraySpec) d.spec()).type();
                shape = new AggShape.Array(checkedIndex(resolveRef(a, arrayNames, "array"), a));
            }
            argShapes.add(new AggShape.ArgShape(fid, (int) d.arg(), shape));
        }
        List<Function> functions = new ArrayList<>();
        List<Names.FunctionName> fnNames = new ArrayList<>();
        List<Names.LabelName> labelNames = new ArrayList<>();
        for (int id = 0; id < funcs.size(); id++) {
            FuncDecl f = funcs.get(id);
            functions.add(layout(f, id, labelNames));
            for (int sym : f.nameSymbols) {
                fnNames.add(new Names.FunctionName(id, sym));
            }
        }
        Map<String, Integer> fieldIds = new LinkedHashMap<>();
        List<StructType> structTypes = new ArrayList<>();
        for (List<FieldDecl> fields : structs) {
            List<StructType.Field> out = new ArrayList<>();
            for (FieldDecl fd : fields) {
                Integer fid = fieldIds.get(fd.name());
                if (fid == null) {
                    fid = fieldIds.size();
                    fieldIds.put(fd.name(), fid);
                }
                out.add(new StructType.Field(fid, fd.type()));
            }
            structTypes.add(new StructType(out));
        }
        TypeTable types = new TypeTable(new ArrayList<>(fieldIds.keySet()), structTypes, arrays);
        Names names = new Names(programName, fnNames, labelNames);
        return new Program(symbols, constants, types, functions, hosts, callSigs, argShapes, names);
    }

    private int checkedIndex(long v, Ref r) throws AsmException {
        if (v > Integer.MAX_VALUE) {
            throw s.error(r.pos(), "expected an index @0 to @2147483647 here, found '@" + v + "'");
        }
        return (int) v;
    }

    private Function layout(FuncDecl f, int id, List<Names.LabelName> labelNames) throws AsmException {
        long argc = argCount(f);
        long retc = f.retc != null ? f.retc : f.rets.size();
        long maxReg = -1;
        int pc = 0;
        Map<String, Integer> labelPcs = new HashMap<>();
        List<long[]> positions = new ArrayList<>();
        lines.function(id, f.pos.line());
        for (Item item : f.body) {
            if (item instanceof InstrItem in) {
                List<Operand> schema = in.op.operands();
                long[] values = new long[in.ops.length];
                int[][] lists = new int[in.ops.length][];
                int[] widths = new int[in.ops.length];
                for (int i = 0; i < in.ops.length; i++) {
                    Opnd o = in.ops[i];
                    Operand so = schema.get(i);
                    long v = o.value;
                    if (o.ref != null && so.kind() != OperandKind.PC) {
                        v = switch (so.kind()) {
                            case CONST_ID -> resolveRef(o.ref, constNames, "constant");
                            case FUNC_ID -> resolveFunc(o.ref, false);
                            case HOST_SIG_ID -> resolveRef(o.ref, hostNames, "host");
                            case CALL_SIG_ID -> resolveRef(o.ref, callSigNames, "callsig");
                            case TYPE_ID -> resolveRef(o.ref, structNames, "struct");
                            case ELEM_TYPE_ID -> resolveRef(o.ref, arrayNames, "array");
                            default -> throw new IllegalStateException("reference in a " + so.kind() + " operand");
                        };
                        o.value = v;
                        if (o.width != 0) {
                            instructions.checkWidth(so, v, o.width, o.widthPos);
                        }
                    }
                    if (so.kind() == OperandKind.PC && o.ref != null) {
                        v = 0;
                    }
                    values[i] = v;
                    lists[i] = o.list;
                    widths[i] = o.width;
                    if (so.kind() == OperandKind.REG) {
                        maxReg = Math.max(maxReg, v);
                    } else if (o.list != null) {
                        for (int r : o.list) {
                            maxReg = Math.max(maxReg, r);
                        }
                    }
                }
                try {
                    in.ins = Syntax.build(in.op, values, lists, widths).at(pc);
                } catch (IllegalArgumentException e) {
                    throw s.error(in.pos, "expected operands that fit " + in.op.mnemonic() + ", found: "
                            + e.getMessage());
                }
                lines.instruction(id, pc, in.pos.line());
                pc = addPc(pc, in.ins.length(), in.pos);
            } else if (item instanceof LabelItem l) {
                labelPcs.put(l.name(), pc);
                lines.label(id, l.name(), pc, l.pos().line());
                if (l.symbol() >= 0) {
                    labelNames.add(new Names.LabelName(id, pc, l.symbol()));
                }
            } else if (item instanceof BytesItem b) {
                pc = addPc(pc, b.bytes().length, f.pos);
            } else {
                positions.add(new long[] {pc});
            }
        }
        int codeLength = pc;
        ByteWriter code = new ByteWriter();
        List<SpanEntry> spans = new ArrayList<>();
        long spanPc = 0;
        int posIndex = 0;
        for (Item item : f.body) {
            if (item instanceof InstrItem in) {
                List<Operand> schema = in.op.operands();
                for (int i = 0; i < in.ops.length; i++) {
                    Opnd o = in.ops[i];
                    if (schema.get(i).kind() == OperandKind.PC && o.ref != null) {
                        Integer target = labelPcs.get(o.ref.name());
                        if (target == null) {
                            throw s.error(o.ref.pos(), "undefined label '" + o.ref.name() + "' in function " + f.display
                                    + AsmValues.suggest(o.ref.name(), labelPcs.keySet()));
                        }
                        int w = o.width != 0 ? o.width : Syntax.DEFAULT_PC_WIDTH;
                        if (Syntax.canonicalWidth(schema.get(i).encoding(), target) > w) {
                            throw s.error(o.widthPos != null ? o.widthPos : o.ref.pos(), "expected a width of at least "
                                    + Syntax.canonicalWidth(schema.get(i).encoding(), target) + " bytes for label '"
                                    + o.ref.name() + "' at pc " + target + ", found '" + w + "'");
                        }
                        in.ins = in.ins.withOperand(i, target, w);
                    }
                }
                InstructionCodec.encode(in.ins, code);
            } else if (item instanceof BytesItem b) {
                code.bytes(b.bytes());
            } else if (item instanceof SpanItem sp) {
                long at = positions.get(posIndex++)[0];
                long delta;
                if (sp.explicit()) {
                    delta = sp.delta();
                } else {
                    if (Long.compareUnsigned(at, spanPc) < 0) {
                        throw s.error(sp.pos(), "expected a span at or after pc " + Long.toUnsignedString(spanPc)
                                + " (where the previous span entry is), found one at pc " + at);
                    }
                    delta = at - spanPc;
                }
                spanPc += delta;
                spans.add(new SpanEntry(delta, sp.id()));
            } else if (item instanceof LabelNameItem ln) {
                long at = positions.get(posIndex++)[0];
                if (ln.at()) {
                    if (ln.pc() > codeLength) {
                        throw s.error(ln.pos(), "expected a byte offset at most " + codeLength + " (the end of function "
                                + f.display + "), found " + ln.pc());
                    }
                    at = ln.pc();
                }
                labelNames.add(new Names.LabelName(id, (int) at, ln.symbol()));
            }
        }
        long regs;
        if (f.regs != null) {
            regs = f.regs;
        } else {
            regs = Math.max(Math.max(maxReg + 1, 1), argc + 1);
            if (regs > Integer.MAX_VALUE) {
                throw s.error(f.pos, "expected 'regs N' on function " + f.display + ": its registers need a count above"
                        + " 2147483647, too many to infer");
            }
        }
        FunctionSig sig = new FunctionSig(f.args, f.argNames, f.rets, f.retNames);
        return new Function((int) argc, (int) retc, (int) regs, code.toByteArray(), spans, sig);
    }

    private int addPc(int pc, int length, Pos at) throws AsmException {
        long next = (long) pc + length;
        if (next > Integer.MAX_VALUE) {
            throw s.error(at, "expected a function body under 2 GiB, found a longer one");
        }
        return (int) next;
    }
}
