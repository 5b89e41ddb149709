package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One VerifiedProgram run from 16 threads at once, through a host whose first function sleeps
 * (so runs interleave inside host calls) and whose second throws. Every run's result, trap, fuel
 * and host-call count must be its own.
 */
class HostConcurrencyTest {
    static final int THREADS = 16;
    static final int RUNS = 150;

    /**
     * {@code f(n) = { m = sleep(n); if n % 2 == 0 { m } else { boom(n) } }}: sleep returns 2n after
     * sleeping n % 3 ms; boom always throws, naming n.
     */
    static Program program() {
        ProgramBuilder pb = new ProgramBuilder();
        int sleep = pb.hostSig("host.sleep", List.of(I64), List.of(I64));
        int boom = pb.hostSig("host.boom", List.of(I64), List.of(I64));
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        FunctionBuilder.Label even = f.newLabel();
        FunctionBuilder.Label odd = f.newLabel();
        f.hostCall(0, sleep, 0, new int[] {1}, new int[] {2})
                .constI64(3, 2).i64Rem(4, 1, 3).constI64(5, 0).i64Eq(6, 4, 5)
                .br(6, even, odd);
        f.place(even).ret(0, 2);
        f.place(odd).hostCall(0, boom, 0, new int[] {1}, new int[] {7}).ret(0, 7);
        return pb.build();
    }

    static HostRegistry host() {
        HostRegistry h = new HostRegistry();
        Signature sig = Signature.of(List.of(I64), List.of(I64));
        h.register("host.sleep", sig, args -> {
            long n = ((Value.I64) args[0]).value();
            Thread.sleep(n % 3);
            return new Value[] {Value.i64(2 * n)};
        });
        h.register("host.boom", sig, args -> {
            throw new IllegalStateException("boom " + ((Value.I64) args[0]).value());
        });
        return h;
    }

    @Test
    void resultsAndTrapsStayWithTheirRun() throws Exception {
        VerifiedProgram vp = Verifier.verify(program());
        HostRegistry host = host();
        Vm shared = new Vm(vp, host);
        Limits limits = Limits.DEFAULT.withFuel(1_000);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                futures.add(pool.submit(() -> {
                    // half the threads share one Vm, half make their own over the same VerifiedProgram
                    Vm vm = thread % 2 == 0 ? shared : new Vm(vp, host);
                    ExecutionContext ctx = new ExecutionContext();
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < RUNS; i++) {
                        long n = thread * 1_000L + i;
                        if (n % 2 == 0) {
                            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), limits, null);
                            assertEquals(List.of(Value.i64(2 * n)), out);
                            // sleep, const, rem, const, eq, br, ret
                            assertEquals(1_000 - 7, ctx.fuelRemaining());
                            assertEquals(1, ctx.hostCallsMade());
                        } else {
                            try {
                                vm.run(ctx, 0, List.of(Value.i64(n)), limits, null);
                                throw new AssertionError("run " + n + " should have trapped");
                            } catch (Trap trap) {
                                assertEquals(TrapKind.HOST_CALL_FAILED, trap.kind());
                                assertEquals("host.boom", trap.hostSymbol());
                                assertTrue(trap.detail().endsWith("boom " + n), trap.detail());
                                assertEquals(1_000 - 7, trap.fuelRemaining());
                                assertEquals(2, ctx.hostCallsMade());
                            }
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (Future<Integer> f : futures) {
                assertEquals(RUNS, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
