package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.JitTestAccess;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java stack budget of a plain compiled entry: a function with word arguments that never calls
 * itself keeps its method's own descriptor and is entered without {@code WordParams}' trampoline,
 * so the run's whole budget ({@link JitRuntime#STACK_WORDS}) holds its frames: the entry frame at
 * {@code JitCompiler.cost} of its registers, each call of another function at that cost plus
 * {@link JitRuntime#INDIRECT_WORDS} (the call site's invoker and the method handle's frames).
 * {@code JitDifferentialTest} and {@code JitCornerCasesTest} pin the trampolined entry's budget (a
 * self-call with a word argument); this pins the other: mutual recursion ({@code even} calls
 * {@code odd}, {@code odd} calls {@code even}, each with an i64 argument), nested to the budget
 * and one frame past it, at two register counts chosen so that each plausible miscount (the entry
 * frame not counted, counted as a call, or charged a trampoline's words) moves the limit in one
 * of them.
 */
class JitPlainEntryBudgetTest {
    /** The host function {@code even} and {@code odd} call at the bottom of the recursion. */
    static final String DEPTH = "t.depth";

    /**
     * {@code even(n)} (function 0) and {@code odd(n)} (function 1), each {@code n == 0 ? (probe;
     * 0) : other(n - 1) + 1}, so both return {@code n}; {@code regs} registers (8 or more) in both,
     * so every frame costs the same.
     */
    static Program mutual(int regs) {
        ProgramBuilder pb = new ProgramBuilder();
        int even = pb.declareFunction(List.of(I64), List.of(I64));
        int odd = pb.declareFunction(List.of(I64), List.of(I64));
        pb.functionName(even, "even");
        pb.functionName(odd, "odd");
        int probe = pb.hostSig(DEPTH, List.of(), List.of());
        for (int[] f : new int[][] {{even, odd}, {odd, even}}) {
            FunctionBuilder b = pb.function(f[0]);
            Label base = b.newLabel();
            Label rec = b.newLabel();
            b.constI64(2, 0).i64Eq(3, 1, 2);
            for (int r = 8; r < regs; r++) {
                b.constI64(r, r);
            }
            b.br(3, base, rec);
            b.place(base).hostCall(0, probe, 0, new int[0], new int[0]).ret(0, 2);
            b.place(rec).constI64(4, 1).i64Sub(5, 1, 4).call(0, f[1], 0, new int[] {5}, new int[] {6})
                    .i64Add(7, 6, 4).ret(0, 7);
        }
        return pb.build();
    }

    /** Compiled frames that fit: the entry's, then as many calls as the budget left holds. */
    private static int fit(int cost, int entry) {
        return 1 + (JitRuntime.STACK_WORDS - entry) / (cost + JitRuntime.INDIRECT_WORDS);
    }

    @Test
    void aPlainEntryNestsToTheWholeBudget() {
        long[] frames = {-1};
        HostRegistry host = new HostRegistry().register(DEPTH, Signature.of(List.of(), List.of()),
                (HostFunction) (a, out, ctx) -> frames[0] = Tiers.compiledFramesOnStack());
        boolean[] caught = new boolean[3];
        for (int regs : new int[] {8, 9}) {
            for (boolean framed : new boolean[] {false, true}) {
                Tiers t = Tiers.of(mutual(regs), host, framed);
                assertEquals(regs, t.compiled.image.regCount(0));
                assertEquals(regs, t.compiled.image.regCount(1));
                int cost = JitTestAccess.stackCost(regs);
                int fit = fit(cost, cost);
                assertTrue(fit > 10 && fit < JitRuntime.MAX_NESTING, "compiled frames that fit: " + fit);
                // the miscounts this register count tells apart from the budget
                caught[0] |= fit(cost, 0) != fit;
                caught[1] |= fit(cost, cost + JitRuntime.INDIRECT_WORDS) != fit;
                caught[2] |= fit(cost, cost + JitTestAccess.trampolineWords()) != fit;
                for (int n : new int[] {0, 1, fit - 2, fit - 1, fit, fit + 1, 150}) {
                    String what = (framed ? "framed " : "") + "even(" + n + ") of " + regs + " registers, " + fit
                            + " frames of " + cost + " words";
                    frames[0] = -1;
                    Tiers.Outcome i = t.interpret(0, List.of(Value.i64(n)), Limits.DEFAULT);
                    assertEquals(0, frames[0], "the interpreter has no compiled frames");
                    frames[0] = -1;
                    Tiers.Outcome c = t.compile(0, List.of(Value.i64(n)), Limits.DEFAULT);
                    Tiers.assertSame(i, c, () -> what);
                    assertEquals(List.of(Value.i64(n)), c.results(), what);
                    if (n < fit) {
                        assertEquals(n + 1, frames[0], what + ": every frame compiled, on the Java stack");
                    } else {
                        assertEquals(0, frames[0], what + ": the bottom frame is interpreted");
                    }
                }
            }
        }
        assertArrayEquals(new boolean[] {true, true, true}, caught, "each miscount moves a limit tested");
    }
}
