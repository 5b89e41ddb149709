package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A context taken over from another thread while a paused {@link Run} of it resumes: the takeover
 * ({@link Vm#start} or {@link Vm#restore} in the context) and the resume cannot both go on, so the
 * resumed run never executes on the state of the run that took the context over. Found by an attack
 * on abandoned runs (b6ff99b): {@code Vm.start} checked that the context was idle, then (after asking
 * the new run's trace sink for its mask) reset it, and a resume that entered the context in between
 * went on running while the context was reset and given to the new run under it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AttackContextRaceTest {
    static Vm vm(boolean compiled, HostFunction fn) {
        VerifiedProgram v = Tiers.verified(JitCornerCasesTest.asm(ContextInUseTest.TEXT));
        HostRegistry host = new HostRegistry().register("t.again", Signature.of(List.of(I64), List.of(I64)), fn);
        return compiled ? Jit.compile(v, host) : new Vm(v, host);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aResumeWhileAnotherThreadStartsARunInTheContext(boolean compiled) throws Exception {
        CountDownLatch inMask = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        Vm vm = vm(compiled, (args, results, hc) -> {
            if (armed.getAndSet(false)) {
                // run A's host call: let the other thread's start go on, and wait until it is done
                go.countDown();
                started.await(10, TimeUnit.SECONDS);
            }
            results[0] = args[0];
        });
        ExecutionContext ctx = new ExecutionContext();
        Run a = vm.start(ctx, 0, List.of(Value.i64(2)), Limits.DEFAULT.withFuel(1_000), null);
        TraceSink slowMask = new TraceSink() {
            @Override
            public int mask() {
                inMask.countDown();
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }
        };
        AtomicReference<Object> b = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                b.set(vm.start(ctx, 0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(500), slowMask));
            } catch (Throwable e) {
                b.set(e);
            }
            started.countDown();
        });
        other.start();
        assertTrue(inMask.await(10, TimeUnit.SECONDS));
        Object aOut;
        try {
            aOut = a.resume();
        } catch (IllegalStateException e) {
            aOut = e;
        }
        go.countDown();
        other.join(10_000);
        armed.set(false);
        // the resume found the context being given to the new run and was refused, changing nothing
        IllegalStateException refused = assertInstanceOf(IllegalStateException.class, aOut, "A: " + aOut);
        assertTrue(refused.getMessage().contains("execution context is in use"), refused.getMessage());
        Run rb = assertInstanceOf(Run.class, b.get(), "B: " + b.get());
        // the new run ends as main(1) with 500 fuel does: 2 constants and jmp, one turn (compare,
        // branch, host call, sub, jmp), then compare, branch and ret: 11 units
        assertEquals(new Outcome.Done(List.of(Value.i64(0))), rb.resume());
        assertEquals(500 - 11, rb.fuelRemaining());
        assertEquals(1, rb.hostCallsMade());
        AbandonedRunTest.assertAbandoned(a);
    }
}
