package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier's inline fast paths of {@code dec.add}, {@code dec.sub}, {@code dec.mul} and
 * {@code i64.to_dec} (taken when the operands cannot trap; anything else calls {@code Numerics}):
 * operands on both sides of each fast path's edge (mantissas at the int range's ends, scale sums
 * 255 and 256, conversions at scales 9 and 10), run in a loop so the compiled method runs them
 * many times, on both tiers (same results or trap, pc, fuel, heap), and each result or trap kind
 * checked against the decimal rules computed here with {@link BigInteger}.
 */
class JitDecimalFastPathTest {
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** Entries 0 add, 1 sub, 2 mul: each op applied to (a, b) n times, the last result returned. */
    static String program() {
        StringBuilder b = new StringBuilder("program decfast\n");
        for (String op : new String[] {"add", "sub", "mul"}) {
            b.append("func f").append(op).append("(a: dec, b: dec, n: i64) -> (dec) {\n")
                    .append("    const.i64 r4, 0\n    const.i64 r5, 1\n    mov r6, r1\n")
                    .append("    i64.lt r7, r4, r3\n    br r7, body, done\nbody:\n")
                    .append("    dec.").append(op).append(" r6, r1, r2\n")
                    .append("    i64.add r4, r4, r5\n    i64.lt r7, r4, r3\n    br r7, body, done\n")
                    .append("done:\n    ret r0, [r6]\n}\n");
        }
        for (int s : new int[] {0, 1, 9, 10, 18, 19}) {
            b.append("func i").append(s).append("(x: i64) -> (dec) {\n    i64.to_dec r2, r1, ").append(s)
                    .append("\n    ret r0, [r2]\n}\n");
        }
        return b.toString();
    }

    private static final long[] MANTISSAS = {Long.MIN_VALUE, -(1L << 31) - 1, -(1L << 31), -(1L << 31) + 1, -7, 0, 3,
        (1L << 31) - 2, (1L << 31) - 1, 1L << 31, 1L << 32, Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE};
    private static final int[] SCALES = {0, 2, 127, 128};

    /** @return the decimal rule's result, or null for a trap of kind {@code kind[0]} */
    private static Value expected(int op, long am, int as, long bm, int bs, TrapKind[] kind) {
        BigInteger a = BigInteger.valueOf(am);
        BigInteger b = BigInteger.valueOf(bm);
        BigInteger m;
        int scale;
        if (op == 2) {
            m = a.multiply(b);
            scale = as + bs;
        } else {
            if (as != bs) {
                kind[0] = TrapKind.DECIMAL_SCALE_MISMATCH;
                return null;
            }
            m = op == 0 ? a.add(b) : a.subtract(b);
            scale = as;
        }
        if (m.compareTo(MIN) < 0 || m.compareTo(MAX) > 0 || scale > 255) {
            kind[0] = TrapKind.DECIMAL_OVERFLOW;
            return null;
        }
        return Value.decimal(m.longValueExact(), scale);
    }

    @Test
    void addSubMulAtTheFastPathsEdgesAgreeWithTheRulesOnBothTiers() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        assertTrue(Jit.precompile(t.compiled) >= 9, "the functions compiled");
        List<Value> decs = new ArrayList<>();
        for (long m : MANTISSAS) {
            for (int s : SCALES) {
                decs.add(Value.decimal(m, s));
            }
        }
        int traps = 0;
        int runs = 0;
        for (Value a : decs) {
            for (Value b : decs) {
                Value.Decimal da = (Value.Decimal) a;
                Value.Decimal db = (Value.Decimal) b;
                for (int op = 0; op < 3; op++) {
                    String what = "op " + op + " " + a + " " + b;
                    Tiers.Outcome o = t.check(op, List.of(a, b, Value.i64(3)), Limits.DEFAULT, what);
                    TrapKind[] kind = new TrapKind[1];
                    Value want = expected(op, da.mantissa(), da.scale(), db.mantissa(), db.scale(), kind);
                    if (want == null) {
                        assertEquals(kind[0], o.kind(), what);
                        traps++;
                    } else {
                        assertNull(o.trap(), what);
                        assertEquals(List.of(want), o.results(), what);
                    }
                    runs++;
                }
            }
        }
        assertEquals(52 * 52 * 3, runs);
        assertTrue(traps > 3_000 && traps < runs - 1_000, "traps " + traps + " of " + runs);
    }

    @Test
    void i64ToDecAtScalesZeroToNineteenAgreesWithTheRulesOnBothTiers() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        int[] scales = {0, 1, 9, 10, 18, 19};
        int traps = 0;
        for (long x : MANTISSAS) {
            for (int k = 0; k < scales.length; k++) {
                String what = "to_dec " + x + " at " + scales[k];
                Tiers.Outcome o = t.check(3 + k, List.of(Value.i64(x)), Limits.DEFAULT, what);
                BigInteger m = BigInteger.valueOf(x).multiply(BigInteger.TEN.pow(scales[k]));
                if (scales[k] > 18 || m.compareTo(MIN) < 0 || m.compareTo(MAX) > 0) {
                    assertEquals(TrapKind.DECIMAL_OVERFLOW, o.kind(), what);
                    traps++;
                } else {
                    assertNull(o.trap(), what);
                    assertEquals(List.of(Value.decimal(m.longValueExact(), scales[k])), o.results(), what);
                }
            }
        }
        assertTrue(traps > 20 && traps < 70, "traps " + traps);
    }
}
