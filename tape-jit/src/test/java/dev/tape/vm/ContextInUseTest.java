package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run executing in a context cannot be reset under it: a host function that starts, resumes or
 * restores a run in its own run's context, or another thread that does, gets an
 * {@link IllegalStateException} (so the host call fails with {@code host_call_failed}), and the
 * executing run keeps its limits and state. Found by an attack on word host functions: a host
 * function calling {@code vm.run(sameContext, ...)} reset the outer run's fuel limit (a run limited
 * to 1,000 fuel ended with about 10,000,000 left) and the tiers reported different fuel.
 * A timeout bounds each test: without the guard, a reset context made the outer run loop far
 * past its limit (a run of this class on the old code did not end in 6 minutes).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContextInUseTest {
    static final String TEXT = """
            program again
            host again = "t.again" (i64) -> (i64)
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                host_call r0, again, r0, [r1] -> [r5]
                i64.sub r1, r1, r3
                jmp loop
            done:
                ret r0, [r1]
            }
            """;

    enum Misuse { RUN, START, RESTORE, OTHER_CONTEXT }

    /** Runs main(3) in ctx with the host function doing {@code misuse} on the same ctx, on one tier. */
    static Object[] outcome(boolean compiled, Misuse misuse) throws Exception {
        Program p = JitCornerCasesTest.asm(TEXT);
        VerifiedProgram v = Tiers.verified(p);
        ExecutionContext ctx = new ExecutionContext();
        Vm[] vm = new Vm[1];
        byte[][] snap = new byte[1][];
        HostRegistry host = new HostRegistry().register("t.again", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (args, results, hc) -> {
                    Limits big = Limits.DEFAULT.withFuel(10_000_000);
                    switch (misuse) {
                        case RUN -> vm[0].run(ctx, 0, List.of(Value.i64(0)), big, null);
                        case START -> vm[0].start(ctx, 0, List.of(Value.i64(0)), big, null);
                        case RESTORE -> vm[0].restore(ctx, snap[0], null, null);
                        case OTHER_CONTEXT -> vm[0].run(new ExecutionContext(), 0, List.of(Value.i64(0)), big, null);
                    }
                    results[0] = args[0];
                });
        vm[0] = compiled ? Jit.compile(v, host) : new Vm(v, host);
        Run paused = vm[0].start(0, List.of(Value.i64(2)), Limits.DEFAULT.withFuel(3));
        assertTrue(paused.resume() instanceof Outcome.Paused);
        snap[0] = paused.snapshot();
        Limits limits = Limits.DEFAULT.withFuel(1_000);
        try {
            List<Value> out = vm[0].run(ctx, 0, List.of(Value.i64(3)), limits, null);
            return new Object[] {"done", out, ctx.fuelRemaining()};
        } catch (Trap t) {
            return new Object[] {t.kind(), t.pc(), t.detail(), ctx.fuelRemaining()};
        }
    }

    @Test
    void aHostFunctionCannotResetItsOwnRunsContext() throws Exception {
        for (Misuse m : new Misuse[] {Misuse.RUN, Misuse.START, Misuse.RESTORE}) {
            Object[] interp = outcome(false, m);
            Object[] comp = outcome(true, m);
            assertEquals(TrapKind.HOST_CALL_FAILED, interp[0], m + ": " + java.util.Arrays.toString(interp));
            assertTrue(String.valueOf(interp[2]).contains("execution context is in use"), m + ": " + interp[2]);
            // the outer run kept its limit of 1,000: 2 constants, then compare, branch, host call
            assertTrue((long) interp[3] < 1_000 && (long) interp[3] > 990, m + ": fuel left " + interp[3]);
            assertEquals(java.util.Arrays.asList(interp), java.util.Arrays.asList(comp), m + ": tiers differ");
        }
    }

    @Test
    void anotherContextStillWorks() throws Exception {
        Object[] interp = outcome(false, Misuse.OTHER_CONTEXT);
        Object[] comp = outcome(true, Misuse.OTHER_CONTEXT);
        assertEquals("done", interp[0]);
        assertEquals(List.of(Value.i64(0)), interp[1]);
        assertEquals(java.util.Arrays.asList(interp), java.util.Arrays.asList(comp));
    }

    @Test
    void anotherThreadIsRefusedWhileARunExecutesAndTheContextIsFreeAfter() throws Exception {
        for (boolean compiled : new boolean[] {false, true}) {
            VerifiedProgram v = Tiers.verified(JitCornerCasesTest.asm(TEXT));
            ExecutionContext ctx = new ExecutionContext();
            CountDownLatch inHost = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            HostRegistry host = new HostRegistry().register("t.again", Signature.of(List.of(I64), List.of(I64)),
                    (HostFunction) (args, results, hc) -> {
                        inHost.countDown();
                        assertTrue(release.await(30, TimeUnit.SECONDS));
                        results[0] = args[0];
                    });
            Vm vm = compiled ? Jit.compile(v, host) : new Vm(v, host);
            AtomicReference<Object> first = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    first.set(vm.run(ctx, 0, List.of(Value.i64(1)), Limits.DEFAULT, null));
                } catch (Throwable e) {
                    first.set(e);
                }
            });
            t.start();
            assertTrue(inHost.await(30, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> vm.run(ctx, 0, List.of(Value.i64(0)), Limits.DEFAULT, null));
            assertTrue(e.getMessage().contains("execution context is in use"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> vm.start(ctx, 0, List.of(Value.i64(0)), Limits.DEFAULT, null));
            release.countDown();
            t.join(30_000);
            assertEquals(List.of(Value.i64(0)), first.get(), "the first run was not disturbed");
            // free again once the run has ended
            assertNotNull(vm.run(ctx, 0, List.of(Value.i64(0)), Limits.DEFAULT, null));
            Run r = vm.start(ctx, 0, List.of(Value.i64(0)), Limits.DEFAULT, null);
            assertTrue(r.resume() instanceof Outcome.Done);
        }
    }
}
