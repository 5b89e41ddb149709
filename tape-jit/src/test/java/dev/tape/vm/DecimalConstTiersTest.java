package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.vm.AttackDecimalAddShapesTest.dreg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dec29: the interpreter writes a decimal constant ({@code const.decimal}, {@code const.pool} of a
 * decimal) unboxed, as a decimal instruction's result ({@link DecScale}: the scale's token in the
 * reference file, the mantissa in the word file, the slot listed). Random loops write constants of
 * scales 0, 2, 18 and 255 with mantissas at and next to the i64 edges inside the loop body, into
 * registers that hold a token, a box ({@code mov}, {@code tuple.get}, a call's or a host call's
 * result) or another constant, and read them with {@code dec.add}, {@code dec.sub},
 * {@code dec.mul} (in {@link DecimalRun} and alone in {@code execute}), {@code mov},
 * {@code select}, {@code tuple.new}, a closure's capture, call and host call arguments and the
 * return; a third first fill the list of unboxed slots to 58 to 63 of its 64, so a constant's write
 * boxes the list. Each runs through {@link StepSweep#sweep} (stepped, untraced and compiled alike at
 * every fuel budget, paused at slices of fuel, each snapshot the same bytes on both tiers and
 * restored on either); every second one is also paused before every instruction.
 */
class DecimalConstTiersTest {
    private static final int[] SCALES = AttackDecimalAddShapesTest.SCALES;
    private static final int D0 = AttackDecimalAddShapesTest.D0;
    private static final int DN = AttackDecimalAddShapesTest.DN;

    private static final long[] EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 1L << 62, -(1L << 62), (1L << 62) - 1, 3037000500L, 125, -50};

    /** A constant into {@code d}: mostly of the program's scale, as {@code const.decimal} or {@code const.pool}. */
    private static void constant(StringBuilder s, Random rnd, int d, int scale) {
        long m = rnd.nextInt(3) != 0 ? rnd.nextInt(401) - 200 : EDGES[rnd.nextInt(EDGES.length)];
        int sc = rnd.nextInt(10) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : scale;
        constant(s, d, m, sc, !rnd.nextBoolean());
    }

    /** {@code const.decimal} ({@code pool} false) or {@code const.pool} of {@code m} at scale {@code sc} into {@code d}. */
    static void constant(StringBuilder s, int d, long m, int sc, boolean pool) {
        if (!pool) {
            s.append("    const.decimal r").append(d).append(", ").append(m).append(", ").append(sc).append('\n');
        } else {
            s.append("    const.pool r").append(d).append(", dec:").append(ValueLiteral.formatDecimal(m, sc)).append('\n');
        }
    }

    /**
     * main(n: i64) -> (dec x6): a loop of n trips; helper and clo as {@link AttackDecimalAddShapesTest}'s
     * ({@link AttackDecimalAddShapesTest#functions()}), as are its registers, scales and host.
     */
    static String program(long seed) {
        Random rnd = new Random(seed);
        int scale = SCALES[rnd.nextInt(SCALES.length)];
        StringBuilder s = new StringBuilder();
        s.append("program consts\nhost hid = \"d.id\" (dec) -> (dec)\ncallsig unary = (dec) -> (dec)\n");
        s.append("func main(n: i64) -> (dec, dec, dec, dec, dec, dec) {\n");
        for (int k = D0; k < D0 + DN; k++) {
            constant(s, rnd, k, scale);
        }
        s.append("    const.decimal r16, 1, 0\n    const.decimal r17, -1, 0\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r5, ").append(rnd.nextInt(5)).append('\n');
        AttackDecimalAddShapesTest.fill(s, rnd, scale);
        s.append("    tuple.new r20, [r").append(dreg(rnd)).append(", r").append(dreg(rnd)).append("]\n");
        s.append("    const.func r21, clo\n    closure.new r22, r21, r20\n");
        s.append("    jmp head\nhead:\n    i64.lt r4, r2, r1\n    br r4, body, done\nbody:\n");
        int items = 4 + rnd.nextInt(8);
        for (int k = 0; k < items; k++) {
            s.append("    .span ").append(k + 1).append('\n');
            // each item writes a constant (so no span is empty), then reads or rewrites registers
            constant(s, rnd, dreg(rnd), scale);
            switch (rnd.nextInt(4)) {
                case 0 -> AttackDecimalAddShapesTest.arith(s, rnd);
                case 1 -> s.append("    dec.mul r18, r").append(dreg(rnd)).append(", r").append(dreg(rnd)).append('\n');
                default -> AttackDecimalAddShapesTest.other(s, rnd, scale);
            }
        }
        return s.append(AttackDecimalAddShapesTest.functions()).toString();
    }

    @Test
    void randomConstantLoopsEndAliveOnBothTiersAtEveryBudgetAndPause() throws Exception {
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 0; seed < 160; seed++) {
            String src = program(seed);
            Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(src)), AttackDecimalAddShapesTest.HOST);
            List<Value> args = List.of(Value.i64(1 + seed % 3));
            String what = "seed " + seed + "\n" + src;
            total += AttackDecimalAddShapesTest.sweptAlike(t, args, seed, what, endings);
        }
        assertEquals(Set.of("done", "DECIMAL_OVERFLOW", "DECIMAL_SCALE_MISMATCH"), endings);
        assertTrue(total > 160 * 20, "the programs ran " + total + " instructions");
    }
}
