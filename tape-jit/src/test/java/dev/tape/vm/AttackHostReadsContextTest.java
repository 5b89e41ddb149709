package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host function that reads its own run's {@link ExecutionContext} counters
 * ({@link ExecutionContext#fuelRemaining()}, {@link ExecutionContext#hostCallsMade()},
 * {@link ExecutionContext#heapBytesAllocated()}) while the run executes, through a reference the
 * embedder gave it: both tiers must end the run alike. Found by an attack on compiled word host
 * calls (df8587c keeps the fuel in the compiled method's local across them): the context's fuel
 * during a run is whatever each tier last wrote there, the fuel at the start of the interpreter's
 * stretch, or the fuel at the compiled code's last boxed host call, so a program that returned what
 * such a function read ended with other results on the two tiers (60,000,000 interpreted,
 * 59,999,928 compiled, below). The counters are the last run's, so a read while a run executes in
 * the context throws {@link IllegalStateException}, which a host function's call traps as
 * {@code host_call_failed} on both tiers.
 */
class AttackHostReadsContextTest {
    static final String TEXT = """
            program peek
            host word = "t.word" (i64) -> (i64)
            host box = "t.box" (i64) -> (i64)
            func main(n: i64) -> (i64, i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r6, 0
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                host_call r0, word, r0, [r1] -> [r5]
                i64.add r6, r6, r5
                host_call r0, box, r0, [r1] -> [r7]
                i64.add r6, r6, r7
                tuple.new r8, [r6, r7]
                i64.sub r1, r1, r3
                jmp loop
            done:
                ret r0, [r6, r1]
            }
            """;

    static final Signature SIG = Signature.of(List.of(I64), List.of(I64));

    /** The program on one tier, its two host functions returning what {@code read} reads of the current context. */
    static Vm vm(boolean compiled, AtomicReference<ExecutionContext> current, ToLongFunction<ExecutionContext> read) {
        VerifiedProgram v = Tiers.verified(JitCornerCasesTest.asm(TEXT));
        HostRegistry host = new HostRegistry()
                .registerWords("t.word", SIG, (WordFunction.Of1) a -> read.applyAsLong(current.get()))
                .register("t.box", SIG, (HostFunction) (args, results, hc) ->
                        results[0] = Value.i64(read.applyAsLong(current.get())));
        Vm vm = compiled ? Jit.compile(v, host) : new Vm(v, host);
        if (compiled) {
            assertEquals(1, Jit.precompile(vm));
        }
        return vm;
    }

    static Tiers.Outcome oneShot(Vm vm, AtomicReference<ExecutionContext> current, Limits limits) {
        ExecutionContext ctx = new ExecutionContext();
        current.set(ctx);
        return Tiers.run(vm, null, ctx, 0, List.of(Value.i64(3)), limits, null);
    }

    static String paused(Vm vm, AtomicReference<ExecutionContext> current, long slice) {
        ExecutionContext ctx = new ExecutionContext();
        current.set(ctx);
        Run r = vm.start(ctx, 0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(slice), null);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            Outcome o = r.resume();
            b.append(o instanceof Outcome.Trapped t ? Tiers.TrapView.of(t.trap()) : o).append('\n');
            if (!(o instanceof Outcome.Paused)) {
                break;
            }
            r.addFuel(slice);
        }
        return b.toString();
    }

    @Test
    void aHostFunctionReadingItsRunsContextEndsTheRunAlikeOnBothTiers() {
        List<ToLongFunction<ExecutionContext>> reads = List.of(ExecutionContext::fuelRemaining,
                ExecutionContext::hostCallsMade, ExecutionContext::heapBytesAllocated);
        int trapped = 0;
        for (int k = 0; k < reads.size(); k++) {
            AtomicReference<ExecutionContext> current = new AtomicReference<>();
            Vm interp = vm(false, current, reads.get(k));
            Vm jit = vm(true, current, reads.get(k));
            for (Limits limits : new Limits[] {Limits.DEFAULT, Limits.DEFAULT.withFuel(1_000),
                    Limits.DEFAULT.withFuel(9), Limits.DEFAULT.withMaxHostCalls(1)}) {
                Tiers.Outcome i = oneShot(interp, current, limits);
                Tiers.Outcome c = oneShot(jit, current, limits);
                String what = "read " + k + ", " + limits;
                Tiers.assertSame(i, c, () -> what);
                if (i.trapped() && i.kind() == TrapKind.HOST_CALL_FAILED) {
                    assertTrue(i.trap().message().contains("IllegalStateException"), i::toString);
                    trapped++;
                }
            }
            for (long slice : new long[] {1, 2, 5, 7, 1_000}) {
                assertEquals(paused(interp, current, slice), paused(jit, current, slice), "read " + k + ", slice " + slice);
            }
        }
        assertEquals(3 * 4, trapped, "every read in a host call fails the call");
    }

    @Test
    void betweenRunsTheCountersAreTheLastRunsAndAPausedRunsContextReadsAsTheRun() {
        AtomicReference<ExecutionContext> current = new AtomicReference<>();
        Vm jit = vm(true, current, ctx -> 5);
        ExecutionContext ctx = new ExecutionContext();
        assertEquals(List.of(Value.i64(30), Value.i64(0)), jit.run(ctx, 0, List.of(Value.i64(3)), Limits.DEFAULT, null));
        // 3 constants and jmp, 3 turns of 9, then compare, branch and ret
        assertEquals(Limits.DEFAULT_FUEL - 34, ctx.fuelRemaining());
        assertEquals(6, ctx.hostCallsMade());
        assertTrue(ctx.heapBytesAllocated() > 0);
        Run r = jit.start(ctx, 0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(10), null);
        r.resume();
        assertEquals(r.fuelRemaining(), ctx.fuelRemaining());
        assertEquals(r.hostCallsMade(), ctx.hostCallsMade());
        // while a run executes in the context (here: marked as such), a read is refused
        ExecutionContext busy = new ExecutionContext();
        busy.enter();
        try {
            assertThrows(IllegalStateException.class, busy::fuelRemaining);
            assertThrows(IllegalStateException.class, busy::hostCallsMade);
            assertThrows(IllegalStateException.class, busy::heapBytesAllocated);
        } finally {
            busy.executing = false;
        }
        assertEquals(0, busy.hostCallsMade());
    }
}
