package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interpreter's superinstructions ({@link LOp#I64_ADD_LT_BR}, {@link LOp#CONST_ADD},
 * {@link LOp#CONST_SUB}, {@link LOp#CONST_LT_BR}, {@link LOp#F64_MUL_ADD}, {@link LOp#F64_SUB_ADD}, {@link LOp#I64_TO_F64_MUL_ADD}) behave exactly as the
 * instructions they fuse, run one at a time. Random programs dense in the fused pairs (loops,
 * diamonds on a constant compare, a call, a division that may trap) run on the interpreter
 * untraced (fused), on the interpreter stepped one instruction at a time with INSTR tracing
 * (never fused) and on the compiled tier:
 * <ul>
 *   <li>under every fuel budget from 0 to past the end, all three end alike (results, or every
 *       field of the trap, fuel left), and a run that runs out of fuel with budget k traps at the
 *       pc of the trace's instruction k, so a budget that ends inside a pair stops at the pair's
 *       second (or third) instruction;</li>
 *   <li>paused at every fuel slice of random sizes, both tiers show the same frames, fuel and
 *       snapshot bytes ({@link Tiers#lockstep}), the paused frame is the traced instruction at that
 *       fuel, and runs restored from the snapshots end as the uninterrupted run;</li>
 *   <li>the INSTR trace has one event per fuel unit, so each half of a pair is traced.</li>
 * </ul>
 */
class SuperinstructionTiersTest {
    /** registers: r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r9..r12 f64, r13 and r14 bool */
    private static final int I_FIRST = 5;
    private static final int F_FIRST = 9;

    private static int ireg(Random rnd) {
        return I_FIRST + rnd.nextInt(4);
    }

    /** an i64 register that may be written: r2 or r5..r8 (never the loop's i, 1 or n) */
    private static int idst(Random rnd) {
        return rnd.nextInt(5) == 0 ? 2 : ireg(rnd);
    }

    private static int freg(Random rnd) {
        return F_FIRST + rnd.nextInt(4);
    }

    /**
     * A function (n: i64) -> (i64, f64): a counted loop over a random body of fused pairs and
     * single instructions, and a helper it calls whose body is fused pairs too.
     */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, F64));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        for (int r = F_FIRST; r < F_FIRST + 4; r++) {
            f.constF64(r, rnd.nextInt(9) / 4.0 - 1);
        }
        f.constI64(3, 0).constI64(4, 1);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(8);
        for (int k = 0; k < items; k++) {
            switch (rnd.nextInt(13)) {
                case 0 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 1 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Sub(idst(rnd), ireg(rnd), ireg(rnd));
                case 2 -> f.binary(Opcode.F64_MUL, freg(rnd), freg(rnd), freg(rnd))
                        .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
                case 3 -> {
                    // a * b + c through the product's register
                    int p = freg(rnd);
                    f.binary(Opcode.F64_MUL, p, freg(rnd), freg(rnd)).binary(Opcode.F64_ADD, freg(rnd), p, freg(rnd));
                }
                case 4 -> {
                    int x = ireg(rnd);
                    int a = ireg(rnd);
                    f.constI64(x, rnd.nextInt(9) - 4).i64Lt(14, a, x);
                    diamond(f, a);
                }
                case 5 -> {
                    int a = ireg(rnd);
                    f.i64Add(idst(rnd), ireg(rnd), ireg(rnd)).i64Lt(14, a, ireg(rnd));
                    diamond(f, a);
                }
                case 6 -> f.call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                // a division that traps when its divisor is 0 (sometimes a register that may be)
                case 7 -> f.i64Div(idst(rnd), ireg(rnd), rnd.nextInt(3) == 0 ? ireg(rnd) : 4);
                case 8 -> f.unary(Opcode.I64_TO_F64, freg(rnd), ireg(rnd)).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 9 -> f.binary(Opcode.F64_SUB, freg(rnd), freg(rnd), freg(rnd))
                        .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd));
                case 11 -> {
                    // acc += i * a: the triple, the product through its register
                    int x = freg(rnd);
                    int p = freg(rnd);
                    f.unary(Opcode.I64_TO_F64, x, ireg(rnd)).binary(Opcode.F64_MUL, p, x, freg(rnd))
                            .binary(Opcode.F64_ADD, freg(rnd), freg(rnd), p);
                }
                case 10 -> {
                    // acc += a - b through the difference's register
                    int d = freg(rnd);
                    int acc = freg(rnd);
                    f.binary(Opcode.F64_SUB, d, freg(rnd), freg(rnd)).binary(Opcode.F64_ADD, acc, acc, d);
                }
                default -> f.binary(Opcode.F64_ADD, freg(rnd), freg(rnd), freg(rnd))
                        .constI64(ireg(rnd), rnd.nextInt(5));
            }
        }
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, F_FIRST);
        pb.function(helper).constI64(2, 3).i64Add(3, 1, 2).constI64(4, 2).i64Sub(5, 3, 4)
                .unary(Opcode.I64_TO_F64, 6, 5).binary(Opcode.F64_MUL, 7, 6, 6).binary(Opcode.F64_ADD, 8, 7, 6)
                .ret(0, 5);
        return pb.build();
    }

    /** {@code br r14, then, else}: then adds a to r2, else subtracts it; both jump to the join. */
    private static void diamond(FunctionBuilder f, int a) {
        Label then = f.newLabel();
        Label other = f.newLabel();
        Label join = f.newLabel();
        f.br(14, then, other);
        f.place(then).i64Add(2, 2, a).jmp(join);
        f.place(other).i64Sub(2, 2, a).jmp(join);
        f.place(join);
    }

    private static final List<Value> ARGS = List.of(Value.i64(4));

    @Test
    void randomProgramsDenseInPairsRunAsTheirInstructionsOneAtATime() throws Exception {
        int fusedSeen = 0;
        int subAdds = 0;
        int triples = 0;
        long total = 0;
        for (long seed = 1; seed <= 60; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            fusedSeen += fused(t.interpreted);
            subAdds += count(t.interpreted, LOp.F64_SUB_ADD);
            triples += count(t.interpreted, LOp.I64_TO_F64_MUL_ADD);
            String what = "seed " + seed;
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, what);
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        assertTrue(fusedSeen > 300, "the programs hold " + fusedSeen + " superinstructions");
        assertTrue(subAdds > 40, "the programs hold " + subAdds + " f64.sub + f64.add pairs");
        assertTrue(triples > 40, "the programs hold " + triples + " i64.to_f64 + f64.mul + f64.add triples");
        assertTrue(total > 60 * 60, "the programs ran " + total + " instructions");
    }

    /** @return how many instructions of the program's lowered code have lowered op {@code op} */
    private static int count(Vm vm, int op) {
        int n = 0;
        for (dev.tape.verify.internal.LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0 && code[i] == op) {
                    n++;
                }
            }
        }
        return n;
    }

    /** @return how many superinstructions the program's lowered code holds */
    private static int fused(Vm vm) {
        int n = 0;
        for (dev.tape.verify.internal.LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0 && LOp.plain(code[i]) != code[i]) {
                    n++;
                }
            }
        }
        return n;
    }
}
