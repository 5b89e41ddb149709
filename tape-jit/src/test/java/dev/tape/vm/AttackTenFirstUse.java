package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;

import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * For {@code AttackRoundTenTogetherTest}, loaded again in class loaders of its own: the first uses
 * of tape in a class loader, made by several threads at once, some from every depth of an exhausted
 * stack. Each use assembles a program from text (the split assembler), verifies it, makes a VM of
 * one way (interpreter, {@link Jit#compile}, {@link Jit#compileFramed}), runs it with a fuel limit
 * that pauses it, snapshots the run, restores the snapshot on another way and runs it to its end.
 * Its transcript must be what the same use gives in the test's own class loader.
 */
final class AttackTenFirstUse {
    private AttackTenFirstUse() {}

    /** the host functions the generated programs import (no suspension, no nested run) */
    static HostRegistry host() {
        return new HostRegistry().registerWords("w.f", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (WordFunction.Of1) a -> a * 3 + 1)
                .registerWordArrays("w.w", Signature.of(List.of(ValueType.I64, ValueType.I64),
                        List.of(ValueType.I64, ValueType.I64)), (a, out, ctx) -> {
                            out[0] = a[0] + a[1];
                            out[1] = a[0] - a[1];
                        })
                .registerWords("w.x", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                        (WordFunction.Of1) a -> a * 5 - 2);
    }

    private static Vm vm(VerifiedProgram p, int way) {
        return switch (way % 3) {
            case 0 -> new Vm(p, host());
            case 1 -> Jit.compile(p, host());
            default -> Jit.compileFramed(p, host(), VmOptions.DEFAULT);
        };
    }

    private static String end(Outcome o) {
        if (o instanceof Outcome.Done d) {
            return "done " + d.values();
        } else if (o instanceof Outcome.Trapped tr) {
            Trap x = tr.trap();
            return "trap " + x.kind() + " func " + x.func() + " pc " + x.pc() + " fuel " + x.fuelRemaining();
        }
        return "paused " + ((Outcome.Paused) o).reason();
    }

    /**
     * One use, with a full stack or not.
     *
     * @param source the program's text (function 0 takes three i64 values)
     * @param args those values
     * @param way the first VM's way (0 interpreter, 1 compiled, 2 framed); the restore's is the next
     * @param fuel the first run's fuel
     * @return the transcript
     */
    static String use(String source, long[] args, int way, long fuel) {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "ten.tasm"));
        Vm a = vm(p, way);
        List<Value> in = java.util.Arrays.stream(args).mapToObj(v -> (Value) Value.i64(v)).toList();
        Run r = a.start(new ExecutionContext(), 0, in, Limits.DEFAULT.withFuel(fuel), null);
        Outcome o = r.resume();
        StringBuilder t = new StringBuilder(end(o)).append(" fuel ").append(r.fuelRemaining());
        if (o instanceof Outcome.Paused) {
            t.append(" at ").append(r.frames()).append(' ').append(r.position());
            byte[] snap = r.snapshot();
            Run back = vm(p, way + 1).restore(new ExecutionContext(), snap, Limits.DEFAULT, null);
            Outcome ob = back.resume();
            t.append(" then ").append(end(ob)).append(" fuel ").append(back.fuelRemaining());
        }
        return t.toString();
    }

    /** the last failure of a deep use (for messages) */
    static volatile Throwable lastFailure;

    /** the deep uses that failed (threw, or ended in an internal_error trap), all threads */
    static final java.util.concurrent.atomic.AtomicInteger deepFailures = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Runs {@code use} on {@code threads} threads started together (all of them the first users of
     * tape in this class loader), thread {@code i} with source {@code i % sources.length} and way
     * {@code i % 3}; the odd threads recurse until their stack overflows and then try the use at each
     * fourth depth on the way back until one succeeds (neither throws nor ends in an
     * {@code internal_error} trap).
     *
     * @return per thread its transcript, with the deep threads' failed tries counted first
     */
    static String[] together(String[] sources, long[][] args, long[] fuel, int threads) throws Exception {
        String[] out = new String[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int k = i;
            int s = i % sources.length;
            Runnable work = () -> {
                try {
                    start.await();
                    if (k % 2 == 1) {
                        Deep d = new Deep(sources[s], args[s], k % 3, fuel[s]);
                        d.down(0);
                        out[k] = "deep " + (d.result == null ? "never: " + d.failed : d.result);
                    } else {
                        out[k] = use(sources[s], args[s], k % 3, fuel[s]);
                    }
                } catch (Throwable e) {
                    lastFailure = e;
                    out[k] = "threw " + e;
                }
            };
            ts[i] = new Thread(null, work, "first-use-" + i, k % 2 == 1 ? 512 << 10 : 0);
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join(600_000);
        }
        return out;
    }

    /** A use tried from every fourth depth of an exhausted stack, from the deepest up. */
    private static final class Deep {
        final String source;
        final long[] args;
        final int way;
        final long fuel;
        String result;
        int failed;

        Deep(String source, long[] args, int way, long fuel) {
            this.source = source;
            this.args = args;
            this.way = way;
            this.fuel = fuel;
        }

        void down(int depth) {
            try {
                down(depth + 1);
            } catch (StackOverflowError e) {
                // the bottom: from here up, every fourth depth tries once, until one use succeeds
            }
            if (result == null && depth % 4 == 0) {
                // a use that throws (a StackOverflowError, or an error of the JVM's made of one) or
                // whose run reports the StackOverflowError it caught (an internal_error trap) is
                // tried again higher up, as FirstUseChain does
                try {
                    String t = use(source, args, way, fuel);
                    if (t.contains("INTERNAL_ERROR")) {
                        failed++;
                        deepFailures.incrementAndGet();
                    } else {
                        result = t;
                    }
                } catch (Throwable e) {
                    failed++;
                    deepFailures.incrementAndGet();
                    lastFailure = e;
                }
            }
        }
    }
}
