package dev.tape.vm;

import dev.tape.value.Value;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The decimal helpers both tiers run ({@code Numerics}: {@code dec.add}, {@code dec.sub},
 * {@code dec.mul}, {@code i64.to_dec}, {@code u64.to_dec}, {@code dec.to_i64}, {@code dec.to_u64},
 * boxed for the interpreter and unboxed for compiled code) against a straightforward
 * {@link BigInteger} model of the spec's rules ({@code v1_spec.md}, "Decimal": a mantissa i64 and
 * a scale u8; add/sub need equal scales and keep them, mul adds them; no rounding in v1): the
 * exact result when it fits, else the trap kind the model says, checked in the documented order
 * (scale mismatch before overflow for add/sub, mantissa before scale for mul, the power of ten
 * before the product for the conversions), with today's trap messages (both tiers report them). Operands mix random values with the boundaries:
 * 0, ±1, ±10^18, the i64 limits, the square root of 2^63 and its neighbours, and scales 0, 1, 18,
 * 19, 254 and 255.
 */
class DecimalModelPropertiesTest {
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** What the model says: a mantissa and scale, or the trap and its message. */
    private record Out(long mantissa, int scale, TrapKind trap, String detail) {
        /** @return the exact result, or {@code decimal_overflow} with {@code overflow} as its message */
        static Out of(BigInteger m, int scale, String overflow) {
            return m.compareTo(MIN) < 0 || m.compareTo(MAX) > 0 ? trap(TrapKind.DECIMAL_OVERFLOW, overflow)
                    : value(m.longValueExact(), scale);
        }

        static Out value(long m, int scale) {
            return new Out(m, scale, null, null);
        }

        static Out trap(TrapKind k, String detail) {
            return new Out(0, 0, k, detail);
        }
    }

    private static final String MANTISSA = "decimal mantissa overflows i64";

    @Provide
    Arbitrary<Long> mantissas() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(0L, 1L, -1L, 2L, -2L, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L,
                        Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
                        3_037_000_499L, 3_037_000_500L, -3_037_000_499L, -3_037_000_500L, 1L << 32, -(1L << 32))),
                Tuple.of(2, Arbitraries.longs().between(-1000, 1000)),
                Tuple.of(2, Arbitraries.longs().between(-4_000_000_000L, 4_000_000_000L)),
                Tuple.of(3, Arbitraries.longs()));
    }

    @Provide
    Arbitrary<Integer> scales() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(0, 1, 2, 17, 18, 19, 127, 128, 254, 255)),
                Tuple.of(2, Arbitraries.integers().between(0, 3)),
                Tuple.of(1, Arbitraries.integers().between(0, 255)));
    }

    /** Runs an unboxed helper: the mantissa it returns with the scale the model gives, or its trap. */
    private static Out run(java.util.function.LongSupplier op, int scale) {
        try {
            return Out.value(op.getAsLong(), scale);
        } catch (VmTrap t) {
            return Out.trap(t.kind, t.getMessage());
        }
    }

    /** Runs a boxed helper (the interpreter's): its decimal, or its trap. */
    private static Out runBoxed(java.util.function.Supplier<Value.Decimal> op) {
        try {
            Value.Decimal d = op.get();
            return Out.value(d.mantissa(), d.scale());
        } catch (VmTrap t) {
            return Out.trap(t.kind, t.getMessage());
        }
    }

    private static void check(Out expected, Out unboxed, Out boxed, String what) {
        assertEquals(expected, unboxed, what + " (unboxed)");
        assertEquals(expected, boxed, what + " (boxed)");
    }

    private static Out addModel(long am, int as, long bm, int bs, boolean subtract) {
        if (as != bs) {
            return Out.trap(TrapKind.DECIMAL_SCALE_MISMATCH, "decimal scales " + as + " and " + bs + " differ");
        }
        BigInteger a = BigInteger.valueOf(am);
        BigInteger b = BigInteger.valueOf(bm);
        return Out.of(subtract ? a.subtract(b) : a.add(b), as, MANTISSA);
    }

    @Property(tries = 3000)
    void addAndSubMatchTheModel(@ForAll("mantissas") long am, @ForAll("scales") int as, @ForAll("mantissas") long bm,
                                @ForAll("scales") int bs, @ForAll boolean sameScale, @ForAll boolean subtract) {
        int s = sameScale ? as : bs;
        Value.Decimal a = new Value.Decimal(am, as);
        Value.Decimal b = new Value.Decimal(bm, s);
        check(addModel(am, as, bm, s, subtract),
                run(() -> Numerics.decAdd(am, as, bm, s, subtract), as),
                runBoxed(() -> Numerics.decAdd(a, b, subtract)),
                (subtract ? "sub " : "add ") + a + ", " + b);
    }

    @Property(tries = 3000)
    void mulMatchesTheModel(@ForAll("mantissas") long am, @ForAll("scales") int as, @ForAll("mantissas") long bm,
                            @ForAll("scales") int bs) {
        Out expected = Out.of(BigInteger.valueOf(am).multiply(BigInteger.valueOf(bm)), as + bs, MANTISSA);
        if (expected.trap() == null && as + bs > 255) {
            expected = Out.trap(TrapKind.DECIMAL_OVERFLOW, "decimal scale " + (as + bs) + " exceeds 255");
        }
        Value.Decimal a = new Value.Decimal(am, as);
        Value.Decimal b = new Value.Decimal(bm, bs);
        check(expected, run(() -> Numerics.decMul(am, as, bm, bs), as + bs), runBoxed(() -> Numerics.decMul(a, b)),
                "mul " + a + ", " + b);
    }

    /** @return 10^scale, or null when it does not fit an i64 */
    private static BigInteger pow10(int scale) {
        BigInteger p = BigInteger.TEN.pow(scale);
        return p.compareTo(MAX) > 0 ? null : p;
    }

    @Property(tries = 3000)
    void i64ToDecMatchesTheModel(@ForAll("mantissas") long v, @ForAll("scales") int scale) {
        BigInteger p = pow10(scale);
        Out expected = p == null ? Out.trap(TrapKind.DECIMAL_OVERFLOW, "10^" + scale + " overflows i64")
                : Out.of(BigInteger.valueOf(v).multiply(p), scale, v + " * 10^" + scale + " overflows i64");
        check(expected, run(() -> Numerics.i64ToDecMantissa(v, scale), scale), runBoxed(() -> Numerics.i64ToDec(v, scale)),
                "i64.to_dec " + v + " scale " + scale);
    }

    @Property(tries = 3000)
    void u64ToDecMatchesTheModel(@ForAll("mantissas") long bits, @ForAll("scales") int scale) {
        BigInteger v = new BigInteger(Long.toUnsignedString(bits));
        BigInteger p = pow10(scale);
        Out expected = p == null ? Out.trap(TrapKind.DECIMAL_OVERFLOW, "10^" + scale + " overflows i64")
                : v.compareTo(MAX) > 0 ? Out.trap(TrapKind.DECIMAL_OVERFLOW, v + " exceeds the i64 mantissa")
                : Out.of(v.multiply(p), scale, v + " * 10^" + scale + " overflows i64");
        check(expected, run(() -> Numerics.u64ToDecMantissa(bits, scale), scale), runBoxed(() -> Numerics.u64ToDec(bits, scale)),
                "u64.to_dec " + v + " scale " + scale);
    }

    @Property(tries = 2000)
    void toI64AndToU64MatchTheModel(@ForAll("mantissas") long m, @ForAll("scales") int scale) {
        Value.Decimal d = new Value.Decimal(m, scale);
        Out i = scale != 0 ? Out.trap(TrapKind.DECIMAL_SCALE_MISMATCH, "decimal has scale " + scale + ", not 0")
                : Out.value(m, 0);
        Out u = i.trap() == null && m < 0 ? Out.trap(TrapKind.INT_CAST_OVERFLOW, "decimal " + m + " is negative") : i;
        assertEquals(i, run(() -> Numerics.decToI64(m, scale), 0));
        assertEquals(i, run(() -> Numerics.decToI64(d), 0));
        assertEquals(u, run(() -> Numerics.decToU64(m, scale), 0));
        assertEquals(u, run(() -> Numerics.decToU64(d), 0));
    }

    /** The boundaries themselves, each pair once, so no run of the properties can miss them. */
    @Property(tries = 1)
    void everyBoundaryPairMatchesTheModel() {
        long[] ms = {0, 1, -1, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE,
            3_037_000_499L, 3_037_000_500L, -3_037_000_500L};
        int[] ss = {0, 18, 19, 128, 255};
        int traps = 0;
        for (long am : ms) {
            for (long bm : ms) {
                for (int as : ss) {
                    for (int bs : ss) {
                        for (boolean sub : new boolean[] {false, true}) {
                            addAndSubMatchTheModel(am, as, bm, bs, false, sub);
                        }
                        mulMatchesTheModel(am, as, bm, bs);
                        if (addModel(am, as, bm, as, false).trap() != null) {
                            traps++;
                        }
                    }
                }
            }
            for (int s : ss) {
                i64ToDecMatchesTheModel(am, s);
                u64ToDecMatchesTheModel(am, s);
                toI64AndToU64MatchTheModel(am, s);
            }
        }
        if (traps == 0) {
            fail("no boundary pair overflowed an add: the boundaries are not boundaries");
        }
    }
}
