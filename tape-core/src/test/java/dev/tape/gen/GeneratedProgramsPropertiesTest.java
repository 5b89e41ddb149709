package dev.tape.gen;

import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzHost;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the programs {@link ValidPrograms} generates: they verify, end, and end the same way. */
class GeneratedProgramsPropertiesTest {
    static final Limits LIMITS = new Limits(200_000, 64, 1_000, 4 << 20, 1 << 16);

    /** How a run ended: results or the trap's kind, place and stack; and the fuel left. */
    record Outcome(String text, long fuel, long hostCalls) {}

    static Outcome run(Vm vm, ExecutionContext ctx, List<Value> args, TraceSink sink) {
        return run(vm, ctx, args, sink, LIMITS);
    }

    static Outcome run(Vm vm, ExecutionContext ctx, List<Value> args, TraceSink sink, Limits limits) {
        try {
            List<Value> out = vm.run(ctx, 0, args, limits, sink);
            List<String> texts = new ArrayList<>();
            for (Value v : out) {
                texts.add(ValueLiteral.format(v));
            }
            return new Outcome("ok " + String.join(", ", texts), ctx.fuelRemaining(), ctx.hostCallsMade());
        } catch (Trap t) {
            assertNotEquals(TrapKind.INTERNAL_ERROR, t.kind(), t.getMessage());
            assertEquals(t.fuelRemaining(), ctx.fuelRemaining());
            return new Outcome("trap " + t.label() + " func " + t.func() + " pc " + t.pc() + " span " + t.span()
                    + " stack " + t.stack() + " elided " + t.elidedFrames(), t.fuelRemaining(), ctx.hostCallsMade());
        }
    }

    static List<Value> args(Program p, long seed) {
        return FuzzArgs.forFunction(p, 0, seed);
    }

    @Property(tries = 500)
    void everyGeneratedProgramVerifies(@ForAll long seed) throws Exception {
        Program p = ValidPrograms.program(seed);
        Verifier.verify(p);
        // and so does its encoding, decoded again
        Verifier.verify(ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }

    @Property(tries = 500)
    void everyRunEndsWithinItsFuel(@ForAll long seed) throws Exception {
        Program p = ValidPrograms.program(seed);
        Vm vm = new Vm(Verifier.verify(p), FuzzHost.INSTANCE);
        Outcome o = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> run(vm, new ExecutionContext(), args(p, seed), null));
        assertTrue(o.fuel() >= 0 && o.fuel() <= LIMITS.fuel(), o.toString());
        assertTrue(o.hostCalls() <= LIMITS.maxHostCalls(), o.toString());
        if (o.text().startsWith("trap fuel_exceeded")) {
            assertEquals(0, o.fuel(), o.toString());
        }
        String label = o.text().startsWith("ok") ? "result" : o.text().split(" ")[1];
        Statistics.label("outcome").collect(label);
    }

    @Property(tries = 300)
    void sameProgramSameInputsSameOutcome(@ForAll long seed) throws Exception {
        Program p = ValidPrograms.program(seed);
        List<Value> args = args(p, seed);
        Outcome first = run(new Vm(Verifier.verify(p), FuzzHost.INSTANCE), new ExecutionContext(), args, null);

        // verified and bound again, from the encoded bytes
        VerifiedProgram again = Verifier.verify(ProgramDecoder.decode(ProgramEncoder.encode(p)));
        Vm vm = new Vm(again, FuzzHost.INSTANCE);
        assertEquals(first, run(vm, new ExecutionContext(), args, null));

        // a reused context: after another program's run, and after this program's own
        ExecutionContext ctx = new ExecutionContext();
        Program other = ValidPrograms.program(~seed);
        run(new Vm(Verifier.verify(other), FuzzHost.INSTANCE), ctx, args(other, ~seed), null);
        assertEquals(first, run(vm, ctx, args, null));
        assertEquals(first, run(vm, ctx, args, null));

        // traced, one instruction at a time
        assertEquals(first, run(vm, new ExecutionContext(), args, new TraceSink() { }));

        // with half the fuel it needed: the same fuel trap (or earlier trap) every way
        long used = LIMITS.fuel() - first.fuel();
        if (used > 1) {
            Limits half = LIMITS.withFuel(used / 2);
            Outcome cut = run(vm, new ExecutionContext(), args, null, half);
            assertTrue(cut.fuel() <= half.fuel(), cut.toString());
            assertEquals(cut, run(vm, ctx, args, null, half));
            assertEquals(cut, run(vm, new ExecutionContext(), args, new TraceSink() { }, half));
            Statistics.label("half fuel").collect(cut.text().startsWith("trap fuel_exceeded") ? "fuel_exceeded" : "other");
        }
    }
}
