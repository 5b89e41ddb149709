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

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop of word instructions handed to {@link WordRun} at its latch ({@link LOp#I64_ADD_LT_BR_RUN},
 * chosen when lowering): the taken backward branch of {@code i64.add} + {@code i64.lt}+{@code br}
 * whose target starts a run of three or more instructions pays for the target's instruction and
 * leaves the inner loop for the run. Five loops: one the run takes whole, one whose run leaves at an
 * {@code i64.xor} each trip (so every trip enters and leaves it), one closed by a plain
 * {@code i64.lt}+{@code br}, one whose head is a {@code jmp} closed by constant +
 * {@code i64.lt}+{@code br} (no run in either) and one closed by {@code i64.add} +
 * {@code i64.lt}+{@code br} whose head, an {@code i64.xor}, starts no run (the plain
 * {@link LOp#I64_ADD_LT_BR}); forward branches of the same shapes (the guards) never enter one. Run
 * untraced and stepped (INSTR tracing) under every budget from 0 to past the end: same outcome, pc
 * and fuel.
 */
class LoopRunFuelTest {
    /**
     * (n: i64) -> (i64, i64, i64, i64): a = sum over i &lt; n of (i - 1); b = xor of j &lt; n;
     * then m = n and while m &gt; 0: m = m - 1, p = p + m, q = p * 2; then s = (s - k) * 2 for each
     * k &lt; n; then x = (x xor t) + t for t &lt; n; returns (a, b, p, q + s + x).
     */
    static VerifiedProgram program() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, I64, I64));
        Label l1 = f.newLabel();
        Label d1 = f.newLabel();
        Label l2 = f.newLabel();
        Label d2 = f.newLabel();
        Label l3 = f.newLabel();
        Label d3 = f.newLabel();
        Label l4 = f.newLabel();
        Label m4 = f.newLabel();
        Label d4 = f.newLabel();
        Label l5 = f.newLabel();
        Label d5 = f.newLabel();
        // r1 n, r2 a, r3 i, r4 one, r5 b, r6 j, r7 cond, r8 m, r9 p, r10 q, r11 zero, r12 two, r13 const,
        // r14 j's copy, r15 k, r16 s, r17 t, r18 x
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).constI64(5, 0).constI64(6, 0).constI64(9, 0)
                .constI64(10, 0).constI64(11, 0).constI64(12, 2).constI64(15, 0).constI64(16, 0).constI64(17, 0)
                .constI64(18, 0);
        // loop 1: back edge i64.add + i64.lt + br, to an i64.add followed by an i64.sub
        f.i64Lt(7, 3, 1).br(7, l1, d1);
        f.place(l1).i64Add(2, 2, 3).i64Sub(2, 2, 4).i64Add(3, 3, 4).i64Lt(7, 3, 1).br(7, l1, d1);
        // loop 2: back edge i64.add + i64.lt + br, to three instructions the run takes and an
        // i64.xor it leaves at
        f.place(d1).i64Lt(7, 6, 1).br(7, l2, d2);
        f.place(l2).mov(14, 6).i64Mul(14, 14, 4).i64Sub(14, 14, 11).binary(Opcode.I64_XOR, 5, 5, 14)
                .i64Add(6, 6, 4).i64Lt(7, 6, 1).br(7, l2, d2);
        // loop 3: back edge i64.lt + br (after an i64.mul), to an i64.sub: no run
        f.place(d2).mov(8, 1).i64Lt(7, 11, 8).br(7, l3, d3);
        f.place(l3).i64Sub(8, 8, 4).i64Add(9, 9, 8).i64Mul(10, 9, 12).i64Lt(7, 11, 8).br(7, l3, d3);
        // loop 4: back edge constant + i64.lt + br, to a jmp: no run
        f.place(d3).i64Lt(7, 15, 1).br(7, l4, d4);
        f.place(l4).jmp(m4);
        f.place(m4).i64Sub(16, 16, 15).i64Mul(16, 16, 12).i64Add(15, 15, 4).constI64(13, 3).i64Lt(7, 15, 1)
                .br(7, l4, d4);
        // loop 5: back edge i64.add + i64.lt + br, to an i64.xor: no run
        f.place(d4).i64Lt(7, 17, 1).br(7, l5, d5);
        f.place(l5).binary(Opcode.I64_XOR, 18, 18, 17).i64Add(18, 18, 17).i64Add(17, 17, 4).i64Lt(7, 17, 1)
                .br(7, l5, d5);
        f.place(d5).i64Add(10, 10, 16).i64Add(10, 10, 18).ret(0, 2, 5, 9, 10);
        return Verifier.verify(pb.build());
    }

    @Test
    void theLoweredLoopsEndInEachBackEdgeThatStartsARun() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        Set<Integer> ops = RunFuelSupport.loweredOps(vm.funcs[0]);
        for (int op : new int[] {LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR, LOp.CONST_LT_BR, LOp.I64_LT_BR, Op.JMP,
            Op.I64_XOR, Op.I64_SUB, Op.I64_MUL, LOp.MOV_W}) {
            assertTrue(ops.contains(op), "op 0x" + Integer.toHexString(op) + " in " + ops);
        }
        // the latches closed by i64.add + i64.lt + br, in code order: loops 1 and 2 hand their loop
        // to a run, loop 5 (an i64.xor head) does not
        List<Integer> latches = new ArrayList<>();
        var lf = vm.funcs[0];
        for (int i = 0; i < lf.codeLength(); i++) {
            int op = lf.code()[i];
            if (lf.pcOf()[i] >= 0 && LOp.plain(op) == Op.I64_ADD && op != Op.I64_ADD) {
                latches.add(op);
            }
        }
        assertEquals(List.of(LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR_RUN, LOp.I64_ADD_LT_BR), latches);
    }

    @Test
    void handComputedResults() throws Exception {
        Vm vm = new Vm(program(), new HostRegistry());
        for (long n : new long[] {0, 1, 2, 7, 1000}) {
            long a = 0;
            for (long i = 0; i < n; i++) {
                a += i - 1;
            }
            long b = 0;
            for (long j = 0; j < n; j++) {
                b ^= j;
            }
            long p = 0;
            long q = 0;
            for (long m = n; m > 0;) {
                m--;
                p += m;
                q = p * 2;
            }
            long s = 0;
            for (long k = 0; k < n; k++) {
                s = (s - k) * 2;
            }
            long x = 0;
            for (long t = 0; t < n; t++) {
                x = (x ^ t) + t;
            }
            q += s + x;
            List<Value> out = vm.run(new ExecutionContext(), 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            assertEquals(List.of(Value.i64(a), Value.i64(b), Value.i64(p), Value.i64(q)), out, "n " + n);
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
