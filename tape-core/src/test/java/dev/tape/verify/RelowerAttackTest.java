package dev.tape.verify;

import dev.tape.program.AggShape;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Names;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the fifth loading round: a placed function is lowered again on first use of its
 * tables ({@link LoweredFunction#pcOf()} and the like), and {@link VerifiedProgram#functionName}
 * asks the program's names index. Each use must cost what verifying that one function cost (not
 * something of the whole program), happen once however many threads ask at once, and give what
 * verification made.
 */
class RelowerAttackTest {
    /** Agg arguments of each shaped function (its registers stay under 65,536). */
    private static final int SHAPED_ARGS = 65_000;

    /**
     * {@code plain} functions that only return, then {@code shaped} functions of
     * {@link #SHAPED_ARGS} agg arguments, every one with a tuple shape; the first argument's shape
     * says its element 0 is an i64, which the body reads (so the shape changes the lowered code).
     * The shapes are listed argument by argument across the shaped functions (not in function
     * order) when {@code interleaved}.
     */
    static Program shapedProgram(int plain, int shaped, boolean interleaved) {
        ProgramBuilder pb = new ProgramBuilder();
        for (int i = 0; i < plain; i++) {
            pb.addFunction(List.of(), List.of()).ret(0);
        }
        List<ValueType> aggs = Collections.nCopies(SHAPED_ARGS, ValueType.AGG);
        for (int s = 0; s < shaped; s++) {
            FunctionBuilder f = pb.addFunction(aggs, List.of(I64));
            f.regCount(SHAPED_ARGS + 2).tupleGet(SHAPED_ARGS + 1, 1, 0).ret(0, SHAPED_ARGS + 1);
        }
        List<AggShape.ArgShape> shapes = new ArrayList<>();
        AggShape first = new AggShape.Tuple(List.of(I64));
        AggShape empty = new AggShape.Tuple(List.of());
        if (interleaved) {
            for (int a = 0; a < SHAPED_ARGS; a++) {
                for (int s = shaped - 1; s >= 0; s--) {
                    shapes.add(new AggShape.ArgShape(plain + s, a, a == 0 ? first : empty));
                }
            }
        } else {
            for (int s = 0; s < shaped; s++) {
                for (int a = 0; a < SHAPED_ARGS; a++) {
                    shapes.add(new AggShape.ArgShape(plain + s, a, a == 0 ? first : empty));
                }
            }
        }
        Program p = pb.build();
        return new Program(p.symbols(), p.constants(), p.types(), p.functions(), p.hostSigs(), p.callSigs(),
                shapes, p.names());
    }

    /**
     * Lowering a function again found its argument shapes by scanning every shape of the program,
     * so a program of many functions and many shapes (60,000 x 260,000 here, a 2.3 MB file) took
     * minutes to give its first trap, trace or snapshot in each function, where loading took a
     * second and the build before it took milliseconds. Each function's tables must come back in
     * the time verifying that function took.
     */
    @Test
    void loweringEveryFunctionAgainDoesNotScanEveryArgumentShape() {
        for (boolean interleaved : new boolean[] {false, true}) {
            Program p = shapedProgram(60_000, 4, interleaved);
            VerifiedProgram vp = Verifier.verify(p);
            List<LoweredFunction> fns = Lowered.functions(vp);
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (LoweredFunction lf : fns) {
                    lf.pcOf();
                }
            }, "interleaved " + interleaved);
            // the shaped functions come back as verification made them: the image holds their code
            // as is (no branch targets, constants or tag lists to relocate)
            int[] image = Lowered.image(vp).code();
            for (int f = 60_000; f < fns.size(); f++) {
                int entry = Lowered.image(vp).entry(f);
                assertArrayEquals(Arrays.copyOfRange(image, entry, entry + fns.get(f).codeLength()),
                        fns.get(f).code(), "function " + f + ", interleaved " + interleaved);
            }
        }
    }

    /**
     * A shape only its own function's lowering reads: functions without shapes and each shaped
     * function lower again to the code verification placed, whatever the order of the section.
     */
    @Test
    void shapesOutOfFunctionOrderGiveEachFunctionItsOwnRow() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).ret(0);
        for (int s = 0; s < 3; s++) {
            pb.addFunction(List.of(ValueType.AGG, ValueType.AGG), List.of(I64)).tupleGet(3, 2, s).ret(0, 3);
        }
        pb.addFunction(List.of(ValueType.AGG), List.of()).ret(0);
        // function 3's, 1's and 2's second argument, in that order; 4 has none. Function s + 1
        // reads element s, an i64 only in its own shape: another function's row would not verify
        List<AggShape.ArgShape> shapes = List.of(
                new AggShape.ArgShape(3, 1, new AggShape.Tuple(List.of(ValueType.F64, ValueType.F64, I64))),
                new AggShape.ArgShape(1, 1, new AggShape.Tuple(List.of(I64, ValueType.F64, ValueType.F64))),
                new AggShape.ArgShape(2, 1, new AggShape.Tuple(List.of(ValueType.F64, I64, ValueType.F64))),
                new AggShape.ArgShape(1, 0, new AggShape.Tuple(List.of())));
        Program b = pb.build();
        Program p = new Program(b.symbols(), b.constants(), b.types(), b.functions(), b.hostSigs(), b.callSigs(),
                shapes, b.names());
        VerifiedProgram vp = Verifier.verify(p);
        int[] image = Lowered.image(vp).code();
        for (int f = 0; f < 5; f++) {
            LoweredFunction lf = Lowered.function(vp, f);
            int entry = Lowered.image(vp).entry(f);
            assertArrayEquals(Arrays.copyOfRange(image, entry, entry + lf.codeLength()), lf.code(), "function " + f);
        }
    }

    /**
     * A function with 65,536 registers and 126 blocks, whose verification uses about 64 MB of
     * scratch: every thread that asked for its tables at once lowered it again, each with its own
     * 64 MB, so eight threads trapping in it for the first time needed half a GB where the build
     * before it needed none. It must be lowered once, and every thread must get the same tables.
     */
    @Test
    void threadsAskingAtOnceLowerAFunctionAgainOnce() throws Exception {
        Program p = heavy();
        VerifiedProgram vp = Verifier.verify(p);
        VerifiedProgram other = Verifier.verify(p);
        LoweredFunction lf = Lowered.function(vp, 0);
        int threads = 8;
        AtomicInteger lowerings = new AtomicInteger();
        CountDownLatch second = new CountDownLatch(2);
        lf.relowering(func -> {
            lowerings.incrementAndGet();
            second.countDown();
            try {
                // long enough for every thread to come in, if nothing holds them back
                second.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Lowered.function(other, func);
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<int[]>> seen = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                seen.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return lf.pcOf();
                }));
            }
            List<int[]> tables = new ArrayList<>();
            for (Future<int[]> f : seen) {
                tables.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(1, lowerings.get(), "lowered again once, by " + threads + " threads at once");
            for (int[] t : tables) {
                assertSame(tables.get(0), t, "every thread gets the one table made");
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(Lowered.function(Verifier.verify(p), 0).pcOf(), lf.pcOf());
    }

    /**
     * Lowering a function again ran its type analysis again, whose scratch is reachable blocks x
     * registers (64 MB for {@link #heavy()}, whose bytecode is 756 bytes): a first trap, trace or
     * snapshot in it needed that much free heap, and with less an {@code OutOfMemoryError}
     * escaped {@code Vm.run} where the build before it reported the trap. The register types the
     * analysis fixed are kept, and the lowering needs only them: lowering again must take memory
     * linear in the code.
     */
    @Test
    void loweringAgainTakesMemoryLinearInTheCode() {
        VerifiedProgram vp = Verifier.verify(heavy());
        LoweredFunction lf = Lowered.function(vp, 0);
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        int[] pcs = lf.pcOf();
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < (4 << 20), allocated + " bytes allocated to lower a function of "
                + lf.codeLength() + " code ints again");
        assertArrayEquals(Lowered.function(Verifier.verify(heavy()), 0).pcOf(), pcs);
    }

    /** One function of 65,536 registers and 126 blocks (a chain of jumps), then a trap. */
    static Program heavy() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(), List.of());
        f.regCount(65_536);
        for (int i = 0; i < 126; i++) {
            FunctionBuilder.Label l = f.newLabel();
            f.jmp(l);
            f.place(l);
        }
        f.trap(3);
        return pb.build();
    }

    /**
     * A built program may name a function many times with symbols it does not have (only the
     * decoder refuses them). {@code functionName} was O(1) through an array the verifier made;
     * asking the names index instead stepped over every such entry on each call, so naming the
     * function 500,000 times (a trap's frames, every run's start, a missing entry's message) was
     * quadratic: minutes. It must stay as cheap as before, and give the same names.
     */
    @Test
    void functionNamesOfABuiltProgramWithUnknownSymbolsStayCheap() {
        ProgramBuilder pb = new ProgramBuilder();
        pb.addFunction(List.of(), List.of()).ret(0);
        pb.addFunction(List.of(), List.of()).ret(0);
        pb.addFunction(List.of(), List.of()).ret(0);
        pb.symbol("one");
        pb.symbol("two");
        Program b = pb.build();
        int one = b.symbols().indexOf("one");
        int two = b.symbols().indexOf("two");
        int k = 500_000;
        List<Names.FunctionName> names = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            names.add(new Names.FunctionName(0, i % 2 == 0 ? -1 - i : 1_000_000 + i));
        }
        names.add(new Names.FunctionName(0, one));
        names.add(new Names.FunctionName(0, two));
        names.add(new Names.FunctionName(2, 99));
        names.add(new Names.FunctionName(2, two));
        names.add(new Names.FunctionName(7, one));
        Program p = new Program(b.symbols(), b.constants(), b.types(), b.functions(), b.hostSigs(), b.callSigs(),
                b.argShapes(), new Names(-1, names, List.of()));
        VerifiedProgram vp = Verifier.verify(p);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < k; i++) {
                assertEquals("one", vp.functionName(0));
            }
        });
        assertNull(vp.functionName(1));
        assertEquals("two", vp.functionName(2));
        assertNull(vp.functionName(3));
        assertNull(vp.functionName(7));
        assertNull(vp.functionName(-1));
        for (int f = -1; f < 9; f++) {
            assertEquals(f < 0 || f >= 3 ? null : p.functionName(f), vp.functionName(f), "function " + f);
        }
    }
}
