package dev.tape.asm;

import dev.tape.asm.AsmDecls.ArraySpec;
import dev.tape.asm.AsmDecls.BytesItem;
import dev.tape.asm.AsmDecls.FieldDecl;
import dev.tape.asm.AsmDecls.FuncDecl;
import dev.tape.asm.AsmDecls.InstrItem;
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
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
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
 * {@link AsmValues}, symbols kept by {@link AsmSymbols}, and each function laid out by
 * {@link AsmLayout}.
 */
final class AsmParser {
    private static final String DECLARATIONS =
            "a declaration (program, symbols, const, struct, array, host, callsig, shape or func)";

    private final Scanner s;
    /** Literals, numbers, types and words, read from {@link #s}. */
    private final AsmValues values;
    /** Where each instruction and label came from, filled in by {@link AsmLayout}. */
    final LineTable.Builder lines = new LineTable.Builder();
    /** Lays out each function once the whole source is read. */
    private final AsmLayout layout;
    /** The symbol table, the symbols block and the program's name. */
    private final AsmSymbols symbols;
    /** the constants: declared ones and inline ones pooled, in text order */
    private final AsmPool<Constant> constants = new AsmPool<>();
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
        this.symbols = new AsmSymbols(s);
        this.layout = new AsmLayout(s, lines, this::resolveOperandRef);
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
                case "program" -> symbols.programLine(p);
                case "symbols" -> symbols.block(p);
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
        constants.add(values.literal());
        s.endLine("");
    }

    private void parseStruct() throws AsmException {
        declName("struct", structs.size(), structNames);
        s.expect('=', "'=' after the struct's name");
        Pos open = s.mark();
        s.expect('{', "'{' to start the struct's fields");
        List<FieldDecl> fields = new ArrayList<>();
        s.block(open, "the struct", "a field", () -> {
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
        long sym = symbols.ref(false, true, "the host symbol (a string like \"std.print_i64\" or $N)");
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
        hosts.add(HostSig.declared(sym, hash, args, rets));
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
        long arg = values.unsigned(values.word("an argument index"), np, 32,
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
            int sym = symbols.name("a function name");
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
                f.nameSymbols.add(symbols.intern(w));
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
                    // u32 as the function table declares them (2^31 and more: the verifier refuses them)
                    long v = values.unsigned(values.word("a count"), vp, 32, "a count (0 to 4294967295) after " + a);
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
                nameId = symbols.intern(s.string());
                hasName = true;
                s.expect(':', "':' after the parameter name");
            } else if (s.atWord()) {
                String w = s.word();
                if (s.accept(':')) {
                    hasName = true;
                    if (w.equals("_")) {
                        nameId = 0;
                    } else if (w.startsWith("$")) {
                        nameId = (int) symbols.id(w, pp, false);
                    } else if (Syntax.isIdentifier(w)) {
                        nameId = symbols.intern(w);
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
                LabelItem l = new LabelItem(w, recorded ? symbols.intern(w) : -1, lp);
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
                f.body.add(instruction(w, lp));
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
                int sym = (int) symbols.ref(true, false, "a name (an identifier, a string or $N)");
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
                    if (h.length() % 2 != 0 || !Scanner.allHex(h)) {
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

    // ---------------------------------------------------------------- instructions

    /**
     * Parses the operands of one instruction line, after its mnemonic, through the end of the line.
     *
     * @param mnemonic the mnemonic just read
     * @param p where the mnemonic is
     * @return the instruction with its operands as written (names unresolved)
     * @throws AsmException on an unknown mnemonic, a missing or malformed operand or separator,
     *     a value out of range, a bad width, or anything after the last operand
     */
    private InstrItem instruction(String mnemonic, Pos p) throws AsmException {
        Opcode op = Opcode.fromMnemonic(mnemonic);
        if (op == null) {
            List<String> all = new ArrayList<>();
            for (Opcode o : Opcode.values()) {
                all.add(o.mnemonic());
            }
            throw s.error(p, "expected an instruction mnemonic, found '" + mnemonic + "'" + AsmValues.suggest(mnemonic, all));
        }
        List<Operand> schema = op.operands();
        Opnd[] ops = new Opnd[schema.size()];
        for (int i = 0; i < ops.length; i++) {
            Operand o = schema.get(i);
            String what = "operand '" + o.name() + "' of " + op.mnemonic();
            String full = "operand '" + o.name() + "' (" + describeKind(o.kind()) + ") of " + op.mnemonic();
            if (i == 0) {
                if (s.atEol()) {
                    throw s.expected(full);
                }
            } else if (o.name().equals("rets") && schema.get(i - 1).name().equals("args")) {
                if (!s.acceptArrow()) {
                    throw s.expected("'->' and " + full);
                }
            } else if (!s.accept(',')) {
                throw s.expected("',' and " + full);
            }
            ops[i] = operand(o, what, full);
        }
        if (!s.atEol()) {
            throw s.expected(ops.length == 0 ? "end of line (" + op.mnemonic() + " takes no operands)"
                    : "end of line after the " + ops.length + " operand" + (ops.length == 1 ? "" : "s") + " of "
                    + op.mnemonic());
        }
        s.endLine("");
        return new InstrItem(op, p, ops);
    }

    /** @return the kind as the operand errors name it, like "a register" */
    private static String describeKind(OperandKind k) {
        return switch (k) {
            case REG -> "a register";
            case REG_LIST -> "a register list";
            case IMM_BOOL -> "true or false";
            case IMM_I64 -> "a signed 64-bit integer";
            case IMM_U64 -> "an unsigned 64-bit integer";
            case IMM_F64 -> "an f64";
            case IMM_U8 -> "an integer 0 to 255";
            case IMM_U32 -> "an unsigned 32-bit integer";
            case CONST_ID -> "a constant";
            case FUNC_ID -> "a function";
            case HOST_SIG_ID -> "a host";
            case CALL_SIG_ID -> "a callsig";
            case TYPE_ID -> "a struct type";
            case ELEM_TYPE_ID -> "an array type";
            case PC -> "a label or byte offset";
            case TRAP_CODE -> "a trap code";
        };
    }

    /**
     * Parses one operand and its optional {@code /width}.
     *
     * @param o the operand's schema entry
     * @param what the operand as short errors name it ({@code operand 'dst' of mov})
     * @param full the operand with its kind, for a missing operand
     */
    private Opnd operand(Operand o, String what, String full) throws AsmException {
        Opnd r = new Opnd();
        r.pos = s.mark();
        if (o.kind() != OperandKind.REG_LIST && !s.atWord()) {
            throw s.expected(full);
        }
        switch (o.kind()) {
            case REG -> r.value = register("for " + what);
            case REG_LIST -> {
                s.expect('[', "'[' to start " + full);
                List<Long> regs = new ArrayList<>();
                if (!s.accept(']')) {
                    while (true) {
                        regs.add(register("in " + what));
                        if (s.accept(']')) {
                            break;
                        }
                        s.expect(',', "',' or ']' in " + what);
                    }
                }
                r.list = new long[regs.size()];
                for (int i = 0; i < r.list.length; i++) {
                    r.list[i] = regs.get(i);
                }
                r.value = r.list.length;
            }
            case IMM_BOOL -> {
                String w = values.word(what);
                switch (w) {
                    case "true" -> r.value = 1;
                    case "false" -> r.value = 0;
                    default -> r.value = values.unsigned(w, r.pos, 8, "true, false or a raw byte 0 to 255 for " + what);
                }
            }
            case IMM_I64 -> r.value = values.signed(values.word(what), r.pos, "for " + what);
            case IMM_U64 -> r.value = values.unsigned(values.word(what), r.pos, 64,
                    "an unsigned 64-bit integer for " + what);
            case IMM_F64 -> r.value = values.f64(values.word(what), r.pos, "for " + what);
            case IMM_U8 -> r.value = values.unsigned(values.word(what), r.pos, 8, "an integer 0 to 255 for " + what);
            case IMM_U32, TRAP_CODE -> r.value = values.unsigned(values.word(what), r.pos, 32,
                    "an unsigned 32-bit integer (0 to 4294967295) for " + what);
            case CONST_ID -> {
                String w = s.peekWord();
                if (w.equals("unit") || (!w.isEmpty() && s.peek(w.length()) == ':')) {
                    r.value = constants.intern(values.literal());
                } else {
                    r.ref = values.ref(values.word(what), r.pos, what + ": a name, @N or a literal like str:\"hi\"");
                }
            }
            case FUNC_ID, HOST_SIG_ID, CALL_SIG_ID, TYPE_ID, ELEM_TYPE_ID -> r.ref = values.ref(values.word(what), r.pos,
                    what + ": a name or @N");
            case PC -> {
                String w = values.word(what);
                if (!w.isEmpty() && Character.isDigit(w.charAt(0))) {
                    r.value = values.unsigned(w, r.pos, 32, "a byte offset (0 to 4294967295) for " + what);
                } else if (Syntax.isIdentifier(w)) {
                    r.ref = new Ref(w, -1, r.pos);
                } else {
                    throw s.error(r.pos, "expected a label or byte offset for " + what + ", found '" + w + "'");
                }
            }
        }
        if (s.accept('/')) {
            Pos wp = s.here();
            if (!Syntax.hasWidth(o)) {
                throw s.error(wp, "expected no width after " + what + " (it has a fixed size), found '/'");
            }
            r.widthPos = wp;
            r.width = (int) values.unsigned(values.word("a width"), wp, 8, "a width in bytes (1 to 10) after '/'");
            if (r.width < 1 || r.width > 10) {
                throw s.error(wp, "expected a width in bytes (1 to 10) after '/', found '" + r.width + "'");
            }
            if (r.ref == null) {
                layout.checkWidth(o, r.value, r.width, r.widthPos);
            }
        }
        return r;
    }

    /**
     * Parses a register {@code rN}, a register operand or an entry of a register list: N is a u32
     * in the format either way (spec section "Register convention"), 0 to 2^32-1.
     *
     * @param where the rest of the error's phrase ({@code for operand 'dst' of mov})
     */
    private long register(String where) throws AsmException {
        String expect = "a register (r0 to r4294967295) " + where;
        Pos p = s.mark();
        String w = values.word(expect);
        if (w.length() < 2 || w.charAt(0) != 'r' || !Scanner.allDigits(w.substring(1))) {
            throw s.error(p, "expected " + expect + ", found '" + w + "'");
        }
        BigInteger v = AsmValues.integer(w.substring(1), 10);
        if (v.bitLength() > 32) {
            throw s.error(p, "expected " + expect + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    // ---------------------------------------------------------------- values, types, names

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

    /**
     * Resolves a name written in an id operand.
     *
     * @param kind the operand's kind: an id of a constant, function, host, callsig, struct or array
     * @param ref the name
     * @return the id
     * @throws AsmException when nothing of that kind has the name (or a function name is ambiguous)
     */
    private long resolveOperandRef(OperandKind kind, Ref ref) throws AsmException {
        return switch (kind) {
            case CONST_ID -> resolveRef(ref, constNames, "constant");
            case FUNC_ID -> resolveFunc(ref, false);
            case HOST_SIG_ID -> resolveRef(ref, hostNames, "host");
            case CALL_SIG_ID -> resolveRef(ref, callSigNames, "callsig");
            case TYPE_ID -> resolveRef(ref, structNames, "struct");
            case ELEM_TYPE_ID -> resolveRef(ref, arrayNames, "array");
            default -> throw new IllegalStateException("reference in a " + kind + " operand");
        };
    }

    private Program resolve() throws AsmException {
        List<AggShape.ArgShape> argShapes = new ArrayList<>();
        for (ShapeDecl d : shapes) {
            int fid = d.funcId() >= 0 ? d.funcId() : (int) resolveFunc(d.func(), true);
            FuncDecl f = funcs.get(fid);
            if (d.arg() >= f.argCount()) {
                throw s.error(d.argPos(), "expected an argument index below " + f.argCount() + " (function "
                        + f.display + " takes " + f.argCount() + (f.argCount() == 1 ? " argument" : " arguments") + "), found "
                        + d.arg());
            }
            AggShape shape;
            if (d.spec() instanceof TupleSpec t) {
                shape = new AggShape.Tuple(t.elems());
            } else if (d.spec() instanceof StructSpec st) {
                shape = AggShape.Struct.declared(resolveRef(st.type(), structNames, "struct"));
            } else {
                Ref a = ((ArraySpec) d.spec()).type();
                shape = AggShape.Array.declared(resolveRef(a, arrayNames, "array"));
            }
            argShapes.add(AggShape.ArgShape.declared(fid, d.arg(), shape));
        }
        List<Function> functions = new ArrayList<>();
        List<Names.FunctionName> fnNames = new ArrayList<>();
        List<Names.LabelName> labelNames = new ArrayList<>();
        for (int id = 0; id < funcs.size(); id++) {
            FuncDecl f = funcs.get(id);
            functions.add(layout.layout(f, id, labelNames));
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
        Names names = new Names(symbols.programName(), fnNames, labelNames);
        return new Program(symbols.list(), constants.list(), types, functions, hosts, callSigs, argShapes, names);
    }



}
