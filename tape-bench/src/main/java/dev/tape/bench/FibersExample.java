package dev.tape.bench;

import dev.tape.asm.AsmException;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fibers in practice: many runs ({@link Run}) of {@code fib(n)} share a few threads through a
 * round-robin queue; each worker takes the next run, gives it one slice of fuel, resumes it, and
 * puts it back at the end of the queue when it pauses for fuel. Every run progresses a slice per
 * turn and ends with the result it has alone.
 *
 * <pre>
 * java -cp tape-bench/target/benchmarks.jar dev.tape.bench.FibersExample [FIBERS] [THREADS] [SLICE] [jit|interp]
 * </pre>
 */
public final class FibersExample {
    private FibersExample() {}

    /** {@code fib(n)}: n when n &lt; 2, else fib(n - 1) + fib(n - 2). */
    static final String FIB = """
            program fib
            func fib(n: i64) -> (result: i64) {
                const.i64 r2, 2
                i64.lt r3, r1, r2
                br r3, small, big
            small:
                ret r0, [r1]
            big:
                const.i64 r4, 1
                i64.sub r5, r1, r4
                call r0, fib, r0, [r5] -> [r6]
                i64.sub r7, r1, r2
                call r0, fib, r0, [r7] -> [r8]
                i64.add r9, r6, r8
                ret r0, [r9]
            }
            """;

    /**
     * What a scheduling round gave.
     *
     * @param fibers runs started
     * @param correct runs that ended with the result and fuel they have alone
     * @param resumes resumes made in all
     * @param millis wall-clock time of the whole round
     */
    public record Summary(int fibers, int correct, long resumes, long millis) {}

    /** One fiber: its run and its argument. */
    private record Fiber(int n, Run run) {}

    /**
     * Runs {@code fibers} runs of fib(i mod 18) on {@code threads} threads in slices of
     * {@code slice} fuel.
     *
     * @param fibers how many runs, 1 or more
     * @param threads worker threads, 1 or more
     * @param slice fuel per slice, 1 or more
     * @param compiled whether the VM is the compiled tier's
     * @return the summary
     * @throws AsmException never (the program is fixed)
     * @throws VerifyException never
     * @throws InterruptedException when interrupted while waiting for the workers
     * @throws Trap never (fib returns)
     */
    public static Summary run(int fibers, int threads, long slice, boolean compiled)
            throws AsmException, VerifyException, InterruptedException, Trap {
        var p = Verifier.verify(Assembler.assemble(FIB, "fib.tasm"));
        Vm vm = compiled ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
        long[] alone = new long[18];
        long[] fuel = new long[18];
        for (int n = 0; n < alone.length; n++) {
            ExecutionContext ctx = new ExecutionContext();
            alone[n] = ((Value.I64) vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT, null).get(0)).value();
            fuel[n] = Limits.DEFAULT_FUEL - ctx.fuelRemaining();
        }
        ConcurrentLinkedQueue<Fiber> queue = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < fibers; i++) {
            int n = i % alone.length;
            queue.add(new Fiber(n, vm.start(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(slice))));
        }
        AtomicLong resumes = new AtomicLong();
        AtomicLong correct = new AtomicLong();
        Runnable worker = () -> {
            Fiber f;
            while ((f = queue.poll()) != null) {
                Outcome o = f.run().resume();
                resumes.incrementAndGet();
                if (o instanceof Outcome.Paused paused && paused.reason() instanceof PauseReason.FuelExhausted) {
                    f.run().addFuel(slice);
                    queue.add(f);
                } else if (o.equals(new Outcome.Done(List.of(Value.i64(alone[f.n()]))))
                        && ((fuel[f.n()] + slice - 1) / slice) * slice - f.run().fuelRemaining() == fuel[f.n()]) {
                    correct.incrementAndGet();
                }
            }
        };
        long t0 = System.nanoTime();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(worker, "fiber-worker-" + i);
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        return new Summary(fibers, (int) correct.get(), resumes.get(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * @param args fibers (10,000), threads (2), slice (1,000), tier (jit or interp; jit)
     * @throws Exception on a bad argument
     */
    public static void main(String[] args) throws Exception {
        int fibers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        long slice = args.length > 2 ? Long.parseLong(args[2]) : 1_000;
        boolean jit = args.length <= 3 || !args[3].equals("interp");
        Summary s = run(fibers, threads, slice, jit);
        System.out.println(s.fibers() + " fibers on " + threads + " threads, slices of " + slice + " fuel ("
                + (jit ? "jit" : "interp") + "): " + s.correct() + " ended as alone, " + s.resumes() + " resumes, "
                + s.millis() + " ms");
    }
}
