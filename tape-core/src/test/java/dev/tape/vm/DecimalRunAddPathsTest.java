package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link DecimalRun}'s {@code dec.add} (which reads each operand with one type test and reuses the
 * first operand's token for the result), {@code dec.sub} and {@code dec.mul} against the general
 * path ({@code execute}'s own case, which an INSTR-stepped run takes for every instruction): random
 * loops reading unboxed results (tokens, of equal and of different scales), boxed constants, the
 * same box twice (one register twice, and a box copied into a second register), one token in two
 * registers, and accumulators that start boxed and hold tokens from their first write, at
 * mantissas near the i64 edges (and, for {@code dec.mul}, products that overflow by one and scales
 * 0 to 255 whose sums pass 255), end alike (results, or trap kind, pc, message and fuel left) under
 * every fuel budget.
 */
class DecimalRunAddPathsTest {
    private static final long[] EDGES = {0, 1, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 3,
        Long.MIN_VALUE + 3, 4_611_686_018_427_387_904L, -4_611_686_018_427_387_904L};
    private static final int[] SCALES = {0, 2, 2, 2, 18, 255};
    // products at the i64 edges: 2^62 * 2 and 2^32 * 2^31 overflow by one, their negations reach
    // Long.MIN_VALUE exactly; 3037000499^2 fits, 3037000500^2 does not; MIN_VALUE * -1 overflows
    private static final long[] MUL_EDGES = {2, -2, 3, -1, 3_037_000_499L, 3_037_000_500L, -3_037_000_500L,
        1L << 31, 1L << 32, -(1L << 32), Long.MIN_VALUE, 4_611_686_018_427_387_904L};
    // scale sums pass 255 (128 + 128) or reach it exactly (128 + 127, 255 + 0)
    private static final int[] MUL_SCALES = {0, 0, 1, 2, 127, 128, 255};

    // r1 = n, r2 = i, r3 = 1, r4 = the loop's condition; r10..r12 boxed constants (r13 r10's box,
    // copied, in the dec.mul programs); r20, r21 i64.to_dec results (tokens); r22..r25 accumulators
    // (boxed until an instruction writes them)
    private static final int[] READS = {10, 11, 12, 20, 21, 22, 23, 24, 25};
    private static final int[] MUL_READS = {10, 11, 12, 13, 20, 21, 22, 23, 24, 25};
    private static final Opcode[] MUL_OPS = {Opcode.DEC_MUL, Opcode.DEC_MUL, Opcode.DEC_MUL, Opcode.DEC_ADD,
        Opcode.DEC_SUB};

    private static int pick(Random rnd, int[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static long edge(Random rnd) {
        return rnd.nextBoolean() ? EDGES[rnd.nextInt(EDGES.length)] : rnd.nextInt(2001) - 1000;
    }

    /** A loop of {@code dec.add}s, most of its decimals of one scale. */
    static VerifiedProgram program(long seed) throws Exception {
        return program(seed, false);
    }

    /**
     * @param mul whether the loop is mostly {@code dec.mul}s (with some {@code dec.add}s and
     *     {@code dec.sub}s) on decimals of scales and mantissas picked each alone, else {@code dec.add}s
     *     on decimals most of which share one scale, so that its adds run more than once
     */
    static VerifiedProgram program(long seed, boolean mul) throws Exception {
        Random rnd = new Random(seed);
        int scale = pick(rnd, SCALES);
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> rets = List.of(DECIMAL, DECIMAL, DECIMAL, DECIMAL);
        FunctionBuilder f = pb.addFunction(List.of(I64), rets);
        Label body = f.newLabel();
        Label done = f.newLabel();
        for (int k = 10; k <= 12; k++) {
            f.constDecimal(k, mul ? mulEdge(rnd) : edge(rnd),
                    mul ? pick(rnd, MUL_SCALES) : rnd.nextInt(6) == 0 ? pick(rnd, SCALES) : scale);
        }
        for (int k = 22; k <= 25; k++) {
            f.constDecimal(k, mul ? mulEdge(rnd) : edge(rnd),
                    mul ? pick(rnd, MUL_SCALES) : rnd.nextInt(8) == 0 ? pick(rnd, SCALES) : scale);
        }
        if (mul) {
            f.mov(13, 10);
        }
        f.constI64(2, 0).constI64(3, 1).i64Lt(4, 2, 1).br(4, body, done);
        f.place(body)
                .emit(Opcode.I64_TO_DEC, 20, 2, mul ? rnd.nextInt(3) : Math.min(scale, 18))
                .emit(Opcode.I64_TO_DEC, 21, 2, rnd.nextInt(5) == 0 ? 1 : mul ? 0 : Math.min(scale, 18));
        int ops = 3 + rnd.nextInt(6);
        int[] reads = mul ? MUL_READS : READS;
        for (int k = 0; k < ops; k++) {
            int x = pick(rnd, reads);
            int y = switch (rnd.nextInt(4)) {
                case 0 -> x;
                default -> pick(rnd, reads);
            };
            int d = 22 + rnd.nextInt(4);
            Opcode op = mul ? MUL_OPS[rnd.nextInt(MUL_OPS.length)] : Opcode.DEC_ADD;
            f.binary(op, rnd.nextInt(3) == 0 ? x >= 22 ? x : d : d, x, y);
        }
        f.i64Add(2, 2, 3).i64Lt(4, 2, 1).br(4, body, done);
        f.place(done).ret(0, 22, 23, 24, 25);
        return Verifier.verify(pb.build());
    }

    private static long mulEdge(Random rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> MUL_EDGES[rnd.nextInt(MUL_EDGES.length)];
            case 1 -> EDGES[rnd.nextInt(EDGES.length)];
            default -> rnd.nextInt(7) - 3;
        };
    }

    /**
     * Runs {@code count} programs from seed 0, each stepped, untraced and under every budget, and
     * asserts that they end alike.
     *
     * @return the ways the programs ended: "ok" or a trap kind, with the scale trap told apart
     */
    private static Set<String> endAlike(int count, boolean mul) throws Exception {
        Set<String> endings = new HashSet<>();
        List<String> differ = new ArrayList<>();
        for (long seed = 0; seed < count; seed++) {
            Vm vm = new Vm(program(seed, mul), new HostRegistry());
            long n = 1 + seed % 4;
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            String stepped = RunFuelSupport.outcome(vm, n, 1_000_000, all);
            endings.add(stepped.split(" ")[0] + (stepped.contains("exceeds 255") ? " scale" : ""));
            RunFuelSupport.everyBudgetEndsAlike((fuel, sink) -> RunFuelSupport.outcome(vm, n, fuel, sink), all.count,
                    "seed " + seed);
            String whole = RunFuelSupport.outcome(vm, n, 1_000_000, null);
            if (!whole.equals(stepped)) {
                differ.add("seed " + seed + ": " + stepped + " / " + whole);
            }
        }
        assertEquals(List.of(), differ);
        return endings;
    }

    @Test
    void everyAddPathEndsAsTheGeneralPathAtEveryBudget() throws Exception {
        // the programs end every way an add can: results, overflow, mismatched scales
        assertEquals(Set.of("ok", "DECIMAL_OVERFLOW", "DECIMAL_SCALE_MISMATCH"), endAlike(150, false));
    }

    @Test
    void everyMulPathEndsAsTheGeneralPathAtEveryBudget() throws Exception {
        // results, the mantissa's overflow, the scale's (a sum past 255), and an add's mismatch
        assertEquals(Set.of("ok", "DECIMAL_OVERFLOW", "DECIMAL_OVERFLOW scale", "DECIMAL_SCALE_MISMATCH"),
                endAlike(200, true));
    }
}
