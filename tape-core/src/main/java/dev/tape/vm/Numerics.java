package dev.tape.vm;

import dev.tape.value.Value;

/**
 * Numeric semantics that the conformance vectors pin down ({@code reference/README.md},
 * "Execution semantics"): float min/max with canonical NaN, float-to-int ranges, unsigned
 * conversions, decimal arithmetic.
 */
final class Numerics {
    private Numerics() {}

    static final long CANONICAL_NAN = 0x7ff8000000000000L;
    /** The NaN an invalid operation on two non-NaN operands gives (x86's "real indefinite"). */
    private static final long DEFAULT_NAN = 0xfff8000000000000L;
    private static final long QUIET_BIT = 0x0008000000000000L;
    private static final double TWO_63 = 9.223372036854775808E18;
    private static final double TWO_64 = 1.8446744073709551616E19;

    /** the exponent bits of an f64: all set in an infinity or a NaN */
    private static final long EXP = 0x7ff0000000000000L;

    /**
     * f64 sum of two operands given as bits, with the NaN rule of {@link #nanBits}. The f64
     * arithmetic methods test their operands' bits: add, sub and mul of finite operands never give
     * a NaN, and div only for {@code 0 / 0}, so an infinite or NaN operand (or a zero divisor)
     * takes the exact path and everything else is one hardware operation. (The test costs compiled
     * code about 0.6 ns per operation on the f64_loop benchmark, whether it tests the operands or
     * the result; a branch-free fix-up of the result cost four times that.)
     *
     * @param a the bits of the left operand
     * @param b the bits of the right operand
     * @return the bits of {@code a + b}
     */
    static long add(long a, long b) {
        if (!finite(a, b)) {
            return special(ADD, a, b);
        }
        return Double.doubleToRawLongBits(Double.longBitsToDouble(a) + Double.longBitsToDouble(b));
    }

    /** f64 difference {@code a - b} on bits, with the NaN rule of {@link #nanBits}. */
    static long sub(long a, long b) {
        if (!finite(a, b)) {
            return special(SUB, a, b);
        }
        return Double.doubleToRawLongBits(Double.longBitsToDouble(a) - Double.longBitsToDouble(b));
    }

    /** f64 product {@code a * b} on bits, with the NaN rule of {@link #nanBits}. */
    static long mul(long a, long b) {
        if (!finite(a, b)) {
            return special(MUL, a, b);
        }
        return Double.doubleToRawLongBits(Double.longBitsToDouble(a) * Double.longBitsToDouble(b));
    }

    /** f64 quotient {@code a / b} on bits, with the NaN rule of {@link #nanBits}. */
    static long div(long a, long b) {
        if (!finite(a, b) || (b & Long.MAX_VALUE) == 0) {
            return special(DIV, a, b);
        }
        return Double.doubleToRawLongBits(Double.longBitsToDouble(a) / Double.longBitsToDouble(b));
    }

    /** f64 remainder {@code a % b} (C fmod) on bits, with the NaN rule of {@link #nanBits}. */
    static long rem(long a, long b) {
        return special(REM, a, b);
    }

    /**
     * f64 sum on doubles, for the compiled tier's {@code double} locals (tape-jit's
     * {@code F64Locals}): the hardware result when it is not NaN (then it is the one {@link #add}
     * gives: IEEE-754 sums are exact functions of the operands), else the NaN of {@link #nanBits}
     * on the operands' raw bits, so the bits are {@link #add}'s always.
     *
     * @param a the left operand
     * @param b the right operand
     * @return {@code a + b}, as {@code longBitsToDouble(add(raw(a), raw(b)))}
     */
    static double addD(double a, double b) {
        double r = a + b;
        return r == r ? r : nanD(a, b);
    }

    /** f64 difference on doubles, with {@link #sub}'s bits ({@link #addD}). */
    static double subD(double a, double b) {
        double r = a - b;
        return r == r ? r : nanD(a, b);
    }

    /** f64 product on doubles, with {@link #mul}'s bits ({@link #addD}). */
    static double mulD(double a, double b) {
        double r = a * b;
        return r == r ? r : nanD(a, b);
    }

    /** f64 quotient on doubles, with {@link #div}'s bits ({@link #addD}). */
    static double divD(double a, double b) {
        double r = a / b;
        return r == r ? r : nanD(a, b);
    }

    /** The NaN rule of {@link #nanBits} on doubles (out of line: the rare path). */
    private static double nanD(double a, double b) {
        return Double.longBitsToDouble(nanBits(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b)));
    }

    /** @return whether both operands (as bits) are finite: neither infinite nor NaN */
    private static boolean finite(long a, long b) {
        return (a & EXP) != EXP && (b & EXP) != EXP;
    }

    private static final int ADD = 0;
    private static final int SUB = 1;
    private static final int MUL = 2;
    private static final int DIV = 3;
    private static final int REM = 4;

    /** An f64 operation (ADD..REM) whose result may be NaN, with the rule applied to a NaN result. */
    private static long special(int op, long abits, long bbits) {
        double a = Double.longBitsToDouble(abits);
        double b = Double.longBitsToDouble(bbits);
        double r = switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            default -> a % b;
        };
        return r == r ? Double.doubleToRawLongBits(r) : nanBits(abits, bbits);
    }

    /**
     * The NaN that an f64 add, sub, mul, div or rem gives when its result is NaN: the first operand
     * if it is a NaN, else the second if it is, quieted (quiet bit set, payload and sign kept);
     * else, for an invalid operation on numbers ({@code inf - inf}, {@code 0 * inf}, {@code 0 / 0},
     * {@code x % 0}, {@code inf % x}), {@link #DEFAULT_NAN}. This is x86-64's SSE rule, which the
     * reference's conformance vectors record (for example {@code f64_add_1}, {@code f64_add_4} and
     * {@code f64_rem_2}). Java leaves the payload to the hardware and lets the JIT compiler swap
     * the operands of a commutative operation, so the payload of {@code NaN + NaN} could differ
     * between runs and tiers; both tiers call these methods, so it never does.
     *
     * @param a the bits of the left operand
     * @param b the bits of the right operand
     * @return the bits of the NaN result
     */
    static long nanBits(long a, long b) {
        if ((a & Long.MAX_VALUE) > EXP) {
            return a | QUIET_BIT;
        }
        if ((b & Long.MAX_VALUE) > EXP) {
            return b | QUIET_BIT;
        }
        return DEFAULT_NAN;
    }

    static long min(long abits, long bbits, boolean numberFavoring) {
        return pick(abits, bbits, numberFavoring, false);
    }

    static long max(long abits, long bbits, boolean numberFavoring) {
        return pick(abits, bbits, numberFavoring, true);
    }

    /**
     * f64 min/max on bits: a NaN input gives the canonical NaN (or, when number-favoring and only
     * one input is NaN, the other input); between zeros of different signs min gives -0.0 and max
     * +0.0; otherwise the smaller (larger) input, {@code a} when they are equal.
     */
    private static long pick(long abits, long bbits, boolean numberFavoring, boolean max) {
        double a = Double.longBitsToDouble(abits);
        double b = Double.longBitsToDouble(bbits);
        boolean an = a != a;
        boolean bn = b != b;
        if (an || bn) {
            if (numberFavoring && !(an && bn)) {
                return an ? bbits : abits;
            }
            return CANONICAL_NAN;
        }
        if (a != b) {
            return (a < b) != max ? abits : bbits;
        }
        if (a == 0.0) {
            return max ? (abits & bbits) : (abits | bbits);
        }
        return abits;
    }

    static long toI64(long bits) {
        double a = Double.longBitsToDouble(bits);
        if (Double.isNaN(a) || Double.isInfinite(a)) {
            throw new VmTrap(TrapKind.FLOAT_TO_INT_INVALID, "f64 " + a + " has no integer value");
        }
        if (a < -TWO_63 || a > TWO_63) {
            throw new VmTrap(TrapKind.INT_CAST_OVERFLOW, "f64 " + a + " is out of the i64 range");
        }
        return (long) a;
    }

    static long toU64(long bits) {
        double a = Double.longBitsToDouble(bits);
        if (Double.isNaN(a) || Double.isInfinite(a)) {
            throw new VmTrap(TrapKind.FLOAT_TO_INT_INVALID, "f64 " + a + " has no integer value");
        }
        if (a < 0.0 || a > TWO_64) {
            throw new VmTrap(TrapKind.INT_CAST_OVERFLOW, "f64 " + a + " is out of the u64 range");
        }
        if (a >= TWO_64) {
            return -1L;
        }
        if (a >= TWO_63) {
            return ((long) (a - TWO_63)) ^ Long.MIN_VALUE;
        }
        return (long) a;
    }

    static double u64ToF64(long v) {
        if (v >= 0) {
            return (double) v;
        }
        // round to nearest even: halve keeping the sticky bit, convert, double
        return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }

    static long u64ToI64(long v) {
        if (v < 0) {
            throw new VmTrap(TrapKind.INT_CAST_OVERFLOW, "u64 " + Long.toUnsignedString(v) + " exceeds i64 max");
        }
        return v;
    }

    static long i64ToU64(long v) {
        if (v < 0) {
            throw new VmTrap(TrapKind.INT_CAST_OVERFLOW, "i64 " + v + " is negative");
        }
        return v;
    }

    static long i64Div(long a, long b) {
        if (b == 0) {
            throw new VmTrap(TrapKind.DIV_BY_ZERO, "i64 division by zero");
        }
        if (a == Long.MIN_VALUE && b == -1) {
            throw new VmTrap(TrapKind.INT_DIV_OVERFLOW, "i64 MIN / -1 overflows");
        }
        return a / b;
    }

    static long i64Rem(long a, long b) {
        if (b == 0) {
            throw new VmTrap(TrapKind.DIV_BY_ZERO, "i64 remainder by zero");
        }
        if (a == Long.MIN_VALUE && b == -1) {
            throw new VmTrap(TrapKind.INT_DIV_OVERFLOW, "i64 MIN % -1 overflows");
        }
        return a % b;
    }

    static long u64Div(long a, long b) {
        if (b == 0) {
            throw new VmTrap(TrapKind.DIV_BY_ZERO, "u64 division by zero");
        }
        return Long.divideUnsigned(a, b);
    }

    static long u64Rem(long a, long b) {
        if (b == 0) {
            throw new VmTrap(TrapKind.DIV_BY_ZERO, "u64 remainder by zero");
        }
        return Long.remainderUnsigned(a, b);
    }

    static Value.Decimal decAdd(Object x, Object y, boolean subtract) {
        Value.Decimal a = (Value.Decimal) x;
        Value.Decimal b = (Value.Decimal) y;
        return new Value.Decimal(decAdd(a.mantissa(), a.scale(), b.mantissa(), b.scale(), subtract), a.scale());
    }

    static Value.Decimal decMul(Object x, Object y) {
        Value.Decimal a = (Value.Decimal) x;
        Value.Decimal b = (Value.Decimal) y;
        return new Value.Decimal(decMul(a.mantissa(), a.scale(), b.mantissa(), b.scale()), a.scale() + b.scale());
    }

    static long decToI64(Object x) {
        Value.Decimal a = (Value.Decimal) x;
        return decToI64(a.mantissa(), a.scale());
    }

    static long decToU64(Object x) {
        Value.Decimal a = (Value.Decimal) x;
        return decToU64(a.mantissa(), a.scale());
    }

    /** 10^0 to 10^18: every power of ten that fits an i64 */
    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
        10_000_000_000_000L, 100_000_000_000_000L, 1_000_000_000_000_000L, 10_000_000_000_000_000L,
        100_000_000_000_000_000L, 1_000_000_000_000_000_000L};

    /**
     * @param scale 0 to 255 (an operand of {@code i64.to_dec}/{@code u64.to_dec})
     * @return 10^scale
     * @throws VmTrap {@code decimal_overflow} when 10^scale does not fit an i64 (scale above 18),
     *     whatever the value it would multiply
     */
    private static long pow10(int scale) {
        if (scale < 0 || scale >= POW10.length) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, "10^" + scale + " overflows i64");
        }
        return POW10[scale];
    }

    static Value.Decimal i64ToDec(long a, int scale) {
        return new Value.Decimal(i64ToDecMantissa(a, scale), scale);
    }

    static Value.Decimal u64ToDec(long a, int scale) {
        return new Value.Decimal(u64ToDecMantissa(a, scale), scale);
    }

    // Unboxed decimals: compiled code (tape-jit) holds a register the verifier types as decimal in
    // two JVM locals, a long mantissa and an int scale (-1 for a register not yet written: boxed,
    // it is null), and runs the decimal instructions through the methods below,
    // which take the pair and return the result's mantissa (its scale follows from the operands'
    // scales, once the method has checked them). The boxed methods above are these on the decimals'
    // fields, so both tiers check and trap alike; the interpreter, which holds decimal registers
    // unboxed while its loop runs (DecScale), calls the methods below too.

    /**
     * Boxes an unboxed decimal.
     *
     * @param mantissa the mantissa
     * @param scale 0 to 255, or -1 for no value
     * @return the decimal, or null when {@code scale} is -1
     */
    static Value.Decimal decBox(long mantissa, int scale) {
        return scale < 0 ? null : new Value.Decimal(mantissa, scale);
    }

    /**
     * @param x what a decimal register's slot in the register files holds: a {@code Value.Decimal},
     *     or, in a register not written yet, null or what an earlier frame left there
     * @return the decimal's mantissa, 0 for anything else
     */
    static long decMantissa(Object x) {
        return x instanceof Value.Decimal d ? d.mantissa() : 0L;
    }

    /**
     * @param x what a decimal register's slot in the register files holds: a {@code Value.Decimal},
     *     or, in a register not written yet, null or what an earlier frame left there (a resumed
     *     frame reads such registers too; no instruction reads them before writing them)
     * @return the decimal's scale (0 to 255), -1 (no value) for anything else
     */
    static int decScale(Object x) {
        return x instanceof Value.Decimal d ? d.scale() : -1;
    }

    /**
     * {@code dec.add}/{@code dec.sub} on unboxed operands: the result's scale is {@code as}.
     *
     * @return the result's mantissa
     * @throws VmTrap {@code decimal_scale_mismatch} when the scales differ, {@code decimal_overflow}
     *     when the mantissa overflows i64 ({@link #decAdd(Object, Object, boolean)} is this on the
     *     decimals' fields)
     */
    static long decAdd(long am, int as, long bm, int bs, boolean subtract) {
        if (as != bs) {
            throw new VmTrap(TrapKind.DECIMAL_SCALE_MISMATCH, "decimal scales " + as + " and " + bs + " differ");
        }
        long m = subtract ? am - bm : am + bm;
        // overflow iff both operands of the add (b negated for sub) have the sign the result lacks
        if (subtract ? ((am ^ bm) & (am ^ m)) < 0 : ((am ^ m) & (bm ^ m)) < 0) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, "decimal mantissa overflows i64");
        }
        return m;
    }

    /**
     * {@code dec.mul} on unboxed operands: the result's scale is {@code as + bs}.
     *
     * @return the result's mantissa
     * @throws VmTrap {@code decimal_overflow} when the mantissa overflows i64 or the scale passes
     *     255, checked in that order ({@link #decMul(Object, Object)} is this on the decimals' fields)
     */
    static long decMul(long am, int as, long bm, int bs) {
        long m;
        try {
            m = Math.multiplyExact(am, bm);
        } catch (ArithmeticException e) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, "decimal mantissa overflows i64");
        }
        int scale = as + bs;
        if (scale > 255) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, "decimal scale " + scale + " exceeds 255");
        }
        return m;
    }

    /**
     * {@code dec.to_i64} on an unboxed operand.
     *
     * @return the mantissa
     * @throws VmTrap {@code decimal_scale_mismatch} when the scale is not 0
     */
    static long decToI64(long m, int scale) {
        if (scale != 0) {
            throw new VmTrap(TrapKind.DECIMAL_SCALE_MISMATCH, "decimal has scale " + scale + ", not 0");
        }
        return m;
    }

    /**
     * {@code dec.to_u64} on an unboxed operand.
     *
     * @return the mantissa
     * @throws VmTrap {@code decimal_scale_mismatch} when the scale is not 0, {@code int_cast_overflow}
     *     when the mantissa is negative
     */
    static long decToU64(long m, int scale) {
        long v = decToI64(m, scale);
        if (v < 0) {
            throw new VmTrap(TrapKind.INT_CAST_OVERFLOW, "decimal " + v + " is negative");
        }
        return v;
    }

    /**
     * {@code i64.to_dec} unboxed: the result's scale is {@code scale}.
     *
     * @param scale 0 to 255
     * @return the mantissa {@code a * 10^scale}
     * @throws VmTrap {@code decimal_overflow} when {@code scale} is above 18 or the product
     *     overflows i64, checked in that order
     */
    static long i64ToDecMantissa(long a, int scale) {
        long f = pow10(scale);
        try {
            return Math.multiplyExact(a, f);
        } catch (ArithmeticException e) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, a + " * 10^" + scale + " overflows i64");
        }
    }

    /**
     * {@code u64.to_dec} unboxed: the result's scale is {@code scale}.
     *
     * @param scale 0 to 255
     * @return the mantissa {@code a * 10^scale}
     * @throws VmTrap {@code decimal_overflow} when {@code scale} is above 18, {@code a} is 2^63 or
     *     more, or the product overflows i64, checked in that order
     */
    static long u64ToDecMantissa(long a, int scale) {
        long f = pow10(scale);
        if (a < 0) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, Long.toUnsignedString(a) + " exceeds the i64 mantissa");
        }
        try {
            return Math.multiplyExact(a, f);
        } catch (ArithmeticException e) {
            throw new VmTrap(TrapKind.DECIMAL_OVERFLOW, Long.toUnsignedString(a) + " * 10^" + scale + " overflows i64");
        }
    }
}
