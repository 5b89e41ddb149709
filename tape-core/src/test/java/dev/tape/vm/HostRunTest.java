package dev.tape.vm;

import dev.tape.host.HostFailedException;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.ProgramBuilder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The interpreter's loop of quick host calls and word instructions ({@link HostRun}): every run
 * ends as on the general path ({@link Calls#host}, which a run traced for host events takes for
 * every call and which never enters {@link HostRun}): result or trap (kind, pc, message), pause
 * position and registers, fuel left and host calls made, under every fuel and host-call limit, a
 * function failing or asking for a pause at any of its calls, and a boxed host function (which the
 * quick path declines) in the middle of the run.
 */
class HostRunTest {
    static final Signature ID = Signature.of(List.of(I64), List.of(I64));

    /**
     * (n) -> the sum over i below n of id(i) - twice(i) + boxed(i) + i*i, with each call followed by
     * word instructions: the id call's in execute, the twice call's in the run, the boxed call's
     * declined by the run and made by execute.
     */
    static VerifiedProgram mixed() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder f = pb.addFunction(List.of(I64), List.of(I64));
        int id = pb.hostSig("t.id", List.of(I64), List.of(I64));
        int twice = pb.hostSig("t.twice", List.of(I64), List.of(I64));
        int boxed = pb.hostSig("t.boxed", List.of(I64), List.of(I64));
        Label top = f.newLabel();
        Label done = f.newLabel();
        f.constI64(2, 0).constI64(3, 0).constI64(4, 1).i64Lt(5, 3, 1).br(5, top, done);
        f.place(top).hostCall(0, id, 0, new int[] {3}, new int[] {6}).i64Add(2, 2, 6);
        f.hostCall(0, twice, 0, new int[] {3}, new int[] {7}).i64Sub(2, 2, 7).constI64(9, 0);
        f.hostCall(0, boxed, 0, new int[] {3}, new int[] {8}).i64Add(2, 2, 8).i64Mul(9, 3, 3).i64Add(2, 2, 9);
        f.i64Add(3, 3, 4).i64Lt(5, 3, 1).br(5, top, done);
        f.place(done).ret(0, 2);
        return Verifier.verify(pb.build());
    }

    static HostRegistry mixedHost(WordFunction.Of1 twice) {
        return QuickHostCallTest.idHost(a -> a).registerWords("t.twice", ID, twice)
                .register("t.boxed", ID, args -> new Value[] {args[0]});
    }

    /** The run of {@code vm} to its end or first pause, on the quick path or the general one. */
    static String outcome(Vm vm, Limits limits, boolean general, AtomicReference<Run> self) {
        Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(4)), limits,
                AttackQuickHostCallTest.sink(general));
        self.set(run);
        return AttackQuickHostCallTest.view(run.resume(), run);
    }

    /** The comparisons below test the run only if the untraced loop's later calls are made in it. */
    @Test
    void theCallsAfterTheFirstAreMadeInTheRun() throws Exception {
        List<Boolean> seen = new ArrayList<>();
        Vm vm = new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> {
            seen.add(QuickHostCallTest.onStack(HostRun.class, "run"));
            return a;
        }));
        assertEquals(List.of(Value.i64(10)), vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT,
                null));
        boolean quick = !dev.tape.jfr.TapeEvents.hostCallsRecorded();
        assertEquals(List.of(false, quick, quick, quick, quick), seen);
    }

    @Test
    void everyFuelAndHostCallLimitEndsAsOnTheGeneralPath() {
        Vm vm = new Vm(mixed(), mixedHost(a -> 2 * a));
        AtomicReference<Run> self = new AtomicReference<>();
        String whole = outcome(vm, Limits.DEFAULT, false, self);
        assertEquals("done [i64:14] fuel " + (Limits.DEFAULT.fuel() - 54) + " calls 12", whole);
        for (long calls = 0; calls <= 13; calls++) {
            for (long fuel = 0; fuel <= 55; fuel++) {
                Limits limits = Limits.DEFAULT.withFuel(fuel).withMaxHostCalls(calls);
                String quick = outcome(vm, limits, false, self);
                assertEquals(outcome(vm, limits, true, self), quick, "fuel " + fuel + ", host calls " + calls);
            }
        }
    }

    @Test
    void aFunctionFailingInTheRunTrapsAtItsCallAsOnTheGeneralPath() {
        for (int at = 0; at < 4; at++) {
            int k = at;
            Vm vm = new Vm(mixed(), mixedHost(a -> {
                if (a == k) {
                    throw new HostFailedException("no " + k);
                }
                return 2 * a;
            }));
            AtomicReference<Run> self = new AtomicReference<>();
            String quick = outcome(vm, Limits.DEFAULT, false, self);
            assertEquals(outcome(vm, Limits.DEFAULT, true, self), quick, "failing at call " + at);
            assertEquals(true, quick.startsWith("trap HOST_CALL_FAILED "), quick);
        }
    }

    @Test
    void aPauseAskedInTheRunComesRightAfterItsCallAsOnTheGeneralPath() {
        for (int at = 0; at < 4; at++) {
            int k = at;
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                AtomicReference<Run> self = new AtomicReference<>();
                Vm vm = new Vm(mixed(), mixedHost(a -> {
                    if (a == k) {
                        self.get().interrupt();
                    }
                    return 2 * a;
                }));
                String paused = outcome(vm, Limits.DEFAULT, general, self);
                Outcome end = self.get().resume();
                assertInstanceOf(Outcome.Done.class, end, paused);
                seen.add(paused + " then " + AttackQuickHostCallTest.view(end, self.get()));
            }
            assertEquals(seen.get(1), seen.get(0), "pause at call " + at);
            assertEquals(true, seen.get(0).startsWith("paused "), seen.get(0));
        }
    }
}
