package dev.tape.asm;

import dev.tape.classinit.ClassInit;
import dev.tape.format.ByteWriter;
import dev.tape.format.DecodeException;
import dev.tape.format.Instruction;
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
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a {@link Program} into text assembly ({@code docs/ASSEMBLY.md}) that assembles back to the
 * same bytes: for every program {@link dev.tape.program.ProgramDecoder} can produce,
 * {@code ProgramEncoder.encode(Assembler.assemble(disassemble(p), f))} equals
 * {@code ProgramEncoder.encode(p)} byte for byte.
 *
 * <p>To keep that promise the text carries everything the bytes do: padded operand widths as
 * {@code /N} suffixes, register counts and argument counts that differ from what the assembler
 * would infer, span entries, debug names, unused symbols and constants (with an explicit
 * {@code symbols} block or {@code const} lines when the implicit order would differ), host
 * signature hashes that do not match their types, and, for a function whose bytecode does not
 * decode or would not re-encode to the same bytes, the raw bytes ({@code .bytes}). Branch targets
 * on instruction boundaries become labels, named from the names section when it has a name there.
 */
public final class Disassembler {
    private Disassembler() {}

    /**
     * Writes a program as assembly text that {@link Assembler} reads back to an equal program.
     *
     * @param p the program
     * @return its text, lines ending in {@code \n}
     * @throws IllegalArgumentException when a struct field names a field name the type table does
     *     not have (a program {@link dev.tape.program.ProgramEncoder} cannot encode either)
     * @throws NullPointerException when {@code p} is null
     */
    public static String disassemble(Program p) {
        // the disassembler's classes, initialised up front (see ClassInit)
        ClassInit.disassembler();
        return new Disassembler.Writer(Objects.requireNonNull(p, "p")).write();
    }

    /**
     * A name of a program (a function's, a field's, a host symbol, a label's) as the disassembler
     * spells it where a name may stand: an identifier ({@code [A-Za-z_][A-Za-z0-9_.]*}) as it is,
     * anything else as a quoted string literal: {@code "} and {@code \} each escaped with a
     * backslash; newline, carriage return, tab, backspace and form feed as {@code \n}, {@code \r},
     * {@code \t}, {@code \b}, {@code \f}; every other char that is a control, a format character
     * (bidirectional overrides, zero-width and tag characters), a line or paragraph separator, an
     * unassigned or private-use code point, or an unpaired surrogate as {@code \}{@code uXXXX}
     * (lower-case hex; both halves of a pair are escaped or neither is); other chars, non-ASCII
     * printable ones among them, as they are. Uncut and injective: a backslash in a quoted name
     * always begins an escape, so two different names never spell the same, and the assembler
     * reads the spelling of any name a program can hold (valid UTF-8: no unpaired surrogate) back
     * to exactly {@code s}; an unpaired surrogate's escape it refuses ({@code AsmException}: a
     * string UTF-8 cannot hold). The spelling is one line.
     *
     * @param s the name, any string (the empty one is quoted: {@code ""})
     * @return its spelling: {@code s} itself when it is an identifier, else at most
     *     {@code 6 * s.length() + 2} chars
     * @throws NullPointerException when {@code s} is null
     */
    public static String name(String s) {
        Objects.requireNonNull(s, "s");
        return Syntax.isIdentifier(s) ? s : Syntax.quote(s);
    }

    /**
     * One line to print at some pc: {@code before}, then the symbol (when not -1), then {@code after}.
     * Lines at one pc print in {@code order}: labels, then label names, then spans.
     */
    private record Event(int order, String before, int symbol, String after) {}

    private static final class Writer {
        private final Program p;
        private final List<String> symbols;
        private final Map<String, Integer> firstSymbol = new HashMap<>();
        private final List<Integer> symbolOrder = new ArrayList<>();
        private final Set<Integer> symbolSeen = new HashSet<>();
        private boolean needSymbolTable;
        private final StringBuilder out = new StringBuilder();
        private final List<List<Instruction>> bodies = new ArrayList<>();
        private final String[] funcRefs;
        private boolean inlineConsts;
        private boolean inlineShapes;
        /** Per function id: its name symbols, its label names and its argument shapes, in section order. */
        private final List<List<Integer>> namesOf;
        private final List<List<Names.LabelName>> labelsOf;
        private final List<List<AggShape.ArgShape>> shapesOf;

        Writer(Program p) {
            this.p = p;
            this.symbols = p.symbols();
            for (int i = 0; i < symbols.size(); i++) {
                firstSymbol.putIfAbsent(symbols.get(i), i);
            }
            int n = p.functions().size();
            this.funcRefs = new String[n];
            this.namesOf = new ArrayList<>(Collections.nCopies(n, List.of()));
            this.labelsOf = new ArrayList<>(Collections.nCopies(n, List.of()));
            this.shapesOf = new ArrayList<>(Collections.nCopies(n, List.of()));
            for (Names.FunctionName fn : p.names().functions()) {
                add(namesOf, fn.funcId(), fn.nameSymbol());
            }
            for (Names.LabelName ln : p.names().labels()) {
                add(labelsOf, ln.funcId(), ln);
            }
            for (AggShape.ArgShape sh : p.argShapes()) {
                add(shapesOf, sh.funcId(), sh);
            }
        }

        /** Adds {@code item} to the list of function {@code id}; an id no function has matches nothing. */
        private static <T> void add(List<List<T>> byFunction, int id, T item) {
            if (id < 0 || id >= byFunction.size()) {
                return;
            }
            List<T> list = byFunction.get(id);
            if (list.isEmpty()) {
                list = new ArrayList<>(1);
                byFunction.set(id, list);
            }
            list.add(item);
        }

        // ------------------------------------------------------------ symbols

        private boolean plainSymbol(int id) {
            return id >= 0 && id < symbols.size() && firstSymbol.get(symbols.get(id)) == id;
        }

        /** Spells a symbol reference and records its use, in text order. */
        private String sym(int id, boolean identOk) {
            if (!plainSymbol(id)) {
                needSymbolTable = true;
                return "$" + id;
            }
            if (id != 0 && symbolSeen.add(id)) {
                symbolOrder.add(id);
            }
            String s = symbols.get(id);
            return identOk && Syntax.isIdentifier(s) ? s : Syntax.quote(s);
        }

        // ------------------------------------------------------------ analysis

        private static List<Instruction> decodeExactly(byte[] code) {
            try {
                List<Instruction> ins = InstructionCodec.decodeAll(code);
                ByteWriter w = new ByteWriter();
                for (Instruction in : ins) {
                    List<Operand> schema = in.opcode().operands();
                    long[] values = new long[schema.size()];
                    long[][] lists = new long[schema.size()][];
                    int[] widths = new int[schema.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = in.value(i);
                        lists[i] = schema.get(i).kind() == OperandKind.REG_LIST ? listValues(in, i) : null;
                        widths[i] = in.width(i);
                    }
                    InstructionCodec.encode(Syntax.build(in.opcode(), values, lists, widths), w);
                }
                return Arrays.equals(w.toByteArray(), code) ? ins : null;
            } catch (DecodeException | IllegalArgumentException e) {
                return null;
            }
        }

        /** @return the registers of list operand {@code i}, as declared (0 to 2^32-1) */
        private static long[] listValues(Instruction in, int i) {
            long[] out = new long[(int) in.value(i)];
            for (int k = 0; k < out.length; k++) {
                out[k] = in.listValue(i, k);
            }
            return out;
        }

        private void analyse() {
            List<Function> fs = p.functions();
            for (Function f : fs) {
                bodies.add(decodeExactly(f.code()));
            }
            // function names usable in references: an identifier no other function header has
            Map<String, Integer> headerCount = new HashMap<>();
            String[] header = new String[fs.size()];
            for (Names.FunctionName n : p.names().functions()) {
                int id = n.funcId();
                if (id >= 0 && id < fs.size() && header[id] == null && n.nameSymbol() >= 0
                        && n.nameSymbol() < symbols.size()) {
                    header[id] = symbols.get(n.nameSymbol());
                    headerCount.merge(header[id], 1, Integer::sum);
                }
            }
            for (int i = 0; i < fs.size(); i++) {
                if (header[i] != null && Syntax.isIdentifier(header[i]) && headerCount.get(header[i]) == 1) {
                    funcRefs[i] = header[i];
                }
            }
            // constants inline when the assembler would pool them in exactly this order
            List<Constant> cs = p.constants();
            inlineConsts = new HashSet<>(cs).size() == cs.size();
            if (inlineConsts) {
                List<Integer> order = new ArrayList<>();
                Set<Integer> seen = new HashSet<>();
                for (List<Instruction> body : bodies) {
                    if (body == null) {
                        continue;
                    }
                    for (Instruction in : body) {
                        List<Operand> schema = in.opcode().operands();
                        for (int i = 0; i < schema.size(); i++) {
                            long v = in.value(i);
                            if (schema.get(i).kind() == OperandKind.CONST_ID && v < cs.size() && seen.add((int) v)) {
                                order.add((int) v);
                            }
                        }
                    }
                }
                for (int i = 0; i < order.size() && inlineConsts; i++) {
                    inlineConsts = order.get(i) == i;
                }
                inlineConsts &= order.size() == cs.size();
            }
            // argument shapes inline in signatures when they come in (function, argument) order
            inlineShapes = true;
            long prev = -1;
            for (AggShape.ArgShape s : p.argShapes()) {
                long key = ((long) s.funcId() << 32) | s.arg();
                if (key <= prev || s.funcId() < 0 || s.funcId() >= fs.size() || s.arg() < 0
                        || s.arg() >= fs.get(s.funcId()).sig().args().size()
                        || s.arg() >= fs.get(s.funcId()).argCount()) {
                    inlineShapes = false;
                    break;
                }
                prev = key;
            }
        }

        // ------------------------------------------------------------ output

        String write() {
            analyse();
            if (p.names().programName() >= 0) {
                out.append("program ").append(sym(p.names().programName(), true)).append("\n\n");
            }
            boolean any = false;
            if (!inlineConsts) {
                for (int i = 0; i < p.constants().size(); i++) {
                    out.append("const @").append(i).append(" = ").append(Syntax.literal(p.constants().get(i)))
                            .append('\n');
                    any = true;
                }
            }
            for (int i = 0; i < p.types().structs().size(); i++) {
                out.append("struct @").append(i).append(" = {");
                List<StructType.Field> fields = p.types().structs().get(i).fields();
                for (int k = 0; k < fields.size(); k++) {
                    StructType.Field fd = fields.get(k);
                    if (fd.nameId() < 0 || fd.nameId() >= p.types().fieldNames().size()) {
                        throw new IllegalArgumentException("struct " + i + " field " + k + " names missing field name "
                                + fd.nameId());
                    }
                    String name = p.types().fieldNames().get(fd.nameId());
                    out.append(k == 0 ? " " : ", ").append(Disassembler.name(name))
                            .append(": ").append(Syntax.type(fd.type()));
                }
                out.append(fields.isEmpty() ? "}\n" : " }\n");
                any = true;
            }
            for (int i = 0; i < p.types().arrayElems().size(); i++) {
                out.append("array @").append(i).append(" = ").append(Syntax.type(p.types().arrayElems().get(i)))
                        .append('\n');
                any = true;
            }
            for (int i = 0; i < p.hostSigs().size(); i++) {
                HostSig h = p.hostSigs().get(i);
                String symbol = sym(h.symbolId(), false);
                // a symbol id declared 2^31 or more: kept as 2^31-1, no symbol's, so spelled $N either way
                out.append("host @").append(i).append(" = ")
                        .append(h.declaredSymbolId() == h.symbolId() ? symbol : "$" + h.declaredSymbolId()).append(' ')
                        .append(types(h.args())).append(" -> ").append(types(h.rets()));
                if (h.sigHash() != HostSig.hash(h.args(), h.rets())) {
                    out.append(String.format(" hash 0x%016x", h.sigHash()));
                }
                out.append('\n');
                any = true;
            }
            for (int i = 0; i < p.callSigs().size(); i++) {
                CallSig c = p.callSigs().get(i);
                out.append("callsig @").append(i).append(" = ").append(types(c.args())).append(" -> ")
                        .append(types(c.rets())).append('\n');
                any = true;
            }
            if (!inlineShapes) {
                for (AggShape.ArgShape s : p.argShapes()) {
                    out.append("shape ").append(funcRef(s.funcId())).append(" arg ").append(s.declaredArg()).append(" = ")
                            .append(shape(s.shape())).append('\n');
                    any = true;
                }
            }
            if (any) {
                out.append('\n');
            }
            for (int i = 0; i < p.functions().size(); i++) {
                if (i > 0) {
                    out.append('\n');
                }
                function(i);
            }
            boolean implicit = !needSymbolTable && symbolOrder.size() == symbols.size() - 1;
            for (int i = 0; i < symbolOrder.size() && implicit; i++) {
                implicit = symbolOrder.get(i) == i + 1;
            }
            if (implicit) {
                return out.toString();
            }
            StringBuilder head = new StringBuilder("symbols {\n");
            for (int i = 1; i < symbols.size(); i++) {
                head.append("    ").append(Syntax.quote(symbols.get(i))).append('\n');
            }
            return head.append("}\n\n").append(out).toString();
        }

        private static String types(List<ValueType> ts) {
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < ts.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(Syntax.type(ts.get(i)));
            }
            return b.append(')').toString();
        }

        private String funcRef(long id) {
            return id >= 0 && id < funcRefs.length && funcRefs[(int) id] != null ? funcRefs[(int) id] : "@" + id;
        }

        private static String shape(AggShape s) {
            if (s instanceof AggShape.Tuple t) {
                StringBuilder b = new StringBuilder("tuple(");
                for (int i = 0; i < t.elems().size(); i++) {
                    ValueType e = t.elems().get(i);
                    b.append(i == 0 ? "" : ", ").append(e == null ? "_" : Syntax.type(e));
                }
                return b.append(')').toString();
            } else if (s instanceof AggShape.Struct st) {
                return "struct @" + st.declaredTypeId();
            }
            return "array @" + ((AggShape.Array) s).declaredElemTypeId();
        }

        private void function(int id) {
            Function f = p.functions().get(id);
            FunctionSig sig = f.sig();
            List<Instruction> body = bodies.get(id);
            int len = f.codeLength();
            // names
            List<Integer> names = namesOf.get(id);
            out.append("func ").append(names.isEmpty() ? "@" + id : sym(names.get(0), true)).append('(');
            Map<Integer, AggShape> shapes = new HashMap<>();
            if (inlineShapes) {
                for (AggShape.ArgShape s : shapesOf.get(id)) {
                    shapes.put(s.arg(), s.shape());
                }
            }
            params(sig.args(), sig.argNames(), shapes);
            out.append(") -> (");
            params(sig.rets(), sig.retNames(), Map.of());
            out.append(')');
            long maxReg = -1;
            Set<Integer> boundaries = new HashSet<>();
            Set<Integer> targets = new LinkedHashSet<>();
            if (body != null) {
                for (Instruction in : body) {
                    boundaries.add(in.pc());
                    List<Operand> schema = in.opcode().operands();
                    for (int i = 0; i < schema.size(); i++) {
                        OperandKind k = schema.get(i).kind();
                        if (k == OperandKind.REG) {
                            maxReg = Math.max(maxReg, in.value(i));
                        } else if (k == OperandKind.REG_LIST) {
                            for (int j = 0; j < in.value(i); j++) {
                                maxReg = Math.max(maxReg, in.listValue(i, j));
                            }
                        } else if (k == OperandKind.PC) {
                            targets.add((int) in.value(i));
                        }
                    }
                }
                boundaries.add(len);
            }
            // the counts as declared (a u32 each); the assembler infers no count above 2^31-1
            long inferred = Math.max(Math.max(maxReg + 1, 1), f.declaredArgCount() + 1);
            if (f.declaredRegCount() != inferred || inferred > Integer.MAX_VALUE) {
                out.append(" regs ").append(f.declaredRegCount());
            }
            if (f.declaredArgCount() != sig.args().size()) {
                out.append(" argc ").append(f.declaredArgCount());
            }
            if (f.declaredRetCount() != sig.rets().size()) {
                out.append(" retc ").append(f.declaredRetCount());
            }
            out.append(" {\n");
            for (int k = 1; k < names.size(); k++) {
                out.append("    .name ").append(sym(names.get(k), true)).append('\n');
            }
            // events: labels, label names, spans, keyed by pc; the ones that fit nowhere go last
            Map<Integer, List<Event>> events = new TreeMap<>();
            List<Event> tail = new ArrayList<>();
            Map<Integer, String> labelAt = new HashMap<>();
            Set<String> used = new HashSet<>();
            for (Names.LabelName ln : labelsOf.get(id)) {
                boolean place = body == null ? ln.pc() >= 0 && ln.pc() <= len : boundaries.contains(ln.pc());
                int symId = ln.nameSymbol();
                String str = plainSymbol(symId) ? symbols.get(symId) : null;
                if (place && str != null && Syntax.isIdentifier(str) && used.add(str)) {
                    events.computeIfAbsent(ln.pc(), k -> new ArrayList<>()).add(new Event(0, "", symId, "::"));
                    labelAt.putIfAbsent(ln.pc(), str);
                } else if (place) {
                    events.computeIfAbsent(ln.pc(), k -> new ArrayList<>()).add(new Event(1, "    .label ", symId, ""));
                } else {
                    tail.add(new Event(1, "    .label ", symId, " at " + ln.pc()));
                }
            }
            for (int t : targets) {
                if (boundaries.contains(t) && !labelAt.containsKey(t)) {
                    String name = "L" + t;
                    for (int k = 2; !used.add(name); k++) {
                        name = "L" + t + "_" + k;
                    }
                    labelAt.put(t, name);
                    events.computeIfAbsent(t, k -> new ArrayList<>()).add(new Event(0, name + ":", -1, ""));
                }
            }
            long run = 0;
            boolean placed = true;
            for (SpanEntry e : f.spans()) {
                long next = run + e.pcDelta();
                placed &= Long.compareUnsigned(next, run) >= 0 && Long.compareUnsigned(next, len) <= 0
                        && (body == null || boundaries.contains((int) next));
                run = next;
                String id2 = Long.toUnsignedString(e.spanId());
                if (placed) {
                    events.computeIfAbsent((int) next, k -> new ArrayList<>()).add(new Event(2, "    .span " + id2, -1,
                            ""));
                } else {
                    tail.add(new Event(2, "    .span " + id2 + " delta " + Long.toUnsignedString(e.pcDelta()), -1, ""));
                }
            }
            if (body != null) {
                for (Instruction in : body) {
                    emit(events.remove(in.pc()));
                    out.append("    ").append(instruction(in, labelAt)).append('\n');
                }
                emit(events.remove(len));
            } else {
                byte[] code = f.code();
                int pc = 0;
                while (pc <= len) {
                    emit(events.remove(pc));
                    if (pc == len) {
                        break;
                    }
                    Integer nextEvent = ((TreeMap<Integer, List<Event>>) events).ceilingKey(pc + 1);
                    int end = Math.min(len, Math.min(pc + 16, nextEvent == null ? Integer.MAX_VALUE : nextEvent));
                    out.append("    .bytes");
                    for (int i = pc; i < end; i++) {
                        out.append(String.format(" %02x", code[i] & 0xFF));
                    }
                    out.append('\n');
                    pc = end;
                }
            }
            for (List<Event> rest : events.values()) {
                tail.addAll(rest);
            }
            emit(tail);
            out.append("}\n");
        }

        private void emit(List<Event> events) {
            if (events == null) {
                return;
            }
            List<Event> sorted = new ArrayList<>(events);
            sorted.sort((a, b) -> Integer.compare(a.order(), b.order()));
            for (Event e : sorted) {
                out.append(e.before()).append(e.symbol() >= 0 ? sym(e.symbol(), true) : "").append(e.after())
                        .append('\n');
            }
        }

        private void params(List<ValueType> types, List<Integer> names, Map<Integer, AggShape> shapes) {
            for (int i = 0; i < types.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                if (names != null) {
                    int n = names.get(i);
                    if (n == 0) {
                        out.append('_');
                    } else {
                        boolean identOk = plainSymbol(n) && !symbols.get(n).equals("_");
                        out.append(sym(n, identOk));
                    }
                    out.append(": ");
                }
                out.append(Syntax.type(types.get(i)));
                AggShape s = shapes.get(i);
                if (s != null) {
                    out.append(' ').append(shape(s));
                }
            }
        }

        private String instruction(Instruction in, Map<Integer, String> labelAt) {
            StringBuilder b = new StringBuilder(in.opcode().mnemonic());
            List<Operand> schema = in.opcode().operands();
            for (int i = 0; i < schema.size(); i++) {
                Operand o = schema.get(i);
                if (i == 0) {
                    b.append(' ');
                } else if (o.name().equals("rets") && schema.get(i - 1).name().equals("args")) {
                    b.append(" -> ");
                } else {
                    b.append(", ");
                }
                long v = in.value(i);
                switch (o.kind()) {
                    case REG -> b.append('r').append(Long.toUnsignedString(v));
                    case REG_LIST -> {
                        b.append('[');
                        for (int k = 0; k < v; k++) {
                            b.append(k == 0 ? "r" : ", r").append(in.listValue(i, k));
                        }
                        b.append(']');
                    }
                    case IMM_BOOL -> b.append(v == 0 ? "false" : v == 1 ? "true" : Long.toString(v));
                    case IMM_I64 -> b.append(v);
                    case IMM_F64 -> b.append(Syntax.f64(v));
                    case IMM_U64, IMM_U32, IMM_U8, TRAP_CODE -> b.append(Long.toUnsignedString(v));
                    case CONST_ID -> b.append(inlineConsts && v < p.constants().size()
                            ? Syntax.literal(p.constants().get((int) v)) : "@" + v);
                    case FUNC_ID -> b.append(funcRef(v));
                    case HOST_SIG_ID, CALL_SIG_ID, TYPE_ID, ELEM_TYPE_ID -> b.append('@').append(v);
                    case PC -> {
                        String label = v <= Integer.MAX_VALUE ? labelAt.get((int) v) : null;
                        b.append(label != null ? label : Long.toString(v));
                    }
                }
                if (o.kind() != OperandKind.REG_LIST && Syntax.hasWidth(o) && in.width(i) != Syntax.defaultWidth(o, v)) {
                    b.append('/').append(in.width(i));
                }
            }
            return b.toString();
        }
    }
}
