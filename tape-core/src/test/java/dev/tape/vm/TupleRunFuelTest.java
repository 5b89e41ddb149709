package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TupleRun}, the loop that runs a word-element {@code tuple.new} and the tuple and word
 * instructions after it, spends fuel, charges the heap and reports traps exactly as one
 * instruction at a time: a loop whose body holds pairs and a triple built and read back, every
 * word shape the run handles (word {@code mov}, constants, {@code i64.add/sub/mul}, {@code jmp},
 * {@code br}, {@code i64.lt}+{@code br}, constant + {@code i64.add}, constant +
 * {@code i64.lt}+{@code br}, {@code i64.add} + {@code i64.lt}+{@code br}), a {@code tuple.new}
 * followed by an op the run does not take ({@code i64.xor}: it runs in {@code execute}) and a run
 * that leaves at one, run untraced and stepped (INSTR tracing) under every budget from 0 to past
 * the end, and under heap limits that a {@code tuple.new} inside a run exceeds.
 */
class TupleRunFuelTest {
    /**
     * (n: i64) -> (i64, i64): per trip i < n, p = (i, acc); a = i, b = acc; c = a + 3;
     * acc = acc - c * 1; t = (a, b, c); acc = acc + c; then acc = acc + 0 (i < 2: (acc, i) is
     * built) or x = acc ^ (i, i).0 (i >= 2, also a (i, i) built before the xor); returns (acc, x).
     */
    static VerifiedProgram program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64));
        Label body = f.newLabel();
        Label small = f.newLabel();
        Label big = f.newLabel();
        Label latch = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).constI64(15, 0)
                .i64Lt(5, 3, 1).br(5, body, done);
        f.place(body)
                .tupleNew(6, 3, 2).tupleGet(7, 6, 0).tupleGet(8, 6, 1)
                .constI64(10, 3).i64Add(11, 7, 10)
                .mov(12, 11).i64Mul(12, 12, 4).binary(Opcode.I64_SUB, 2, 2, 12)
                .tupleNew(9, 7, 8, 11).tupleGet(13, 9, 2).i64Add(2, 2, 13)
                .constI64(14, 2).i64Lt(5, 3, 14).br(5, small, big);
        f.place(small).tupleNew(6, 2, 3).jmp(latch);
        f.place(big).tupleNew(6, 3, 3).binary(Opcode.I64_XOR, 16, 2, 3)
                .tupleNew(6, 3, 3).tupleGet(16, 6, 0).binary(Opcode.I64_XOR, 15, 2, 16)
                .i64Lt(5, 2, 3).br(5, latch, latch);
        f.place(latch).i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, body, done);
        f.place(done).ret(0, 2, 15);
        return Verifier.verify(pb.build());
    }

    private static String outcome(Vm vm, long n, Limits limits, TraceSink sink) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), limits, sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining() + " heap " + ctx.heapBytesAllocated();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " heap "
                    + ctx.heapBytesAllocated() + " " + t.getMessage();
        }
    }

    @Test
    void theLoweredLoopHoldsEveryShapeTheRunHandles() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        Set<Integer> ops = RunFuelSupport.loweredOps(vm.funcs[0]);
        for (int op : new int[] {LOp.CONST_ADD, LOp.CONST_LT_BR, LOp.I64_ADD_LT_BR, LOp.I64_LT_BR, LOp.MOV_W,
            LOp.CONST_W, Op.JMP, Op.I64_MUL, Op.I64_SUB, Op.I64_XOR, LOp.TUPLE_NEW_W, LOp.TUPLE_GET_W}) {
            assertTrue(ops.contains(op), "op 0x" + Integer.toHexString(op) + " in " + ops);
        }
    }

    @Test
    void handComputedResults() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        for (long n : new long[] {0, 1, 5, 9}) {
            long acc = 0;
            long x = 0;
            for (long i = 0; i < n; i++) {
                long c = i + 3;
                acc = acc - c + c;
                if (i >= 2) {
                    x = acc ^ i;
                }
            }
            List<Value> out = vm.run(new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            assertEquals(List.of(Value.i64(acc), Value.i64(x)), out, "n " + n);
        }
    }

    @Test
    void everyBudgetEndsAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        Limits big = Limits.DEFAULT.withFuel(1_000_000);
        String whole = outcome(vm, 6, big, all);
        assertEquals(whole, outcome(vm, 6, big, null));
        assertTrue(all.count > 100, "runs " + all.count + " instructions");
        assertTrue(whole.startsWith("ok") && whole.contains(" fuel " + (1_000_000 - all.count) + " "), whole);
        RunFuelSupport.everyBudgetEndsAlike((fuel, sink) -> outcome(vm, 6, Limits.DEFAULT.withFuel(fuel), sink),
                all.count, "n 6");
    }

    @Test
    void aHeapLimitHitInsideARunTrapsAtItsTupleAsWhenStepping() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        String whole = outcome(vm, 6, Limits.DEFAULT, null);
        long heap = Long.parseLong(whole.substring(whole.lastIndexOf(' ') + 1));
        // a pair is charged 50 bytes, a triple 59 (Ops.aggregateBytes)
        assertTrue(heap > 6 * (50 + 59), whole);
        List<String> differ = new ArrayList<>();
        Set<String> pcs = new HashSet<>();
        for (long limit = 0; limit <= heap; limit += 7) {
            Limits limits = Limits.DEFAULT.withMaxHeapBytes(limit);
            String stepped = outcome(vm, 6, limits, new RunFuelSupport.Steps());
            String fast = outcome(vm, 6, limits, null);
            if (!stepped.equals(fast)) {
                differ.add("heap " + limit + ": " + stepped + " / " + fast);
            }
            assertTrue(fast.startsWith("HEAP_LIMIT_EXCEEDED f0 pc "), fast);
            pcs.add(fast.split(" ")[3]);
        }
        assertEquals(List.of(), differ);
        // the limit is hit at each of the loop's five tuple.new instructions
        assertEquals(5, pcs.size(), "pcs " + pcs);
    }
}
