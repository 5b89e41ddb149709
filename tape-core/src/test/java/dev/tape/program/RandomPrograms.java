package dev.tape.program;

import dev.tape.format.Opcode;
import dev.tape.format.Operand;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates random well-formed programs with {@link ProgramBuilder}: random symbols (Unicode
 * included), constants of every tag (NaN payloads, -0.0 and Unicode strings included), struct and
 * array types, host and call signatures, functions whose bytecode is a random sequence of valid
 * instructions of every opcode with in-range ids and label targets, spans, names and section-11
 * shapes. The same seed always gives the same program.
 */
public final class RandomPrograms {
    private static final long[] F64_BITS = {
        0x7ff8_0000_0000_0000L, // quiet NaN
        0x7ff8_0000_0000_0001L, // quiet NaN with a payload
        0xfff0_0000_0000_0001L, // signalling NaN, sign set
        0x7ff0_0000_0000_0000L, // +inf
        0x8000_0000_0000_0000L, // -0.0
        0L,
        0x3ff8_0000_0000_0000L, // 1.5
    };
    private static final long[] EDGE_LONGS = {0, 1, -1, 63, 64, -64, -65, 127, 128, Long.MAX_VALUE, Long.MIN_VALUE,
        0xffff_ffffL, 1L << 32};
    private static final Opcode[] OPCODES = Opcode.values();

    private final Random rnd;
    private final ProgramBuilder pb = new ProgramBuilder();

    private RandomPrograms(long seed) {
        this.rnd = new Random(seed);
    }

    /**
     * @param seed the seed
     * @return a builder holding a random program; {@code build()} succeeds on it
     */
    public static ProgramBuilder builder(long seed) {
        return new RandomPrograms(seed).generate();
    }

    /**
     * @param seed the seed
     * @return a random program
     */
    public static Program program(long seed) {
        return builder(seed).build();
    }

    private boolean chance(int percent) {
        return rnd.nextInt(100) < percent;
    }

    private long anyLong() {
        return chance(40) ? EDGE_LONGS[rnd.nextInt(EDGE_LONGS.length)] : rnd.nextLong() >> rnd.nextInt(64);
    }

    String string() {
        int n = rnd.nextInt(7);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = switch (rnd.nextInt(5)) {
                case 0 -> 'a' + rnd.nextInt(26);
                case 1 -> 0x20 + rnd.nextInt(0x5f);
                case 2 -> 0xa0 + rnd.nextInt(0x700);            // Latin, Greek, Cyrillic...
                case 3 -> 0x4e00 + rnd.nextInt(0x5000);         // CJK
                default -> 0x1f300 + rnd.nextInt(0x300);        // emoji: outside the BMP
            };
            b.appendCodePoint(cp);
        }
        return b.toString();
    }

    ValueType valueType() {
        ValueKind k = ValueKind.fromTag(rnd.nextInt(12));
        return k == ValueKind.OBJ ? ValueType.obj(anyLong()) : ValueType.of(k);
    }

    private List<ValueType> valueTypes(int max) {
        int n = rnd.nextInt(max + 1);
        List<ValueType> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(valueType());
        }
        return out;
    }

    private Constant constant() {
        return switch (rnd.nextInt(8)) {
            case 0 -> new Constant.Unit();
            case 1 -> new Constant.Bool(rnd.nextBoolean());
            case 2 -> new Constant.I64(anyLong());
            case 3 -> new Constant.U64(anyLong());
            case 4 -> new Constant.F64(chance(70) ? F64_BITS[rnd.nextInt(F64_BITS.length)] : rnd.nextLong());
            case 5 -> new Constant.Decimal(anyLong(), rnd.nextInt(256));
            case 6 -> {
                byte[] b = new byte[rnd.nextInt(6)];
                rnd.nextBytes(b);
                yield new Constant.Bytes(b);
            }
            default -> new Constant.Str(string());
        };
    }

    private ProgramBuilder generate() {
        for (int i = rnd.nextInt(5); i > 0; i--) {
            pb.symbol(string());
        }
        for (int i = rnd.nextInt(9); i > 0; i--) {
            pb.constant(constant());
        }
        String[] fieldPool = {"x", "y", "flag", string(), string()};
        for (int i = rnd.nextInt(4); i > 0; i--) {
            List<Map.Entry<String, ValueType>> fields = new ArrayList<>();
            for (int f = rnd.nextInt(4); f > 0; f--) {
                fields.add(Map.entry(fieldPool[rnd.nextInt(fieldPool.length)], valueType()));
            }
            pb.structType(fields);
        }
        for (int i = rnd.nextInt(4); i > 0; i--) {
            pb.arrayElem(valueType());
        }
        for (int i = rnd.nextInt(4); i > 0; i--) {
            pb.hostSig(chance(50) ? "test." + string() : "test.id", valueTypes(3), valueTypes(2));
        }
        for (int i = rnd.nextInt(4); i > 0; i--) {
            pb.callSig(valueTypes(3), valueTypes(2));
        }
        int nFuncs = 1 + rnd.nextInt(4);
        for (int i = 0; i < nFuncs; i++) {
            pb.declareFunction(valueTypes(3), valueTypes(2));
        }
        Program shape = pb.buildUnchecked();
        for (int i = 0; i < nFuncs; i++) {
            body(i);
        }
        for (int i = 0; i < nFuncs; i++) {
            Function f = shape.functions().get(i);
            if (chance(30)) {
                pb.functionName(i, string());
            }
            if (f.argCount() > 0 && chance(30)) {
                pb.argName(i, rnd.nextInt(f.argCount()), string());
            }
            if (f.retCount() > 0 && chance(20)) {
                pb.retName(i, rnd.nextInt(f.retCount()), string());
            }
            if (f.argCount() > 0 && chance(40)) {
                pb.argShape(i, rnd.nextInt(f.argCount()), aggShape(shape));
            }
        }
        if (chance(30)) {
            pb.programName(string());
        }
        return pb;
    }

    private AggShape aggShape(Program shape) {
        int structs = shape.types().structs().size();
        int elems = shape.types().arrayElems().size();
        int kind = rnd.nextInt(3);
        if (kind == 1 && structs > 0) {
            return new AggShape.Struct(rnd.nextInt(structs));
        }
        if (kind == 2 && elems > 0) {
            return new AggShape.Array(rnd.nextInt(elems));
        }
        List<ValueType> ts = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            ts.add(chance(30) ? null : valueType());
        }
        return new AggShape.Tuple(ts);
    }

    private void body(int funcId) {
        Program tables = pb.buildUnchecked();
        FunctionBuilder f = pb.function(funcId);
        int n = rnd.nextInt(13);
        List<FunctionBuilder.Label> labels = new ArrayList<>();
        List<Integer> placeAt = new ArrayList<>();
        if (n > 0) {
            for (int i = rnd.nextInt(4); i > 0; i--) {
                labels.add(chance(40) ? f.namedLabel(string()) : f.newLabel());
                placeAt.add(rnd.nextInt(n));
            }
        }
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < labels.size(); l++) {
                if (placeAt.get(l) == i) {
                    f.place(labels.get(l));
                }
            }
            if (chance(20)) {
                f.span(rnd.nextBoolean() ? 1 + rnd.nextInt(100) : anyLong() | 1);
                if (chance(20)) {
                    f.span(1 + rnd.nextInt(100));
                }
            }
            Object[] ops = null;
            Opcode op = null;
            while (ops == null) {
                op = OPCODES[rnd.nextInt(OPCODES.length)];
                ops = operands(op, tables, labels);
            }
            f.emit(op, ops);
        }
        if (chance(10)) {
            f.place(f.namedLabel("end"));
        }
        if (chance(15)) {
            f.regCount(f.regCount() + rnd.nextInt(4));
        }
    }

    private int reg() {
        return chance(90) ? rnd.nextInt(16) : rnd.nextInt(400);
    }

    /** @return operands for {@code op}, or null when a table it needs is empty */
    private Object[] operands(Opcode op, Program tables, List<FunctionBuilder.Label> labels) {
        List<Operand> schema = op.operands();
        Object[] out = new Object[schema.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (schema.get(i).kind()) {
                case REG -> reg();
                case REG_LIST -> {
                    int[] regs = new int[rnd.nextInt(4)];
                    for (int k = 0; k < regs.length; k++) {
                        regs[k] = reg();
                    }
                    yield regs;
                }
                case PC -> labels.isEmpty() ? (Object) 0 : labels.get(rnd.nextInt(labels.size()));
                case IMM_BOOL -> rnd.nextBoolean();
                case IMM_I64, IMM_U64, IMM_F64 -> anyLong();
                case IMM_U8 -> rnd.nextInt(256);
                case IMM_U32, TRAP_CODE -> chance(80) ? (long) rnd.nextInt(300) : anyLong() & 0xffff_ffffL;
                case CONST_ID -> id(tables.constants().size());
                case FUNC_ID -> id(tables.functions().size());
                case HOST_SIG_ID -> id(tables.hostSigs().size());
                case CALL_SIG_ID -> id(tables.callSigs().size());
                case TYPE_ID -> id(tables.types().structs().size());
                case ELEM_TYPE_ID -> id(tables.types().arrayElems().size());
            };
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }

    private Integer id(int count) {
        return count == 0 ? null : rnd.nextInt(count);
    }
}
