package dev.tape.verify;

import dev.tape.program.Constant;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verified program makes its pc and opcode tables, its functions' code and its init facts on
 * first use; threads that ask at once (a debugger and a trace sink, say) must each see whole
 * tables equal to those a single thread makes, never one half built. Each round verifies the
 * program afresh, so every thread races on the first use; the reference comes from another
 * verification, read by one thread.
 */
class LazyTablesRaceTest {
    /** What a thread reads of one function: pcs, opcodes at the starts, starts, code, init facts. */
    private record Seen(int[] pcOf, int[] opcodes, int[] starts, int[] code, long[] readAnywhere, int[] ipAt) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Seen s && Arrays.equals(pcOf, s.pcOf) && Arrays.equals(opcodes, s.opcodes)
                    && Arrays.equals(starts, s.starts) && Arrays.equals(code, s.code)
                    && Arrays.equals(readAnywhere, s.readAnywhere) && Arrays.equals(ipAt, s.ipAt);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pcOf);
        }
    }

    /** A small function and one of over 65,535 code ints (int starts), each with a far branch. */
    private static Program program() {
        ProgramBuilder pb = new ProgramBuilder();
        int s = pb.constant(new Constant.Str("x"));
        for (int adds : new int[] {3, 17_000}) {
            FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
            Label end = f.newLabel();
            f.constI64(2, 1).constPool(3, s);
            for (int i = 0; i < adds; i++) {
                f.i64Add(1, 1, 2);
            }
            f.i64Lt(4, 1, 2).br(4, end, end);
            f.place(end).tupleNew(5, 1, 3).tupleGet(6, 5, 0).ret(0, 6);
        }
        return pb.build();
    }

    private static Seen read(VerifiedProgram vp, int f) {
        LoweredFunction lf = Lowered.function(vp, f);
        int n = lf.instructionCount();
        int[] starts = new int[n];
        int[] opcodes = new int[n];
        int[] ipAt = new int[n];
        int[] pcOf = lf.pcOf();
        InitFacts facts = vp.initFacts(f);
        for (int i = 0; i < n; i++) {
            starts[i] = lf.instructionStart(i);
            opcodes[i] = lf.opcodeAt(starts[i]);
            ipAt[i] = facts.ipAt(pcOf[starts[i]]);
        }
        return new Seen(pcOf.clone(), opcodes, starts, lf.code().clone(), facts.readAnywhere().clone(), ipAt);
    }

    @Test
    void threadsMakingTheTablesAtOnceSeeWholeOnes() throws Exception {
        Program p = program();
        VerifiedProgram reference = Verifier.verify(p);
        Seen[] expected = {read(reference, 0), read(reference, 1)};
        assertTrue(expected[1].code().length > 65_535, "a function past 65,535 code ints");
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 8; round++) {
                VerifiedProgram vp = Verifier.verify(p);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Seen[]>> seen = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    // half the threads start with the big function, half with the small one
                    int first = t % 2;
                    seen.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        Seen a = read(vp, first);
                        Seen b = read(vp, 1 - first);
                        return first == 0 ? new Seen[] {a, b} : new Seen[] {b, a};
                    }));
                }
                for (Future<Seen[]> f : seen) {
                    Seen[] s = f.get(60, TimeUnit.SECONDS);
                    assertEquals(expected[0], s[0], "round " + round);
                    assertEquals(expected[1], s[1], "round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
