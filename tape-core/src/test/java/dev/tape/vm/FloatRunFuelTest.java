package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FloatRun}, the loop that runs an f64 instruction and the f64 and word instructions after
 * it, spends fuel exactly as one instruction at a time: a loop whose body starts runs at each f64
 * entry ({@code f64.add/sub/mul/div}, {@code i64.to_f64} and the three f64 superinstructions), holds
 * every f64 and word shape the run handles ({@code f64.lt}, {@code f64.lt}+{@code br}, word
 * {@code mov}, constants, {@code i64.add/mul}, {@code jmp}, constant + {@code i64.add},
 * {@code i64.add} + {@code i64.lt}+{@code br}, here a latch back to a run's head,
 * {@link LOp#I64_ADD_LT_BR_RUN}) and f64 instructions followed by ops the run does not
 * take ({@code i64.xor}), run untraced and stepped (INSTR tracing) under every budget from 0 to past
 * the end.
 */
class FloatRunFuelTest {
    /**
     * (n: i64) -> (f64, i64, f64): per trip i < n, v = (i * 0.5 + 1.5) / 1.5 - 0.5; s = s + v;
     * q = v * v + 0.5; then s = s - 0.5 (q < 1.5) or s = s + s * 0.5, k = (i * 1 + 2) ^ 1,
     * z = s / 1.5 (otherwise); returns (s, k, z).
     */
    static VerifiedProgram program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(F64, I64, F64));
        Label body = f.newLabel();
        Label small = f.newLabel();
        Label big = f.newLabel();
        Label latch = f.newLabel();
        Label done = f.newLabel();
        f.constF64(2, 0.0).constF64(5, 0.5).constF64(6, 1.5).constI64(3, 0).constI64(4, 1)
                .constI64(19, 0).constF64(20, 0.0)
                .i64Lt(7, 3, 1).br(7, body, done);
        f.place(body)
                .unary(Opcode.I64_TO_F64, 8, 3).binary(Opcode.F64_MUL, 9, 8, 5).binary(Opcode.F64_ADD, 10, 9, 6)
                .binary(Opcode.F64_DIV, 11, 10, 6)
                .binary(Opcode.F64_SUB, 12, 11, 5).binary(Opcode.F64_ADD, 2, 2, 12)
                .binary(Opcode.F64_MUL, 13, 12, 12).binary(Opcode.F64_ADD, 14, 13, 5)
                .binary(Opcode.F64_LT, 7, 14, 6).br(7, small, big);
        f.place(small).binary(Opcode.F64_SUB, 2, 2, 5).jmp(latch);
        f.place(big).binary(Opcode.F64_MUL, 15, 2, 5).mov(16, 3)
                .binary(Opcode.F64_ADD, 2, 2, 15).i64Mul(16, 16, 4)
                .constI64(17, 2).i64Add(18, 16, 17)
                .binary(Opcode.F64_LT, 21, 2, 6)
                .unary(Opcode.I64_TO_F64, 22, 18).binary(Opcode.I64_XOR, 19, 18, 4)
                .binary(Opcode.F64_DIV, 20, 2, 6).binary(Opcode.I64_XOR, 23, 19, 4)
                .jmp(latch);
        f.place(latch).i64Add(3, 3, 4).i64Lt(7, 3, 1).br(7, body, done);
        f.place(done).ret(0, 2, 19, 20);
        return Verifier.verify(pb.build());
    }

    @Test
    void theLoweredLoopHoldsEveryShapeTheRunHandles() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        Set<Integer> ops = RunFuelSupport.loweredOps(vm.funcs[0]);
        for (int op : new int[] {LOp.I64_TO_F64_MUL_ADD, LOp.F64_MUL_ADD, LOp.F64_DIV_SUB_ADD, LOp.F64_SUB_ADD,
            LOp.F64_LT_BR, Op.F64_DIV,
            Op.F64_SUB, Op.F64_MUL, Op.F64_ADD, Op.F64_LT, Op.I64_TO_F64, LOp.CONST_ADD, LOp.I64_ADD_LT_BR_RUN,
            LOp.MOV_W, Op.I64_MUL, Op.JMP, Op.I64_XOR}) {
            assertTrue(ops.contains(op), "op 0x" + Integer.toHexString(op) + " in " + ops);
        }
    }

    @Test
    void handComputedResults() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        for (long n : new long[] {0, 1, 7}) {
            double s = 0;
            long k = 0;
            double z = 0;
            for (long i = 0; i < n; i++) {
                double v = ((double) i * 0.5 + 1.5) / 1.5 - 0.5;
                s = s + v;
                double q = v * v + 0.5;
                if (q < 1.5) {
                    s = s - 0.5;
                } else {
                    s = s + s * 0.5;
                    k = (i + 2) ^ 1;
                    z = s / 1.5;
                }
            }
            List<Value> out = vm.run(new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            assertEquals(List.of(Value.f64(s), Value.i64(k), Value.f64(z)), out, "n " + n);
        }
    }

    @Test
    void everyBudgetEndsAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String whole = RunFuelSupport.outcome(vm, 7, 1_000_000, all);
        assertEquals(whole, RunFuelSupport.outcome(vm, 7, 1_000_000, null));
        assertTrue(all.count > 100, "runs " + all.count + " instructions");
        assertTrue(whole.startsWith("ok") && whole.endsWith(" fuel " + (1_000_000 - all.count)), whole);
        RunFuelSupport.everyBudgetEndsAlike((fuel, sink) -> RunFuelSupport.outcome(vm, 7, fuel, sink), all.count,
                "n 7");
    }
}
