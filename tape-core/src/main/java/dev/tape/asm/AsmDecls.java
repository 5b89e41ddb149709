package dev.tape.asm;

import dev.tape.asm.Scanner.Pos;
import dev.tape.format.Instruction;
import dev.tape.format.Opcode;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link AsmParser} collects in its one pass over a source before it resolves names and lays
 * out functions: references by name or {@code @N}, parsed operands, the items of a function body
 * (instructions, labels, span and label-name directives, raw bytes) and the declarations of shapes,
 * struct fields and functions. Mutable where the later passes fill fields in.
 */
final class AsmDecls {
    private AsmDecls() {
    }

    /** A reference by name or by {@code @index}. */
    record Ref(String name, long index, Pos pos) {}

    /** One parsed operand; {@code ref} is set for names resolved later (ids and labels). */
    static final class Opnd {
        Pos pos;
        long value;
        long[] list;
        int width;
        Pos widthPos;
        Ref ref;
    }

    interface Item {}

    static final class InstrItem implements Item {
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

    record LabelItem(String name, int symbol, Pos pos) implements Item {}

    record SpanItem(long id, boolean explicit, long delta, Pos pos) implements Item {}

    record LabelNameItem(int symbol, boolean at, long pc, Pos pos) implements Item {}

    record BytesItem(byte[] bytes) implements Item {}

    sealed interface ShapeSpec permits TupleSpec, StructSpec, ArraySpec {}

    record TupleSpec(List<ValueType> elems) implements ShapeSpec {}

    record StructSpec(Ref type) implements ShapeSpec {}

    record ArraySpec(Ref type) implements ShapeSpec {}

    record ShapeDecl(Ref func, int funcId, long arg, Pos argPos, ShapeSpec spec) {}

    record FieldDecl(String name, ValueType type) {}

    static final class FuncDecl {
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

        /** @return the argument count: {@code argc} when written, else the parameters' count */
        long argCount() {
            return argc != null ? argc : args.size();
        }
    }
}
