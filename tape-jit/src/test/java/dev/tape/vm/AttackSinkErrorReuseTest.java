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
 * Attack on the trace sink's {@code Error} (twenty-fourth round, attack-m24): after a run that a
 * sink's throwable ended (an {@code AssertionError}, an embedder's own {@code Error}, a
 * {@code StackOverflowError}, an {@code OutOfMemoryError} the sink throws, an {@code Error} whose
 * {@code getMessage} and {@code toString} throw), nothing escapes and the same
 * {@link ExecutionContext} runs the program again untraced with the right result, on both tiers,
 * through {@link Vm#run} and a {@link Run}; the callee {@code f} starts with a {@code const}
 * (a callee the interpreter's call loop takes, {@code CodeImage.runEntries}'s HOT flag) and
 * calls a host function and itself.
 */
class AttackSinkErrorReuseTest {
    private static final String SOURCE = """
            program sr
            host next = "env.next" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                call r0, f, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func f(n: i64) -> (r: i64) {
                const.i64 r3, 1
                host_call r0, next, r0, [r1] -> [r2]
                call r0, g, r0, [r2] -> [r4]
                ret r0, [r4]
            }
            func g(n: i64) -> (r: i64) {
                const.i64 r3, 0
                ret r0, [r1]
            }
            """;

    /** An {@code Error} whose message and string both throw. */
    private static final class Hostile extends Error {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("message");
        }

        @Override
        public String toString() {
            throw new AssertionError("toString");
        }
    }

    private static final String[] CALLBACKS = {"runStart", "runEnd", "instr", "callEnter", "callExit",
        "hostEnter", "hostExit"};

    /** {@link ThrowingSink#at}, asking for every event group. */
    private static TraceSink throwingAt(String at, Supplier<Error> e) {
        return ThrowingSink.at(at, TraceMask.ALL, e);
    }

    private static String outcome(Vm vm, ExecutionContext ctx, TraceSink sink, boolean asRun) {
        try {
            if (asRun) {
                Outcome o = vm.start(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, sink).resume();
                return o instanceof Outcome.Trapped t ? "trap " + t.trap().kind().label() : o.toString();
            }
            return "ok " + vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
        } catch (Trap t) {
            return "trap " + t.kind().label();
        } catch (Throwable escaped) {
            return "escaped " + escaped.getClass().getName();
        }
    }

    @Test
    void aContextRunsAgainAfterASinksError() {
        Vm[] tiers = ThrowingSink.tiers(SOURCE);
        Vm interp = tiers[0];
        List<Supplier<Error>> errors = List.of(() -> new AssertionError("sink"), () -> new StackOverflowError(),
                () -> new OutOfMemoryError("sink"), Hostile::new, () -> new LinkageError("sink"),
                () -> new InternalError("sink"));
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (boolean asRun : new boolean[] {false, true}) {
            for (Vm vm : tiers) {
                String clean = outcome(vm, new ExecutionContext(), null, asRun);
                for (String at : CALLBACKS) {
                    for (Supplier<Error> e : errors) {
                        ExecutionContext ctx = new ExecutionContext();
                        String first = outcome(vm, ctx, throwingAt(at, e), asRun);
                        String again = outcome(vm, ctx, null, asRun);
                        String tier = (vm == interp ? "interpreter" : "compiled") + (asRun ? " Run" : " run") + " at "
                                + at + " " + e.get().getClass().getSimpleName();
                        if (first.startsWith("escaped")) {
                            wrong.add(tier + ": " + first);
                        }
                        if (!again.equals(clean)) {
                            wrong.add(tier + " then untraced: " + again + ", expected " + clean);
                        }
                        checked++;
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(2 * 2 * CALLBACKS.length * 6, checked);
    }
}
