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

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.vm.DecimalPrograms.D_FIRST;
import static dev.tape.vm.DecimalPrograms.Q;
import static dev.tape.vm.DecimalPrograms.dreg;
import static dev.tape.vm.DecimalPrograms.idst;
import static dev.tape.vm.DecimalPrograms.ireg;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun}, the loop of its own that runs a decimal instruction and the word
 * instructions after it, changes nothing observable. Random programs whose loop bodies put
 * decimal arithmetic (at scale and overflow boundaries: {@code decimal_overflow},
 * {@code decimal_scale_mismatch}) right before every word instruction and fused shape the run
 * handles (word {@code mov} and constants, {@code i64.add/sub/mul}, {@code br}, {@code jmp},
 * {@code i64.lt}+{@code br}, constant + {@code i64.add}, constant + {@code i64.lt}+{@code br},
 * {@code i64.add} + {@code i64.lt}+{@code br}, an inner loop of decimal adds) and before ones it
 * leaves to {@code execute} (constant + {@code i64.sub}, {@code i64.xor}, a call, tuples,
 * {@code dec.to_i64}) run through {@link StepSweep#sweep}: the interpreter untraced, stepped one
 * instruction at a time (INSTR trace) and the compiled tier end alike under every fuel budget,
 * and pause alike at fuel slices of random sizes, snapshots included.
 */
class DecimalRunTiersTest {
    // registers (DecimalPrograms): r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r9/r10 an inner loop's counter and
    // bound, r13 bool, r15..r18 decimals, r19 a decimal of scale 0

    private static void decimal(FunctionBuilder f, Random rnd) {
        switch (rnd.nextInt(5)) {
            case 0 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                    .binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd));
            case 1 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), 0).binary(Opcode.DEC_MUL, dreg(rnd), dreg(rnd), Q);
            default -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd));
        }
    }

    /** A function (n: i64) -> (i64, dec): a counted loop over random items, and a helper it calls. */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, DECIMAL));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        DecimalPrograms.start(f, rnd);
        f.constI64(3, 0).constI64(4, 1).constI64(9, 0).constI64(10, 0);
        f.tupleNew(20, 5, 6);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            decimal(f, rnd);
            switch (rnd.nextInt(15)) {
                case 0 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4)
                        .binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd));
                case 2 -> f.mov(idst(rnd), ireg(rnd)).i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
                case 3 -> {
                    // a diamond: i64.lt+br, a decimal on one side, jmp to the join
                    Label a = f.newLabel();
                    Label b = f.newLabel();
                    Label join = f.newLabel();
                    f.i64Lt(13, ireg(rnd), ireg(rnd)).br(13, a, b);
                    f.place(a);
                    decimal(f, rnd);
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
                    decimal(f, rnd);
                    f.jmp(join);
                    f.place(join);
                }
                case 5 -> {
                    // an inner loop of decimals: i64.add + i64.lt+br back to a decimal instruction
                    Label inner = f.newLabel();
                    Label out = f.newLabel();
                    f.constI64(9, 0).constI64(10, 1 + rnd.nextInt(3)).jmp(inner);
                    f.place(inner);
                    decimal(f, rnd);
                    f.i64Add(9, 9, 4).i64Lt(13, 9, 10).br(13, inner, out);
                    f.place(out);
                }
                // a product that grows every trip: decimal_overflow after a few; or a scale of 1
                case 6 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), rnd.nextInt(4) == 0 ? 1 : 0)
                        .binary(Opcode.DEC_MUL, Q, Q, Q).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 7 -> f.emit(Opcode.I64_TO_DEC, dreg(rnd), ireg(rnd), rnd.nextInt(6) == 0 ? 19 : 2)
                        .constI64(ireg(rnd), rnd.nextInt(9) - 4);
                case 8 -> f.binary(Opcode.DEC_MUL, dreg(rnd), dreg(rnd), dreg(rnd))
                        .binary(Opcode.I64_SUB, idst(rnd), ireg(rnd), ireg(rnd));
                // instructions the run leaves to execute
                case 9 -> f.binary(Opcode.I64_XOR, idst(rnd), ireg(rnd), ireg(rnd));
                case 10 -> f.call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                case 11 -> f.tupleNew(20, ireg(rnd), ireg(rnd)).tupleGet(idst(rnd), 20, 1);
                case 12 -> f.unary(Opcode.DEC_TO_I64, idst(rnd), Q);
                case 13 -> f.i64Mul(idst(rnd), ireg(rnd), ireg(rnd));
                default -> f.mov(dreg(rnd), dreg(rnd));
            }
        }
        return DecimalPrograms.finish(pb, f, helper, top, exit);
    }

    private static final List<Value> ARGS = List.of(Value.i64(4));

    @Test
    void randomDecimalRunsEndAsTheirInstructionsOneAtATimeOnBothTiers() throws Exception {
        long total = 0;
        Set<Integer> after = new HashSet<>();
        Set<String> endings = new HashSet<>();
        for (long seed = 1; seed <= 50; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            followers(t.interpreted, after);
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, "seed " + seed);
            endings.add(full.trapped() ? full.trap().kind().toString() : "done");
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(endings.contains("done"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_OVERFLOW"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_SCALE_MISMATCH"), "endings " + endings);
        assertTrue(total > 50 * 60, "the programs ran " + total + " instructions");
        // a decimal instruction right before each shape the run handles, and before some it leaves
        for (int op : new int[] {LOp.CONST_ADD, LOp.CONST_SUB, LOp.CONST_LT_BR, LOp.I64_LT_BR, LOp.I64_ADD_LT_BR,
            LOp.MOV_W, LOp.CONST_W, Op.I64_ADD, Op.I64_SUB, Op.I64_MUL, Op.JMP, Op.DEC_ADD, Op.DEC_SUB, Op.DEC_MUL,
            Op.I64_TO_DEC, Op.I64_XOR, Op.CALL, LOp.TUPLE_NEW_W, Op.DEC_TO_I64, LOp.MOV_R}) {
            assertTrue(after.contains(op), "no decimal instruction before op 0x" + Integer.toHexString(op));
        }
    }

    /** Adds the ops that follow a decimal instruction in the program's lowered code. */
    private static void followers(Vm vm, Set<Integer> into) {
        for (LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            boolean decimal = false;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    if (decimal) {
                        into.add(code[i]);
                    }
                    int op = code[i];
                    decimal = op == Op.DEC_ADD || op == Op.DEC_SUB || op == Op.DEC_MUL || op == Op.I64_TO_DEC;
                }
            }
        }
    }
}
