package dev.tape.asm;

import dev.tape.asm.Scanner.Pos;
import dev.tape.format.ByteWriter;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandEncoding;
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
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The assembler proper: parses a whole source in one pass (interning symbols and pooling inline
 * constants in text order), then resolves names, lays out each function and builds the
 * {@link Program}. See {@code docs/ASSEMBLY.md} for the language.
 */
final class AsmParser {
    private static final String DECLARATIONS =
            "a declaration (program, symbols, const, struct, array, host, callsig, shape or func)";
    private static final String TYPES =
            "a type (unit, bool, i64, u64, f64, dec, bytes, str, agg, func, closure or obj<N>)";
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DECIMAL = Pattern.compile("([+-]?)(\\d+)(?:\\.(\\d+))?");
    private static final Pattern HEX_BITS = Pattern.compile("0[xX][0-9a-fA-F]{16}");
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger I64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** A reference by name or by {@code @index}. */
    private record Ref(String name, long index, Pos pos) {}

    /** One parsed operand; {@code ref} is set for names resolved later (ids and labels). */
    private static final class Opnd {
        Pos pos;
        long value;
        int[] list;
        int width;
        Pos widthPos;
        Ref ref;
    }

    private interface Item {}

    private static final class InstrItem implements Item {
        final Opcode op;
        final Pos pos;
        final Opnd[] ops;
        Instruction ins;

        InstrItem(Opcode op, Pos pos, Opnd[] ops) {
            this.op = op;
            this.pos = pos;
            this.ops = ops;
        }
    }

    private record LabelItem(String name, int symbol, Pos pos) implements Item {}

    private record SpanItem(long id, boolean explicit, long delta, Pos pos) implements Item {}

    private record LabelNameItem(int symbol, boolean at, long pc, Pos pos) implements Item {}

    private record BytesItem(byte[] bytes) implements Item {}

    private sealed interface ShapeSpec permits TupleSpec, StructSpec, ArraySpec {}

    private record TupleSpec(List<ValueType> elems) implements ShapeSpec {}

    private record StructSpec(Ref type) implements ShapeSpec {}

    private record ArraySpec(Ref type) implements ShapeSpec {}

    private record ShapeDecl(Ref func, int funcId, long arg, Pos argPos, ShapeSpec spec) {}

    private record FieldDecl(String name, ValueType type) {}

    private static final class FuncDecl {
        Pos pos;
        String display;
        final List<Integer> nameSymbols = new ArrayList<>();
        final List<ValueType> args = new ArrayList<>();
        List<Integer> argNames;
        final List<ValueType> rets = new ArrayList<>();
        List<Integer> retNames;
        Long regs;
        Long argc;
        Long retc;
        final List<Item> body = new ArrayList<>();
        final Map<String, LabelItem> labels = new HashMap<>();
    }

    private final Scanner s;
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
        while (true) {
            s.skipWs();
            if (s.eof()) {
                throw s.error(s.here(), "expected '}' to close the symbols block opened at line " + p.line()
                        + ", found end of file");
            }
            if (s.accept('}')) {
                break;
            }
            String sym = s.string();
            symbols.add(sym);
            symbolIds.putIfAbsent(sym, symbols.size() - 1);
            if (!s.accept(',') && !s.atEol() && s.peek() != '}') {
                throw s.expected("',' or '}' after a symbol");
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
            long n = index(w, p, "an index @" + index + " for the " + what);
            if (n != index) {
                throw s.error(p, "expected @" + index + " (this is " + what + " number " + index + "), found '" + w
                        + "'");
            }
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

    private void parseConst() throws AsmException {
        declName("constant", constants.size(), constNames);
        s.expect('=', "'=' after the constant's name");
        Constant c = literal();
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
        while (true) {
            s.skipWs();
            if (s.eof()) {
                throw s.error(s.here(), "expected '}' to close the struct opened at line " + open.line()
                        + ", found end of file");
            }
            if (s.accept('}')) {
                break;
            }
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
            fields.add(new FieldDecl(name, type()));
            if (!s.accept(',') && !s.atEol() && s.peek() != '}') {
                throw s.expected("',' or '}' after a field");
            }
        }
        structs.add(fields);
        s.endLine(" after '}'");
    }

    private void parseArray() throws AsmException {
        declName("array", arrays.size(), arrayNames);
        s.expect('=', "'=' after the array's name");
        arrays.add(type());
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
        List<ValueType> args = typeList("argument");
        if (!s.acceptArrow()) {
            throw s.expected("'->' and the result types");
        }
        List<ValueType> rets = typeList("result");
        long hash = HostSig.hash(args, rets);
        if (s.atWord()) {
            Pos hp = s.mark();
            String w = s.word();
            if (!w.equals("hash")) {
                throw s.error(hp, "expected 'hash' or end of line, found '" + w + "'");
            }
            Pos vp = s.mark();
            hash = unsigned(word("a 64-bit hash like 0x6410ca15195c619a"), vp, 64,
                    "a 64-bit hash like 0x6410ca15195c619a");
        }
        hosts.add(new HostSig(sym, hash, args, rets));
        s.endLine("");
    }

    private void parseCallSig() throws AsmException {
        declName("callsig", callSigs.size(), callSigNames);
        s.expect('=', "'=' after the callsig's name");
        List<ValueType> args = typeList("argument");
        if (!s.acceptArrow()) {
            throw s.expected("'->' and the result types");
        }
        callSigs.add(new CallSig(args, typeList("result")));
        s.endLine("");
    }

    private void parseShape() throws AsmException {
        Pos fp = s.mark();
        Ref func = ref(word("a function name or @N"), fp, "a function name or @N");
        Pos ap = s.mark();
        String w = word("'arg'");
        if (!w.equals("arg")) {
            throw s.error(ap, "expected 'arg', found '" + w + "'");
        }
        Pos np = s.mark();
        long arg = unsigned(word("an argument index"), np, 31, "an argument index (0 is the first argument)");
        s.expect('=', "'=' after the argument index");
        shapes.add(new ShapeDecl(func, -1, arg, np, shapeSpec()));
        s.endLine("");
    }

    private ShapeSpec shapeSpec() throws AsmException {
        Pos p = s.mark();
        String what = "a shape (tuple(...), struct NAME or array NAME)";
        String w = word(what);
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
                            elems.add(type());
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
                return new StructSpec(ref(word("a struct name or @N"), rp, "a struct name or @N"));
            }
            case "array" -> {
                Pos rp = s.mark();
                return new ArraySpec(ref(word("an array name or @N"), rp, "an array name or @N"));
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
            String w = word("a function name or @" + id);
            if (w.startsWith("@")) {
                long n = index(w, np, "@" + id);
                if (n != id) {
                    throw s.error(np, "expected @" + id + " (this is function number " + id + "), found '" + w + "'");
                }
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
                    long v = unsigned(word("a count"), vp, 31, "a count (0 to 2147483647) after " + a);
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
            types.add(type());
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
                f.body.add(instruction(w, lp));
            }
        }
    }

    private void directive(FuncDecl f, String w, Pos p) throws AsmException {
        switch (w) {
            case ".span" -> {
                Pos vp = s.mark();
                long id = unsigned(word("a span id"), vp, 64, "a span id (1 to 18446744073709551615)");
                if (id == 0) {
                    throw s.error(vp, "expected a span id (1 to 18446744073709551615), found '0' (span id 0 is"
                            + " reserved)");
                }
                if (s.atWord()) {
                    Pos dp = s.mark();
                    String d = s.word();
                    if (!d.equals("delta")) {
                        throw s.error(dp, "expected 'delta' or end of line, found '" + d + "'");
                    }
                    Pos np = s.mark();
                    long delta = unsigned(word("a pc delta"), np, 64, "a pc delta (an unsigned 64-bit number)");
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
                } else if (s.atWord()) {
                    Pos ap = s.mark();
                    String a = s.word();
                    if (!a.equals("at")) {
                        throw s.error(ap, "expected 'at' or end of line, found '" + a + "'");
                    }
                    Pos np = s.mark();
                    long pc = unsigned(word("a byte offset"), np, 31, "a byte offset (0 to 2147483647)");
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

    // ---------------------------------------------------------------- instructions

    private InstrItem instruction(String mnemonic, Pos p) throws AsmException {
        Opcode op = Opcode.fromMnemonic(mnemonic);
        if (op == null) {
            List<String> all = new ArrayList<>();
            for (Opcode o : Opcode.values()) {
                all.add(o.mnemonic());
            }
            throw s.error(p, "expected an instruction mnemonic, found '" + mnemonic + "'" + suggest(mnemonic, all));
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

    private Opnd operand(Operand o, String what, String full) throws AsmException {
        Opnd r = new Opnd();
        r.pos = s.mark();
        if (o.kind() != OperandKind.REG_LIST && !s.atWord()) {
            throw s.expected(full);
        }
        switch (o.kind()) {
            case REG -> r.value = register("for " + what, 32);
            case REG_LIST -> {
                s.expect('[', "'[' to start " + full);
                List<Integer> regs = new ArrayList<>();
                if (!s.accept(']')) {
                    while (true) {
                        regs.add((int) register("in " + what, 31));
                        if (s.accept(']')) {
                            break;
                        }
                        s.expect(',', "',' or ']' in " + what);
                    }
                }
                r.list = regs.stream().mapToInt(Integer::intValue).toArray();
                r.value = r.list.length;
            }
            case IMM_BOOL -> {
                String w = word(what);
                switch (w) {
                    case "true" -> r.value = 1;
                    case "false" -> r.value = 0;
                    default -> r.value = unsigned(w, r.pos, 8, "true, false or a raw byte 0 to 255 for " + what);
                }
            }
            case IMM_I64 -> r.value = signed(word(what), r.pos, "for " + what);
            case IMM_U64 -> r.value = unsigned(word(what), r.pos, 64, "an unsigned 64-bit integer for " + what);
            case IMM_F64 -> r.value = f64(word(what), r.pos, "for " + what);
            case IMM_U8 -> r.value = unsigned(word(what), r.pos, 8, "an integer 0 to 255 for " + what);
            case IMM_U32, TRAP_CODE -> r.value = unsigned(word(what), r.pos, 32,
                    "an unsigned 32-bit integer (0 to 4294967295) for " + what);
            case CONST_ID -> {
                String w = s.peekWord();
                if (w.equals("unit") || (!w.isEmpty() && s.peek(w.length()) == ':')) {
                    Constant c = literal();
                    Integer id = firstConstant.get(c);
                    if (id == null) {
                        id = constants.size();
                        constants.add(c);
                        firstConstant.put(c, id);
                    }
                    r.value = id;
                } else {
                    r.ref = ref(word(what), r.pos, what + ": a name, @N or a literal like str:\"hi\"");
                }
            }
            case FUNC_ID, HOST_SIG_ID, CALL_SIG_ID, TYPE_ID, ELEM_TYPE_ID -> r.ref = ref(word(what), r.pos,
                    what + ": a name or @N");
            case PC -> {
                String w = word(what);
                if (!w.isEmpty() && Character.isDigit(w.charAt(0))) {
                    r.value = unsigned(w, r.pos, 32, "a byte offset (0 to 4294967295) for " + what);
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
            r.width = (int) unsigned(word("a width"), wp, 8, "a width in bytes (1 to 10) after '/'");
            if (r.width < 1 || r.width > 10) {
                throw s.error(wp, "expected a width in bytes (1 to 10) after '/', found '" + r.width + "'");
            }
            if (r.ref == null) {
                checkWidth(o, r.value, r.width, r.widthPos);
            }
        }
        return r;
    }

    private void checkWidth(Operand o, long value, int width, Pos at) throws AsmException {
        int need = Syntax.canonicalWidth(o.encoding(), value);
        if (width < need) {
            throw s.error(at, "expected a width of at least " + need + " bytes for the value "
                    + (o.encoding() == OperandEncoding.SLEB64 ? Long.toString(value)
                    : Long.toUnsignedString(value)) + ", found '" + width + "'");
        }
    }

    private long register(String where, int bits) throws AsmException {
        String expect = "a register (r0 to " + (bits == 32 ? "r4294967295" : "r2147483647") + ") " + where;
        Pos p = s.mark();
        String w = word(expect);
        if (w.length() < 2 || w.charAt(0) != 'r' || !w.substring(1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw s.error(p, "expected " + expect + ", found '" + w + "'");
        }
        BigInteger v = new BigInteger(w.substring(1));
        if (v.bitLength() > bits) {
            throw s.error(p, "expected " + expect + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    // ---------------------------------------------------------------- values, types, names

    /** @return the next word, which must not be empty */
    private String word(String what) throws AsmException {
        if (!s.atWord()) {
            throw s.expected(what);
        }
        return s.word();
    }

    private Ref ref(String w, Pos p, String what) throws AsmException {
        if (w.startsWith("@")) {
            return new Ref(null, index(w, p, what), p);
        }
        if (!Syntax.isIdentifier(w)) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        return new Ref(w, -1, p);
    }

    private long index(String w, Pos p, String what) throws AsmException {
        String digits = w.substring(1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        BigInteger v = new BigInteger(digits);
        if (v.bitLength() > 32) {
            throw s.error(p, "expected an index @0 to @4294967295, found '" + w + "'");
        }
        return v.longValue();
    }

    private long unsigned(String w, Pos p, int bits, String what) throws AsmException {
        BigInteger v;
        if (w.startsWith("0x") || w.startsWith("0X")) {
            String h = w.substring(2);
            if (h.isEmpty() || !h.chars().allMatch(Scanner::isHex)) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = new BigInteger(h, 16);
        } else {
            if (w.isEmpty() || !w.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw s.error(p, "expected " + what + ", found '" + w + "'");
            }
            v = new BigInteger(w);
        }
        if (v.bitLength() > bits) {
            throw s.error(p, "expected " + what + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    private long signed(String w, Pos p, String where) throws AsmException {
        String body = w.startsWith("-") || w.startsWith("+") ? w.substring(1) : w;
        boolean neg = w.startsWith("-");
        BigInteger v;
        boolean hex = body.startsWith("0x") || body.startsWith("0X");
        String digits = hex ? body.substring(2) : body;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> hex ? Scanner.isHex(c) : c >= '0' && c <= '9')) {
            throw s.error(p, "expected a signed 64-bit integer " + where + ", found '" + w + "'");
        }
        v = new BigInteger(digits, hex ? 16 : 10);
        if (hex && body.equals(w) && v.bitLength() <= 64) {
            return v.longValue();
        }
        if (neg) {
            v = v.negate();
        }
        if (v.compareTo(I64_MIN) < 0 || v.compareTo(I64_MAX) > 0) {
            throw s.error(p, "expected a signed 64-bit integer (-9223372036854775808 to 9223372036854775807) "
                    + where + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }

    private long f64(String w, Pos p, String where) throws AsmException {
        switch (w) {
            case "inf", "+inf" -> {
                return Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
            }
            case "-inf" -> {
                return Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            }
            case "nan" -> {
                return Syntax.CANONICAL_NAN;
            }
            default -> { }
        }
        if (HEX_BITS.matcher(w).matches()) {
            return Long.parseUnsignedLong(w.substring(2), 16);
        }
        if (FLOAT.matcher(w).matches()) {
            double d = Double.parseDouble(w);
            if (Double.isInfinite(d)) {
                throw s.error(p, "expected a finite f64 " + where + " (write inf or -inf for infinity), found '"
                        + w + "', which is out of range");
            }
            return Double.doubleToRawLongBits(d);
        }
        throw s.error(p, "expected an f64 (like 1.5, -2e10, inf, nan or 16 hex digits of bits like"
                + " 0x3ff8000000000000) " + where + ", found '" + w + "'");
    }

    /** Parses a value literal: {@code unit}, {@code bool:true}, {@code i64:-5}, {@code str:"hi"} ... */
    private Constant literal() throws AsmException {
        String what = "a value literal (unit, bool:true, i64:-5, u64:5, f64:1.5, dec:1.50, bytes:00ff or str:\"hi\")";
        Pos p = s.mark();
        if (!s.atWord()) {
            throw s.expected(what);
        }
        String w = s.word();
        if (w.equals("unit")) {
            return new Constant.Unit();
        }
        if (!s.acceptHere(':')) {
            throw s.error(p, "expected " + what + ", found '" + w + "'");
        }
        Pos vp = s.here();
        String v = w.equals("str") ? "" : s.wordHere();
        String lit = "after " + w + ":";
        switch (w) {
            case "bool" -> {
                if (v.equals("true") || v.equals("false")) {
                    return new Constant.Bool(v.equals("true"));
                }
                throw s.error(vp, "expected true or false after bool:, found '" + v + "'");
            }
            case "i64" -> {
                return new Constant.I64(signed(v, vp, lit));
            }
            case "u64" -> {
                return new Constant.U64(unsigned(v, vp, 64, "an unsigned 64-bit integer after u64:"));
            }
            case "f64" -> {
                return new Constant.F64(f64(v, vp, lit));
            }
            case "dec" -> {
                var m = DECIMAL.matcher(v);
                if (!m.matches()) {
                    throw s.error(vp, "expected a decimal like -1.50 after dec:, found '" + v + "'");
                }
                String frac = m.group(3) == null ? "" : m.group(3);
                if (frac.length() > 255) {
                    throw s.error(vp, "expected at most 255 digits after the point (the scale is a byte), found "
                            + frac.length());
                }
                BigInteger mant = new BigInteger(m.group(2) + frac);
                if (m.group(1).equals("-")) {
                    mant = mant.negate();
                }
                if (mant.compareTo(I64_MIN) < 0 || mant.compareTo(I64_MAX) > 0) {
                    throw s.error(vp, "expected a decimal whose digits fit a signed 64-bit mantissa, found '" + v
                            + "', which is out of range");
                }
                return new Constant.Decimal(mant.longValue(), frac.length());
            }
            case "bytes" -> {
                if (v.length() % 2 != 0 || !v.chars().allMatch(Scanner::isHex)) {
                    throw s.error(vp, "expected hex digits in pairs after bytes: (like bytes:00ff10), found '" + v
                            + "'");
                }
                byte[] b = new byte[v.length() / 2];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Integer.parseInt(v.substring(2 * i, 2 * i + 2), 16);
                }
                return new Constant.Bytes(b);
            }
            case "str" -> {
                if (s.peek() != '"') {
                    throw s.expected("a string in double quotes right after str:");
                }
                return new Constant.Str(s.string());
            }
            default -> throw s.error(p, "expected " + what + ", found '" + w + ":' (constants can only be unit,"
                    + " bool, i64, u64, f64, dec, bytes or str)");
        }
    }

    private ValueType type() throws AsmException {
        Pos p = s.mark();
        if (!s.atWord()) {
            throw s.expected(TYPES);
        }
        String w = s.word();
        if (w.equals("obj")) {
            s.expect('<', "'<' and a host type id after obj");
            Pos hp = s.mark();
            long host = unsigned(word("a host type id"), hp, 64, "a host type id (an unsigned 64-bit number)");
            s.expect('>', "'>' after the host type id");
            return ValueType.obj(host);
        }
        ValueKind k = ValueKind.fromKeyword(w);
        if (k == null) {
            throw s.error(p, "expected " + TYPES + ", found '" + w + "'");
        }
        return ValueType.of(k);
    }

    private List<ValueType> typeList(String what) throws AsmException {
        s.expect('(', "'(' to start the " + what + " types");
        List<ValueType> out = new ArrayList<>();
        s.skipWs();
        if (s.accept(')')) {
            return out;
        }
        while (true) {
            s.skipWs();
            out.add(type());
            s.skipWs();
            if (s.accept(')')) {
                return out;
            }
            s.expect(',', "',' or ')' in the " + what + " types");
        }
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

    static String suggest(String w, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(1, Math.min(3, w.length() / 3)) ? " (did you mean '" + best + "'?)"
                : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---------------------------------------------------------------- resolution and layout

    private long resolveRef(Ref r, Map<String, Integer> names, String what) throws AsmException {
        if (r.name() == null) {
            return r.index();
        }
        Integer id = names.get(r.name());
        if (id == null) {
            throw s.error(r.pos(), "undefined " + what + " '" + r.name() + "'" + suggest(r.name(), names.keySet()));
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
            throw s.error(r.pos(), "undefined function '" + r.name() + "'" + suggest(r.name(), funcNames.keySet()));
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
                            checkWidth(so, v, o.width, o.widthPos);
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
                                    + suggest(o.ref.name(), labelPcs.keySet()));
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
