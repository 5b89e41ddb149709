package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A direct {@code call} whose callee starts with an op of {@code LOp.callLoopTakes} runs in
 * {@link CallLoop}, which hands any other op back to {@code execute}; every run must end as the
 * same run stepped one instruction at a time (INSTR tracing: a budget of 1 per step): results,
 * traps (kind, function, pc, call stack) and fuel left, under every fuel budget and call depth.
 */
class CallLoopTest {
    /**
     * main(n) = fib(n) * 3 (the multiply goes back to {@code execute}); fib as the benchmark's,
     * plus a call to {@code other}, whose first op ({@code i64.mul}) CallLoop does not take.
     */
    static Vm program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int fib = pb.declareFunction(List.of(I64), List.of(I64));
        int other = pb.declareFunction(List.of(I64), List.of(I64));
        main.call(0, fib, 0, new int[] {1}, new int[] {2}).constI64(3, 3).i64Mul(4, 2, 3)
                .call(0, other, 0, new int[] {4}, new int[] {5}).ret(0, 5);
        FunctionBuilder f = pb.function(fib);
        Label base = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 2).i64Lt(3, 1, 2).br(3, base, rec);
        f.place(base).ret(0, 1);
        f.place(rec).constI64(4, 1).i64Sub(5, 1, 4)
                .call(0, fib, 0, new int[] {5}, new int[] {6})
                .i64Sub(7, 1, 2)
                .call(0, fib, 0, new int[] {7}, new int[] {8})
                .i64Mul(10, 6, 4)
                .i64Add(9, 10, 8).ret(0, 9);
        FunctionBuilder o = pb.function(other);
        o.i64Mul(2, 1, 1).constI64(3, 1).i64Add(4, 2, 3).ret(0, 4);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    private static long fib(long n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    @Test
    void callHeavyRunsEndUnderEveryBudgetAndDepthAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = program();
        long f = fib(7) * 3;
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String full = RunFuelSupport.outcome(vm, 7, Limits.DEFAULT, all);
        assertEquals("ok " + List.of(Value.i64(f * f + 1)) + " fuel " + (Limits.DEFAULT.fuel() - all.count), full);
        assertEquals(full, RunFuelSupport.outcome(vm, 7, Limits.DEFAULT, null));
        int depthTraps = 0;
        int fuelOuts = 0;
        for (long depth : new long[] {Limits.DEFAULT.maxCallDepth(), 7, 4}) {
            for (long fuel = 0; fuel <= all.count + 5; fuel++) {
                Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth);
                String stepped = RunFuelSupport.outcome(vm, 7, limits, new RunFuelSupport.Steps());
                String fast = RunFuelSupport.outcome(vm, 7, limits, null);
                assertEquals(stepped, fast, "fuel " + fuel + ", depth " + depth);
                depthTraps += fast.startsWith("CALL_DEPTH_EXCEEDED") ? 1 : 0;
                fuelOuts += fast.startsWith("FUEL_EXCEEDED") ? 1 : 0;
            }
        }
        assertTrue(depthTraps > 0 && fuelOuts > 0, depthTraps + " depth traps, " + fuelOuts + " out of fuel");
    }
    /**
     * A call whose callee's registers or frame record need the files to grow is not made in
     * {@link CallLoop} (no growth code there: docs/PERFORMANCE-LOG.md, "Interpreter, twenty-fifth
     * round"): it stops at the call, unpaid, with {@code hotGrow} set and nothing grown; with room,
     * it runs the same call on. main's first instruction is the call to fib.
     */
    @Test
    void aCallThatNeedsRoomStopsCallLoopUnpaidAndGrowsNothing() throws Exception {
        Vm vm = program();
        ExecutionContext c = new ExecutionContext();
        c.reset(Limits.DEFAULT, null, 0);
        int ip = vm.image.entry(0);
        int regs = vm.image.regCounts()[0];
        long[] w = c.w;
        int[] frames = c.frames;
        w[1] = 7;
        // no registers charged yet (a run's start before its entry frame's charge)
        c.regHigh = 0;
        CallLoop.run(vm, c, ip, 0, 1, regs, 100);
        assertTrue(c.hotGrow, "stopped for room");
        assertEquals(ip, c.hotIp);
        assertEquals(100, c.hotBudget, "the call left unpaid");
        assertEquals(1, c.hotDepth);
        assertEquals(0, c.hotBase);
        assertEquals(0, c.regHigh, "nothing charged");
        assertSame(w, c.w, "registers not grown");
        assertSame(frames, c.frames, "frame records not grown");
        // the frame records full at this depth: the same stop
        c.hotGrow = false;
        c.ensureRegisters(1000, 0);
        int depth = frames.length / ExecutionContext.FRAME + 1;
        CallLoop.run(vm, c, ip, 0, depth, regs, 100);
        assertTrue(c.hotGrow, "stopped for frame records");
        assertEquals(ip, c.hotIp);
        assertEquals(100, c.hotBudget);
        assertSame(frames, c.frames, "frame records not grown");
        // with room for both, the call is made here and the run goes on
        c.hotGrow = false;
        CallLoop.run(vm, c, ip, 0, 1, regs, 3);
        assertFalse(c.hotGrow);
        assertEquals(2, c.hotDepth, "in fib");
        assertEquals(0, c.hotBudget);
    }
}
