package dev.tape.bench;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.ArrayList;
import java.util.List;

/**
 * The hostile cases an embedder meets but the CLI cannot show (issue 12, holes 9 and 10), run by
 * {@link HostileBench} in a fresh JVM each: {@code java -cp benchmarks.jar dev.tape.bench.HostileEmbedded
 * CASE TIER}, CASE {@code reuse} or {@code nest}, TIER {@code jit} or {@code interp}. Prints one summary
 * line on stdout; exits 0 when the case ran to its end (whatever the VM's outcome), 3 on a Java error.
 */
public final class HostileEmbedded {
    /** Levels of the deep run before the context is reused. */
    static final int REUSE_LEVELS = 1_000_000;
    /** Trivial runs timed before and after the deep run. */
    static final int TRIVIAL_RUNS = 20_000;
    /** Nesting levels of the nested case (host call, then a run of the program, and so on). */
    static final int NEST_LEVELS = 600;
    /** Repetitions of the nested case, to see whether the outcome depends on JIT warm-up. */
    static final int NEST_REPEATS = 30;
    /** Java stack of the thread the nested case runs on. */
    static final long NEST_STACK = 1 << 20;

    private HostileEmbedded() {}

    /**
     * @param args CASE TIER
     * @throws Exception when the case cannot be set up (the JVM exits non-zero)
     */
    public static void main(String[] args) throws Exception {
        boolean jit = args[1].equals("jit");
        String out = switch (args[0]) {
            case "reuse" -> reuse(jit);
            case "nest" -> nest(jit);
            default -> throw new IllegalArgumentException("unknown case " + args[0]);
        };
        System.out.println(out);
    }

    private static Vm vm(Program p, dev.tape.host.Host host, boolean jit) throws Exception {
        VerifiedProgram v = Verifier.verify(p);
        return jit ? Jit.compile(v, host) : new Vm(v, host);
    }

    /**
     * Hole 9: trivial runs in one context, then a run {@link #REUSE_LEVELS} frames deep in it, then
     * trivial runs again; reports each phase's time per run and the heap in use after a GC.
     */
    private static String reuse(boolean jit) throws Exception {
        Vm vm = vm(HostileShapes.counter(null), dev.tape.host.Host.NONE, jit);
        ExecutionContext ctx = new ExecutionContext();
        Limits limits = Limits.DEFAULT.withMaxCallDepth(REUSE_LEVELS + 2L);
        trivial(vm, ctx, limits); // warm-up
        double before = trivial(vm, ctx, limits);
        long heapBefore = usedAfterGc();
        long t0 = System.nanoTime();
        Value.I64 deep = (Value.I64) vm.run(ctx, 0, List.of(Value.i64(REUSE_LEVELS)), limits, null).get(0);
        double deepMs = (System.nanoTime() - t0) / 1e6;
        long heapAfter = usedAfterGc();
        double after = trivial(vm, ctx, limits);
        return String.format("deep run returned %d in %.0f ms; trivial run %.1f us before, %.1f us after;"
                + " heap in use %d MB before, %d MB after (context kept)", deep.value(), deepMs, before, after,
                heapBefore >> 20, heapAfter >> 20);
    }

    private static double trivial(Vm vm, ExecutionContext ctx, Limits limits) throws Trap {
        long t0 = System.nanoTime();
        for (int i = 0; i < TRIVIAL_RUNS; i++) {
            vm.run(ctx, 1, List.of(), limits, null);
        }
        return (System.nanoTime() - t0) / 1e3 / TRIVIAL_RUNS;
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /**
     * Hole 10: {@code main(600)} whose host function {@code bench.nest} runs {@code main(n - 1)} in a new
     * context of the same VM, on a thread with a 1 MiB stack, {@link #NEST_REPEATS} times; reports the
     * outcomes in order, run-length encoded.
     */
    private static String nest(boolean jit) throws Exception {
        Vm[] holder = new Vm[1];
        Limits limits = Limits.DEFAULT;
        HostRegistry host = new HostRegistry();
        host.register("bench.nest", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (a, res, hctx) -> res[0] = holder[0].run(new ExecutionContext(), 0, List.of(a[0]), limits, null)
                        .get(0));
        holder[0] = vm(HostileShapes.counter("bench.nest"), host, jit);
        List<String> outcomes = new ArrayList<>();
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(null, () -> {
            for (int i = 0; i < NEST_REPEATS; i++) {
                try {
                    Value v = holder[0].run(new ExecutionContext(), 0, List.of(Value.i64(NEST_LEVELS)), limits,
                            null).get(0);
                    outcomes.add(v.equals(Value.i64(NEST_LEVELS)) ? "ok" : "wrong result " + v);
                } catch (Trap trap) {
                    outcomes.add(trap.kind().label());
                } catch (Throwable e) {
                    error[0] = e;
                    return;
                }
            }
        }, "nest", NEST_STACK);
        t.start();
        t.join();
        StringBuilder sb = new StringBuilder(NEST_LEVELS + " levels x " + NEST_REPEATS + ": ");
        for (int i = 0; i < outcomes.size();) {
            int j = i;
            while (j < outcomes.size() && outcomes.get(j).equals(outcomes.get(i))) {
                j++;
            }
            sb.append(i == 0 ? "" : ", ").append(outcomes.get(i)).append(" x").append(j - i);
            i = j;
        }
        if (error[0] != null) {
            sb.append("; Java error escaped: ").append(error[0]);
        }
        return sb.toString();
    }
}
