package dev.tape.testing;

import dev.tape.format.Instruction;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandKind;
import dev.tape.program.Constant;
import dev.tape.program.Program;
import dev.tape.program.StructType;
import dev.tape.program.TypeTable;
import dev.tape.program.ValueType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Programs that put one instruction in unreachable code, with registers that fit the classes the
 * reference's lowering demands of it (accepted) or with one register of another class (refused
 * with {@code UnstableRegTypeAt}), for every opcode.
 *
 * <p>The classes are written here by hand from the reference's lowering step
 * ({@code execution_tape/src/verifier.rs}, the {@code map_*} calls per instruction), independently
 * of {@code spec/opcodes.json}, so a wrong entry in the spec shows as a failing vector.
 *
 * <p>Function 0 takes one {@code obj(7)} argument (r1) and returns an i64. Its reachable code
 * writes one register of each class: r2 bool, r3 i64, r4 u64, r5 f64, r6 decimal, r7 bytes,
 * r8 str, r9 agg (an empty tuple), r10 func, r11 closure, and returns r3 (7); r0 is the effect
 * token and r12, r13 are never written, so they are of class unit. Then, unreachable, comes the
 * instruction under test and {@code trap 0}.
 */
public final class RegClassVectors {
    private RegClassVectors() {}

    /**
     * The register classes the reference's lowering demands of each register operand, in encoding
     * order: a class name, {@code any} (no demand), {@code same} (one class among the operands so
     * marked), {@code callee} (func or closure), {@code const} (the constant's class).
     */
    public static final Map<String, String> CLASSES = new LinkedHashMap<>();

    private static void put(String mnemonics, String classes) {
        for (String m : mnemonics.split(" ")) {
            CLASSES.put(m, classes);
        }
    }

    static {
        put("nop trap jmp", "");
        put("mov", "same same");
        put("const.unit", "unit");
        put("const.bool", "bool");
        put("const.i64", "i64");
        put("const.u64", "u64");
        put("const.f64", "f64");
        put("const.decimal", "dec");
        put("const.pool", "const");
        put("const.func", "func");
        put("dec.add dec.sub dec.mul", "dec dec dec");
        put("f64.add f64.sub f64.mul f64.div f64.min f64.max f64.min_num f64.max_num f64.rem", "f64 f64 f64");
        put("f64.neg f64.abs", "f64 f64");
        put("f64.to_bits", "u64 f64");
        put("f64.from_bits", "f64 u64");
        put("i64.add i64.sub i64.mul i64.and i64.or i64.xor i64.shl i64.shr i64.div i64.rem", "i64 i64 i64");
        put("u64.add u64.sub u64.mul u64.and u64.or u64.xor u64.shl u64.shr u64.div u64.rem", "u64 u64 u64");
        put("i64.eq i64.lt i64.gt i64.le i64.ge", "bool i64 i64");
        put("u64.eq u64.lt u64.gt u64.le u64.ge", "bool u64 u64");
        put("f64.eq f64.lt f64.gt f64.le f64.ge", "bool f64 f64");
        put("bool.not", "bool bool");
        put("bool.and bool.or bool.xor", "bool bool bool");
        put("u64.to_i64", "i64 u64");
        put("i64.to_u64", "u64 i64");
        put("select", "same bool same same");
        put("br", "bool");
        put("call host_call", "unit unit any any");
        put("ret", "unit any");
        put("call.indirect", "unit callee unit any any");
        put("closure.new", "closure func agg");
        put("tuple.new struct.new array.new", "agg any");
        put("tuple.get struct.get array.get_imm", "any agg");
        put("array.get", "any agg u64");
        put("array.len tuple.len struct.field_count", "u64 agg");
        put("bytes.len", "u64 bytes");
        put("str.len", "u64 str");
        put("i64.to_f64", "f64 i64");
        put("u64.to_f64", "f64 u64");
        put("f64.to_i64", "i64 f64");
        put("f64.to_u64", "u64 f64");
        put("dec.to_i64", "i64 dec");
        put("dec.to_u64", "u64 dec");
        put("i64.to_dec", "dec i64");
        put("u64.to_dec", "dec u64");
        put("bytes.eq", "bool bytes bytes");
        put("str.eq", "bool str str");
        put("bytes.concat", "bytes bytes bytes");
        put("str.concat", "str str str");
        put("bytes.get", "u64 bytes u64");
        put("bytes.get_imm", "u64 bytes");
        put("bytes.slice", "bytes bytes u64 u64");
        put("str.slice", "str str u64 u64");
        put("str.to_bytes", "bytes str");
        put("bytes.to_str", "str bytes");
    }

    /** The register of function 0 that holds each class. */
    public static final Map<String, Integer> REG = Map.ofEntries(Map.entry("unit", 12), Map.entry("obj", 1),
            Map.entry("bool", 2), Map.entry("i64", 3), Map.entry("u64", 4), Map.entry("f64", 5), Map.entry("dec", 6),
            Map.entry("bytes", 7), Map.entry("str", 8), Map.entry("agg", 9), Map.entry("func", 10),
            Map.entry("closure", 11));

    /** A register of another class than {@code cls}. */
    public static String other(String cls) {
        return cls.equals("i64") ? "u64" : "i64";
    }

    /** The constant {@code const.pool} names in the vectors: an i64. */
    static final int CONST_I64 = 2;

    /**
     * One vector.
     *
     * @param name what it tests
     * @param program the program
     * @param refusal the error name the reference gives, or null when it accepts the program
     * @param pc the pc of the instruction under test
     */
    public record Vector(String name, Program program, String refusal, int pc) {}

    /**
     * Function 0 with one instruction in unreachable code.
     *
     * @param op the instruction under test
     * @param operands its operands in schema order
     * @return the program
     */
    public static Program withDead(Opcode op, Object... operands) {
        MiniAsm a = new MiniAsm();
        int kBytes = a.constant(new Constant.Bytes(new byte[] {1, 2}));
        int kStr = a.constant(new Constant.Str("s"));
        int kI64 = a.constant(new Constant.I64(5));
        if (kI64 != CONST_I64) {
            throw new IllegalStateException("constant ids moved");
        }
        a.types(new TypeTable(List.of("x"), List.of(new StructType(List.of(new StructType.Field(0, ValueType.I64)))),
                List.of(ValueType.I64)));
        a.hostSig("test.id", List.of(ValueType.I64), List.of(ValueType.I64));
        a.callSig(List.of(ValueType.I64), List.of(ValueType.I64));
        MiniAsm.Body b = MiniAsm.body()
                .op(Opcode.CONST_BOOL, 2, true)
                .op(Opcode.CONST_I64, 3, 7L)
                .op(Opcode.CONST_U64, 4, 8L)
                .op(Opcode.CONST_F64, 5, 0x3ff8_0000_0000_0000L)
                .op(Opcode.CONST_DECIMAL, 6, 150L, 2)
                .op(Opcode.CONST_POOL, 7, kBytes)
                .op(Opcode.CONST_POOL, 8, kStr)
                .op(Opcode.TUPLE_NEW, 9, new int[0])
                .op(Opcode.CONST_FUNC, 10, 1)
                .op(Opcode.CLOSURE_NEW, 11, 10, 9)
                .op(Opcode.RET, 0, new int[] {3})
                .op(op, operands)
                .op(Opcode.TRAP, 0);
        a.function(List.of(ValueType.obj(7)), List.of(ValueType.I64), 14, b);
        // function 1: the closure's code, (agg) -> (i64)
        a.function(List.of(ValueType.AGG), List.of(ValueType.I64), 3, MiniAsm.body()
                .op(Opcode.CONST_I64, 2, 1L).op(Opcode.RET, 0, new int[] {2}));
        return a.build();
    }

    /** The pc of the instruction under test: just before the final 2-byte {@code trap 0}. */
    static int deadPc(Program p, Opcode op, Object[] operands) {
        return p.functions().get(0).code().length - 2 - Instruction.of(op, operands).length();
    }

    /** Operands for {@code op} with the register of class {@code cls[i]} for register operand i. */
    static Object[] operands(Opcode op, String[] cls) {
        List<Operand> ops = op.operands();
        Object[] out = new Object[ops.size()];
        int k = 0;
        for (int i = 0; i < ops.size(); i++) {
            OperandKind kind = ops.get(i).kind();
            out[i] = switch (kind) {
                case REG -> REG.get(cls[k++]);
                case REG_LIST -> new int[] {REG.get(cls[k++])};
                case CONST_ID -> CONST_I64;
                case IMM_BOOL -> true;
                case IMM_I64, IMM_U64, IMM_F64 -> 1L;
                default -> 0;
            };
        }
        return out;
    }

    private static Vector vector(String name, Opcode op, String[] cls, String refusal) {
        Object[] operands = operands(op, cls);
        Program p = withDead(op, operands);
        return new Vector(name, p, refusal, deadPc(p, op, operands));
    }

    /**
     * @return for every opcode: one vector whose registers fit (accepted), and one per register
     *     operand with a class demand where that register is of another class (refused)
     */
    public static List<Vector> all() {
        List<Vector> out = new ArrayList<>();
        for (Map.Entry<String, String> e : CLASSES.entrySet()) {
            Opcode op = Opcode.fromMnemonic(e.getKey());
            String[] want = e.getValue().isEmpty() ? new String[0] : e.getValue().split(" ");
            String[] fit = new String[want.length];
            for (int i = 0; i < want.length; i++) {
                fit[i] = switch (want[i]) {
                    case "any" -> "unit";
                    case "same", "const" -> "i64";
                    case "callee" -> "func";
                    default -> want[i];
                };
            }
            out.add(vector(e.getKey() + " fits", op, fit, null));
            for (int i = 0; i < want.length; i++) {
                String[] bad = fit.clone();
                switch (want[i]) {
                    case "any" -> {
                        // every class fits: try two more
                        bad[i] = "obj";
                        out.add(vector(e.getKey() + " operand " + i + " any: obj", op, bad, null));
                        bad[i] = "closure";
                        out.add(vector(e.getKey() + " operand " + i + " any: closure", op, bad, null));
                        continue;
                    }
                    case "callee" -> {
                        bad[i] = "closure";
                        out.add(vector(e.getKey() + " operand " + i + " callee: closure", op, bad, null));
                        bad[i] = "agg";
                    }
                    default -> bad[i] = other(fit[i]);
                }
                out.add(vector(e.getKey() + " operand " + i + " " + want[i] + " given " + bad[i], op, bad,
                        "UnstableRegTypeAt"));
            }
        }
        return out;
    }
}
