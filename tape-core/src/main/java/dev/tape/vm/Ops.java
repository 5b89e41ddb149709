package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;

/**
 * The instructions kept out of the hot dispatch method: float edge cases, division, conversions,
 * decimals, bytes and strings, aggregates and closures. Each returns the next code index.
 * ({@code dec.add}, {@code dec.sub}, {@code dec.mul} and {@code i64.to_dec} run in the
 * interpreter's loop itself, through the same {@link Numerics} helpers; their cases here serve
 * callers that hand any instruction to {@link #slow}.)
 */
final class Ops {
    private Ops() {}

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    private static long b(double v) {
        return Double.doubleToRawLongBits(v);
    }

    static int slow(Vm vm, ExecutionContext c, int[] code, int ip, int base) {
        byte[][] tags = vm.image.tags();
        long[] w = c.w;
        Object[] r = c.r;
        // a superinstruction's first half alone (callers other than the interpreter's loop)
        int op = LOp.plain(code[ip]);
        int dst = base + code[ip + 1];
        switch (op) {
            case Op.U64_GT -> w[dst] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) > 0 ? 1 : 0;
            case Op.U64_LE -> w[dst] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) <= 0 ? 1 : 0;
            case Op.U64_GE -> w[dst] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) >= 0 ? 1 : 0;
            case Op.F64_EQ -> w[dst] = d(w[base + code[ip + 2]]) == d(w[base + code[ip + 3]]) ? 1 : 0;
            case Op.F64_GT -> w[dst] = d(w[base + code[ip + 2]]) > d(w[base + code[ip + 3]]) ? 1 : 0;
            case Op.F64_LE -> w[dst] = d(w[base + code[ip + 2]]) <= d(w[base + code[ip + 3]]) ? 1 : 0;
            case Op.F64_GE -> w[dst] = d(w[base + code[ip + 2]]) >= d(w[base + code[ip + 3]]) ? 1 : 0;
            case Op.F64_REM -> w[dst] = Numerics.rem(w[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.F64_MIN -> w[dst] = Numerics.min(w[base + code[ip + 2]], w[base + code[ip + 3]], false);
            case Op.F64_MAX -> w[dst] = Numerics.max(w[base + code[ip + 2]], w[base + code[ip + 3]], false);
            case Op.F64_MIN_NUM -> w[dst] = Numerics.min(w[base + code[ip + 2]], w[base + code[ip + 3]], true);
            case Op.F64_MAX_NUM -> w[dst] = Numerics.max(w[base + code[ip + 2]], w[base + code[ip + 3]], true);
            case Op.F64_NEG -> {
                w[dst] = w[base + code[ip + 2]] ^ Long.MIN_VALUE;
                return ip + 3;
            }
            case Op.F64_ABS -> {
                w[dst] = w[base + code[ip + 2]] & Long.MAX_VALUE;
                return ip + 3;
            }
            case Op.F64_TO_BITS, Op.F64_FROM_BITS -> {
                w[dst] = w[base + code[ip + 2]];
                return ip + 3;
            }
            case Op.I64_DIV -> w[dst] = Numerics.i64Div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.I64_REM -> w[dst] = Numerics.i64Rem(w[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.U64_DIV -> w[dst] = Numerics.u64Div(w[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.U64_REM -> w[dst] = Numerics.u64Rem(w[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.U64_TO_I64 -> {
                w[dst] = Numerics.u64ToI64(w[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.I64_TO_U64 -> {
                w[dst] = Numerics.i64ToU64(w[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.U64_TO_F64 -> {
                w[dst] = b(Numerics.u64ToF64(w[base + code[ip + 2]]));
                return ip + 3;
            }
            case Op.F64_TO_I64 -> {
                w[dst] = Numerics.toI64(w[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.F64_TO_U64 -> {
                w[dst] = Numerics.toU64(w[base + code[ip + 2]]);
                return ip + 3;
            }
            // a decimal operand may be unboxed (DecScale); results here are boxed
            case Op.DEC_ADD, Op.DEC_SUB, Op.DEC_MUL -> {
                int x = base + code[ip + 2];
                int y = base + code[ip + 3];
                Object xo = r[x];
                Object yo = r[y];
                long xm = DecScale.mantissa(xo, w[x]);
                int xs = DecScale.scale(xo);
                long ym = DecScale.mantissa(yo, w[y]);
                int ys = DecScale.scale(yo);
                r[dst] = op == Op.DEC_MUL ? new Value.Decimal(Numerics.decMul(xm, xs, ym, ys), xs + ys)
                        : new Value.Decimal(Numerics.decAdd(xm, xs, ym, ys, op == Op.DEC_SUB), xs);
            }
            case Op.DEC_TO_I64, Op.DEC_TO_U64 -> {
                int x = base + code[ip + 2];
                Object xo = r[x];
                long m = DecScale.mantissa(xo, w[x]);
                w[dst] = op == Op.DEC_TO_I64 ? Numerics.decToI64(m, DecScale.scale(xo))
                        : Numerics.decToU64(m, DecScale.scale(xo));
                return ip + 3;
            }
            case Op.I64_TO_DEC -> r[dst] = Numerics.i64ToDec(w[base + code[ip + 2]], code[ip + 3]);
            case Op.U64_TO_DEC -> r[dst] = Numerics.u64ToDec(w[base + code[ip + 2]], code[ip + 3]);
            case Op.BYTES_EQ, Op.STR_EQ -> w[dst] = Texts.eq(c, r[base + code[ip + 2]], r[base + code[ip + 3]]) ? 1 : 0;
            case Op.BYTES_CONCAT -> r[dst] = Texts.V.adoptBytes(Texts.concat(c, r[base + code[ip + 2]], r[base + code[ip + 3]]));
            case Op.STR_CONCAT -> r[dst] = Texts.strConcat(c, r[base + code[ip + 2]], r[base + code[ip + 3]]);
            case Op.BYTES_LEN, Op.STR_LEN -> {
                w[dst] = Texts.lengthOf(r[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.BYTES_GET -> w[dst] = Texts.get(r[base + code[ip + 2]], w[base + code[ip + 3]]);
            case Op.BYTES_GET_IMM -> w[dst] = Texts.get(r[base + code[ip + 2]], code[ip + 3] & 0xFFFFFFFFL);
            case Op.BYTES_SLICE -> {
                r[dst] = Texts.bytesSlice(c, r[base + code[ip + 2]], w[base + code[ip + 3]], w[base + code[ip + 4]]);
                return ip + 5;
            }
            case Op.STR_SLICE -> {
                r[dst] = Texts.strSlice(c, r[base + code[ip + 2]], w[base + code[ip + 3]], w[base + code[ip + 4]]);
                return ip + 5;
            }
            case Op.STR_TO_BYTES -> {
                r[dst] = Texts.toBytes(c, r[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.BYTES_TO_STR -> {
                r[dst] = Texts.toStr(c, r[base + code[ip + 2]]);
                return ip + 3;
            }
            case Op.CLOSURE_NEW -> {
                c.allocate(24);
                Object env = r[base + code[ip + 3]];
                r[dst] = new Value.Closure((int) w[base + code[ip + 2]], (Aggregate) env);
            }
            case Op.TUPLE_NEW -> {
                int n = code[ip + 3];
                r[dst] = build(c, Aggregate.Kind.TUPLE, 0, tags[code[ip + 2]], code, ip + 4, n, base);
                return ip + 4 + n;
            }
            case Op.STRUCT_NEW, Op.ARRAY_NEW -> {
                int n = code[ip + 4];
                r[dst] = build(c, op == Op.STRUCT_NEW ? Aggregate.Kind.STRUCT : Aggregate.Kind.ARRAY, code[ip + 2],
                        tags[code[ip + 3]], code, ip + 5, n, base);
                return ip + 5 + n;
            }
            case Op.TUPLE_LEN -> {
                w[dst] = agg(r[base + code[ip + 2]], Aggregate.Kind.TUPLE).size();
                return ip + 3;
            }
            case Op.STRUCT_FIELD_COUNT -> {
                w[dst] = agg(r[base + code[ip + 2]], Aggregate.Kind.STRUCT).size();
                return ip + 3;
            }
            case Op.ARRAY_LEN -> {
                w[dst] = agg(r[base + code[ip + 2]], Aggregate.Kind.ARRAY).size();
                return ip + 3;
            }
            case LOp.TUPLE_GET_W, LOp.TUPLE_GET_R -> {
                project(c, code, ip, base, Aggregate.Kind.TUPLE, code[ip + 3] & 0xFFFFFFFFL, op == LOp.TUPLE_GET_W);
                return ip + 5;
            }
            case LOp.STRUCT_GET_W, LOp.STRUCT_GET_R -> {
                project(c, code, ip, base, Aggregate.Kind.STRUCT, code[ip + 3] & 0xFFFFFFFFL, op == LOp.STRUCT_GET_W);
                return ip + 5;
            }
            case LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R -> {
                project(c, code, ip, base, Aggregate.Kind.ARRAY, code[ip + 3] & 0xFFFFFFFFL, op == LOp.ARRAY_GET_IMM_W);
                return ip + 5;
            }
            case LOp.ARRAY_GET_W, LOp.ARRAY_GET_R -> {
                project(c, code, ip, base, Aggregate.Kind.ARRAY, w[base + code[ip + 3]], op == LOp.ARRAY_GET_W);
                return ip + 5;
            }
            case Op.I64_TO_F64 -> {
                w[dst] = b((double) w[base + code[ip + 2]]);
                return ip + 3;
            }
            case LOp.NO_CODE -> throw noCode();
            default -> throw new VmTrap(TrapKind.INTERNAL_ERROR, "no implementation for lowered op " + op);
        }
        return ip + 4;
    }

    /**
     * The trap of running a function whose bytecode is empty ({@link LOp#NO_CODE}): kind
     * {@link TrapKind#INVALID_ENTRY}, at pc 0 of that function. Both tiers throw this one.
     */
    static VmTrap noCode() {
        return new VmTrap(TrapKind.INVALID_ENTRY, "the function has no code (its bytecode is 0 bytes)");
    }

    static Aggregate agg(Object o, Aggregate.Kind kind) {
        if (!(o instanceof Aggregate a)) {
            throw new VmTrap(TrapKind.AGG_ERROR, "the register does not hold an aggregate");
        }
        if (a.aggKind() != kind) {
            throw new VmTrap(TrapKind.AGG_ERROR, "expected a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + ", found a " + a.aggKind().name().toLowerCase(java.util.Locale.ROOT));
        }
        return a;
    }

    static void project(ExecutionContext c, int[] code, int ip, int base, Aggregate.Kind kind, long index,
                                boolean word) {
        Aggregate a = agg(c.r[base + code[ip + 2]], kind);
        if (Long.compareUnsigned(index, a.size()) >= 0) {
            throw new VmTrap(TrapKind.AGG_ERROR, "index " + Long.toUnsignedString(index) + " is out of range for "
                    + a.size() + " elements");
        }
        int i = (int) index;
        if (a.tag(i) != code[ip + 4]) {
            throw new VmTrap(TrapKind.TYPE_MISMATCH, "element " + i + " is " + a.elementKind(i)
                    + ", not the type the verifier expected");
        }
        int dst = base + code[ip + 1];
        if (word) {
            c.w[dst] = a.word(i);
        } else {
            c.r[dst] = a.ref(i);
        }
    }

    /**
     * The heap charge of an aggregate of {@code n} elements: 32 bytes plus 9 per element (its
     * object, tags and words); one holding a reference element is charged {@link #referenceBytes}
     * more. Both tiers charge through these two.
     *
     * @param n the element count (0 or more)
     * @return bytes
     */
    static long aggregateBytes(int n) {
        return 32 + 9L * n;
    }

    /**
     * @param n the element count of an aggregate with a reference element
     * @return the bytes its reference array is charged, 8 per element
     */
    static long referenceBytes(int n) {
        return 8L * n;
    }

    /**
     * {@code tuple.new} of word-register elements only ({@link dev.tape.verify.internal.LOp#TUPLE_NEW_W}):
     * the same elements and heap charge as {@link #build}, without the per-element class test; two
     * elements make a word pair ({@code ValueInternals.pair}), one allocation.
     */
    static Aggregate tupleOfWords(ExecutionContext c, byte[] tags, long[] w, int[] code, int at, int n, int base) {
        c.allocate(aggregateBytes(n));
        if (n == 2) {
            // pairs are the common case: the words go into the aggregate itself (one allocation)
            return Texts.V.pair(Aggregate.Kind.TUPLE, 0, tags, w[base + code[at]], w[base + code[at + 1]]);
        }
        long[] bits = new long[n];
        for (int i = 0; i < n; i++) {
            bits[i] = w[base + code[at + i]];
        }
        return Texts.V.aggregate(Aggregate.Kind.TUPLE, 0, tags, bits, null);
    }

    private static Aggregate build(ExecutionContext c, Aggregate.Kind kind, int typeId, byte[] tags, int[] code, int at,
                                   int n, int base) {
        c.allocate(aggregateBytes(n));
        long[] bits = new long[n];
        Object[] refs = null;
        for (int i = 0; i < n; i++) {
            int reg = base + code[at + i];
            int t = tags[i];
            if (t == 1 || t == 2 || t == 3 || t == 4 || t == 10) {
                bits[i] = c.w[reg];
            } else if (t != 0) {
                if (refs == null) {
                    refs = new Object[n];
                    c.allocate(referenceBytes(n));
                }
                refs[i] = DecScale.take(c.r, c.w, reg);
            }
        }
        return Texts.V.aggregate(kind, typeId, tags, bits, refs);
    }
}
