package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Attack on the trace sink (twenty-fourth round): a sink whose callback throws an {@link Error}
 * other than {@code StackOverflowError} and {@code OutOfMemoryError} (an {@code AssertionError}, an
 * embedder's own {@code Error}) must end the run as a {@link Trap}, as a sink that throws a
 * {@code RuntimeException} at the same callback does: no Java exception escapes {@link Vm#run} or a
 * {@link Run}, on either tier, whichever callback throws and whichever groups the sink asks for
 * (calls traced, instructions traced, everything); the run ends exactly as it does when the
 * callback throws an {@code IllegalStateException} instead, the throwable's class name aside.
 */
class AttackSinkErrorTest {
    /** An embedder's own {@code Error}. */
    private static final class SinkError extends Error {
        private static final long serialVersionUID = 1L;

        SinkError(String message) {
            super(message);
        }
    }

    private static final String[] CALLBACKS = {"mask", "runStart", "runEnd", "instr", "callEnter", "callExit",
        "hostEnter", "hostExit"};

    private static String outcome(Vm vm, TraceSink sink, boolean asRun) {
        try {
            if (asRun) {
                Outcome o = vm.start(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT, sink).resume();
                return o instanceof Outcome.Trapped t ? trap(t.trap()) : o.toString();
            }
            return "ok " + vm.run(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
        } catch (Trap t) {
            return trap(t);
        } catch (Throwable escaped) {
            return "escaped " + escaped.getClass().getName();
        }
    }

    private static String trap(Trap t) {
        return t.kind().label() + " " + t.detail() + " func " + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining();
    }

    /** One case: a sink asking for {@code mask} throws at {@code at}. */
    private interface Case {
        /**
         * @param where the case, for a message
         * @param base the outcome when the callback throws an {@code IllegalStateException}
         */
        void check(Vm vm, int mask, String at, boolean asRun, String where, String base);
    }

    /** Runs {@code c} for every mask, callback, driver ({@code Vm.run}, {@code Run}) and tier. */
    private static void forEachCase(Case c) {
        Vm[] tiers = ThrowingSink.tiers(ThrowingSink.SOURCE);
        for (int mask : new int[] {TraceMask.ALL, TraceMask.CALL, TraceMask.INSTR, TraceMask.CALL | TraceMask.HOST}) {
            for (String at : CALLBACKS) {
                for (boolean asRun : new boolean[] {false, true}) {
                    for (Vm vm : tiers) {
                        String where = (vm == tiers[0] ? "interpreter" : "compiled") + (asRun ? " Run" : " run")
                                + " mask " + mask + " at " + at;
                        String base = outcome(vm, ThrowingSink.at(at, mask, () -> new IllegalStateException("sink")), asRun);
                        c.check(vm, mask, at, asRun, where, base);
                    }
                }
            }
        }
    }

    @Test
    void aSinksErrorEndsTheRunAsItsRuntimeExceptionDoes() {
        List<String> wrong = new ArrayList<>();
        int[] checked = {0};
        forEachCase((vm, mask, at, asRun, where, base) -> {
            List<Supplier<Throwable>> errors = List.of(() -> new AssertionError("sink"), () -> new SinkError("sink"));
            for (Supplier<Throwable> e : errors) {
                String got = outcome(vm, ThrowingSink.at(at, mask, e), asRun);
                String name = e.get().getClass().getSimpleName();
                if (got.startsWith("escaped ") || !got.replace(name, "X").equals(
                        base.replace("IllegalStateException", "X"))) {
                    wrong.add(where + ": " + got + " / with an exception: " + base);
                }
                checked[0]++;
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals(4 * CALLBACKS.length * 2 * 2 * 2, checked[0]);
    }

    /**
     * A {@code ThreadDeath} (the thread being stopped) from any callback is thrown on, not made a
     * trap (mend25, as {@code JitTier}'s compiles rethrow it); the run has ended as at an
     * exception there: a {@link Run}'s next resume gives the outcome the run gives when the callback
     * throws an {@code IllegalStateException} instead, and the context runs the program again
     * untraced with the right result.
     */
    @Test
    @SuppressWarnings("removal")
    void aThreadDeathFromASinkIsThrownOnAndTheRunHasEnded() {
        List<String> wrong = new ArrayList<>();
        int[] checked = {0};
        forEachCase((vm, mask, at, asRun, where, base) -> {
            ExecutionContext ctx = new ExecutionContext();
            TraceSink sink = ThrowingSink.at(at, mask, ThreadDeath::new);
            Run run = null;
            String got;
            try {
                if (asRun) {
                    run = vm.start(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
                    run.resume();
                } else {
                    vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
                }
                got = "not thrown";
            } catch (ThreadDeath d) {
                got = "thrown";
            } catch (Throwable other) {
                got = "caught " + other;
            }
            // thrown wherever the exception ended the run, and from mask and runEnd,
            // whose exceptions are ignored
            boolean ended = !base.startsWith("ok") && !base.startsWith("Done");
            boolean thrown = ended || at.equals("mask") || at.equals("runEnd") && (mask & TraceMask.RUN) != 0;
            if (!got.equals(thrown ? "thrown" : "not thrown")) {
                wrong.add(where + ": " + got + " / with an exception: " + base);
            }
            if (run != null) {
                Outcome o = run.resume();
                String after = o instanceof Outcome.Trapped t ? trap(t.trap()) : o.toString();
                if (!after.replace("ThreadDeath", "X").equals(base.replace("IllegalStateException", "X")
                        .replace(": sink", ""))) {
                    wrong.add(where + ": resumed " + after + " / with an exception: " + base);
                }
            }
            try {
                List<Value> again = vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, null);
                if (!again.equals(List.of(Value.i64(7)))) {
                    wrong.add(where + ": again " + again);
                }
            } catch (Throwable t) {
                wrong.add(where + ": again " + t);
            }
            checked[0]++;
        });
        assertEquals(List.of(), wrong);
        assertEquals(4 * CALLBACKS.length * 2 * 2, checked[0]);
    }
}
