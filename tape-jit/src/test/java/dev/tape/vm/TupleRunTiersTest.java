package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TupleRun}, the loop of its own that runs a word-element {@code tuple.new} and the tuple and
 * word instructions after it, changes nothing observable. Random programs whose loop bodies put
 * tuples of one to five words right before every tuple and word instruction and fused shape the
 * run handles ({@code tuple.get} into a word, word {@code mov} and constants, {@code i64.add/sub/mul},
 * {@code br}, {@code jmp}, {@code i64.lt}+{@code br}, constant + {@code i64.add}, constant +
 * {@code i64.lt}+{@code br}, {@code i64.add} + {@code i64.lt}+{@code br}, an inner loop of
 * {@code tuple.new}) and before ones it leaves to {@code execute} (constant + {@code i64.sub},
 * {@code i64.xor}, a call, a tuple holding a tuple, {@code tuple.get} into a reference register,
 * {@code tuple.len}, f64 arithmetic) run through {@link StepSweep#sweep} (the interpreter untraced,
 * stepped one instruction at a time and the compiled tier end alike under every fuel budget, and
 * pause alike at fuel slices, snapshots included), and end alike on all three under heap limits
 * that a {@code tuple.new} inside a run exceeds (same trap, pc, fuel and heap charge).
 */
class TupleRunTiersTest {
    /** registers: r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r9/r10 an inner loop's counter and bound, r13 bool, r14 f64, r20..r25 tuples, r26 u64 */
    private static int ireg(Random rnd) {
        return 5 + rnd.nextInt(4);
    }

    private static int idst(Random rnd) {
        return rnd.nextInt(5) == 0 ? 2 : ireg(rnd);
    }

    /**
     * A tuple of words into r20 (a pair), r21 (a triple), r22 (one word) or r23 (five words, one an
     * f64).
     *
     * @return the register it wrote (the verifier knows its shape in this block only)
     */
    private static int tuple(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                f.tupleNew(21, ireg(rnd), ireg(rnd), 3);
                return 21;
            }
            case 1 -> {
                f.tupleNew(22, ireg(rnd));
                return 22;
            }
            case 2 -> {
                f.tupleNew(23, ireg(rnd), 14, ireg(rnd), 2, 3);
                return 23;
            }
            default -> {
                f.tupleNew(20, ireg(rnd), ireg(rnd));
                return 20;
            }
        }
    }

    /** Reads a word element of the tuple in {@code t} ({@link #tuple}'s) into an i64 register. */
    private static void read(FunctionBuilder f, Random rnd, int t) {
        int i = switch (t) {
            case 21 -> rnd.nextInt(3);
            case 22 -> 0;
            case 23 -> new int[] {0, 2, 3, 4}[rnd.nextInt(4)];
            default -> rnd.nextInt(2);
        };
        f.tupleGet(idst(rnd), t, i);
    }

    /** A function (n: i64) -> (i64, i64): a counted loop over random items, and a helper it calls. */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        f.constI64(3, 0).constI64(4, 1).constI64(9, 0).constI64(10, 0).constF64(14, 0.5);
        f.tupleNew(20, 5, 6).tupleNew(21, 5, 6, 7).tupleNew(22, 8).tupleNew(23, 5, 14, 6, 7, 8);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            int t = tuple(f, rnd);
            switch (rnd.nextInt(17)) {
                case 0 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4)
                        .binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd));
                case 2 -> f.mov(idst(rnd), ireg(rnd)).i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
                case 3 -> {
                    // a diamond: i64.lt+br, a tuple on one side, jmp to the join
                    Label a = f.newLabel();
                    Label b = f.newLabel();
                    Label join = f.newLabel();
                    f.i64Lt(13, ireg(rnd), ireg(rnd)).br(13, a, b);
                    f.place(a);
                    tuple(f, rnd);
                    f.jmp(join);
                    f.place(b).binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd)).jmp(join);
                    f.place(join);
                }
                case 4 -> {
                    // constant + i64.lt+br
                    Label a = f.newLabel();
                    Label join = f.newLabel();
                    f.constI64(6, rnd.nextInt(5) - 2).i64Lt(13, 5, 6).br(13, a, join);
                    f.place(a);
                    tuple(f, rnd);
                    f.jmp(join);
                    f.place(join);
                }
                case 5 -> {
                    // an inner loop of tuples: i64.add + i64.lt+br back to a tuple.new
                    Label inner = f.newLabel();
                    Label out = f.newLabel();
                    f.constI64(9, 0).constI64(10, 1 + rnd.nextInt(3)).jmp(inner);
                    f.place(inner);
                    int u = tuple(f, rnd);
                    if (rnd.nextBoolean()) {
                        read(f, rnd, u);
                    }
                    f.i64Add(9, 9, 4).i64Lt(13, 9, 10).br(13, inner, out);
                    f.place(out);
                }
                case 6, 7, 8 -> {
                    read(f, rnd, t);
                    read(f, rnd, t);
                    f.i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                }
                // instructions the run leaves to execute
                case 9 -> f.binary(Opcode.I64_XOR, idst(rnd), ireg(rnd), ireg(rnd));
                case 10 -> f.call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                case 11 -> f.tupleNew(24, t, ireg(rnd)).tupleGet(25, 24, 0).tupleGet(idst(rnd), 24, 1);
                case 12 -> f.unary(Opcode.TUPLE_LEN, 26, t);
                case 13 -> f.binary(Opcode.F64_ADD, 14, 14, 14).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 14 -> read(f, rnd, t);
                case 15 -> f.i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
                default -> f.binary(rnd.nextBoolean() ? Opcode.I64_ADD : Opcode.I64_SUB, idst(rnd), ireg(rnd),
                        ireg(rnd));
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, 5);
        pb.function(helper).constI64(2, 3).i64Add(3, 1, 2).tupleNew(4, 3, 2).tupleGet(3, 4, 1).ret(0, 3);
        return pb.build();
    }

    private static final List<Value> ARGS = List.of(Value.i64(4));

    @Test
    void randomTupleRunsEndAsTheirInstructionsOneAtATimeOnBothTiers() throws Exception {
        long total = 0;
        Set<Integer> after = new HashSet<>();
        for (long seed = 1; seed <= 50; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            followers(t.interpreted, after);
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            assertTrue(!full.trapped(), "seed " + seed + ": " + full);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(total > 50 * 60, "the programs ran " + total + " instructions");
        // a tuple.new right before each shape the run handles, and before some it leaves
        for (int op : new int[] {LOp.CONST_ADD, LOp.CONST_SUB, LOp.CONST_LT_BR, LOp.I64_LT_BR, LOp.I64_ADD_LT_BR,
            LOp.MOV_W, LOp.CONST_W, Op.I64_ADD, Op.I64_SUB, Op.I64_MUL, Op.JMP, LOp.TUPLE_NEW_W, LOp.TUPLE_GET_W,
            Op.I64_XOR, Op.CALL, Op.TUPLE_NEW, Op.TUPLE_LEN, Op.F64_ADD}) {
            assertTrue(after.contains(op), "no tuple.new before op 0x" + Integer.toHexString(op));
        }
    }

    @Test
    void heapLimitsHitInsideRunsEndAlikeOnBothTiers() throws Exception {
        int hits = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Tiers t = Tiers.of(Tiers.verified(program(seed)), new HostRegistry());
            Tiers.Outcome whole = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, Limits.DEFAULT, null);
            for (long limit = 0; limit <= whole.heapBytes(); limit += 1 + limit / 16) {
                Limits limits = Limits.DEFAULT.withMaxHeapBytes(limit);
                Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, limits,
                        new StepSweep.Steps());
                Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, ARGS, limits, null);
                Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, ARGS, limits, null);
                String at = "seed " + seed + " heap " + limit;
                Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
                Tiers.assertSame(fast, compiled, () -> at);
                if (fast.trapped() && fast.trap().kind() == TrapKind.HEAP_LIMIT_EXCEEDED) {
                    hits++;
                }
            }
        }
        assertTrue(hits > 100, "heap limits hit " + hits + " times");
    }

    /** Adds the ops that follow a word-element tuple.new in the program's lowered code. */
    private static void followers(Vm vm, Set<Integer> into) {
        for (LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            boolean tuple = false;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    if (tuple) {
                        into.add(code[i]);
                    }
                    tuple = code[i] == LOp.TUPLE_NEW_W;
                }
            }
        }
    }
}
