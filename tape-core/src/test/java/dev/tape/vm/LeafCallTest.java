package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.CodeImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.DECIMAL;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A direct {@code call} of a small leaf ({@link CodeImage#leafLength(int)}) runs the callee's body
 * and {@code ret} inside the call when the budget holds them all ({@code Calls.leaf}); it must end
 * every run exactly as the real call and return do: same results, traps (kind, function, pc, call
 * stack), fuel left, call-depth traps at the call, register-limit traps, call tracing. The oracle
 * is the run stepped one instruction at a time (INSTR tracing gives the loop a budget of 1, with
 * which the leaf path never runs).
 */
class LeafCallTest {
    /** main: id 0, mid: 1, leaf: 2, bleaf: 3, uleaf: 4, plus the functions leafLength refuses. */
    private static final int MID = 1;
    private static final int LEAF = 2;
    private static final int BLEAF = 3;
    private static final int ULEAF = 4;
    private static final int BRANCHES = 5;
    private static final int DIVIDES = 6;
    private static final int RETURNS_REF = 7;
    private static final int NINE = 8;
    private static final int EIGHT = 9;

    /**
     * main(n) loops i from 0 to n calling mid(i, acc), which calls the three leaves (each op a
     * leaf may hold) and folds their results; the leaf of {@code extraRegister} registers more
     * makes the register file grow at its first call.
     */
    private static Vm program(int extraRegister) throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int mid = pb.declareFunction(List.of(I64, I64), List.of(I64));
        int leaf = pb.declareFunction(List.of(I64, I64), List.of(I64, I64));
        int bleaf = pb.declareFunction(List.of(BOOL, BOOL), List.of(BOOL));
        int uleaf = pb.declareFunction(List.of(U64), List.of(U64));
        int branches = pb.declareFunction(List.of(I64), List.of(I64));
        int divides = pb.declareFunction(List.of(I64), List.of(I64));
        int returnsRef = pb.declareFunction(List.of(I64), List.of(DECIMAL));
        int nine = pb.declareFunction(List.of(I64), List.of(I64));
        int eight = pb.declareFunction(List.of(I64), List.of(I64));
        assertEquals(List.of(MID, LEAF, BLEAF, ULEAF, BRANCHES, DIVIDES, RETURNS_REF, NINE, EIGHT),
                List.of(mid, leaf, bleaf, uleaf, branches, divides, returnsRef, nine, eight));
        Label body = main.newLabel();
        Label exit = main.newLabel();
        main.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, body, exit);
        main.place(body).call(0, mid, 0, new int[] {3, 2}, new int[] {2})
                .i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, body, exit);
        main.place(exit).ret(0, 2);
        FunctionBuilder m = pb.function(mid);
        m.call(0, leaf, 0, new int[] {1, 2}, new int[] {3, 4})
                .constBool(5, true).i64Lt(6, 1, 3)
                .call(0, bleaf, 0, new int[] {5, 6}, new int[] {7})
                .constU64(8, 7).call(0, uleaf, 0, new int[] {8}, new int[] {9})
                .i64Add(10, 3, 4).ret(0, 10);
        // mov, a constant fused with the add behind it, sub, mul, xor, two results
        int high = 8 + extraRegister;
        pb.function(leaf).mov(3, 1).constI64(4, 3).i64Add(5, 3, 4).i64Sub(6, 5, 2)
                .i64Mul(high, 6, 4).binary(Opcode.I64_XOR, 7, high, 1).ret(0, 7, 6);
        pb.function(bleaf).binary(Opcode.BOOL_AND, 3, 1, 2).binary(Opcode.BOOL_OR, 4, 3, 2)
                .binary(Opcode.BOOL_XOR, 5, 4, 1).ret(0, 5);
        pb.function(uleaf).constU64(2, -1L).u64Add(3, 1, 2).binary(Opcode.U64_MUL, 4, 3, 1).ret(0, 4);
        FunctionBuilder b = pb.function(branches);
        Label t = b.newLabel();
        Label f = b.newLabel();
        b.constI64(2, 0).i64Lt(3, 1, 2).br(3, t, f);
        b.place(t).ret(0, 2);
        b.place(f).ret(0, 1);
        pb.function(divides).constI64(2, 3).i64Div(3, 1, 2).ret(0, 3);
        pb.function(returnsRef).constDecimal(2, 5, 1).ret(0, 2);
        FunctionBuilder n9 = pb.function(nine);
        FunctionBuilder n8 = pb.function(eight);
        for (int i = 0; i < 8; i++) {
            n9.i64Add(1, 1, 1);
        }
        for (int i = 0; i < 7; i++) {
            n8.i64Add(1, 1, 1);
        }
        n9.ret(0, 1);
        n8.ret(0, 1);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    /** What main(n) returns, computed here in Java. */
    private static long expected(long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            long sum = i + 3;
            long diff = sum - acc;
            long x = (diff * 3) ^ i;
            acc = x + diff;
        }
        return acc;
    }

    @Test
    void onlySmallStraightLeavesOfWordOpsAreLeaves() throws Exception {
        CodeImage image = program(0).image;
        assertEquals(0, image.leafLength(0), "main branches and calls");
        assertEquals(0, image.leafLength(MID), "mid calls");
        assertEquals(7, image.leafLength(LEAF));
        assertEquals(4, image.leafLength(BLEAF));
        assertEquals(4, image.leafLength(ULEAF));
        assertEquals(0, image.leafLength(BRANCHES));
        assertEquals(0, image.leafLength(DIVIDES), "i64.div can trap");
        assertEquals(0, image.leafLength(RETURNS_REF), "a reference result");
        assertEquals(0, image.leafLength(NINE), "nine instructions");
        assertEquals(CodeImage.LEAF_MAX, image.leafLength(EIGHT));
        int[] calls = image.callEntries();
        for (int f = 0; f < calls.length; f++) {
            int at = image.entry(f);
            assertEquals(image.leafLength(f) != 0 ? -1 - at : at, calls[f], "function " + f);
        }
    }

    @Test
    void leafCallsEndUnderEveryBudgetAndDepthAsWhenSteppingOneInstructionAtATime() throws Exception {
        Vm vm = program(0);
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String full = RunFuelSupport.outcome(vm, 6, Limits.DEFAULT, all);
        // main: 5 + 6 * 4 + 1; mid: 8 each; leaf 7, bleaf 4, uleaf 4
        int total = 5 + 6 * 4 + 1 + 6 * (8 + 7 + 4 + 4);
        assertEquals(total, all.count);
        assertEquals("ok " + List.of(Value.i64(expected(6))) + " fuel " + (Limits.DEFAULT.fuel() - total), full);
        assertEquals(full, RunFuelSupport.outcome(vm, 6, Limits.DEFAULT, null));
        // depth 3 holds main, mid and a leaf; 2 traps call_depth_exceeded at mid's first call
        for (long depth : new long[] {3, 2}) {
            int depthTraps = 0;
            for (long fuel = 0; fuel <= total + 10; fuel++) {
                Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxCallDepth(depth);
                String stepped = RunFuelSupport.outcome(vm, 6, limits, new RunFuelSupport.Steps());
                String fast = RunFuelSupport.outcome(vm, 6, limits, null);
                assertEquals(stepped, fast, "fuel " + fuel + ", depth " + depth);
                if (fast.startsWith("CALL_DEPTH_EXCEEDED f" + MID + " pc 0 ")) {
                    depthTraps++;
                }
            }
            assertEquals(depth == 2, depthTraps > 0, "depth " + depth + ": " + depthTraps + " depth traps");
        }
    }

    @Test
    void aLeafThatGrowsTheRegistersOrPassesTheirLimitEndsAsTheRealCall() throws Exception {
        Vm vm = program(3000);
        String full = RunFuelSupport.outcome(vm, 5, Limits.DEFAULT, new RunFuelSupport.Steps());
        assertEquals("ok " + List.of(Value.i64(expected(5))), full.substring(0, full.indexOf(" fuel")));
        assertEquals(full, RunFuelSupport.outcome(vm, 5, Limits.DEFAULT, null));
        int traps = 0;
        for (int regs = 2990; regs <= 3040; regs++) {
            Limits limits = Limits.DEFAULT.withMaxRegisters(regs);
            String stepped = RunFuelSupport.outcome(vm, 5, limits, new RunFuelSupport.Steps());
            assertEquals(stepped, RunFuelSupport.outcome(vm, 5, limits, null), "register limit " + regs);
            if (!stepped.startsWith("ok")) {
                assertTrue(stepped.contains(" f" + MID + " pc 0 "), "at mid's call of the leaf: " + stepped);
                traps++;
            }
        }
        assertTrue(traps > 0 && traps < 51, traps + " limits trap");
    }

    /**
     * Every wrapping operation a leaf may hold, alone in a leaf of its own type, and a constant
     * fused with the sub behind it: the leaf path's result is Java's and the stepped run's (an op
     * missed or merged wrongly in {@code Calls.leaf}'s switch shows here).
     */
    @Test
    void everyOpALeafMayHoldComputesWhatJavaDoes() throws Exception {
        long x = 0x7123_4567_89AB_CDEFL;
        long y = 0xF0F0_1234_0F0F_FFFFL;
        Object[][] cases = {
            {Opcode.I64_ADD, I64, x + y}, {Opcode.I64_SUB, I64, x - y}, {Opcode.I64_MUL, I64, x * y},
            {Opcode.I64_AND, I64, x & y}, {Opcode.I64_OR, I64, x | y}, {Opcode.I64_XOR, I64, x ^ y},
            {Opcode.U64_ADD, U64, x + y}, {Opcode.U64_SUB, U64, x - y}, {Opcode.U64_MUL, U64, x * y},
            {Opcode.U64_AND, U64, x & y}, {Opcode.U64_OR, U64, x | y}, {Opcode.U64_XOR, U64, x ^ y},
            {Opcode.BOOL_AND, BOOL, 0L}, {Opcode.BOOL_OR, BOOL, 1L}, {Opcode.BOOL_XOR, BOOL, 1L},
            {null, I64, x - 7},
        };
        for (Object[] k : cases) {
            dev.tape.program.ValueType t = (dev.tape.program.ValueType) k[1];
            ProgramBuilder pb = new ProgramBuilder();
            FunctionBuilder main = pb.addFunction(List.of(t, t), List.of(t));
            int leaf = pb.declareFunction(List.of(t, t), List.of(t));
            main.call(0, leaf, 0, new int[] {1, 2}, new int[] {3}).ret(0, 3);
            if (k[0] == null) {
                pb.function(leaf).constI64(3, 7).i64Sub(4, 1, 3).ret(0, 4);
            } else {
                pb.function(leaf).binary((Opcode) k[0], 3, 1, 2).ret(0, 3);
            }
            Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
            assertTrue(vm.image.leafLength(leaf) > 0, k[0] + " is a leaf");
            List<Value> args = t == BOOL ? List.of(Value.bool(true), Value.bool(false))
                    : t == U64 ? List.of(Value.u64(x), Value.u64(y)) : List.of(Value.i64(x), Value.i64(y));
            long want = (Long) k[2];
            Value expected = t == BOOL ? Value.bool(want != 0) : t == U64 ? Value.u64(want) : Value.i64(want);
            List<Value> fast = vm.run(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
            List<Value> stepped = vm.run(new ExecutionContext(), 0, args, Limits.DEFAULT, new RunFuelSupport.Steps());
            assertEquals(List.of(expected), fast, String.valueOf(k[0]));
            assertEquals(stepped, fast, String.valueOf(k[0]));
        }
    }

    @Test
    void tracedCallsStillSeeEveryLeafEnterAndExit() throws Exception {
        Vm vm = program(0);
        List<String> events = new ArrayList<>();
        TraceSink calls = new TraceSink() {
            @Override
            public int mask() {
                return TraceMask.CALL;
            }

            @Override
            public void callEnter(int func, int depth) {
                events.add("enter " + func + " " + depth);
            }

            @Override
            public void callExit(int func, int depth) {
                events.add("exit " + func + " " + depth);
            }
        };
        ExecutionContext ctx = new ExecutionContext();
        assertEquals(List.of(Value.i64(expected(2))), vm.run(ctx, 0, List.of(Value.i64(2)), Limits.DEFAULT, calls));
        List<String> one = List.of("enter 1 2", "enter 2 3", "exit 2 3", "enter 3 3", "exit 3 3", "enter 4 3",
                "exit 4 3", "exit 1 2");
        List<String> want = new ArrayList<>();
        want.add("enter 0 1");
        want.addAll(one);
        want.addAll(one);
        want.add("exit 0 1");
        assertEquals(want, events);
    }
}
