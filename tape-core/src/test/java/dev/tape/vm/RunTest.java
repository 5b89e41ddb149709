package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.testing.SumText;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link Run} API on the interpreter: fuel pauses, host suspension, ended runs, misuse. */
class RunTest {
    /** sum(n) = 0 + 1 + ... + (n - 1), a loop of 5 instructions a turn; tape-jit's resume tests use it too. */
    static final String SUM = SumText.SUM;

    static final String FETCH = """
            program fetch
            host fetch = "net.fetch" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                const.i64 r2, 10
                i64.add r3, r1, r2
                host_call r0, fetch, r0, [r3] -> [r4]
                i64.add r5, r4, r2
                ret r0, [r5]
            }
            """;

    static VerifiedProgram program(String source) throws Exception {
        return Verifier.verify(Assembler.assemble(source, "t.tasm"));
    }

    static String oneShot(Vm vm, List<Value> args, long fuel) {
        try {
            return "ok " + vm.run(0, args, Limits.DEFAULT.withFuel(fuel));
        } catch (Trap t) {
            return t.kind() + " at " + t.func() + " pc " + t.pc() + " stack " + t.stack() + " " + t.getMessage()
                    + " left " + t.fuelRemaining();
        }
    }

    static String text(Outcome o) {
        if (o instanceof Outcome.Done d) {
            return "ok " + d.values();
        }
        Trap t = ((Outcome.Trapped) o).trap();
        return t.kind() + " at " + t.func() + " pc " + t.pc() + " stack " + t.stack() + " " + t.getMessage()
                + " left " + t.fuelRemaining();
    }

    /**
     * For every total fuel, a run given one unit at a time pauses for fuel exactly where the one-shot
     * run traps, and resuming without more fuel gives that trap.
     */
    @Test
    void fuelPausesWhereTheOneShotRunTraps() throws Exception {
        Vm vm = new Vm(program(SUM), Host.NONE);
        List<Value> args = List.of(Value.i64(6));
        for (long total = 0; total <= 50; total++) {
            String expected = oneShot(vm, args, total);
            Run run = vm.start(0, args, Limits.DEFAULT.withFuel(Math.min(1, total)));
            long given = Math.min(1, total);
            Outcome o = run.resume();
            while (o instanceof Outcome.Paused p) {
                assertInstanceOf(PauseReason.FuelExhausted.class, p.reason());
                assertEquals(0, run.fuelRemaining());
                if (given < total) {
                    run.addFuel(1);
                    given++;
                }
                o = run.resume();
            }
            assertEquals(expected, text(o), "total fuel " + total);
            assertEquals(o, run.resume(), "an ended run gives its outcome again");
            assertThrows(IllegalStateException.class, () -> run.addFuel(1));
        }
    }

    @Test
    void aHostSuspendsAndTheEmbedderGivesItsResult() throws Exception {
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    ctx.chargeFuel(5);
                    ctx.suspend();
                });
        Vm vm = new Vm(program(FETCH), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100));
        Outcome o = run.resume();
        PauseReason.HostSuspended s = (PauseReason.HostSuspended) ((Outcome.Paused) o).reason();
        assertEquals("net.fetch", s.symbol());
        assertEquals(List.of(Value.i64(11)), s.args());
        // three instructions and the charge of 5 are paid; the call is counted
        assertEquals(92, run.fuelRemaining());
        assertEquals(1, run.hostCallsMade());
        assertThrows(IllegalStateException.class, run::resume);
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(List.of(Value.bool(true))));
        assertThrows(IllegalArgumentException.class, () -> run.resumeWith(List.of()));
        // still suspended, unchanged
        assertEquals(List.of(Value.i64(1)), run.registers(0).subList(1, 2));
        assertEquals(new Outcome.Done(List.of(Value.i64(52))), run.resumeWith(List.of(Value.i64(42))));
        assertEquals(90, run.fuelRemaining());
    }

    @Test
    void aOneShotRunCannotSuspend() throws Exception {
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    assertTrue(!ctx.canSuspend());
                    ctx.suspend();
                });
        Vm vm = new Vm(program(FETCH), host);
        Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.i64(1)), Limits.DEFAULT));
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertTrue(t.getMessage().contains("cannot suspend"), t.getMessage());
    }

    @Test
    void aRunCannotBeResumedFromInsideItself() throws Exception {
        AtomicReference<Run> self = new AtomicReference<>();
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> self.get().resume());
        Vm vm = new Vm(program(FETCH), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT);
        self.set(run);
        Trap t = ((Outcome.Trapped) run.resume()).trap();
        assertEquals(TrapKind.HOST_CALL_FAILED, t.kind());
        assertTrue(t.getMessage().contains("one thread at a time"), t.getMessage());
    }

    @Test
    void anInterruptDuringAHostCallPausesRightAfterIt() throws Exception {
        AtomicReference<Run> self = new AtomicReference<>();
        HostRegistry host = new HostRegistry().register("net.fetch", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> {
                    self.get().interrupt();
                    out[0] = Value.i64(7);
                });
        Vm vm = new Vm(program(FETCH), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(100));
        self.set(run);
        assertEquals(new Outcome.Paused(new PauseReason.Interrupted()), run.resume());
        assertEquals(97, run.fuelRemaining(), "paused after the host_call, the third instruction");
        assertEquals(Value.i64(7), run.registers(0).get(4));
        assertEquals(new Outcome.Done(List.of(Value.i64(17))), run.resume());
    }

    @Test
    void stepsRunExactlyThatManyInstructionsAndFramesShowWhere() throws Exception {
        Vm vm = new Vm(program(SUM), Host.NONE);
        Run run = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(1_000));
        assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(0));
        assertEquals(1_000, run.fuelRemaining());
        for (int i = 1; i <= 10; i++) {
            assertEquals(new Outcome.Paused(new PauseReason.StepsDone()), run.step(1));
            assertEquals(1_000 - i, run.fuelRemaining());
        }
        // after 10: consts (3), jmp, then two turns of lt, br, add, add, jmp are 3 + 1 + 6 = 10 into turn 2
        assertEquals(1, run.frames().size());
        List<Value> regs = run.registers(0);
        assertEquals(Value.i64(3), regs.get(1));
        assertEquals(new Outcome.Done(List.of(Value.i64(3))), run.resume());
        assertThrows(IllegalStateException.class, run::frames);
    }
}
