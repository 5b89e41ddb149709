package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * A call whose charge (the callee's registers and the pending frame records) passes the run's
     * register mark, or whose frame record needs the frame records to grow, is not made in
     * {@link CallLoop} (no growth code there, and the mark is never raised there:
     * docs/PERFORMANCE-LOG.md, "Interpreter, twenty-fifth round" and "twenty-sixth round"): it stops
     * at the call, unpaid, returning {@link CallLoop#GROW}, with nothing charged or grown, however
     * long the files already are; with the mark at the charge, it runs the same call on. main's first
     * instruction is the call to fib.
     */
    @Test
    void aCallThatNeedsRoomStopsCallLoopUnpaidAndGrowsNothing() throws Exception {
        Vm vm = program();
        int ip = vm.image.entry(0);
        int regs = vm.image.regCounts()[0];
        int calleeRegs = vm.image.regCounts()[1];
        // main at base 0, depth 1: fib's registers end at regs + calleeRegs, one record pending
        int charge = regs + calleeRegs + ExecutionContext.FRAME_REGISTERS;
        // no registers charged yet (a run's start before its entry frame's charge), files with room to
        // spare: stopped, unpaid, nothing charged or grown (the files do not decide, the mark does)
        ExecutionContext c = context(charge + 100, Limits.DEFAULT);
        long[] w = c.w;
        int[] frames = c.frames;
        assertEquals(CallLoop.GROW, CallLoop.run(vm, c, ip, 0, 1, regs, 100), "stopped for room");
        assertEquals(ip, c.hotIp);
        assertEquals(100, c.hotBudget, "the call left unpaid");
        assertEquals(1, c.hotDepth);
        assertEquals(0, c.hotBase);
        assertEquals(regs, c.hotRegs);
        assertEquals(0, c.regHigh, "nothing charged");
        assertSame(w, c.w, "registers not grown");
        assertSame(frames, c.frames, "frame records not grown");
        // the mark one register short of the charge: the same stop, the mark left as it was
        c = context(charge + 100, Limits.DEFAULT);
        c.regHigh = charge - 1;
        assertEquals(CallLoop.GROW, CallLoop.run(vm, c, ip, 0, 1, regs, 100), "stopped one short");
        assertEquals(ip, c.hotIp);
        assertEquals(100, c.hotBudget);
        assertEquals(charge - 1, c.regHigh, "the mark not raised");
        // the mark at the charge exactly: the call made here and the run goes on, the mark unchanged
        c = context(charge + 100, Limits.DEFAULT);
        c.regHigh = charge;
        assertEquals(CallLoop.HANDED_BACK, CallLoop.run(vm, c, ip, 0, 1, regs, 3));
        assertEquals(2, c.hotDepth, "in fib");
        assertEquals(0, c.hotBudget);
        assertEquals(charge, c.regHigh);
        // the frame records full at this depth: the same stop, the registers' mark notwithstanding
        c = context(4000, Limits.DEFAULT);
        c.regHigh = 4000;
        frames = c.frames;
        int depth = frames.length / ExecutionContext.FRAME + 1;
        assertEquals(CallLoop.GROW, CallLoop.run(vm, c, ip, 0, depth, regs, 100), "stopped for frame records");
        assertEquals(ip, c.hotIp);
        assertEquals(100, c.hotBudget);
        assertEquals(4000, c.regHigh, "nothing charged for a call stopped for its frame record");
        assertSame(frames, c.frames, "frame records not grown");
    }

    /** A context reset for a run, its register files exactly {@code files} long, nothing charged. */
    private static ExecutionContext context(int files, Limits limits) {
        ExecutionContext c = new ExecutionContext();
        c.reset(limits, null, 0);
        c.w = new long[files];
        c.r = new Object[files];
        c.regHigh = 0;
        c.w[1] = 7;
        return c;
    }
}
