package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.Program;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The tracing hooks: which events fire, in what order, and that tracing changes no result or fuel. */
class TracingTest {
    static final class Recorder implements TraceSink {
        final int mask;
        final List<String> events = new ArrayList<>();

        Recorder(int mask) {
            this.mask = mask;
        }

        @Override
        public int mask() {
            return mask;
        }

        @Override
        public void runStart(Program program, int entry, int argCount) {
            events.add("start " + entry + "/" + argCount);
        }

        @Override
        public void runEnd(Program program, boolean trapped, long fuelUsed) {
            events.add("end " + trapped + " " + fuelUsed);
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            events.add("i " + func + "@" + pc);
        }

        @Override
        public void callEnter(int func, int depth) {
            events.add("enter " + func + " " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            events.add("exit " + func + " " + depth);
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            events.add("host " + symbol + " @" + pc);
        }

        @Override
        public void hostExit(int hostSig, String symbol) {
            events.add("host-exit " + symbol);
        }
    }

    @Test
    void instructionTracingSeesEveryInstructionAndChangesNothing() throws Exception {
        Vm vm = new Vm(Verifier.verify(TrapsTest.recursion()), Host.NONE);
        ExecutionContext plain = new ExecutionContext();
        List<Value> expected = vm.run(plain, 0, List.of(Value.i64(3)), Limits.DEFAULT, null);
        Recorder rec = new Recorder(TraceMask.ALL);
        ExecutionContext traced = new ExecutionContext();
        assertEquals(expected, vm.run(traced, 0, List.of(Value.i64(3)), Limits.DEFAULT, rec));
        assertEquals(plain.fuelRemaining(), traced.fuelRemaining());
        long used = Limits.DEFAULT.fuel() - plain.fuelRemaining();
        assertEquals(used, rec.events.stream().filter(e -> e.startsWith("i ")).count(),
                "one instr event per unit of fuel");
        assertEquals("start 0/1", rec.events.get(0));
        assertEquals("enter 0 1", rec.events.get(1));
        assertEquals("i 0@0", rec.events.get(2));
        assertEquals("end false " + used, rec.events.get(rec.events.size() - 1));
        assertEquals(4, rec.events.stream().filter(e -> e.startsWith("enter")).count());
        assertEquals(4, rec.events.stream().filter(e -> e.startsWith("exit")).count());
    }

    @Test
    void fuelTrapsAtTheSamePlaceWithAndWithoutTracing() throws Exception {
        Vm vm = new Vm(Verifier.verify(TrapsTest.recursion()), Host.NONE);
        for (long fuel = 1; fuel < 40; fuel += 3) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            Trap a = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.i64(5)), limits));
            Trap b = assertThrows(Trap.class, () -> vm.run(new ExecutionContext(), 0, List.of(Value.i64(5)), limits,
                    new Recorder(TraceMask.INSTR)));
            assertEquals(a.pc(), b.pc());
            assertEquals(a.stack(), b.stack());
            assertEquals(a.elidedFrames(), b.elidedFrames());
            assertEquals(a.fuelRemaining(), b.fuelRemaining());
        }
    }

    @Test
    void hostEventsSurroundTheHostCall() throws Exception {
        Program p = TrapsTest.hostProgram(I64, I64);
        Host host = new HostRegistry().register("h.f", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction.Simple) args -> args);
        Recorder rec = new Recorder(TraceMask.HOST | TraceMask.RUN);
        new Vm(Verifier.verify(p), host).run(new ExecutionContext(), 0, List.of(Value.i64(1)), Limits.DEFAULT, rec);
        assertEquals(List.of("start 0/1", "host h.f @0", "host-exit h.f", "end false 2"), rec.events);
    }

    @Test
    void aThrowingSinkBecomesATrapNotAnEscape() {
        TraceSink bad = new TraceSink() {
            @Override
            public void instr(int func, int pc, long span, int opcode) {
                throw new IllegalStateException("sink bug");
            }
        };
        Trap t = assertThrows(Trap.class, () -> new Vm(Verifier.verify(TrapsTest.recursion()), Host.NONE)
                .run(new ExecutionContext(), 0, List.of(Value.i64(1)), Limits.DEFAULT, bad));
        assertEquals(TrapKind.INTERNAL_ERROR, t.kind());
    }
}
