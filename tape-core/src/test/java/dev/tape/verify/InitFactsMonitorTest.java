package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An embedder holding a {@link VerifiedProgram}'s monitor (a {@code synchronized (program)} block of
 * its own) does not block the program's first {@link VerifiedProgram#initFacts} on another thread,
 * which snapshots and the compiled tier call: the program makes its per-function array without
 * locking on itself. Before, {@code initFacts} synchronized on the program and waited for the
 * embedder's block to end.
 */
class InitFactsMonitorTest {
    @Test
    void initFactsDoesNotWaitForAnEmbeddersLockOnTheProgram() throws Exception {
        VerifiedProgram v = Verifier.verify(Assembler.assemble("""
                program p
                func main(n: i64) -> (i64) {
                    ret r0, [r1]
                }
                """, "p.tasm"));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread embedder = new Thread(() -> {
            synchronized (v) {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        embedder.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        AtomicReference<Object> got = new AtomicReference<>();
        Thread asker = new Thread(() -> got.set(v.initFacts(0)));
        asker.start();
        // without the monitor the call takes microseconds; with it, it waits for release (60 s)
        asker.join(30_000);
        boolean finished = !asker.isAlive();
        release.countDown();
        embedder.join(10_000);
        asker.join(10_000);
        assertTrue(finished, "initFacts waited for the embedder's lock on the program");
        assertNotNull(got.get());
    }
}
