package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One VerifiedProgram and one Vm shared by 8 threads, 1,000 runs each. */
class ConcurrencyTest {
    @Test
    void eightThreadsShareOneProgram() throws Exception {
        VerifiedProgram vp = Verifier.verify(TrapsTest.recursion());
        Vm vm = new Vm(vp, Host.NONE);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int seed = t;
                futures.add(pool.submit(() -> {
                    ExecutionContext ctx = new ExecutionContext();
                    int ok = 0;
                    for (int i = 0; i < 1000; i++) {
                        long n = (seed * 1000 + i) % 200;
                        if (i % 10 == 9) {
                            // every tenth run traps on a low depth limit; the trap stays with its run
                            try {
                                vm.run(ctx, 0, List.of(Value.i64(n + 20)), Limits.DEFAULT.withMaxCallDepth(10), null);
                            } catch (Trap trap) {
                                if (trap.kind() == TrapKind.CALL_DEPTH_EXCEEDED) {
                                    ok++;
                                }
                            }
                            continue;
                        }
                        List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
                        if (out.equals(List.of(Value.i64(n)))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : futures) {
                assertEquals(1000, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
