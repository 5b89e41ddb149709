package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deep linear recursion ({@code down(n) = n < 1 ? n : down(n - 1) + 1}, every call a new depth)
 * across the register files' growth points, on both tiers (twenty-sixth round, interp26: the
 * interpreter's {@link CallLoop} stops, unpaid, at a call whose charge passes the register mark or
 * whose frame record needs the frame records to grow, and {@code execute} makes that call;
 * interp26's raise of the mark inside {@code CallLoop} and its stop reason as a return value were
 * both reverted, and this test guards every such form). With {@code pad} more registers in {@code down}, the call from depth d charges
 * {@code R0 + d * (R1 + 2)} registers (main's R0, down's R1, 2 per pending frame record); the pads
 * are chosen so that some call's charge is exactly the files' length (256, then 512 after the
 * doubling) and some one more (a growth). Every run must end alike on the interpreter, the interpreter with calls
 * traced ({@code execute} makes every call: the twenty-fifth round's path) and the compiled tier:
 * result or trap kind, function, pc, span and fuel, at every fuel limit, at call-depth and register
 * limits at every call's exact charge, on fresh contexts and on contexts reused after a full run
 * (whose files the run keeps), and paused at every instruction, with the snapshot restored and the
 * run forked on the compiled tier.
 */
class DeepRecursionTiersTest {
    /** A sink that asks for call events only: the interpreter's {@code execute} makes every call. */
    private static final class Traced implements TraceSink {
        @Override
        public int mask() {
            return TraceMask.CALL;
        }
    }

    private static VerifiedProgram program(int pad, int mainPad) {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        main.call(0, down, 0, new int[] {1}, new int[] {2}).constI64(3 + mainPad, 0).ret(0, 2);
        FunctionBuilder f = pb.function(down);
        Label stop = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 1).i64Lt(3, 1, 2).br(3, stop, rec);
        f.place(stop).ret(0, 1);
        f.place(rec).i64Sub(5, 1, 2).call(0, down, 0, new int[] {5}, new int[] {6})
                .i64Add(7, 6, 2).constI64(8 + pad, 0).ret(0, 7);
        return Tiers.verified(pb.build());
    }

    /** The interpreter and the compiled tier of one program, and the register charges of its calls. */
    private record Pair(Vm interpreted, Vm compiled, int mainRegs, int downRegs) {
        static Pair of(int[] pads) {
            VerifiedProgram p = program(pads[0], pads[1]);
            Vm i = new Vm(p, new HostRegistry());
            return new Pair(i, Jit.compile(p, new HostRegistry()), i.image.regCounts()[0], i.image.regCounts()[1]);
        }

        /** The charge of the call from depth {@code d} (main at 1): its callee's end plus d records. */
        long charge(int d) {
            return mainRegs + (long) d * (downRegs + ExecutionContext.FRAME_REGISTERS);
        }

        /** The depth n needs for its calls' charges to pass {@code regs}. */
        int depthPast(int regs) {
            int d = 1;
            while (charge(d) <= regs) {
                d++;
            }
            return d + 1;
        }

        /** Interpreted (fresh, reused, traced) and compiled (fresh, reused) runs end alike. */
        void check(long n, Limits limits, ExecutionContext ri, ExecutionContext rc, String what) {
            List<Value> args = List.of(Value.i64(n));
            Tiers.Outcome a = Tiers.run(interpreted, null, new ExecutionContext(), 0, args, limits, null);
            Tiers.Outcome traced = Tiers.run(interpreted, null, new ExecutionContext(), 0, args, limits, new Traced());
            Tiers.assertSame("interpreted", a, "traced", traced, () -> what + " " + limits);
            Tiers.Outcome b = Tiers.run(compiled, null, new ExecutionContext(), 0, args, limits, null);
            Tiers.assertSame(a, b, () -> what + " " + limits);
            // reused contexts: a full run first, so that their files hold the whole descent's charge
            Tiers.run(interpreted, null, ri, 0, args, Limits.DEFAULT, null);
            Tiers.run(compiled, null, rc, 0, args, Limits.DEFAULT, null);
            Tiers.assertSame("interpreted", a, "interpreted, reused",
                    Tiers.run(interpreted, null, ri, 0, args, limits, null), () -> what + " reused " + limits);
            Tiers.assertSame("interpreted", a, "compiled, reused",
                    Tiers.run(compiled, null, rc, 0, args, limits, null), () -> what + " reused " + limits);
        }
    }

    /**
     * Pads (down's, main's) whose calls' charges hit 256 exactly, 512 exactly (after the doubling),
     * and 257.
     */
    private static List<int[]> boundaryPads() {
        List<int[]> pads = new ArrayList<>();
        boolean at256 = false;
        boolean at512 = false;
        boolean past256 = false;
        for (int k = 0; k < 40 * 40 && !(at256 && at512 && past256); k++) {
            int[] pad = {k % 40, k / 40};
            Vm vm = new Vm(program(pad[0], pad[1]), new HostRegistry());
            Pair t = new Pair(vm, null, vm.image.regCounts()[0], vm.image.regCounts()[1]);
            boolean hit256 = false;
            boolean hit512 = false;
            boolean hit257 = false;
            for (int d = 1; t.charge(d) <= 513; d++) {
                hit256 |= t.charge(d) == ExecutionContext.INITIAL_REGISTERS;
                hit512 |= t.charge(d) == 2L * ExecutionContext.INITIAL_REGISTERS;
                hit257 |= t.charge(d) == ExecutionContext.INITIAL_REGISTERS + 1;
            }
            if ((hit256 && !at256) || (hit512 && !at512) || (hit257 && !past256)) {
                pads.add(pad);
                at256 |= hit256;
                at512 |= hit512;
                past256 |= hit257;
            }
        }
        assertTrue(at256 && at512 && past256, "boundary pads: " + pads.size());
        return pads;
    }

    /** Every fuel limit from 0 to one past the run's use, descents past 1,024 registers. */
    @Test
    void everyFuelLimitAcrossTheGrowthPoints() {
        for (int[] pad : boundaryPads()) {
            Pair t = Pair.of(pad);
            int n = t.depthPast(1100);
            Tiers.Outcome full = Tiers.run(t.interpreted(), null, new ExecutionContext(), 0, List.of(Value.i64(n)),
                    Limits.DEFAULT, null);
            assertEquals(List.of(Value.i64(n)), full.results(), "pads " + Arrays.toString(pad));
            long use = Limits.DEFAULT.fuel() - full.fuelRemaining();
            ExecutionContext ri = new ExecutionContext();
            ExecutionContext rc = new ExecutionContext();
            for (long fuel = 0; fuel <= use + 1; fuel++) {
                t.check(n, Limits.DEFAULT.withFuel(fuel), ri, rc, "pads " + Arrays.toString(pad) + ", fuel " + fuel);
            }
        }
    }

    /**
     * Register limits at every call's exact charge and one either side (so the limit, not the
     * files, stops the call that would fit the files), and every call-depth limit, alone and together.
     */
    @Test
    void depthAndRegisterLimitsAtEveryCallsCharge() {
        int heapTraps = 0;
        int depthTraps = 0;
        for (int[] pad : boundaryPads()) {
            Pair t = Pair.of(pad);
            int n = t.depthPast(1100);
            ExecutionContext ri = new ExecutionContext();
            ExecutionContext rc = new ExecutionContext();
            for (int d = 1; d <= n + 1; d++) {
                for (long max = t.charge(d) - 1; max <= t.charge(d) + 1; max++) {
                    Limits limits = Limits.DEFAULT.withMaxRegisters((int) max);
                    t.check(n, limits, ri, rc, "pads " + Arrays.toString(pad) + ", registers " + max);
                    t.check(n, limits.withMaxCallDepth(d), ri, rc,
                            "pads " + Arrays.toString(pad) + ", registers " + max + ", depth " + d);
                    Tiers.Outcome o = Tiers.run(t.interpreted(), null, new ExecutionContext(), 0, List.of(Value.i64(n)),
                            limits, null);
                    heapTraps += o.trapped() && o.trap().kind() == TrapKind.HEAP_LIMIT_EXCEEDED ? 1 : 0;
                }
                Limits depth = Limits.DEFAULT.withMaxCallDepth(d);
                t.check(n, depth, ri, rc, "pads " + Arrays.toString(pad) + ", depth " + d);
                Tiers.Outcome o = Tiers.run(t.interpreted(), null, new ExecutionContext(), 0, List.of(Value.i64(n)),
                        depth, null);
                depthTraps += o.trapped() && o.trap().kind() == TrapKind.CALL_DEPTH_EXCEEDED ? 1 : 0;
            }
        }
        assertTrue(heapTraps > 0 && depthTraps > 0, heapTraps + " heap traps, " + depthTraps + " depth traps");
    }

    /**
     * Paused at every instruction (slices of 1, and of 3 and 40 so that {@link CallLoop} runs
     * stretches between pauses): at each pause the interpreted run's snapshot restored on the
     * compiled tier and on the interpreter, and the run forked, each finishing as the whole run.
     */
    @Test
    void pausedAtEveryInstructionRestoredAndForkedOnTheCompiledTier() {
        int[] pad = boundaryPads().get(0);
        Pair t = Pair.of(pad);
        int n = t.depthPast(600);
        List<Value> args = List.of(Value.i64(n));
        Run whole = t.interpreted().start(0, args, Limits.DEFAULT);
        List<Object> expected = Tiers.finish(whole);
        assertEquals(Tiers.finish(t.compiled().start(0, args, Limits.DEFAULT)), expected);
        int pauses = 0;
        for (long slice : new long[] {1, 3, 40}) {
            Run a = t.interpreted().start(0, args, Limits.DEFAULT.withFuel(slice));
            Outcome o = a.resume();
            long spent = slice;
            while (o instanceof Outcome.Paused) {
                pauses++;
                String at = "slice " + slice + ", fuel spent " + spent;
                byte[] snap = a.snapshot();
                List<Object> onCompiled = Tiers.finish(t.compiled().restore(snap));
                List<Object> onInterpreter = Tiers.finish(t.interpreted().restore(snap));
                List<Object> forked = Tiers.finish(a.fork());
                assertEquals(onInterpreter, onCompiled, at + " restored on the compiled tier");
                assertEquals(onInterpreter, forked, at + " forked");
                assertEquals(expected.get(0), onCompiled.get(0), at);
                a.addFuel(slice);
                spent += slice;
                o = a.resume();
            }
            assertEquals(expected.get(0), Tiers.view(o), "slice " + slice);
        }
        assertTrue(pauses > 3 * 7 * n / 2, "pauses: " + pauses);
    }
}
