package dev.tape.vm;

import dev.tape.value.Value;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fixture the compare-and-br tests share ({@link JitCompareBranchTest}, the method's own
 * compare; {@link JitLeafCompareBranchTest}, an inlined leaf's): every integer and f64 compare, the
 * edge values of its operand type (NaNs, -0.0, the infinities, MIN and MAX, equal operands), and
 * the run of each compare's function over every pair of them on both tiers
 * ({@link Tiers#check}), with enough fuel and with 0 to 6 units.
 */
final class CompareBranchEdges {
    /** every compare op, the function order of both tests' programs */
    static final String[] OPS = {"i64.eq", "i64.lt", "i64.gt", "i64.le", "i64.ge", "u64.eq", "u64.lt",
        "u64.gt", "u64.le", "u64.ge", "f64.eq", "f64.lt", "f64.gt", "f64.le", "f64.ge"};
    /** the i64 and u64 operands */
    static final long[] I64 = {0, 1, -1, 7, Long.MIN_VALUE, Long.MAX_VALUE};
    /** the f64 operands, as bits (a quiet and a signalling NaN) */
    static final long[] F64 = {bits(0.0), bits(-0.0), bits(1.5), bits(-2.5), bits(Double.NaN),
        0x7ff0_0000_0000_0001L, bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY)};
    /** the most fuel the short runs have */
    static final long SHORT_FUEL = 6;

    private CompareBranchEdges() {
    }

    static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** @return the operand type ("i64", "u64" or "f64") of compare {@code op} */
    static String type(String op) {
        return op.substring(0, 3);
    }

    static Value value(String type, long v) {
        return switch (type) {
            case "i64" -> Value.i64(v);
            case "u64" -> new Value.U64(v);
            default -> new Value.F64(v);
        };
    }

    /**
     * One run at the edges: what it ran and its outcome with enough fuel.
     *
     * @param what the function's name and arguments
     * @param outcome both tiers' outcome with {@link Limits#DEFAULT}
     */
    record Run(String what, Tiers.Outcome outcome) {
    }

    /**
     * Runs function k (of {@code names.length}) on every pair of its type's edge values, each with
     * {@link Limits#DEFAULT} and with 0 to {@link #SHORT_FUEL} units, both tiers agreeing
     * ({@link Tiers#check} fails the test otherwise).
     *
     * @param t the tiers
     * @param names per function, its name in the messages
     * @param types per function, its operands' type
     * @return the runs with enough fuel, in order
     */
    static List<Run> run(Tiers t, String[] names, String[] types) {
        List<Run> runs = new ArrayList<>();
        for (int k = 0; k < names.length; k++) {
            long[] values = types[k].equals("f64") ? F64 : I64;
            for (long a : values) {
                for (long b : values) {
                    List<Value> args = new ArrayList<>(List.of(value(types[k], a), value(types[k], b)));
                    String what = names[k] + " " + args;
                    Tiers.Outcome o = t.check(k, args, Limits.DEFAULT, what);
                    for (long fuel = 0; fuel <= SHORT_FUEL; fuel++) {
                        t.check(k, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    }
                    runs.add(new Run(what, o));
                }
            }
        }
        return runs;
    }

    /** @return the ops' types, one per op */
    static String[] types(String[] ops) {
        return Arrays.stream(ops).map(CompareBranchEdges::type).toArray(String[]::new);
    }

    /** @return how many runs returned 11 as their second result (the compare held) */
    static int holds(List<Run> runs) {
        int holds = 0;
        for (Run r : runs) {
            if (r.outcome().results().get(1).equals(Value.i64(11))) {
                holds++;
            }
        }
        return holds;
    }
}
