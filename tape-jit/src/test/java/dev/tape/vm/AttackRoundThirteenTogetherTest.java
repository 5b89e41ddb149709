package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack of issue 14's thirteenth round, its changes together: {@link TupleRun}, {@link FloatRun}
 * and {@link DecimalRun} in one loop, which calls a function too large for the compiled tier
 * ({@link JitTier#MAX_CODE_INTS}, by a dead tail: interpreted while its caller is compiled) that has
 * runs of its own; snapshots taken at every pause of a run inside (or right after) those runs, under
 * heap limits the tuples reach, restored in another VM of each tier under a ceiling of the run's own
 * limits ({@code SnapshotReader}'s value cap), end as the uninterrupted run: same results, same trap
 * (kind, function, pc, span, stack) and the same fuel used in all.
 */
class AttackRoundThirteenTogetherTest {
    /** r1 = n, r2..r8 words (r3 the counter, r4 1), r11/r12/r14 f64, r13 bool, r15..r17 decimals of scale 2, r20..r22 tuples */
    private static int ireg(Random rnd) {
        return 5 + rnd.nextInt(4);
    }

    private static int idst(Random rnd) {
        return rnd.nextInt(5) == 0 ? 2 : ireg(rnd);
    }

    private static int freg(Random rnd) {
        return new int[] {11, 12, 14}[rnd.nextInt(3)];
    }

    private static int dreg(Random rnd) {
        return 15 + rnd.nextInt(3);
    }

    /** A run of tuples: a tuple.new of words, then a word instruction or a read of it. */
    private static void tuples(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> f.tupleNew(20, ireg(rnd), ireg(rnd)).tupleGet(idst(rnd), 20, rnd.nextInt(2));
            case 1 -> f.tupleNew(21, ireg(rnd), 14, ireg(rnd)).tupleNew(22, ireg(rnd)).i64Add(idst(rnd), ireg(rnd),
                    ireg(rnd));
            default -> f.tupleNew(20, ireg(rnd), ireg(rnd)).constI64(ireg(rnd), rnd.nextInt(9) - 4)
                    .tupleGet(idst(rnd), 20, 1);
        }
    }

    /** A run of f64 instructions. */
    private static void floats(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0 -> f.binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_MUL, freg(rnd),
                    freg(rnd), freg(rnd));
            case 1 -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd)).binary(Opcode.F64_MUL, freg(rnd), freg(rnd),
                    freg(rnd)).binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd)).i64Add(idst(rnd), ireg(rnd),
                    ireg(rnd));
            case 2 -> f.binary(Opcode.F64_DIV, freg(rnd), freg(rnd), freg(rnd)).mov(idst(rnd), ireg(rnd));
            default -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd)).binary(Opcode.F64_ADD, freg(rnd),
                    freg(rnd), freg(rnd)).constI64(ireg(rnd), 2);
        }
    }

    /** A run of decimals (scale 2). */
    private static void decimals(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd)).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
            case 1 -> f.emit(Opcode.I64_TO_DEC, dreg(rnd), ireg(rnd), 2).binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd),
                    dreg(rnd));
            default -> f.binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd)).mov(idst(rnd), ireg(rnd));
        }
    }

    /**
     * main(n) -> (i64, f64, decimal): a counted loop over random runs of tuples, f64 and decimals and
     * calls to {@code big}, whose lowered code passes the compiled tier's cap (a dead tail after its
     * ret), and to a small helper.
     */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64, DECIMAL));
        int big = pb.declareFunction(List.of(I64), List.of(I64));
        int small = pb.declareFunction(List.of(I64), List.of(I64));
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        f.constI64(3, 0).constI64(4, 1).constF64(11, 1.5).constF64(12, -0.25).constF64(14, 3.0);
        for (int r = 15; r <= 17; r++) {
            f.constDecimal(r, rnd.nextInt(401) - 200, 2);
        }
        f.tupleNew(20, 5, 6).tupleNew(21, 5, 14, 6).tupleNew(22, 7);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 4 + rnd.nextInt(8);
        for (int k = 0; k < items; k++) {
            switch (rnd.nextInt(9)) {
                case 0, 1 -> tuples(f, rnd);
                case 2, 3 -> floats(f, rnd);
                case 4, 5 -> decimals(f, rnd);
                case 6 -> f.call(0, big, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                case 7 -> f.call(0, small, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                default -> {
                    // an inner loop of a tuple run and an f64 run
                    Label inner = f.newLabel();
                    Label out = f.newLabel();
                    f.constI64(9, 0).constI64(10, 1 + rnd.nextInt(3)).jmp(inner);
                    f.place(inner);
                    tuples(f, rnd);
                    floats(f, rnd);
                    f.i64Add(9, 9, 4).i64Lt(13, 9, 10).br(13, inner, out);
                    f.place(out);
                }
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, 14, 15);
        // big(x): a tuple run, an f64 run and a decimal run, then ret; 2,100 dead adds after it
        FunctionBuilder b = pb.function(big);
        b.constI64(2, 3).constI64(3, 5).tupleNew(4, 1, 2).tupleGet(5, 4, 0).i64Add(5, 5, 3)
                .unary(Opcode.I64_TO_F64, 6, 5).binary(Opcode.F64_MUL, 7, 6, 6).binary(Opcode.F64_ADD, 7, 7, 6)
                .i64Add(5, 5, 2).emit(Opcode.I64_TO_DEC, 8, 5, 1).binary(Opcode.DEC_ADD, 9, 8, 8)
                .i64Add(5, 5, 1).ret(0, 5);
        Label dead = b.newLabel();
        b.place(dead);
        for (int i = 0; i < 2_100; i++) {
            b.i64Add(5, 5, 2);
        }
        b.ret(0, 5);
        pb.function(small).constI64(2, 3).i64Add(3, 1, 2).tupleNew(4, 3, 2).tupleGet(3, 4, 1).ret(0, 3);
        return pb.build();
    }

    private static final List<Value> ARGS = List.of(Value.i64(3));

    /** A trap as the test compares it: everything but the fuel it reports (a restored run's own). */
    private static Object end(Tiers.TrapView t, List<Value> results) {
        if (t == null) {
            return results;
        }
        return List.of(t.kind(), t.func(), t.pc(), t.span(), t.stack(), t.detail());
    }

    /**
     * Runs {@code vm}'s snapshot restored under {@code ceiling} to its end, 1,000 fuel at a time.
     *
     * @return its end ({@link #end}) and the fuel it used
     */
    private static List<Object> finish(Vm vm, byte[] snap, Limits ceiling) {
        Run r = vm.restore(new ExecutionContext(), snap, ceiling, null);
        long added = 0;
        dev.tape.vm.Outcome o;
        do {
            r.addFuel(1_000);
            added += 1_000;
            o = r.resume();
        } while (o instanceof dev.tape.vm.Outcome.Paused);
        Object e = o instanceof dev.tape.vm.Outcome.Trapped t ? end(Tiers.TrapView.of(t.trap()), null)
                : ((dev.tape.vm.Outcome.Done) o).values();
        return List.of(e, added - r.fuelRemaining());
    }

    /**
     * Pauses an interpreted run of {@code p} every {@code slice} fuel under {@code heap}; each
     * pause's snapshot, restored in a fresh VM of each tier under a ceiling of the run's own limits,
     * ends as {@code whole} with the same fuel used.
     *
     * @return the pauses
     */
    private static int pausedAndRestored(VerifiedProgram p, Tiers t, long heap, long slice, Tiers.Outcome whole,
                                         String what) {
        Limits own = Limits.DEFAULT.withMaxHeapBytes(heap);
        long used = whole.used(own);
        Object expected = end(whole.trap(), whole.results());
        Vm interp = new Vm(p, new HostRegistry(), Tiers.LAZY);
        Vm jit = Jit.compile(p, new HostRegistry(), Tiers.LAZY);
        List<Run> runs = new ArrayList<>(List.of(t.interpreted.start(0, ARGS, own.withFuel(slice)),
                t.compiled.start(0, ARGS, own.withFuel(slice))));
        int pauses = 0;
        while (true) {
            dev.tape.vm.Outcome oa = runs.get(0).resume();
            dev.tape.vm.Outcome ob = runs.get(1).resume();
            assertEquals(Tiers.view(oa), Tiers.view(ob), what + " pause " + pauses);
            if (!(oa instanceof dev.tape.vm.Outcome.Paused)) {
                return pauses;
            }
            pauses++;
            long ran = slice * pauses;
            for (Run r : runs) {
                byte[] snap = r.snapshot();
                for (Vm vm : new Vm[] {interp, jit}) {
                    List<Object> got = finish(vm, snap, own);
                    String at = what + " pause " + pauses + " (" + ran + " fuel) from "
                            + (r == runs.get(0) ? "interp" : "jit") + " on " + (vm == interp ? "interp" : "jit");
                    assertEquals(expected, got.get(0), at);
                    assertEquals(used, ran + (long) got.get(1), at + ": fuel used");
                }
                r.addFuel(slice);
            }
        }
    }

    @Test
    void runsSnapshotsAndBigCallsEndAlikeEverywhere() throws Exception {
        long total = 0;
        for (long seed = 1; seed <= 12; seed++) {
            VerifiedProgram p = Tiers.verified(program(seed));
            Tiers t = Tiers.of(p, new HostRegistry());
            assertTrue(t.compiled.funcs[1].codeLength() > JitTier.MAX_CODE_INTS, "big's lowered code");
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            JitTier tier = (JitTier) t.compiled.tier;
            assertTrue(tier.compiledCount() >= 1, "seed " + seed + ": main compiled");
            assertTrue(!tier.compileNow(1), "big never compiles");
            assertTrue(!full.trapped(), "seed " + seed + ": " + full);
            long used = full.used(Limits.DEFAULT.withFuel(1_000_000));
            total += used;
            Tiers.Outcome whole = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
            for (long slice : new long[] {1, 2, 7}) {
                int pauses = pausedAndRestored(p, t, Limits.DEFAULT.maxHeapBytes(), slice, whole,
                        "seed " + seed + " slice " + slice);
                assertEquals((used - 1) / slice, pauses, "seed " + seed + " slice " + slice);
            }
        }
        assertTrue(total > 12 * 60, "the programs ran " + total + " instructions");
    }

    @Test
    void heapLimitsReachedInRunsEndAlikeAfterARestoreUnderTheRunsOwnLimits() throws Exception {
        int traps = 0;
        for (long seed = 1; seed <= 6; seed++) {
            VerifiedProgram p = Tiers.verified(program(seed));
            Tiers t = Tiers.of(p, new HostRegistry());
            Tiers.Outcome all = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
            for (long heap = 0; heap <= all.heapBytes(); heap += 1 + heap / 4) {
                Limits own = Limits.DEFAULT.withMaxHeapBytes(heap);
                Tiers.Outcome whole = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, own, null);
                Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, ARGS, own, null);
                String what = "seed " + seed + " heap " + heap;
                Tiers.assertSame(whole, compiled, () -> what);
                traps += whole.trapped() ? 1 : 0;
                pausedAndRestored(p, t, heap, 3, whole, what);
            }
        }
        assertTrue(traps > 6, "heap limit traps: " + traps);
    }
}
