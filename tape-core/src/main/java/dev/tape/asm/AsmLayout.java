package dev.tape.asm;

import dev.tape.asm.AsmDecls.BytesItem;
import dev.tape.asm.AsmDecls.FuncDecl;
import dev.tape.asm.AsmDecls.InstrItem;
import dev.tape.asm.AsmDecls.Item;
import dev.tape.asm.AsmDecls.LabelItem;
import dev.tape.asm.AsmDecls.LabelNameItem;
import dev.tape.asm.AsmDecls.Opnd;
import dev.tape.asm.AsmDecls.Ref;
import dev.tape.asm.AsmDecls.SpanItem;
import dev.tape.asm.Scanner.Pos;
import dev.tape.format.ByteWriter;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Operand;
import dev.tape.format.OperandEncoding;
import dev.tape.format.OperandKind;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.Names;
import dev.tape.program.SpanEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The assembler's second pass over one function: resolves the names in its operands (through
 * {@link AsmParser}, which owns the name tables) and its labels, picks each instruction's pc,
 * encodes the body, builds the span table and the label names, infers the register count, and
 * records where each instruction and label came from. Split out of {@link AsmParser}.
 */
final class AsmLayout {
    /** Resolves a name written in an id operand. */
    interface RefResolver {
        /**
         * @param kind the operand's kind (an id kind, never {@code PC})
         * @param ref the name
         * @return the id
         * @throws AsmException when nothing of that kind has the name
         */
        long resolve(OperandKind kind, Ref ref) throws AsmException;
    }

    private final Scanner s;
    private final LineTable.Builder lines;
    private final RefResolver names;

    /**
     * @param s the scanner, for positions and errors
     * @param lines the line table, to which each function's instructions and labels are added
     * @param names resolves names in id operands
     */
    AsmLayout(Scanner s, LineTable.Builder lines, RefResolver names) {
        this.s = s;
        this.lines = lines;
        this.names = names;
    }

    /**
     * Lays out one function: resolves its names and labels, encodes its instructions, builds its
     * span table and records its lines.
     *
     * @param f the function as parsed
     * @param id its function id
     * @param labelNames the names section's labels, to which its recorded labels are added
     * @return the function
     * @throws AsmException on an undefined name or label, a value or label too wide for its
     *     written width, operands that do not fit the instruction, a body of 2 GiB or more, a span
     *     or label name out of place, or registers too many to infer the count of
     */
    Function layout(FuncDecl f, int id, List<Names.LabelName> labelNames) throws AsmException {
        long argc = f.argCount();
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
                long[][] lists = new long[in.ops.length][];
                int[] widths = new int[in.ops.length];
                for (int i = 0; i < in.ops.length; i++) {
                    Opnd o = in.ops[i];
                    Operand so = schema.get(i);
                    long v = o.value;
                    if (o.ref != null && so.kind() != OperandKind.PC) {
                        v = names.resolve(so.kind(), o.ref);
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
                        for (long r : o.list) {
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
        return Function.declared(argc, retc, regs, code.toByteArray(), spans, sig);
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

    /** @return {@code pc + length}, the pc after an item; an error at {@code at} past 2 GiB */
    private int addPc(int pc, int length, Pos at) throws AsmException {
        long next = (long) pc + length;
        if (next > Integer.MAX_VALUE) {
            throw s.error(at, "expected a function body under 2 GiB, found a longer one");
        }
        return (int) next;
    }
}
