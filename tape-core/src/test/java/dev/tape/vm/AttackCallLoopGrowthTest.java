package dev.tape.vm;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link CallLoop}'s stop for room (twenty-fifth round, interp25): a direct {@code call}
 * that needs the register files or the frame records to grow stops {@code CallLoop} unpaid, with
 * {@code hotGrow} set, and {@code execute} makes it. Deep linear recursion makes every new depth such
 * a call. Each run must end exactly as the same run with calls traced (a {@link TraceMask#CALL} sink:
 * {@code execute} makes every call, never {@code CallLoop}): result or trap kind, function, pc, call
 * stack and fuel left, at every fuel limit, at every call-depth limit and register limit around the
 * calls that grow; and {@code hotGrow} is never left set once the stopped call is made.
 */
class AttackCallLoopGrowthTest {
    /** A sink that asks for call events only: {@code execute} makes every call itself. */
    private static final class Traced implements TraceSink {
        @Override
        public int mask() {
            return TraceMask.CALL;
        }
    }

    /**
     * main(n) = g(down(n)); down(n) = n &lt; 1 ? n : down(n - 1) + 1, with {@code pad} more
     * registers in down; g(x) = other(x) + 1 (a CallLoop callee, entered with the room down's descent
     * left); other (its first op a multiply, which CallLoop does not take: not a CallLoop callee) has
     * {@code otherPad} more registers.
     */
    static Vm program(int pad, int otherPad) throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        int other = pb.declareFunction(List.of(I64), List.of(I64));
        int g = pb.declareFunction(List.of(I64), List.of(I64));
        main.call(0, down, 0, new int[] {1}, new int[] {2}).call(0, g, 0, new int[] {2}, new int[] {3}).ret(0, 3);
        FunctionBuilder f = pb.function(down);
        Label stop = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 1).i64Lt(3, 1, 2).br(3, stop, rec);
        f.place(stop).ret(0, 1);
        f.place(rec).i64Sub(5, 1, 2).call(0, down, 0, new int[] {5}, new int[] {6})
                .i64Add(7, 6, 2).constI64(8 + pad, 0).ret(0, 7);
        FunctionBuilder o = pb.function(other);
        o.i64Mul(2, 1, 1).constI64(3 + otherPad, 1).i64Add(4, 2, 3 + otherPad).ret(0, 4);
        pb.function(g).constI64(2, 1).call(0, other, 0, new int[] {1}, new int[] {3}).i64Add(4, 3, 2).ret(0, 4);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    private static long expected(long n) {
        return n * n + 2;
    }

    private static String outcome(Vm vm, ExecutionContext ctx, long n, Limits limits, TraceSink sink) {
        return AttackCallLoopTest.outcome(vm, ctx, n, limits, sink);
    }

    private static String outcome(Vm vm, long n, Limits limits, TraceSink sink) {
        return outcome(vm, new ExecutionContext(), n, limits, sink);
    }

    /** Every fuel limit over a 300-deep recursion's use (every new depth stops CallLoop once). */
    @Test
    void deepRecursionAtEveryFuelLimitEndsAsWithCallsTraced() throws Exception {
        Vm vm = program(0, 0);
        int n = 300;
        RunFuelSupport.Steps all = new RunFuelSupport.Steps();
        String full = outcome(vm, n, Limits.DEFAULT, all);
        assertEquals("ok " + List.of(Value.i64(expected(n))) + " fuel " + (Limits.DEFAULT.fuel() - all.count), full);
        assertEquals(full, outcome(vm, n, Limits.DEFAULT, null));
        for (long fuel = 0; fuel <= all.count + 2; fuel++) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            assertEquals(outcome(vm, n, limits, new Traced()), outcome(vm, n, limits, null), "fuel " + fuel);
        }
        for (long fuel : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62}) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            assertEquals(outcome(vm, n, limits, new Traced()), outcome(vm, n, limits, null), "fuel " + fuel);
        }
    }

    /**
     * Call-depth and register limits hit exactly at calls that need growth (and one either side),
     * with frames of several sizes (the frame records' growth at 16, 32, 64, ... records too), on a
     * fresh context and on one reused after the previous trap.
     */
    @Test
    void depthAndRegisterLimitsAtTheGrowingCallEndAsWithCallsTraced() throws Exception {
        int depthTraps = 0;
        int heapTraps = 0;
        for (int pad : new int[] {0, 1, 7, 40, 250}) {
            Vm vm = program(pad, pad * 3);
            int n = 70;
            ExecutionContext reused = new ExecutionContext();
            ExecutionContext reusedTraced = new ExecutionContext();
            for (long depth = 1; depth <= n + 4; depth++) {
                Limits limits = Limits.DEFAULT.withMaxCallDepth(depth);
                String fast = outcome(vm, n, limits, null);
                assertEquals(outcome(vm, n, limits, new Traced()), fast, "pad " + pad + ", depth " + depth);
                assertEquals(outcome(vm, reusedTraced, n, limits, new Traced()), outcome(vm, reused, n, limits, null),
                        "reused, pad " + pad + ", depth " + depth);
                depthTraps += fast.startsWith("CALL_DEPTH_EXCEEDED") ? 1 : 0;
            }
            int regsUsed = (n + 2) * (pad + 11) * 2 + 8 * pad;
            for (int max = 1; max <= regsUsed; max += max < 600 ? 1 : 7) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(max);
                String fast = outcome(vm, n, limits, null);
                assertEquals(outcome(vm, n, limits, new Traced()), fast, "pad " + pad + ", registers " + max);
                assertEquals(outcome(vm, reusedTraced, n, limits, new Traced()), outcome(vm, reused, n, limits, null),
                        "reused, pad " + pad + ", registers " + max);
                heapTraps += fast.startsWith("HEAP_LIMIT_EXCEEDED") ? 1 : 0;
                // both limits at once: which trap wins at the growing call
                Limits both = limits.withMaxCallDepth(1 + max % (n + 2));
                assertEquals(outcome(vm, n, both, new Traced()), outcome(vm, n, both, null),
                        "pad " + pad + ", registers " + max + ", depth " + both.maxCallDepth());
            }
        }
        assertTrue(depthTraps > 0 && heapTraps > 0, depthTraps + " depth traps, " + heapTraps + " heap traps");
    }

    /**
     * {@code hotGrow} is cleared once the stopped call is made, whether its callee is a
     * {@link CallLoop} callee or not ({@code other}, which starts with a multiply): a flag left set
     * makes {@code execute} take the next {@code CallLoop} call itself, in this run or the next one
     * on the same context, and {@link ExecutionContext#hotGrow}'s contract says {@code execute} clears it.
     */
    @Test
    void hotGrowIsNeverLeftSetAfterTheStoppedCall() throws Exception {
        for (int pad : new int[] {0, 300}) {
            for (int otherPad : new int[] {0, 300, 3000}) {
                Vm vm = program(pad, otherPad);
                for (int n : new int[] {0, 1, 2, 40, 1000}) {
                    ExecutionContext ctx = new ExecutionContext();
                    String first = outcome(vm, ctx, n, Limits.DEFAULT, null);
                    assertEquals("ok " + List.of(Value.i64(expected(n))), first.substring(0, first.indexOf(" fuel")));
                    assertFalse(ctx.hotGrow, "left set, pad " + pad + ", other's pad " + otherPad + ", n " + n);
                    // the context reused: the same run again
                    assertEquals(first, outcome(vm, ctx, n, Limits.DEFAULT, null));
                    assertFalse(ctx.hotGrow, "left set on reuse, pad " + pad + ", other " + otherPad + ", n " + n);
                }
            }
        }
    }

    /**
     * The room test's bound, white-box: with the register high-water mark exactly at the callee's
     * end plus the pending records, {@link CallLoop} makes the call; one register short, it stops,
     * unpaid, with nothing charged. The same for the frame records: full at this depth, it stops.
     */
    @Test
    void theRoomTestStopsOneRegisterShortAndNotAtTheMark() throws Exception {
        Vm vm = program(5, 0);
        int ip = vm.image.entry(0);
        int regs = vm.image.regCounts()[0];
        int calleeRegs = vm.image.regCounts()[1];
        for (int depth : new int[] {1, 2, 3, 15, 16}) {
            for (int base : new int[] {0, 9}) {
                int mark = base + regs + calleeRegs + ExecutionContext.FRAME_REGISTERS * depth;
                for (int high = mark - 2; high <= mark + 1; high++) {
                    ExecutionContext c = new ExecutionContext();
                    c.reset(Limits.DEFAULT, null, 0);
                    c.ensureRegisters(mark + 64, 0);
                    c.regHigh = high;
                    c.w[base + 1] = 5;
                    CallLoop.run(vm, c, ip, base, depth, regs, 100);
                    String at = "depth " + depth + ", base " + base + ", mark " + high + " of " + mark;
                    if (high < mark) {
                        assertTrue(c.hotGrow, at);
                        assertEquals(ip, c.hotIp, at);
                        assertEquals(100, c.hotBudget, "unpaid, " + at);
                        assertEquals(high, c.regHigh, "nothing charged, " + at);
                    } else {
                        assertEquals(depth + 1, c.hotDepth, "the call made, " + at);
                    }
                }
            }
        }
    }

    /**
     * A copy of a paused run ({@link Run#fork()}) keeps the register high-water mark but only the
     * frame records in use (at least 16): main(n) = down(down(n)) forked at every position, so that
     * a copy made after the first 40-deep descent descends again with room for its registers and
     * none for its frame records past 16 (the room test's frame-record half alone stops
     * {@code CallLoop}). Each copy ends as the run.
     */
    @Test
    void aCopyAfterTheDescentDescendsAgainAsTheRun() throws Exception {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(I64), List.of(I64));
        int down = pb.declareFunction(List.of(I64), List.of(I64));
        main.call(0, down, 0, new int[] {1}, new int[] {2}).call(0, down, 0, new int[] {2}, new int[] {3}).ret(0, 3);
        FunctionBuilder f = pb.function(down);
        Label stop = f.newLabel();
        Label rec = f.newLabel();
        f.constI64(2, 1).i64Lt(3, 1, 2).br(3, stop, rec);
        f.place(stop).ret(0, 1);
        f.place(rec).i64Sub(5, 1, 2).call(0, down, 0, new int[] {5}, new int[] {6}).i64Add(7, 6, 2).ret(0, 7);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        List<Value> args = List.of(Value.i64(40));
        Run whole = vm.start(0, args, Limits.DEFAULT);
        String expected = SnapshotMain.finish(whole, whole.resume());
        assertTrue(expected.contains("40"), expected);
        Run walker = vm.start(0, args, Limits.DEFAULT);
        Outcome o = walker.step(0);
        int positions = 0;
        while (o instanceof Outcome.Paused) {
            Run copy = walker.fork();
            assertEquals(expected, SnapshotMain.finish(copy, copy.resume()), "the copy at position " + positions);
            o = walker.step(1);
            positions++;
        }
        assertEquals(expected, SnapshotMain.finish(walker, o));
    }
}
