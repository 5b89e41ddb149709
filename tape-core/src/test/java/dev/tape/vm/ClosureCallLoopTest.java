package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.format.Op;
import dev.tape.host.HostRegistry;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.verify.internal.LOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After an indirect call, {@code execute} hands the callee's body, and what follows the call, to
 * {@link ClosureLoop}, so that a loop around {@code call.indirect} of a closure (the benchmark's
 * closure_loop) runs there rather than in {@code execute}'s outer switch. Every run must end as on
 * the general path ({@code execute}'s own calls: calls traced, {@code ClosureLoop} never entered) and
 * as stepped one instruction at a time: result or trap (kind, function, pc, stack), fuel left, under
 * every fuel, depth and register limit, on a fresh and a reused context; and paused at every fuel
 * budget, its snapshot restored, it ends as the one-shot run.
 */
class ClosureCallLoopTest {
    /**
     * main(n): n calls of a closure adding its captured 3 (the loop runs in ClosureLoop from the
     * first call's return), then, from ClosureLoop, an indirect call of {@code inner} with more
     * registers (a stop for room), which loops n times over the closure one call deeper (ClosureLoop's
     * own indirect calls at depth 2), then an indirect call of {@code scale}, whose {@code i64.mul}
     * ClosureLoop hands back.
     */
    static final String SOURCE = """
            program closure_calls

            callsig unary = (i64) -> (i64)
            callsig withc = (closure, i64) -> (i64)

            func main(n: i64) -> (total: i64) {
                const.func r11, inner
                const.func r13, scale
                const.func r2, add_env
                const.i64 r3, 3
                tuple.new r4, [r3]
                closure.new r5, r2, r4
                const.i64 r6, 0
                const.i64 r7, 0
                const.i64 r8, 1
                i64.lt r9, r7, r1
                br r9, body, mid
            body:
                call.indirect r0, unary, r5, r0, [r7] -> [r10]
                i64.add r6, r6, r10
                i64.add r7, r7, r8
                i64.lt r9, r7, r1
                br r9, body, mid
            mid:
                call.indirect r0, withc, r11, r0, [r5, r1] -> [r12]
                call.indirect r0, unary, r13, r0, [r6] -> [r14]
                i64.add r15, r12, r14
                ret r0, [r15]
            }

            func add_env(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                ret r0, [r4]
            }

            func inner(f: closure, n: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 0
                const.i64 r5, 1
                i64.lt r6, r4, r2
                br r6, body, done
            body:
                call.indirect r0, unary, r1, r0, [r4] -> [r7]
                i64.add r3, r3, r7
                i64.add r4, r4, r5
                i64.lt r6, r4, r2
                br r6, body, done
            done:
                const.i64 r8, 0
                const.i64 r9, 0
                const.i64 r10, 0
                ret r0, [r3]
            }

            func scale(x: i64) -> (i64) {
                i64.add r2, r1, r1
                i64.mul r3, r2, r1
                ret r0, [r3]
            }
            """;

    static Vm program() {
        return new Vm(Verifier.verify(Assembler.assemble(SOURCE, "closure_calls.tasm")), new HostRegistry());
    }

    static String outcome(Vm vm, ExecutionContext ctx, long n, Limits limits, TraceSink sink) {
        return AttackCallLoopTest.outcome(vm, ctx, n, limits, sink);
    }

    @Test
    void closureLoopTakesTheCalleesAndTheLoopsInstructions() {
        Vm vm = program();
        int[] code = vm.image.code();
        for (int f = 1; f <= 3; f++) {
            assertTrue(ClosureLoop.takes(code[vm.image.entry(f)]), "entry of " + f);
        }
        assertTrue(ClosureLoop.takes(LOp.CALL_INDIRECT_CLOSURE));
        assertTrue(ClosureLoop.takes(LOp.CALL_INDIRECT_FUNC));
        assertTrue(ClosureLoop.takes(LOp.TUPLE_GET_W));
        assertTrue(ClosureLoop.takes(Op.RET));
        assertTrue(!ClosureLoop.takes(Op.I64_MUL) && !ClosureLoop.takes(Op.CALL) && !ClosureLoop.takes(LOp.CONST_R));
    }

    /** The hand-off is worth testing only if the loop of closure calls runs in ClosureLoop through its calls. */
    @Test
    void closureLoopRunsTheLoopOfClosureCallsThrough() {
        Vm vm = program();
        ExecutionContext c = new ExecutionContext();
        c.reset(Limits.DEFAULT, null, 0);
        c.ensureRegisters(1000, 0);
        int[] code = vm.image.code();
        int main = vm.image.entry(0);
        int at = main;
        while (code[at] != LOp.CALL_INDIRECT_CLOSURE) {
            at++;
        }
        int regs = vm.image.regCounts()[0];
        Value closure = new Value.Closure(1, Value.tuple(List.of(Value.i64(3))));
        c.w[1] = 5;
        c.r[5] = closure;
        c.w[6] = 0;
        c.w[7] = 0;
        c.w[8] = 1;
        // function values are words
        c.w[11] = 2;
        c.w[13] = 3;
        ClosureLoop.run(vm, c, at, 0, 1, regs, 1000);
        // five closure calls, inner's five one call deeper and its ret, then scale stopped at its i64.mul
        assertEquals(Op.I64_MUL, code[c.hotIp]);
        assertEquals(2, c.hotDepth);
        assertEquals(25, c.w[6]);
        assertEquals(25, c.w[12]);
    }

    @Test
    void everyFuelDepthAndRegisterLimitEndsAsOnTheGeneralPathAndStepped() {
        Vm vm = program();
        long n = 3;
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String whole = outcome(vm, new ExecutionContext(), n, Limits.DEFAULT, all);
        // main: 3 + 4 + 5 = 12; inner: the same, 12; scale(12) = 24 * 12
        assertEquals("ok " + List.of(Value.i64(12 + 288)) + " fuel " + (Limits.DEFAULT.fuel() - all.count), whole);
        int regs = vm.image.regCounts()[0];
        int[] counts = vm.image.regCounts();
        List<String> kinds = AttackCallLoopTest.everyLimit(vm, n, new long[] {Limits.DEFAULT.maxCallDepth(), 3, 2, 1, 0},
                new int[] {Limits.DEFAULT.maxRegisters(), regs + counts[1], regs + counts[1] + 4, regs + counts[2] + 4,
                    regs + counts[2] + 5, regs + counts[2] + counts[1] + 8, regs + counts[2] + counts[1] + 9},
                all.count + 2);
        assertEquals(4, kinds.size(), "kinds " + kinds);
    }

    @Test
    void pausedAtEveryBudgetRestoredOrResumedEndsAsTheOneShotRun() throws Exception {
        int pauses = AttackCallLoopTest.pausedAtEveryBudget(ClosureCallLoopTest::program, 3);
        assertTrue(pauses > 50, pauses + " pauses");
    }
}
