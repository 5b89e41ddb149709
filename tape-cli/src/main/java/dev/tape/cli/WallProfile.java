package dev.tape.cli;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.Program;
import dev.tape.vm.StackSampler;
import dev.tape.vm.Vm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples where a compiled run spends its wall time, for {@code tape profile --measure wall}: a
 * daemon thread reads the run thread's stack about every interval ({@link StackSampler}) and adds
 * the time since its previous sample, in microseconds, to the stack it found, in a bounded call
 * tree. So the tree's weights are wall time: a sample that came late (the machine was busy, or the
 * JVM took long to stop the run thread for its stack) stands for all the time since the one
 * before, and the total is the time sampled. A sample taken inside a host call ends in a leaf named
 * after its symbol ({@code [host] std.print_i64}; the {@link #wrap(Host) wrapped host} says which
 * one ran last); one taken while the interpreter runs part of the run ends in
 * {@code [interpreted]}, one taken while a function is compiled in {@code [compiling]}. Samples
 * taken outside the run (before it starts, after it ends) are not counted, nor is their time.
 *
 * <p>Not deterministic: the time a stack gets depends on the machine, its load and the JVM's own
 * compilation. Bounded: stacks deeper than {@code maxDepth} fold into {@code [deeper frames]} and
 * the tree into {@code [other]} frames ({@link CallTree}); each sample costs one stack walk (the
 * JVM stops the run thread for it) and at most {@code maxDepth} hash lookups, on the sampler thread.
 */
final class WallProfile extends CallTree {
    /** The default of {@code --interval-us}: 1 ms. */
    static final int DEFAULT_INTERVAL_US = 1000;
    /** The least {@code --interval-us}. */
    static final int MIN_INTERVAL_US = 100;
    /** The largest {@code --interval-us}: 1 s. */
    static final int MAX_INTERVAL_US = 1_000_000;
    /** How long {@link #stop} waits for the sampler thread to end, in milliseconds. */
    static final long STOP_WAIT_MS = 10_000;

    private final int maxDepth;
    private final long intervalNanos;
    private final Map<Integer, String> names = new HashMap<>();
    /**
     * the symbol of the host function that started or ended last, or null before the first: the
     * one a sample inside a host call names (the JVM takes most such samples as the VM's host-call
     * code returns, after the function; one taken in that code just before the function names the
     * host function before it)
     */
    private volatile String host;
    private volatile boolean stopping;
    private Program program;
    private Thread sampler;
    /** samples counted (guarded by this) */
    private long samples;
    /** their time, in microseconds (guarded by this) */
    private long micros;
    /** whether the sampler thread failed (guarded by this) */
    private boolean failed;

    /**
     * @param maxDepth the deepest stack kept, 1 or more
     * @param maxNodes the most frames before new ones fold into {@code [other]}, 1 or more
     * @param intervalMicros the time between samples, {@link #MIN_INTERVAL_US} to {@link #MAX_INTERVAL_US}
     */
    WallProfile(int maxDepth, int maxNodes, int intervalMicros) {
        super(maxNodes);
        this.maxDepth = maxDepth;
        this.intervalNanos = TimeUnit.MICROSECONDS.toNanos(intervalMicros);
    }

    /**
     * Wraps a host so that the sampler knows which host function is running.
     *
     * @param h the host
     * @return the wrapping host
     */
    Host wrap(Host h) {
        return (symbol, sigHash, args, rets) -> {
            HostFunction fn = h.resolve(symbol, sigHash, args, rets);
            if (fn == null) {
                return null;
            }
            return (a, r, ctx) -> {
                host = symbol;
                try {
                    fn.call(a, r, ctx);
                } finally {
                    // again: host calls of runs this one started have set theirs
                    host = symbol;
                }
            };
        };
    }

    /**
     * Starts sampling: a daemon thread samples {@code target}'s runs of {@code vm} until {@link #stop}
     * (or, when the JVM gives no thread stacks, marks the profile {@link #failed()} and samples nothing).
     *
     * @param vm the VM the target runs
     * @param target the thread that runs it
     */
    synchronized void start(Vm vm, Thread target) {
        this.program = vm.program().program();
        StackSampler s = new StackSampler(vm);
        long id = target.getId();
        ThreadMXBean mx = null;
        try {
            // the frames of the compiled code's hidden classes are in the stacks ThreadMXBean gives
            // (Thread.getStackTrace leaves them out from JDK 19 on); one stack now loads its classes,
            // so that the first sample does not count their loading as the run's time
            mx = ManagementFactory.getThreadMXBean();
            mx.getThreadInfo(id, 1);
        } catch (RuntimeException | Error e) {
            failed = true;
            return;
        }
        ThreadMXBean bean = mx;
        Thread t = new Thread(() -> loop(s, bean, id), "tape-profile-sampler");
        t.setDaemon(true);
        sampler = t;
        t.start();
    }

    /**
     * Stops sampling and waits (at most {@link #STOP_WAIT_MS}) for the sampler thread to end.
     * Call it once the run has ended, normally or by a trap.
     */
    void stop() {
        stopping = true;
        Thread t;
        synchronized (this) {
            t = sampler;
        }
        if (t == null) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the samples counted so far */
    synchronized long samples() {
        return samples;
    }

    /** @return whether the sampler thread stopped early on an error (the profile holds what it had) */
    synchronized boolean failed() {
        return failed;
    }

    /** @return the time the samples stand for, in microseconds: the tree's total weight */
    synchronized long micros() {
        return micros;
    }

    /**
     * The sampler thread: one sample per interval, at a fixed rate (late ticks are skipped, not made
     * up), each weighted with the time since the previous one.
     */
    private void loop(StackSampler s, ThreadMXBean mx, long thread) {
        try {
            int[] ids = new int[maxDepth + 1];
            long last = System.nanoTime();
            long next = last + intervalNanos;
            long carry = 0;
            while (!stopping) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                ThreadInfo info = mx.getThreadInfo(thread, Integer.MAX_VALUE);
                int n = s.read(info == null ? null : info.getStackTrace(), ids);
                long now = System.nanoTime();
                long nanos = now - last + carry;
                last = now;
                carry = nanos % 1000;
                next += intervalNanos;
                if (now - next > intervalNanos) {
                    next = now + intervalNanos;
                }
                if (!stopping) {
                    add(ids, n, s.where(), host, nanos / 1000);
                }
            }
        } catch (RuntimeException | Error e) {
            // no management bean, no permission, no memory: no stack trace to the user, and the
            // profile keeps the samples it has
            synchronized (this) {
                failed = true;
            }
        }
    }

    /**
     * Counts one sample, with its time.
     *
     * @param ids the function ids, outermost first, in range
     * @param found how many frames the sampler found (more than {@code ids.length} when deeper)
     * @param where what the run was doing
     * @param symbol the host function that ran last, or null
     * @param weight the time the sample stands for, in microseconds, 0 or more
     */
    synchronized void add(int[] ids, int found, StackSampler.Where where, String symbol, long weight) {
        if (where == StackSampler.Where.OUTSIDE) {
            return;
        }
        Node n = root();
        int kept = Math.min(Math.min(found, ids.length), maxDepth);
        for (int i = 0; i < kept; i++) {
            n = child(n, ids[i], null, false);
        }
        if (found > maxDepth) {
            n = child(n, DEEPER, DEEPER, false);
        }
        switch (where) {
            case HOST -> n = symbol == null ? child(n, "host:", "[host]", true)
                    : child(n, "host:" + symbol, "[host] " + Escape.text(symbol), true);
            case INTERPRETED -> n = child(n, "[interpreted]", "[interpreted]", false);
            case COMPILING -> n = child(n, "[compiling]", "[compiling]", false);
            default -> { }
        }
        n.self += weight;
        micros += weight;
        samples++;
    }

    @Override
    String frameName(Object key) {
        int f = (Integer) key;
        return names.computeIfAbsent(f, id -> {
            String n = program == null ? null : program.functionName(id);
            return n == null ? "func " + id : Escape.text(n);
        });
    }
}
