package dev.tape.fuzz;

import dev.tape.program.AggShape;
import dev.tape.program.Program;
import dev.tape.program.StructType;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes run arguments of exactly the declared types for a function: edge values most of the time
 * (0, 1, -1, the extremes, NaN, -0.0, empty and multi-byte strings), random ones otherwise. An
 * {@code agg} argument follows the function's section-11 shape when it has one (so projections
 * see the element types the verifier assumed), else it is a small tuple. The same seed always
 * gives the same arguments.
 */
public final class FuzzArgs {
    private static final long[] LONGS = {0, 1, -1, 2, 7, 63, 64, 100, Long.MAX_VALUE, Long.MIN_VALUE, 0xffff_ffffL};
    private static final long[] F64_BITS = {
        0L, 0x8000_0000_0000_0000L, 0x3ff0_0000_0000_0000L, 0xbff8_0000_0000_0000L, 0x7ff8_0000_0000_0000L,
        0xfff8_0000_0000_0001L, 0x7ff0_0000_0000_0000L, 0xfff0_0000_0000_0000L, 0x43e0_0000_0000_0000L,
        0x43f0_0000_0000_0000L, 1L,
    };
    private static final String[] STRINGS = {"", "a", "héllo", "日本", "🙂x", "abcdefghij"};

    private final SplittableRandom rnd;
    private final Program program;
    private int budget = 64;

    private FuzzArgs(Program program, long seed) {
        this.program = program;
        this.rnd = new SplittableRandom(seed);
    }

    /**
     * @param program the program
     * @param func a function id of the program
     * @param seed the seed
     * @return one argument per declared parameter of {@code func}, each of exactly its type
     */
    public static List<Value> forFunction(Program program, int func, long seed) {
        FuzzArgs g = new FuzzArgs(program, seed);
        List<ValueType> types = program.functions().get(func).sig().args();
        AggShape[] shapes = new AggShape[types.size()];
        for (AggShape.ArgShape s : program.argShapes()) {
            if (s.funcId() == func && s.arg() >= 0 && s.arg() < shapes.length) {
                shapes[s.arg()] = s.shape();
            }
        }
        List<Value> out = new ArrayList<>(types.size());
        for (int i = 0; i < types.size(); i++) {
            out.add(g.value(types.get(i), shapes[i], 0));
        }
        return out;
    }

    /**
     * @param t a type
     * @param slot a small number that varies the value
     * @return a fixed value of that type
     */
    public static Value fixed(ValueType t, int slot) {
        return switch (t.kind()) {
            case UNIT -> Value.UNIT;
            case BOOL -> Value.bool(slot % 2 == 0);
            case I64 -> Value.i64(slot + 1);
            case U64 -> Value.u64(slot + 1);
            case F64 -> Value.f64(slot + 0.5);
            case DECIMAL -> Value.decimal(slot + 10, 1);
            case BYTES -> Value.bytes(new byte[] {(byte) slot});
            case STR -> Value.str("s" + slot);
            case OBJ -> new Value.Obj(t.hostType(), slot);
            case AGG -> Value.tuple(List.of());
            case FUNC -> Value.func(0);
            case CLOSURE -> new Value.Closure(0, Value.tuple(List.of()));
        };
    }

    private long anyLong() {
        return rnd.nextInt(4) == 0 ? rnd.nextLong() : LONGS[rnd.nextInt(LONGS.length)];
    }

    private Value value(ValueType t, AggShape shape, int depth) {
        budget--;
        return switch (t.kind()) {
            case UNIT -> Value.UNIT;
            case BOOL -> Value.bool(rnd.nextBoolean());
            case I64 -> Value.i64(anyLong());
            case U64 -> Value.u64(anyLong());
            case F64 -> Value.f64Bits(rnd.nextInt(3) == 0 ? rnd.nextLong() : F64_BITS[rnd.nextInt(F64_BITS.length)]);
            case DECIMAL -> Value.decimal(anyLong(), rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(4));
            case BYTES -> {
                byte[] b = new byte[rnd.nextInt(9)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
                yield Value.bytes(b);
            }
            case STR -> Value.Str.fromUtf8(STRINGS[rnd.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8));
            case OBJ -> new Value.Obj(t.hostType(), anyLong());
            case AGG -> agg(shape, depth);
            case FUNC -> Value.func(func());
            case CLOSURE -> new Value.Closure(func(), (Aggregate) agg(null, depth));
        };
    }

    private int func() {
        int n = program.functions().size();
        // mostly a real function; sometimes an id past the end, which call.indirect must reject
        return rnd.nextInt(8) == 0 ? n + rnd.nextInt(3) : rnd.nextInt(Math.max(1, n));
    }

    private Value agg(AggShape shape, int depth) {
        if (shape instanceof AggShape.Tuple tu) {
            List<Value> vs = new ArrayList<>();
            for (ValueType e : tu.elems()) {
                vs.add(inner(e == null ? ValueType.I64 : e, depth));
            }
            return Value.tuple(vs);
        }
        if (shape instanceof AggShape.Struct st && st.typeId() < program.types().structs().size()) {
            StructType s = program.types().structs().get(st.typeId());
            List<Value> vs = new ArrayList<>();
            for (StructType.Field f : s.fields()) {
                vs.add(inner(f.type(), depth));
            }
            return Aggregate.of(Aggregate.Kind.STRUCT, st.typeId(), vs);
        }
        if (shape instanceof AggShape.Array ar && ar.elemTypeId() < program.types().arrayElems().size()) {
            ValueType e = program.types().arrayElems().get(ar.elemTypeId());
            int n = budget > 0 ? rnd.nextInt(5) : 0;
            List<Value> vs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                vs.add(inner(e, depth));
            }
            return Aggregate.of(Aggregate.Kind.ARRAY, ar.elemTypeId(), vs);
        }
        int n = budget > 0 ? rnd.nextInt(4) : 0;
        List<Value> vs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            vs.add(Value.i64(anyLong()));
        }
        return Value.tuple(vs);
    }

    private Value inner(ValueType t, int depth) {
        if (t.kind() == ValueKind.AGG || t.kind() == ValueKind.CLOSURE) {
            if (depth >= 3 || budget <= 0) {
                return t.kind() == ValueKind.AGG ? Value.tuple(List.of())
                        : new Value.Closure(0, Value.tuple(List.of()));
            }
        }
        return value(t, null, depth + 1);
    }
}
