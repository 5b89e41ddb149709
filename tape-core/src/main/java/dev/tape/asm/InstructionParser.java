package dev.tape.asm;

import dev.tape.asm.AsmDecls.InstrItem;
import dev.tape.asm.AsmDecls.Opnd;
import dev.tape.asm.AsmDecls.Ref;
import dev.tape.asm.Scanner.Pos;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandEncoding;
import dev.tape.format.OperandKind;
import dev.tape.program.Constant;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The assembler's reader of instruction lines: a mnemonic's operands in schema order (registers,
 * register lists, immediates, inline constants, names and {@code @N} indexes, labels and byte
 * offsets), each with its optional {@code /width}, and the errors {@code docs/ASSEMBLY.md}'s
 * diagnostics use for them. Split out of {@link AsmParser}, which owns the declarations, function
 * bodies, resolution and layout; names are left as {@link Ref}s for it to resolve.
 */
final class InstructionParser {
    private final Scanner s;
    private final AsmValues values;
    /** Pools an inline constant (an operand like {@code str:"hi"}) and returns its constant id. */
    private final ToIntFunction<Constant> pool;

    /**
     * @param s the scanner every method reads from and reports positions of
     * @param values the value readers over {@code s}
     * @param pool pools an inline constant and returns its id (the first equal one's, when pooled)
     */
    InstructionParser(Scanner s, AsmValues values, ToIntFunction<Constant> pool) {
        this.s = s;
        this.values = values;
        this.pool = pool;
    }

    /**
     * Parses the operands of one instruction line, after its mnemonic, through the end of the line.
     *
     * @param mnemonic the mnemonic just read
     * @param p where the mnemonic is
     * @return the instruction with its operands as written (names unresolved)
     * @throws AsmException on an unknown mnemonic, a missing or malformed operand or separator,
     *     a value out of range, a bad width, or anything after the last operand
     */
    InstrItem instruction(String mnemonic, Pos p) throws AsmException {
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
                    r.value = pool.applyAsInt(values.literal());
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
                checkWidth(o, r.value, r.width, r.widthPos);
            }
        }
        return r;
    }

    /**
     * Checks that a width written as {@code /N} can hold a value in the operand's encoding.
     *
     * @param o the operand's schema entry
     * @param value the value, as its encoding reads it
     * @param width the width written, in bytes
     * @param at where the width is, for the error
     * @throws AsmException when the value's canonical encoding is wider than {@code width}
     */
    void checkWidth(Operand o, long value, int width, Pos at) throws AsmException {
        int need = Syntax.canonicalWidth(o.encoding(), value);
        if (width < need) {
            throw s.error(at, "expected a width of at least " + need + " bytes for the value "
                    + (o.encoding() == OperandEncoding.SLEB64 ? Long.toString(value)
                    : Long.toUnsignedString(value)) + ", found '" + width + "'");
        }
    }

    /**
     * Parses a register {@code rN}.
     *
     * @param where the rest of the error's phrase ({@code for operand 'dst' of mov})
     * @param bits how many bits N may take (32 for a register operand, 31 in a register list)
     */
    private long register(String where, int bits) throws AsmException {
        String expect = "a register (r0 to " + (bits == 32 ? "r4294967295" : "r2147483647") + ") " + where;
        Pos p = s.mark();
        String w = values.word(expect);
        if (w.length() < 2 || w.charAt(0) != 'r' || !w.substring(1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw s.error(p, "expected " + expect + ", found '" + w + "'");
        }
        BigInteger v = new BigInteger(w.substring(1));
        if (v.bitLength() > bits) {
            throw s.error(p, "expected " + expect + ", found '" + w + "', which is out of range");
        }
        return v.longValue();
    }
}
