package dev.tape.vm;

import dev.tape.host.HostFailedException;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The interpreter's inline host call of one-to-three-word functions ({@link WordCalls#quick}):
 * the same results, traps (kind and pc), fuel and host-call counts as the general path
 * ({@link Calls#host}), which a run traced for host events takes for every call.
 */
class QuickHostCallTest {
    /** A sink that asks for host events only, so that every host call takes {@link Calls#host}. */
    static final class HostEvents implements TraceSink {
        final List<String> events = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.HOST;
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            events.add(symbol + "@" + pc);
        }
    }

    /** (a) -> (a - 7, a*100 + 7*10 + 3, not(is(a))), through an Of2, an Of3 and an Of1 with a bool result. */
    static Program shapes() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64, I64, BOOL));
        int sub = pb.hostSig("t.sub", List.of(I64, I64), List.of(I64));
        int digits = pb.hostSig("t.digits", List.of(I64, I64, I64), List.of(I64));
        int is = pb.hostSig("t.is", List.of(I64), List.of(BOOL));
        f.constI64(2, 7).hostCall(0, sub, 0, new int[] {1, 2}, new int[] {3});
        f.constI64(4, 3).hostCall(0, digits, 0, new int[] {1, 2, 4}, new int[] {5});
        f.hostCall(0, is, 0, new int[] {1}, new int[] {6});
        // bool.not flips the low bit: a bool result left as the function's 5 would read true here
        f.boolNot(7, 6).ret(0, 3, 5, 7);
        return pb.build();
    }

    static HostRegistry shapesHost() {
        return new HostRegistry()
                .registerWords("t.sub", Signature.of(List.of(I64, I64), List.of(I64)), (WordFunction.Of2) (a, b) -> a - b)
                .registerWords("t.digits", Signature.of(List.of(I64, I64, I64), List.of(I64)),
                        (WordFunction.Of3) (a, b, c) -> a * 100 + b * 10 + c)
                .registerWords("t.is", Signature.of(List.of(I64), List.of(BOOL)), (WordFunction.Of1) a -> a);
    }

    /** (n) -> the sum of id(i) for i below n, one host call per iteration. */
    static Program loop() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int sig = pb.hostSig("t.id", List.of(I64), List.of(I64));
        Label top = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, top, done);
        f.place(top).hostCall(0, sig, 0, new int[] {3}, new int[] {6}).i64Add(2, 2, 6);
        f.i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, top, done);
        f.place(done).ret(0, 2);
        return pb.build();
    }

    static HostRegistry idHost(WordFunction.Of1 fn) {
        return new HostRegistry().registerWords("t.id", Signature.of(List.of(I64), List.of(I64)), fn);
    }

    @Test
    void everyShapeGivesTheGeneralPathsResultsAndFuel() throws Exception {
        Vm vm = new Vm(Verifier.verify(shapes()), shapesHost());
        ExecutionContext quick = new ExecutionContext();
        List<Value> got = vm.run(quick, 0, List.of(Value.i64(5)), Limits.DEFAULT, null);
        assertEquals(List.of(Value.i64(-2), Value.i64(573), Value.bool(false)), got);
        HostEvents sink = new HostEvents();
        ExecutionContext general = new ExecutionContext();
        assertEquals(got, vm.run(general, 0, List.of(Value.i64(5)), Limits.DEFAULT, sink));
        assertEquals(3, sink.events.size(), sink.events.toString());
        assertEquals(general.fuelRemaining(), quick.fuelRemaining());
        assertEquals(3, quick.hostCallsMade());
        assertEquals(3, general.hostCallsMade());
        // a zero result of the bool function is false, its not true
        assertEquals(Value.bool(true), vm.run(0, List.of(Value.i64(0)), Limits.DEFAULT).get(2));
    }

    @Test
    void aThrowingFunctionTrapsAtItsCallAfterBeingCounted() throws Exception {
        Vm vm = new Vm(Verifier.verify(loop()), idHost(a -> {
            if (a == 2) {
                throw new HostFailedException("no two");
            }
            return a;
        }));
        ExecutionContext quick = new ExecutionContext();
        Trap t = assertThrows(Trap.class, () -> vm.run(quick, 0, List.of(Value.i64(10)), Limits.DEFAULT, null));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertEquals("t.id", t.hostSymbol());
        ExecutionContext general = new ExecutionContext();
        Trap g = assertThrows(Trap.class, () -> vm.run(general, 0, List.of(Value.i64(10)), Limits.DEFAULT,
                new HostEvents()));
        assertEquals(g.kind(), t.kind());
        assertEquals(g.pc(), t.pc());
        assertEquals(g.getMessage(), t.getMessage());
        assertEquals(3, quick.hostCallsMade());
        assertEquals(general.hostCallsMade(), quick.hostCallsMade());
        assertEquals(general.fuelRemaining(), quick.fuelRemaining());
    }

    @Test
    void theHostCallLimitTrapsAtTheCallPastIt() throws Exception {
        Vm vm = new Vm(Verifier.verify(loop()), idHost(a -> a));
        Limits two = Limits.DEFAULT.withMaxHostCalls(2);
        ExecutionContext quick = new ExecutionContext();
        Trap t = assertThrows(Trap.class, () -> vm.run(quick, 0, List.of(Value.i64(5)), two, null));
        assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, t.kind());
        ExecutionContext general = new ExecutionContext();
        Trap g = assertThrows(Trap.class, () -> vm.run(general, 0, List.of(Value.i64(5)), two, new HostEvents()));
        assertEquals(g.kind(), t.kind());
        assertEquals(g.pc(), t.pc());
        assertEquals(2, quick.hostCallsMade());
        assertEquals(2, general.hostCallsMade());
        assertEquals(general.fuelRemaining(), quick.fuelRemaining());
        // at the limit exactly, the run ends normally: 0 + 1 + 2 + 3 + 4
        assertEquals(List.of(Value.i64(10)), vm.run(0, List.of(Value.i64(5)), Limits.DEFAULT.withMaxHostCalls(5)));
    }

    @Test
    void fuelRunsOutBetweenCallsAsOnTheGeneralPath() throws Exception {
        Vm vm = new Vm(Verifier.verify(loop()), idHost(a -> a));
        for (long fuel = 1; fuel < 30; fuel++) {
            long f = fuel;
            ExecutionContext q = new ExecutionContext();
            Trap tq = assertThrows(Trap.class, () -> vm.run(q, 0, List.of(Value.i64(100)), Limits.DEFAULT.withFuel(f),
                    null));
            ExecutionContext g = new ExecutionContext();
            Trap tg = assertThrows(Trap.class, () -> vm.run(g, 0, List.of(Value.i64(100)), Limits.DEFAULT.withFuel(f),
                    new HostEvents()));
            assertEquals(TrapKind.FUEL_EXCEEDED, tq.kind(), "fuel " + fuel);
            assertEquals(tg.kind(), tq.kind(), "fuel " + fuel);
            assertEquals(tg.pc(), tq.pc(), "fuel " + fuel);
            assertEquals(g.hostCallsMade(), q.hostCallsMade(), "fuel " + fuel);
        }
    }

    /** Whether a method {@code method} of {@code type} is on the calling thread's stack. */
    static boolean onStack(Class<?> type, String method) {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(type.getName()) && f.getMethodName().equals(method)));
    }

    /** Whether {@link WordCalls#quick} is on the calling thread's stack. */
    private static boolean inQuick() {
        return onStack(WordCalls.class, "quick");
    }

    /**
     * The comparisons above hold only if the untraced run takes the quick path: each call of an
     * untraced run is made from {@link WordCalls#quick} unless a recording wants
     * {@code dev.tape.HostCall} events at the run's start ({@link ExecutionContext#hostCallsWanted}:
     * it then takes {@link Calls#host}; {@code QuickHostCallRecordingTest} checks both cases), and no
     * call of a run traced for host events is.
     */
    @Test
    void anUntracedRunTakesTheQuickPathATracedOneDoesNot() throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(loop()), idHost(a -> {
            seen.add(inQuick());
            return a;
        }));
        boolean quick = !dev.tape.jfr.TapeEvents.hostCallsRecorded();
        assertEquals(List.of(Value.i64(10)), vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
        assertEquals(List.of(quick, quick, quick, quick, quick), seen);
        seen.clear();
        assertEquals(List.of(Value.i64(10)),
                vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, new HostEvents()));
        assertEquals(List.of(false, false, false, false, false), seen);
    }
}
