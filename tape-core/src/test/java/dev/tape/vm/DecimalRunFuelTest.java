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

import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DecimalRun}, the loop that runs a decimal instruction and the word instructions after it,
 * spends fuel and reports traps exactly as one instruction at a time: a decimal loop whose body
 * holds every word instruction and fused shape the run handles (word {@code mov}, constants,
 * {@code i64.add/sub/mul}, {@code jmp}, {@code br}, {@code i64.lt}+{@code br}, constant +
 * {@code i64.add}, constant + {@code i64.lt}+{@code br}, {@code i64.add} + {@code i64.lt}+{@code br})
 * and one it leaves to {@code execute} ({@code i64.xor}), run untraced and stepped (INSTR tracing)
 * under every budget from 0 to past the end, for an input that ends with results and one whose
 * growing product traps {@code decimal_overflow} inside a run.
 */
class DecimalRunFuelTest {
    private static final int OVERFLOW_PC_REG = 16;

    /**
     * (n: i64) -> (dec, i64, dec): total = sum over i < n of (1.25 * i + 0.50) + (0.50 if i < 2,
     * else -0.50); acc = sum of (3 - i); p = 10^n, scale 0 (overflows i64 at n = 19).
     */
    static VerifiedProgram program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(DECIMAL, I64, DECIMAL));
        Label body = f.newLabel();
        Label small = f.newLabel();
        Label big = f.newLabel();
        Label latch = f.newLabel();
        Label done = f.newLabel();
        f.constDecimal(2, 0, 2).constDecimal(3, 125, 2).constDecimal(4, 50, 2)
                .constI64(5, 0).constI64(6, 1).constI64(11, 0)
                .constDecimal(OVERFLOW_PC_REG, 1, 0).constDecimal(17, 10, 0)
                .i64Lt(7, 5, 1).br(7, body, done);
        f.place(body)
                .emit(Opcode.I64_TO_DEC, 8, 5, 0)
                .binary(Opcode.DEC_MUL, 9, 3, 8)
                .constI64(12, 3).i64Add(11, 11, 12)
                .binary(Opcode.DEC_ADD, 10, 9, 4)
                .mov(13, 5).i64Mul(13, 13, 6).binary(Opcode.I64_SUB, 11, 11, 13)
                .binary(Opcode.DEC_ADD, 2, 2, 10)
                .binary(Opcode.DEC_MUL, OVERFLOW_PC_REG, OVERFLOW_PC_REG, 17)
                .constI64(14, 2).i64Lt(7, 5, 14).br(7, small, big);
        f.place(small).binary(Opcode.DEC_ADD, 2, 2, 4).jmp(latch);
        f.place(big).binary(Opcode.I64_XOR, 15, 11, 5)
                .binary(Opcode.DEC_SUB, 2, 2, 4)
                .i64Lt(7, 11, 5).br(7, latch, latch);
        f.place(latch).i64Add(5, 5, 6).i64Lt(7, 5, 1).br(7, body, done);
        f.place(done).ret(0, 2, 11, OVERFLOW_PC_REG);
        return Verifier.verify(pb.build());
    }

    @Test
    void theLoweredLoopHoldsEveryShapeTheRunHandles() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        Set<Integer> ops = RunFuelSupport.loweredOps(vm.funcs[0]);
        for (int op : new int[] {LOp.CONST_ADD, LOp.CONST_LT_BR, LOp.I64_ADD_LT_BR, LOp.I64_LT_BR, LOp.MOV_W,
            LOp.CONST_W, Op.JMP, Op.I64_MUL, Op.I64_SUB, Op.I64_XOR,
            Op.DEC_MUL, Op.DEC_ADD, Op.DEC_SUB, Op.I64_TO_DEC}) {
            assertTrue(ops.contains(op), "op 0x" + Integer.toHexString(op) + " in " + ops);
        }
    }

    @Test
    void handComputedResults() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        List<Value> out = vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, null);
        // total: 12.50 + 2.50 lines, +0.50 twice, -0.50 three times; acc: 15 - 10; p: 10^5
        assertEquals(List.of(Value.decimal(1450, 2), Value.i64(5), Value.decimal(100_000, 0)), out);
        String trapped = RunFuelSupport.outcome(vm, 25, 1_000_000, null);
        assertTrue(trapped.startsWith("DECIMAL_OVERFLOW f0 pc "), trapped);
    }

    @Test
    void everyBudgetEndsAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        for (long n : new long[] {5, 25}) {
            RunFuelSupport.Steps all = new RunFuelSupport.Steps();
            String whole = RunFuelSupport.outcome(vm, n, 1_000_000, all);
            assertEquals(whole, RunFuelSupport.outcome(vm, n, 1_000_000, null), "n " + n);
            assertTrue(all.count > 60, "n " + n + " runs " + all.count + " instructions");
            // one unit per instruction traced, the trapping one included
            assertTrue(whole.contains(" fuel " + (1_000_000 - all.count) + (n == 5 ? "" : " ")), whole);
            RunFuelSupport.everyBudgetEndsAlike((fuel, sink) -> RunFuelSupport.outcome(vm, n, fuel, sink), all.count,
                    "n " + n);
        }
    }
}
