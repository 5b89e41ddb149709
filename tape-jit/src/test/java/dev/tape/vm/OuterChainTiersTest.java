package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interpreter's outer {@code switch} runs an instruction of its own right after another one
 * (decimals, tuples, reference moves and constants, indirect and host calls, {@code Ops.slow}'s
 * aggregates and texts: {@code Interpreter.CHAINS})
 * without going back through the inner word loop, and that changes nothing observable. Random
 * programs dense in runs of such instructions (decimal arithmetic at scale and overflow
 * boundaries, which traps {@code decimal_overflow} and {@code decimal_scale_mismatch}; tuple
 * building and projection; {@code mov}, {@code select} and constants of decimals; a direct call
 * right after a decimal instruction and a {@code ret} right after one, both of which run in the
 * inner loop) run on the interpreter untraced
 * (chained), on the interpreter stepped one instruction at a time with INSTR tracing (never
 * chained, a budget of 1 per step) and on the compiled tier:
 * <ul>
 *   <li>under every fuel budget from 0 to past the end, all three end alike (results, or every
 *       field of the trap, fuel left), and a run with budget k traps {@code fuel_exceeded} at the
 *       function and pc of the trace's instruction k, so a budget that ends inside a run stops at
 *       the next instruction of the run;</li>
 *   <li>paused at every fuel slice of random sizes, both tiers show the same frames, fuel and
 *       snapshot bytes ({@link Tiers#lockstep}), the paused frame is the traced instruction at that
 *       fuel, and the interpreter's snapshot restored on the interpreter ends as the whole run.</li>
 * </ul>
 */
class OuterChainTiersTest {
    /** registers (DecimalPrograms): r1 = n, r2..r8 i64 (r3 = i, r4 = 1), r13 and r14 bool, r15..r18 decimals, r19 a decimal of scale 0, r20 a tuple */
    private static final int T = 20;

    /**
     * A function (n: i64) -> (i64, dec): a counted loop over a random body of runs of outer
     * instructions mixed with word instructions, and a helper it calls that ends with a decimal
     * instruction right before its {@code ret}.
     */
    static Program program(long seed) {
        Random rnd = new Random(seed);
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, DECIMAL));
        int helper = pb.declareFunction(List.of(I64), List.of(I64));
        DecimalPrograms.start(f, rnd);
        f.tupleNew(T, 5, 6);
        f.constI64(3, 0).constI64(4, 1);
        f.i64Lt(14, 5, 6);
        Label top = f.newLabel();
        Label exit = f.newLabel();
        f.i64Lt(13, 3, 1).br(13, top, exit);
        f.place(top);
        int items = 3 + rnd.nextInt(8);
        for (int k = 0; k < items; k++) {
            switch (rnd.nextInt(14)) {
                // dec_loop's line: quantity * price + fee, added up
                case 0, 1 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), 0)
                        .binary(Opcode.DEC_MUL, dreg(rnd), dreg(rnd), Q)
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd));
                case 2 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd));
                // a product that grows every trip: decimal_overflow after a few
                case 3 -> f.emit(Opcode.I64_TO_DEC, Q, ireg(rnd), rnd.nextInt(4) == 0 ? 1 : 0)
                        .binary(Opcode.DEC_MUL, Q, Q, Q);
                // a scale of 1 or 19 (decimal_overflow), or a scale-4 product: mismatches later
                case 4 -> {
                    int scale = switch (rnd.nextInt(4)) {
                        case 0 -> 19;
                        case 1 -> 1;
                        default -> 2;
                    };
                    f.emit(Opcode.I64_TO_DEC, dreg(rnd), ireg(rnd), scale);
                    if (rnd.nextInt(3) == 0) {
                        f.binary(Opcode.DEC_MUL, dreg(rnd), dreg(rnd), dreg(rnd));
                    }
                }
                case 5 -> f.constDecimal(dreg(rnd), rnd.nextInt(2001) - 1000, 2).mov(dreg(rnd), dreg(rnd))
                        .binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd));
                case 6 -> f.select(dreg(rnd), 14, dreg(rnd), dreg(rnd))
                        .binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd));
                // tuple.new and two tuple.gets, then a word instruction
                case 7, 8 -> f.tupleNew(T, ireg(rnd), ireg(rnd)).tupleGet(idst(rnd), T, 0).tupleGet(idst(rnd), T, 1)
                        .i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                // an instruction of Ops.slow after a decimal one (traps when Q's scale is not 0)
                case 9 -> f.binary(Opcode.DEC_ADD, dreg(rnd), dreg(rnd), dreg(rnd))
                        .unary(Opcode.DEC_TO_I64, idst(rnd), Q);
                // a call right after a decimal instruction
                case 10 -> f.binary(Opcode.DEC_SUB, dreg(rnd), dreg(rnd), dreg(rnd))
                        .call(0, helper, 0, new int[] {ireg(rnd)}, new int[] {idst(rnd)});
                case 11 -> f.constI64(ireg(rnd), rnd.nextInt(9) - 4).i64Add(idst(rnd), ireg(rnd), ireg(rnd));
                case 12 -> f.i64Lt(14, ireg(rnd), ireg(rnd)).tupleNew(T, ireg(rnd), 3);
                default -> f.mov(dreg(rnd), dreg(rnd)).mov(dreg(rnd), dreg(rnd))
                        .tupleGet(idst(rnd), T, rnd.nextInt(2));
            }
        }
        // the helper: a decimal instruction right before each ret
        return DecimalPrograms.finish(pb, f, helper, top, exit);
    }

    private static final List<Value> ARGS = List.of(Value.i64(4));

    @Test
    void randomProgramsDenseInRunsOfOuterInstructionsRunAsTheirInstructionsOneAtATime() throws Exception {
        long total = 0;
        int chained = 0;
        Set<String> endings = new HashSet<>();
        for (long seed = 1; seed <= 60; seed++) {
            VerifiedProgram vp = Tiers.verified(program(seed));
            Tiers t = Tiers.of(vp, new HostRegistry());
            chained += chained(t.interpreted);
            String what = "seed " + seed;
            Tiers.Outcome full = StepSweep.sweep(t, ARGS, seed, what);
            endings.add(full.trapped() ? full.trap().kind().toString() : "done");
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        // the programs end every way the decimals can: results, overflow and scale mismatch
        assertTrue(endings.contains("done"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_OVERFLOW"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_SCALE_MISMATCH"), "endings " + endings);
        assertTrue(total > 60 * 60, "the programs ran " + total + " instructions");
        assertTrue(chained > 300, "the programs hold " + chained + " instructions chained to the one before");
    }

    /** @return how many instructions of the program's lowered code the one before can chain to */
    private static int chained(Vm vm) {
        int n = 0;
        for (dev.tape.verify.internal.LoweredFunction lf : vm.funcs) {
            int[] code = lf.code();
            int previous = -1;
            for (int i = 0; i < lf.codeLength(); i++) {
                if (lf.pcOf()[i] >= 0) {
                    if (previous >= 0 && Interpreter.CHAINS[previous] && Interpreter.CHAINS[code[i]]) {
                        n++;
                    }
                    previous = code[i];
                }
            }
        }
        return n;
    }
}
