package dev.tape.testing;

import dev.tape.format.ByteWriter;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.program.AggShape;
import dev.tape.program.CallSig;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.FunctionSig;
import dev.tape.program.HostSig;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.SpanEntry;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately small program maker for tests: instructions by opcode, labels as strings for
 * br/jmp targets (resolved to canonical byte offsets in a second pass).
 */
public final class MiniAsm {
    private final List<Function> functions = new ArrayList<>();
    private final List<Constant> constants = new ArrayList<>();
    private final List<String> symbols = new ArrayList<>(List.of(""));
    private final List<HostSig> hostSigs = new ArrayList<>();
    private final List<CallSig> callSigs = new ArrayList<>();
    private final List<AggShape.ArgShape> shapes = new ArrayList<>();
    private TypeTable types = TypeTable.EMPTY;

    /** One function's body. */
    public static final class Body {
        final List<Object[]> items = new ArrayList<>();

        /** @param name a label placed before the next instruction @return this */
        public Body label(String name) {
            items.add(new Object[] {name});
            return this;
        }

        /** @param op opcode @param operands operands; a String operand is a label @return this */
        public Body op(Opcode op, Object... operands) {
            Object[] it = new Object[operands.length + 1];
            it[0] = op;
            System.arraycopy(operands, 0, it, 1, operands.length);
            items.add(it);
            return this;
        }

        byte[] encode() {
            Map<String, Integer> labels = new HashMap<>();
            // two passes: sizes do not depend on label values because targets are padded to 5 bytes
            int pc = 0;
            List<Instruction> out = new ArrayList<>();
            for (int pass = 0; pass < 2; pass++) {
                pc = 0;
                out.clear();
                for (Object[] it : items) {
                    if (it.length == 1 && it[0] instanceof String s) {
                        labels.put(s, pc);
                        continue;
                    }
                    Opcode op = (Opcode) it[0];
                    Object[] ops = new Object[it.length - 1];
                    List<Integer> labelled = new ArrayList<>();
                    for (int i = 1; i < it.length; i++) {
                        if (it[i] instanceof String s) {
                            ops[i - 1] = labels.getOrDefault(s, 0);
                            labelled.add(i - 1);
                        } else {
                            ops[i - 1] = it[i];
                        }
                    }
                    Instruction ins = Instruction.of(op, ops);
                    for (int k : labelled) {
                        ins = ins.withOperand(k, ins.value(k), 5);
                    }
                    out.add(ins.at(pc));
                    pc += ins.length();
                }
            }
            ByteWriter w = new ByteWriter();
            for (Instruction ins : out) {
                InstructionCodec.encode(ins, w);
            }
            return w.toByteArray();
        }
    }

    /** @return a new body */
    public static Body body() {
        return new Body();
    }

    /** @param c a constant @return its id */
    public int constant(Constant c) {
        constants.add(c);
        return constants.size() - 1;
    }

    /** @param t the type table @return this */
    public MiniAsm types(TypeTable t) {
        this.types = t;
        return this;
    }

    /** @return a host sig id */
    public int hostSig(String symbol, List<ValueType> args, List<ValueType> rets) {
        symbols.add(symbol);
        hostSigs.add(HostSig.of(symbols.size() - 1, args, rets));
        return hostSigs.size() - 1;
    }

    /** @return a call sig id */
    public int callSig(List<ValueType> args, List<ValueType> rets) {
        callSigs.add(new CallSig(args, rets));
        return callSigs.size() - 1;
    }

    /** @return this */
    public MiniAsm argShape(int func, int arg, AggShape shape) {
        shapes.add(new AggShape.ArgShape(func, arg, shape));
        return this;
    }

    /**
     * Adds a function.
     *
     * @return its id
     */
    public int function(List<ValueType> args, List<ValueType> rets, int regs, Body body) {
        return function(args, rets, regs, body, List.of());
    }

    /** @return its id */
    public int function(List<ValueType> args, List<ValueType> rets, int regs, Body body, List<SpanEntry> spans) {
        functions.add(new Function(args.size(), rets.size(), regs, body.encode(), spans, FunctionSig.of(args, rets)));
        return functions.size() - 1;
    }

    /** @return the program */
    public Program build() {
        return new Program(symbols, constants, types, functions, hostSigs, callSigs, shapes, Names.NONE);
    }
}
