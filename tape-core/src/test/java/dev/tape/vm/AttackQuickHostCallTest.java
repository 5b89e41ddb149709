package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.program.Program;
import dev.tape.trace.TraceSink;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the interpreter's inline word host call ({@link WordCalls#quick}), each run on the
 * quick path (no sink) and on the general path ({@link Calls#host}, forced by a sink asking for
 * host events, {@link QuickHostCallTest.HostEvents}): pauses asked by the function itself, then
 * stepped, snapshotted and restored; tracing toggled between runs on one context; several VMs on
 * one context; the host-call limit at 0, 1 and exactly the calls made; runs nested through the
 * function (another context, and the same one, which refuses); Errors the function throws.
 */
class AttackQuickHostCallTest {
    static final Signature ID = Signature.of(List.of(I64), List.of(I64));
    static final VerifiedProgram LOOP = Verifier.verify(QuickHostCallTest.loop());

    /** The outcome of a run in every field the two paths must share. */
    static String view(Outcome o, Run run) {
        String head;
        if (o instanceof Outcome.Done d) {
            head = "done " + d.values();
        } else if (o instanceof Outcome.Trapped t) {
            head = "trap " + t.trap().kind() + " pc " + t.trap().pc() + " " + t.trap().getMessage() + " "
                    + t.trap().hostSymbol();
        } else {
            head = "paused " + ((Outcome.Paused) o).reason() + " at " + run.position() + " regs " + run.registers(0);
        }
        return head + " fuel " + run.fuelRemaining() + " calls " + run.hostCallsMade();
    }

    static TraceSink sink(boolean general) {
        return general ? new QuickHostCallTest.HostEvents() : null;
    }

    @Test
    void aPauseTheFunctionAsksForComesRightAfterItsCallOnBothPaths() throws Exception {
        for (int at = 0; at < 6; at++) {
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                AtomicReference<Run> self = new AtomicReference<>();
                int k = at;
                Vm vm = new Vm(LOOP, QuickHostCallTest.idHost(a -> {
                    if (a == k) {
                        self.get().interrupt();
                    }
                    return a * 3;
                }));
                Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(6)), Limits.DEFAULT, sink(general));
                self.set(run);
                StringBuilder s = new StringBuilder();
                Outcome o = run.resume();
                s.append(view(o, run)).append('\n');
                assertInstanceOf(Outcome.Paused.class, o, s::toString);
                // one step at a time through the next calls, then a snapshot restored on a fresh VM
                for (int i = 0; i < 3 && o instanceof Outcome.Paused; i++) {
                    o = run.step(1);
                    s.append(view(o, run)).append('\n');
                }
                byte[] snap = run.snapshot();
                Vm other = new Vm(LOOP, QuickHostCallTest.idHost(a -> a * 3));
                Run back = other.restore(new ExecutionContext(), snap, Limits.DEFAULT, sink(general));
                Outcome end = back.resume();
                s.append(view(end, back));
                assertEquals(List.of(Value.i64(45)), ((Outcome.Done) end).values(), s::toString);
                seen.add(s.toString());
            }
            assertEquals(seen.get(1), seen.get(0), "interrupt at call " + at);
        }
    }

    @Test
    void tracingToggledBetweenRunsOnOneContextSeesEveryCallItTraces() throws Exception {
        Vm vm = new Vm(LOOP, QuickHostCallTest.idHost(a -> a));
        ExecutionContext c = new ExecutionContext();
        for (int round = 0; round < 4; round++) {
            QuickHostCallTest.HostEvents events = new QuickHostCallTest.HostEvents();
            assertEquals(List.of(Value.i64(45)), vm.run(c, 0, List.of(Value.i64(10)), Limits.DEFAULT, events));
            assertEquals(10, events.events.size());
            assertEquals(10, c.hostCallsMade());
            assertEquals(List.of(Value.i64(45)), vm.run(c, 0, List.of(Value.i64(10)), Limits.DEFAULT, null));
            assertEquals(10, c.hostCallsMade());
            // a sink that asks for no host events takes the quick path and is told nothing
            List<String> told = new ArrayList<>();
            TraceSink quiet = new TraceSink() {
                @Override
                public int mask() {
                    return 0;
                }

                @Override
                public void hostEnter(int hostSig, String symbol, int func, int pc) {
                    told.add(symbol);
                }
            };
            assertEquals(List.of(Value.i64(45)), vm.run(c, 0, List.of(Value.i64(10)), Limits.DEFAULT, quiet));
            assertEquals(List.of(), told);
        }
    }

    @Test
    void severalVmsOnOneContextCallTheirOwnFunctionsAndTrapWithTheirOwnSymbols() throws Exception {
        Vm plus = new Vm(LOOP, QuickHostCallTest.idHost(a -> a + 1));
        Vm fails = new Vm(LOOP, QuickHostCallTest.idHost(a -> {
            throw new IllegalStateException("no " + a);
        }));
        Program other = QuickHostCallTest.loop();
        Vm renamed = new Vm(Verifier.verify(other), QuickHostCallTest.idHost(a -> -a));
        ExecutionContext c = new ExecutionContext();
        for (int round = 0; round < 3; round++) {
            assertEquals(List.of(Value.i64(15)), plus.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
            Trap t = assertThrows(Trap.class, () -> fails.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
            Trap g = assertThrows(Trap.class, () -> fails.run(new ExecutionContext(), 0, List.of(Value.i64(5)),
                    Limits.DEFAULT, new QuickHostCallTest.HostEvents()));
            assertEquals(g.getMessage(), t.getMessage());
            assertEquals(g.pc(), t.pc());
            assertEquals("t.id", t.hostSymbol());
            assertEquals(1, c.hostCallsMade());
            assertEquals(List.of(Value.i64(-10)), renamed.run(c, 0, List.of(Value.i64(5)), Limits.DEFAULT, null));
        }
    }

    @Test
    void theHostCallLimitAtZeroOneAndExactlyTheCallsMade() throws Exception {
        Vm vm = new Vm(LOOP, QuickHostCallTest.idHost(a -> a));
        for (long limit : new long[] {0, 1, 4, 5, 6, -1L}) {
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(5)),
                        Limits.DEFAULT.withMaxHostCalls(limit), sink(general));
                seen.add(view(run.resume(), run));
            }
            assertEquals(seen.get(1), seen.get(0), "limit " + limit);
            assertTrue(seen.get(0).startsWith(limit >= 0 && limit < 5 ? "trap HOST_CALL_LIMIT_EXCEEDED" : "done"),
                    seen.get(0));
        }
    }

    @Test
    void runsNestedThroughTheFunctionOnBothPaths() throws Exception {
        AtomicReference<Vm> vmRef = new AtomicReference<>();
        AtomicReference<ExecutionContext> outer = new AtomicReference<>();
        int[] mode = new int[1];
        // at 2: mode 0 runs the program again on a fresh context, mode 1 on the caller's own
        // (refused), mode 2 one that traps (its Trap thrown on through the function)
        Vm vm = new Vm(LOOP, QuickHostCallTest.idHost(a -> {
            if (a != 2) {
                return a;
            }
            Vm v = vmRef.get();
            return switch (mode[0]) {
                case 0 -> ((Value.I64) v.run(0, List.of(Value.i64(2)), Limits.DEFAULT).get(0)).value();
                case 1 -> v.run(outer.get(), 0, List.of(Value.i64(2)), Limits.DEFAULT, null).size();
                default -> v.run(0, List.of(Value.i64(3)), Limits.DEFAULT.withMaxHostCalls(0)).size();
            };
        }));
        vmRef.set(vm);
        List<String> seen = new ArrayList<>();
        for (boolean general : new boolean[] {false, true}) {
            for (int m = 0; m < 3; m++) {
                mode[0] = m;
                ExecutionContext c = new ExecutionContext();
                outer.set(c);
                Run run = vm.start(c, 0, List.of(Value.i64(4)), Limits.DEFAULT, sink(general));
                seen.add(view(run.resume(), run));
            }
        }
        assertEquals(seen.subList(3, 6), seen.subList(0, 3));
        // 0 + 1 + (nested: 0 + 1) + 3
        assertTrue(seen.get(0).startsWith("done [i64:5]"), seen.get(0));
        assertTrue(seen.get(1).startsWith("trap HOST_CALL_FAILED pc 25 "), seen.get(1));
        assertTrue(seen.get(1).contains("IllegalStateException: the execution context is in use"), seen.get(1));
        assertTrue(seen.get(2).startsWith("trap HOST_CALL_FAILED pc 25 "), seen.get(2));
        assertTrue(seen.get(2).contains("in nested run (depth 1): trap: "), seen.get(2));
    }

    static long deep(long n) {
        return n == Long.MIN_VALUE ? 0 : deep(n + 1) + 1;
    }

    @Test
    void errorsTheFunctionThrowsTrapAtTheCallOnBothPaths() throws Exception {
        List<WordFunction.Of1> throwers = List.of(
                a -> deep(a),
                a -> {
                    throw new OutOfMemoryError("simulated");
                },
                a -> {
                    throw new StackOverflowError();
                },
                a -> {
                    throw new ThreadDeath();
                },
                a -> {
                    throw new Exception() {
                        @Override
                        public String getMessage() {
                            return null;
                        }
                    };
                },
                a -> {
                    throw new ArithmeticException("/ by zero");
                });
        for (WordFunction.Of1 f : throwers) {
            Vm vm = new Vm(LOOP, new HostRegistry().registerWords("t.id", ID, f));
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(5)), Limits.DEFAULT, sink(general));
                seen.add(view(run.resume(), run));
            }
            assertEquals(seen.get(1), seen.get(0));
            assertTrue(seen.get(0).startsWith("trap HOST_CALL_FAILED"), seen.get(0));
        }
    }

    /**
     * (a, n): n trips of { s = s + a (a decimal live across the call); e = to_dec(i) (a decimal
     * live across the call too); d = id(i); t = t + d }; returns (s, t, the last e).
     */
    static final String DEC = """
            program qdec
            host h = "t.id" (i64) -> (i64)
            func f(a: dec, n: i64) -> (dec, i64, dec) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r6, 0
                i64.to_dec r5, r3, 2
                i64.to_dec r9, r3, 1
                i64.lt r7, r3, r2
                br r7, body, done
            body:
                dec.add r5, r5, r1
                i64.to_dec r9, r3, 1
                host_call r0, h, r0, [r3] -> [r8]
                i64.add r6, r6, r8
                i64.add r3, r3, r4
                i64.lt r7, r3, r2
                br r7, body, done
            done:
                ret r0, [r5, r6, r9]
            }
            """;

    @Test
    void unboxedDecimalsAroundTheCallPauseStepSnapshotAndFuelAsOnTheGeneralPath() throws Exception {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(DEC, "qdec.tasm"));
        List<Value> args = List.of(Value.decimal(125, 2), Value.i64(5));
        List<Value> want = List.of(Value.decimal(625, 2), Value.i64(20), Value.decimal(40, 1));
        for (int at = 0; at < 5; at++) {
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                AtomicReference<Run> self = new AtomicReference<>();
                int k = at;
                Vm vm = new Vm(p, QuickHostCallTest.idHost(a -> {
                    if (a == k) {
                        self.get().interrupt();
                    }
                    return a * 2;
                }));
                Run run = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, sink(general));
                self.set(run);
                StringBuilder s = new StringBuilder();
                Outcome o = run.resume();
                s.append(view(o, run)).append('\n');
                for (int i = 0; i < 3 && o instanceof Outcome.Paused; i++) {
                    o = run.step(1);
                    s.append(view(o, run)).append('\n');
                }
                Run back = new Vm(p, QuickHostCallTest.idHost(a -> a * 2)).restore(new ExecutionContext(),
                        run.snapshot(), Limits.DEFAULT, sink(general));
                Outcome end = back.resume();
                s.append(view(end, back));
                assertEquals(want, ((Outcome.Done) end).values(), s::toString);
                seen.add(s.toString());
            }
            assertEquals(seen.get(1), seen.get(0), "interrupt at call " + at);
        }
        Vm vm = new Vm(p, QuickHostCallTest.idHost(a -> a * 2));
        for (long fuel = 1; fuel < 50; fuel++) {
            List<String> seen = new ArrayList<>();
            for (boolean general : new boolean[] {false, true}) {
                Run run = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(fuel), sink(general));
                seen.add(view(run.resume(), run));
            }
            assertEquals(seen.get(1), seen.get(0), "fuel " + fuel);
        }
    }
}
