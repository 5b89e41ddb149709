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
 * {@link DecimalRun}'s {@code dec.add}, which reads each operand with one type test and reuses the
 * first operand's token for the result, against the general path ({@code execute}'s own case, which
 * an INSTR-stepped run takes for every instruction): random loops adding unboxed results (tokens,
 * of equal and of different scales), boxed constants, the same box twice, one register twice, and
 * accumulators that start boxed and hold tokens from their first write, at mantissas near the i64
 * edges, end alike (results, or trap kind, pc and fuel left) under every fuel budget.
 */
class DecimalRunAddPathsTest {
    private static final long[] EDGES = {0, 1, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 3,
        Long.MIN_VALUE + 3, 4_611_686_018_427_387_904L, -4_611_686_018_427_387_904L};
    private static final int[] SCALES = {0, 2, 2, 2, 18, 255};

    // r1 = n, r2 = i, r3 = 1, r4 = the loop's condition; r10..r12 boxed constants; r20, r21
    // i64.to_dec results (tokens); r22..r25 accumulators (boxed until a dec.add writes them)
    private static final int[] READS = {10, 11, 12, 20, 21, 22, 23, 24, 25};

    private static int pick(Random rnd, int[] from) {
        return from[rnd.nextInt(from.length)];
    }

    private static long edge(Random rnd) {
        return rnd.nextBoolean() ? EDGES[rnd.nextInt(EDGES.length)] : rnd.nextInt(2001) - 1000;
    }

    static VerifiedProgram program(long seed) throws Exception {
        Random rnd = new Random(seed);
        // most of a program's decimals share one scale, so that its adds run more than once
        int scale = pick(rnd, SCALES);
        ProgramBuilder pb = new ProgramBuilder();
        List<ValueType> rets = List.of(DECIMAL, DECIMAL, DECIMAL, DECIMAL);
        FunctionBuilder f = pb.addFunction(List.of(I64), rets);
        Label body = f.newLabel();
        Label done = f.newLabel();
        for (int k = 10; k <= 12; k++) {
            f.constDecimal(k, edge(rnd), rnd.nextInt(6) == 0 ? pick(rnd, SCALES) : scale);
        }
        for (int k = 22; k <= 25; k++) {
            f.constDecimal(k, edge(rnd), rnd.nextInt(8) == 0 ? pick(rnd, SCALES) : scale);
        }
        f.constI64(2, 0).constI64(3, 1).i64Lt(4, 2, 1).br(4, body, done);
        f.place(body)
                .emit(Opcode.I64_TO_DEC, 20, 2, Math.min(scale, 18))
                .emit(Opcode.I64_TO_DEC, 21, 2, rnd.nextInt(5) == 0 ? 1 : Math.min(scale, 18));
        int adds = 3 + rnd.nextInt(6);
        for (int k = 0; k < adds; k++) {
            int x = pick(rnd, READS);
            int y = switch (rnd.nextInt(4)) {
                case 0 -> x;
                default -> pick(rnd, READS);
            };
            int d = 22 + rnd.nextInt(4);
            f.binary(Opcode.DEC_ADD, rnd.nextInt(3) == 0 ? x >= 22 ? x : d : d, x, y);
        }
        f.i64Add(2, 2, 3).i64Lt(4, 2, 1).br(4, body, done);
        f.place(done).ret(0, 22, 23, 24, 25);
        return Verifier.verify(pb.build());
    }

    @Test
    void everyAddPathEndsAsTheGeneralPathAtEveryBudget() throws Exception {
        Set<String> endings = new HashSet<>();
        List<String> differ = new ArrayList<>();
        for (long seed = 0; seed < 150; seed++) {
            Vm vm = new Vm(program(seed), new HostRegistry());
            long n = 1 + seed % 4;
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            String stepped = RunFuelSupport.outcome(vm, n, 1_000_000, all);
            endings.add(stepped.split(" ")[0]);
            RunFuelSupport.everyBudgetEndsAlike((fuel, sink) -> RunFuelSupport.outcome(vm, n, fuel, sink), all.count,
                    "seed " + seed);
            String whole = RunFuelSupport.outcome(vm, n, 1_000_000, null);
            if (!whole.equals(stepped)) {
                differ.add("seed " + seed + ": " + stepped + " / " + whole);
            }
        }
        assertEquals(List.of(), differ);
        // the programs end every way an add can: results, overflow, mismatched scales
        assertEquals(Set.of("ok", "DECIMAL_OVERFLOW", "DECIMAL_SCALE_MISMATCH"), endings);
    }
}
