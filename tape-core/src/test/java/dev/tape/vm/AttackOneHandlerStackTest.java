package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's single exception handler (gen30, attack-g30) with the Java stack
 * nearly exhausted: {@code execute}'s one handler takes back the position a loop noted in the
 * context ({@code runIp}, {@code hotIp}) before it rethrows a {@code StackOverflowError}, so a run
 * that a {@code StackOverflowError} ended in {@link CallLoop} (a recursion with leaf calls),
 * {@link HostRun} (a quick host call after another) or {@link TupleRun} (two tuples) leaves no
 * position noted for the context's next run. The run starts at every Java stack depth of a thread
 * of 512 KiB, one frame apart, from where it ends normally to where the stack is too short for it
 * (50 depths in a row); each ends with the right result or a {@code StackOverflowError} (near the
 * edge the driver's own report of it overflows too: docs/SECURITY.md, "Calls made with little Java
 * stack left"), which leaves the context marked as executing no longer, and the context then runs
 * the program to its result. On main (e11fd79f) the context was left marked for good in 6 of 10
 * sweeps, from the first escaped {@code StackOverflowError} at depth 17,490-17,498 on: it was thrown
 * in {@code AtomicBoolean.set}, called by {@code ExecutionContext.exit} in {@code Vm.run}'s
 * {@code finally}; {@code Vm.run} now clears the mark by a field write, no call. Its position
 * checks pass on main before and after gen30. Mutation-checked: rethrowing the
 * {@code StackOverflowError} before the handler takes the position back leaves {@code hotIp} noted
 * (81, in {@code walk}) at the sweep's end.
 */
class AttackOneHandlerStackTest {
    /** walk(n) = 2 * walk(n - 1) + 1 through twice, walk(0) = 0: a recursion CallLoop takes, with leaf calls. */
    static final String CALLEES = """
            func walk(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                i64.lt r4, r1, r3
                br r4, done, more
            more:
                i64.sub r5, r1, r3
                call r0, walk, r0, [r5] -> [r2]
                call r0, twice, r0, [r2] -> [r2]
                i64.add r2, r2, r3
                jmp done
            done:
                ret r0, [r2]
            }

            func twice(x: i64) -> (i64) {
                i64.add r2, r1, r1
                ret r0, [r2]
            }
            """;

    /** main(n): walk(n), two quick host calls, two tuples. */
    static final String SOURCE = """
            program one_handler_stack

            host hf = "w.f" (i64) -> (i64)

            func main(n: i64) -> (i64) {
                call r0, walk, r0, [r1] -> [r2]
                host_call r0, hf, r0, [r2] -> [r3]
                i64.add r3, r3, r1
                host_call r0, hf, r0, [r3] -> [r3]
                i64.add r3, r3, r1
                tuple.new r4, [r3, r1]
                tuple.get r5, r4, 0
                tuple.new r6, [r5, r1]
                tuple.get r7, r6, 1
                i64.add r3, r5, r7
                ret r0, [r3]
            }

            """ + CALLEES;

    /** main(20): walk(20) = 2^20 - 1, then two calls of x + 1 with 20 added after each, then 20 added. */
    static final List<Value> EXPECTED = List.of(Value.i64((1 << 20) - 1 + 1 + 20 + 1 + 20 + 20));

    /** Runs main(20) on {@code c} below {@code depth} frames of this method, or null past the stack. */
    static Object runAt(Vm vm, ExecutionContext c, int depth) {
        if (depth > 0) {
            return runAt(vm, c, depth - 1);
        }
        try {
            return vm.run(c, 0, List.of(Value.i64(20)), Limits.DEFAULT, null);
        } catch (Trap t) {
            return t.kind();
        }
    }

    /** The program's VM: {@link #SOURCE} with {@code w.f(x) = x + 1}. */
    static Vm vm() throws Exception {
        return new Vm(Verifier.verify(Assembler.assemble(SOURCE, "one_handler_stack.tasm")),
                new HostRegistry().registerWords("w.f", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                        (WordFunction.Of1) x -> x + 1));
    }

    /** What one depth of a sweep does: runs there, then checks what it left. */
    interface Step {
        /**
         * @param depth the Java stack depth, in frames of the sweep's own recursion
         * @return the run's values, its trap kind, or another outcome
         */
        Object run(int depth);

        /**
         * @param depth as for {@link #run}
         * @param got what {@link #run} returned, or null when a {@code StackOverflowError} escaped it
         */
        void check(int depth, Object got);
    }

    /**
     * Runs {@code step} at every Java stack depth of a thread of 512 KiB, one frame apart, from 0
     * until it has been past the stack (a {@code StackOverflowError} escaped) for 50 depths in a
     * row and at least to depth 200; a result other than {@link #EXPECTED} or an internal error trap
     * is a problem.
     *
     * @return the depth the sweep ended at and how many errors escaped
     */
    static int[] sweep(String name, List<String> problems, Step step) throws InterruptedException {
        int[] swept = {-1, 0};
        Thread th = new Thread(null, () -> {
            int depth = 0;
            int missed = 0;
            while (missed < 50 || depth < 200) {
                Object got;
                try {
                    got = step.run(depth);
                } catch (StackOverflowError e) {
                    // the recursion before the run, or the run's own driver, ran out first
                    got = null;
                    swept[1]++;
                }
                if (got != null && got != TrapKind.INTERNAL_ERROR && !got.equals(EXPECTED)) {
                    problems.add("depth " + depth + ": " + got);
                }
                step.check(depth, got);
                missed = got == null ? missed + 1 : 0;
                depth++;
            }
            swept[0] = depth;
        }, name, 512 * 1024);
        th.start();
        th.join();
        return swept;
    }

    @Test
    void aStackOverflowInALoopLeavesNoPositionNoted() throws Exception {
        Vm vm = vm();
        ExecutionContext[] ctx = {new ExecutionContext()};
        List<String> problems = new ArrayList<>();
        int[] swept = sweep("one-handler-stack", problems, new Step() {
            @Override
            public Object run(int depth) {
                return runAt(vm, ctx[0], depth);
            }

            @Override
            public void check(int depth, Object got) {
                ExecutionContext c = ctx[0];
                if (c.runIp != -1 || c.hotIp != -1) {
                    problems.add("depth " + depth + ": " + got + ", runIp " + c.runIp + ", hotIp " + c.hotIp);
                    c.runIp = -1;
                    c.hotIp = -1;
                }
                if (inUse(c)) {
                    // the StackOverflowError escaped Vm.run (thrown in AtomicBoolean.set, called by
                    // ExecutionContext.exit in Vm.run's finally) and left the context marked
                    problems.add("depth " + depth + ": " + got + ", the context left marked as executing");
                    ctx[0] = new ExecutionContext();
                }
            }
        });
        assertEquals(List.of(), problems);
        // the sweep ended past the stack (the thread threw nothing else)
        assertTrue(swept[0] > 250, "swept to depth " + swept[0]);
        // and the context runs the program again to its result
        assertEquals(EXPECTED, vm.run(ctx[0], 0, List.of(Value.i64(20)), Limits.DEFAULT, null));
    }

    /** Resumes {@code run} below {@code depth} frames of this method, or null past the stack. */
    static Object resumeAt(Run run, int depth) {
        if (depth > 0) {
            return resumeAt(run, depth - 1);
        }
        Outcome o = run.resume();
        return o instanceof Outcome.Done d ? d.values() : o instanceof Outcome.Trapped t ? t.trap().kind() : o;
    }

    /**
     * The same sweep through {@link Run#resume()} (the lead's mend after attack-g30's fix): a
     * {@code StackOverflowError} escaping the resume leaves neither the context marked as executing
     * nor the run marked busy (both cleared by field writes in {@code Run}'s {@code finally} blocks,
     * no call), so the run is then resumed at a shallow depth to its result. It fails when a resume
     * leaves either mark set; it also passes on the code before that mend (e11fd79f's {@code Run},
     * whose {@code finally} blocks called {@code AtomicBoolean.set} and {@code ExecutionContext.exit}:
     * in two sweeps none of those calls overflowed, though at least 50 errors escaped each), so it
     * guards the resume path's shape rather than reproducing a defect there.
     */
    @Test
    void aStackOverflowEscapingAResumeLeavesNothingMarked() throws Exception {
        Vm vm = vm();
        List<String> problems = new ArrayList<>();
        ExecutionContext[] ctx = new ExecutionContext[1];
        Run[] runs = new Run[1];
        int[] swept = sweep("one-handler-resume-stack", problems, new Step() {
            @Override
            public Object run(int depth) {
                ctx[0] = new ExecutionContext();
                runs[0] = vm.start(ctx[0], 0, List.of(Value.i64(20)), Limits.DEFAULT, null);
                return resumeAt(runs[0], depth);
            }

            @Override
            public void check(int depth, Object got) {
                if (inUse(ctx[0])) {
                    problems.add("depth " + depth + ": " + got + ", the context left marked as executing");
                } else if (got == null) {
                    // the run is not left busy: resumed with stack to spare, it ends with its result
                    try {
                        Object again = resumeAt(runs[0], 0);
                        if (!again.equals(EXPECTED) && again != TrapKind.INTERNAL_ERROR) {
                            problems.add("depth " + depth + ": resumed again, " + again);
                        }
                    } catch (IllegalStateException e) {
                        problems.add("depth " + depth + ": the run left busy (" + e.getMessage() + ")");
                    }
                }
            }
        });
        assertEquals(List.of(), problems);
        assertTrue(swept[0] > 250, "swept to depth " + swept[0]);
        assertTrue(swept[1] >= 50, "escaped StackOverflowErrors: " + swept[1]);
    }

    /** Whether {@code c} is still marked as executing a run (its fuel cannot be read then). */
    static boolean inUse(ExecutionContext c) {
        try {
            c.fuelRemaining();
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
