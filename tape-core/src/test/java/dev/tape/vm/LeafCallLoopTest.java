package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.CodeImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A direct {@code call} of a small leaf is handed to {@link LeafLoop} ({@link CodeImage#runEntries()}
 * marks it, {@link CodeImage#isHot(int)}), so that a loop around a leaf call (the benchmark's
 * call_loop) runs there rather than in {@code execute}. Every run must end as on the general path,
 * {@code execute}'s own call (calls traced: {@code LeafLoop} is never entered), and
 * as stepped one instruction at a time: result or trap (kind, function, pc, stack), fuel left, under
 * every fuel, depth and register limit, on a fresh and a reused context; and paused at every fuel
 * budget, its snapshot restored, it ends as the one-shot run.
 */
class LeafCallLoopTest {
    /**
     * main(n): a loop of n leaf calls {@code acc = addOne(acc)} (the back edge one fused op, which
     * {@code LeafLoop} takes), then a loop of n calls {@code (s, d) = pair(acc, i)} followed by an
     * {@code i64.mul} (which {@code LeafLoop} hands back), returning the last product plus acc.
     */
    static Vm program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int addOne = pb.declareFunction(List.of(I64), List.of(I64));
        int pair = pb.declareFunction(List.of(I64, I64), List.of(I64, I64));
        Label top = main.newLabel();
        Label mid = main.newLabel();
        Label top2 = main.newLabel();
        Label done = main.newLabel();
        main.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, top, mid);
        main.place(top).call(0, addOne, 0, new int[] {2}, new int[] {2})
                .i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, top, mid);
        main.place(mid).constI64(3, 0).constI64(8, 0).i64Lt(5, 3, 1).br(5, top2, done);
        main.place(top2).call(0, pair, 0, new int[] {2, 3}, new int[] {6, 7})
                .i64Mul(8, 6, 7).i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, top2, done);
        main.place(done).i64Add(9, 8, 2).ret(0, 9);
        pb.function(addOne).constI64(2, 1).i64Add(3, 1, 2).ret(0, 3);
        pb.function(pair).i64Add(3, 1, 2).i64Sub(4, 1, 2).ret(0, 3, 4);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    private static String outcome(Vm vm, ExecutionContext ctx, long n, Limits limits, TraceSink sink) {
        return AttackCallLoopTest.outcome(vm, ctx, n, limits, sink);
    }

    @Test
    void bothLeavesAreMarkedForLeafLoop() throws Exception {
        CodeImage image = program().image;
        for (int f = 1; f <= 2; f++) {
            assertTrue(image.leafLength(f) > 0, "a small leaf: " + f);
            assertTrue(CodeImage.isHot(image.runEntries()[f]), "marked: " + f);
        }
    }

    /** The hand-off is worth testing only if the loop of leaf calls runs in LeafLoop through its calls. */
    @Test
    void leafLoopRunsTheLoopOfLeafCallsThrough() throws Exception {
        Vm vm = program();
        ExecutionContext c = new ExecutionContext();
        c.reset(Limits.DEFAULT, null, 0);
        c.ensureRegisters(1000, 0);
        int[] code = vm.image.code();
        int call = vm.image.entry(0);
        // main's first call: CALL, callee 1, one argument
        while (code[call] != dev.tape.format.Op.CALL || code[call + 1] != 1 || code[call + 2] != 1) {
            call++;
        }
        c.w[1] = 5;
        c.w[2] = 0;
        c.w[3] = 0;
        c.w[4] = 1;
        LeafLoop.run(vm, c, call, 0, 1, vm.image.regCounts()[0], 1000);
        // the first loop's five calls and the second loop's first, stopped at the i64.mul behind it
        assertEquals(dev.tape.format.Op.I64_MUL, code[c.hotIp]);
        assertEquals(1, c.hotDepth);
        assertEquals(5, c.w[2]);
        assertEquals(5, c.w[6]);
        assertEquals(5, c.w[7]);
    }

    @Test
    void everyFuelDepthAndRegisterLimitEndsAsOnTheGeneralPathAndStepped() throws Exception {
        Vm vm = program();
        long n = 4;
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String whole = outcome(vm, new ExecutionContext(), n, Limits.DEFAULT, all);
        // acc 4, then pair(4, 3) = (7, 1): 7 * 1 + 4
        assertEquals("ok " + List.of(Value.i64(11)) + " fuel " + (Limits.DEFAULT.fuel() - all.count), whole);
        int regs = vm.image.regCounts()[0];
        List<String> kinds = AttackCallLoopTest.everyLimit(vm, n, new long[] {Limits.DEFAULT.maxCallDepth(), 2, 1, 0},
                new int[] {Limits.DEFAULT.maxRegisters(), regs + 2, regs + 7, regs + 8, regs + 9}, all.count + 2);
        assertEquals(4, kinds.size(), "kinds " + kinds);
    }

    @Test
    void pausedAtEveryBudgetRestoredOrResumedEndsAsTheOneShotRun() throws Exception {
        int pauses = AttackCallLoopTest.pausedAtEveryBudget(LeafCallLoopTest::program, 4);
        assertTrue(pauses > 50, pauses + " pauses");
    }
}
