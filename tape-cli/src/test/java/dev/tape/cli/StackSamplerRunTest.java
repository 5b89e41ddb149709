package dev.tape.cli;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.StackSampler;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StackSampler} on a real run held at a known depth (inside a host function that waits),
 * its stack taken from another thread as {@link WallProfile} takes it.
 */
class StackSamplerRunTest {
    /** main (0) calls rec (1) with 4; rec recurses down to 0 and there calls the host's t.block. */
    static final String DEEP = """
            program deep
            host block = "t.block" () -> ()

            func main() -> () {
                const.i64 r1, 4
                call r0, rec, r0, [r1] -> []
                ret r0, []
            }

            func rec(n: i64) -> () {
                const.i64 r2, 0
                i64.lt r3, r2, r1
                br r3, more, bottom
            more:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, rec, r0, [r5] -> []
                ret r0, []
            bottom:
                host_call r0, block, r0, [] -> []
                ret r0, []
            }
            """;

    /** A host whose t.block waits, once entered, until released. */
    static final class Blocking {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Host host() {
            return (symbol, sigHash, args, rets) -> "t.block".equals(symbol) ? (a, r, ctx) -> {
                entered.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } : null;
        }
    }

    static VerifiedProgram deep() {
        return Verifier.verify(Assembler.assemble(DEEP, "deep.tasm"));
    }

    static StackTraceElement[] stackOf(Thread t) {
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId(), Integer.MAX_VALUE);
        return info == null ? null : info.getStackTrace();
    }

    /** Runs main on a new thread and returns it once the run is inside t.block. */
    static Thread startBlocked(Vm vm, Blocking b, AtomicReference<Throwable> failure) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                vm.run(0, List.of(), Limits.DEFAULT);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "sampled run");
        t.start();
        assertTrue(b.entered.await(30, TimeUnit.SECONDS), "the run reached t.block");
        return t;
    }

    @Test
    void readsTheCompiledFramesOfARunInsideAHostCall() throws Exception {
        Blocking b = new Blocking();
        Vm vm = Jit.compile(deep(), b.host());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = startBlocked(vm, b, failure);
        StackSampler s = new StackSampler(vm);
        try {
            int[] out = new int[6];
            // main, then rec at n = 4, 3, 2, 1 and 0
            assertEquals(6, s.read(stackOf(t), out));
            assertEquals(StackSampler.Where.HOST, s.where());
            assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1}, out);
        } finally {
            b.release.countDown();
            t.join(30_000);
        }
        assertNull(failure.get());
        // the run and its thread have ended: nothing to read
        assertEquals(0, s.read(stackOf(t), new int[4]));
        assertEquals(StackSampler.Where.OUTSIDE, s.where());
    }

    @Test
    void anInterpretedRunIsReportedAsSuch() throws Exception {
        Blocking b = new Blocking();
        Vm vm = new Vm(deep(), b.host());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = startBlocked(vm, b, failure);
        StackSampler s = new StackSampler(vm);
        try {
            assertEquals(0, s.read(stackOf(t), new int[8]));
            assertEquals(StackSampler.Where.INTERPRETED, s.where());
        } finally {
            b.release.countDown();
            t.join(30_000);
        }
        assertNull(failure.get());
    }

    /** main (0) calls leaf (1), which calls the host's t.block. */
    static final String SHALLOW = """
            program shallow
            host block = "t.block" () -> ()

            func main() -> () {
                call r0, leaf, r0, [] -> []
                ret r0, []
            }

            func leaf() -> () {
                host_call r0, block, r0, [] -> []
                ret r0, []
            }
            """;

    @Test
    void aRunNestedInAHostFunctionReadsAsTheOutermostRun() throws Exception {
        Blocking b = new Blocking();
        Vm inner = Jit.compile(Verifier.verify(Assembler.assemble(SHALLOW, "shallow.tasm")), b.host());
        // the outer run's t.block runs the inner program, which blocks in its own t.block
        Host outerHost = (symbol, sigHash, args, rets) -> "t.block".equals(symbol)
                ? (a, r, ctx) -> inner.run(0, List.of(), Limits.DEFAULT) : null;
        Vm outer = Jit.compile(deep(), outerHost);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = startBlocked(outer, b, failure);
        try {
            int[] out = new int[8];
            StackSampler forOuter = new StackSampler(outer);
            assertEquals(6, forOuter.read(stackOf(t), out));
            assertEquals(StackSampler.Where.HOST, forOuter.where());
            // as documented: a sampler of the nested run's VM reads the outer run too (main, rec...)
            StackSampler forInner = new StackSampler(inner);
            assertEquals(6, forInner.read(stackOf(t), out));
            assertEquals(StackSampler.Where.HOST, forInner.where());
            assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1}, java.util.Arrays.copyOf(out, 6));
        } finally {
            b.release.countDown();
            t.join(30_000);
        }
        assertNull(failure.get());
    }
}
