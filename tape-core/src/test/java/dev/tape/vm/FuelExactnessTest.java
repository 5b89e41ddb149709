package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast loop (fused compare-and-branch, calls, host calls, a {@link TupleRun} and a
 * {@link FloatRun}) spends fuel exactly as one instruction at a time does: for every fuel budget,
 * an untraced run and a run stepped one instruction at a time (INSTR tracing) end the same way, at
 * the same pc, with the same fuel left.
 */
class FuelExactnessTest {
    private static final String CHARGE = "test.charge";

    /** Sums i for i < n with every fused compare shape; calls a helper; a host call charges fuel. */
    private static VerifiedProgram program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int helper = pb.declareFunction(List.of(I64, F64), List.of(I64));
        int sig = pb.hostSig(CHARGE, List.of(I64), List.of(I64));
        Label body = f.newLabel();
        Label b2 = f.newLabel();
        Label b3 = f.newLabel();
        Label b4 = f.newLabel();
        Label latch = f.newLabel();
        Label exit = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).constF64(9, 2.5)
                .i64Lt(5, 3, 1).br(5, body, exit);
        f.place(body)
                .call(0, helper, 0, new int[] {3, 9}, new int[] {6})
                .i64Add(2, 2, 6)
                .i64Le(5, 3, 4).br(5, b2, b2);
        f.place(b2).i64Gt(5, 3, 4).br(5, b3, b3);
        f.place(b3).hostCall(0, sig, 0, new int[] {3}, new int[] {7})
                .i64Add(2, 2, 7)
                .i64Ge(5, 3, 1).br(5, b4, b4);
        // a TupleRun (tuple.new, two tuple.get, i64.add) and a FloatRun (i64.to_f64+f64.mul+f64.add, f64.div,
        // then f64.sub and i64.xor it leaves at)
        f.place(b4).tupleNew(10, 3, 2).tupleGet(11, 10, 0).tupleGet(12, 10, 1).i64Add(2, 2, 12)
                .unary(Opcode.I64_TO_F64, 13, 11).binary(Opcode.F64_MUL, 14, 13, 9).binary(Opcode.F64_ADD, 15, 14, 9)
                .binary(Opcode.F64_DIV, 16, 15, 9).binary(Opcode.F64_SUB, 17, 16, 9).binary(Opcode.I64_XOR, 18, 2, 11)
                .i64Eq(5, 3, 1).br(5, latch, latch);
        f.place(latch).i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, body, exit);
        f.place(exit).ret(0, 2);
        FunctionBuilder h = pb.function(helper);
        Label small = h.newLabel();
        Label big = h.newLabel();
        h.unary(Opcode.I64_TO_F64, 3, 1).binary(Opcode.F64_LT, 4, 3, 2).br(4, small, big);
        h.place(small).ret(0, 1);
        h.place(big).constI64(5, 2).i64Mul(6, 1, 5).ret(0, 6);
        return Verifier.verify(pb.build());
    }

    private static final class Steps implements TraceSink {
        final List<Integer> pcs = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            pcs.add(func << 16 | pc);
        }
    }

    private static String outcome(Vm vm, long fuel, TraceSink sink, List<Long> seenFuel) {
        ExecutionContext ctx = new ExecutionContext();
        seenFuel.clear();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(5)), Limits.DEFAULT.withFuel(fuel), sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining() + " host " + seenFuel;
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " host " + seenFuel;
        }
    }

    @Test
    void everyBudgetEndsAsWhenSteppingOneInstructionAtATime() throws Exception {
        VerifiedProgram p = program();
        List<Long> seen = new ArrayList<>();
        HostRegistry host = new HostRegistry().register(CHARGE, Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, results, ctx) -> {
                    seen.add(ctx.fuelRemaining());
                    ctx.chargeFuel(3);
                    results[0] = args[0];
                });
        Vm vm = new Vm(p, host);
        Steps all = new Steps();
        String full = outcome(vm, 1_000_000, all, seen);
        assertTrue(full.startsWith("ok"), full);
        int total = all.pcs.size();
        assertTrue(total > 100, "the program runs " + total + " instructions");
        int fuelTraps = 0;
        for (long fuel = 0; fuel <= total + 40; fuel++) {
            String stepped = outcome(vm, fuel, new Steps(), seen);
            String fast = outcome(vm, fuel, null, seen);
            assertEquals(stepped, fast, "fuel " + fuel);
            if (fast.startsWith("FUEL_EXCEEDED")) {
                fuelTraps++;
            }
        }
        assertTrue(fuelTraps > total / 2, "most budgets run out of fuel somewhere: " + fuelTraps);
    }

    @Test
    void hostSeesTheFuelLeftAfterPayingForItsHostCall() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig(CHARGE, List.of(I64), List.of(I64));
        pb.addFunction(List.of(I64), List.of(I64))
                .constI64(2, 7)
                .i64Add(3, 1, 2)
                .hostCall(0, sig, 0, new int[] {3}, new int[] {4})
                .hostCall(0, sig, 0, new int[] {4}, new int[] {5})
                .ret(0, 5);
        List<Long> seen = new ArrayList<>();
        HostRegistry host = new HostRegistry().register(CHARGE, Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, results, ctx) -> {
                    seen.add(ctx.fuelRemaining());
                    ctx.chargeFuel(10);
                    results[0] = args[0];
                });
        Vm vm = new Vm(Verifier.verify(pb.build()), host);
        ExecutionContext ctx = new ExecutionContext();
        assertEquals(List.of(Value.i64(8)), vm.run(ctx, 0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100), null));
        assertEquals(List.of(97L, 86L), seen, "3 instructions, then 1 more plus the 10 charged");
        assertEquals(100 - 5 - 20, ctx.fuelRemaining());
    }

    /**
     * Recursion: fib(n) = fib(n - 1) + fib(n - 2) + (dec(n - 1) - (n - 2)), dec(x) = x - 1, so that
     * calls and returns follow each pair a compiler emits around them (a constant and a compare
     * before a br, a constant and a sub before a call, a sub or an add right before a call, an add
     * right before a ret, a constant and a sub before a ret).
     */
    private static VerifiedProgram recursive() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        int fib = pb.declareFunction(List.of(I64), List.of(I64));
        int dec = pb.declareFunction(List.of(I64), List.of(I64));
        FunctionBuilder f = pb.function(fib);
        Label leaf = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 2).i64Lt(3, 1, 2).br(3, leaf, rec);
        f.place(leaf).ret(0, 1);
        f.place(rec)
                .constI64(4, 1)
                .i64Sub(5, 1, 4)
                .call(0, fib, 0, new int[] {5}, new int[] {6})
                .i64Sub(7, 1, 2)
                .call(0, fib, 0, new int[] {7}, new int[] {8})
                .i64Add(10, 7, 4)
                .call(0, dec, 0, new int[] {10}, new int[] {11})
                .i64Sub(12, 11, 7)
                .i64Add(13, 6, 8)
                .i64Add(9, 13, 12)
                .ret(0, 9);
        pb.function(dec).constI64(2, 1).i64Sub(3, 1, 2).ret(0, 3);
        return Verifier.verify(pb.build());
    }

    private static String recursion(Vm vm, long fuel, long depth, TraceSink sink) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(7)),
                    Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth), sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining()
                    + " stack " + t.stack();
        }
    }

    @Test
    void recursionEndsUnderEveryBudgetAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = new Vm(recursive(), new HostRegistry());
        Steps all = new Steps();
        String full = recursion(vm, 1_000_000, 64, all);
        int total = all.pcs.size();
        // 21 leaves of 4 instructions, 20 inner calls of 14 and their 20 calls of dec (3 each)
        assertEquals(21 * 4 + 20 * 14 + 20 * 3, total);
        assertEquals("ok " + List.of(Value.i64(13)) + " fuel " + (1_000_000 - total), full);
        // 8 frames are enough (fib(7) down to fib(1), or to dec); 5 trap call_depth_exceeded on the way down
        for (long depth : new long[] {8, 5}) {
            int depthTraps = 0;
            for (long fuel = 0; fuel <= total + 20; fuel++) {
                String stepped = recursion(vm, fuel, depth, new Steps());
                String fast = recursion(vm, fuel, depth, null);
                assertEquals(stepped, fast, "fuel " + fuel + ", depth " + depth);
                if (fast.startsWith("CALL_DEPTH_EXCEEDED")) {
                    depthTraps++;
                }
            }
            assertEquals(depth == 5, depthTraps > 0, "depth " + depth + ": " + depthTraps + " depth traps");
        }
    }
}
