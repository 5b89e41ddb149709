package dev.tape.host;

import dev.tape.asm.Assembler;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host function that throws a run's {@link Trap} (a nested run's, rethrown, or one it made): the
 * live run's {@code host_call_failed} says {@code "in nested run (depth N): "} ({@code Trap.hostCallDetail}),
 * and a recording of it ({@link RecordingHost}, to a file and in memory) must replay the very same
 * trap, whatever the trap's words: {@code RecordingHost.detail} is "the trap detail the VM makes of
 * what a host function threw".
 */
class AttackNestedTrapRecordingTest {
    /** The traps the host throws at its third call: nested runs' and forged ones. */
    private static List<Trap> traps() {
        List<Trap> out = new ArrayList<>();
        // a real nested run's trap, thrown on
        VerifiedProgram boom;
        try {
            boom = Verifier.verify(Assembler.assemble("""
                    func boom() -> () {
                        trap 7
                    }
                    """, "boom.tasm"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        out.add(assertThrows(Trap.class, () -> new Vm(boom, Host.NONE).run(0, List.of(), Limits.DEFAULT)));
        // a host_call_failed trap that already says a nesting (a two-level chain's inner trap)
        String[] details = {"in nested run (depth 1): trap: trap_code(7) at 0 (boom) pc 0 span none: x",
            "in nested run (depth 41): a", "in nested run (depth x): a", "in nested run (depth 0): a",
            "in nested run (depth 2147483647): a", "in nested run (depth 3)", "line one\nline two\u0000",
            "in nested run (depth 5): \n" + "z".repeat(65536), null};
        for (String d : details) {
            out.add(new Trap(TrapKind.HOST_CALL_FAILED, 0, 0, null, 0, Trap.NO_SPAN, "h", 0, d, List.of(), 0));
        }
        out.add(new Trap(TrapKind.DIV_BY_ZERO, 0, 3, "f", 12, Trap.NO_SPAN, null, 0,
                "in nested run (depth 41): a", List.of(), 0));
        return out;
    }

    private static Host throwing(Trap t) {
        return new HostRegistry().register("env.next", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (args, results, ctx) -> {
                    long i = ((Value.I64) args[0]).value();
                    if (i == 2) {
                        throw t;
                    }
                    results[0] = Value.i64(i);
                });
    }

    @Test
    void aRecordedNestedTrapIsReplayedAsTheSameTrap() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        for (Trap t : traps()) {
            RecordReplayTest.Outcome direct = RecordReplayTest.run(p, throwing(t), 5);
            assertTrue(direct.trap().startsWith("host_call_failed in nested run (depth "), direct.trap());
            RecordReplayTest.Outcome[] live = new RecordReplayTest.Outcome[1];
            byte[] file = RecordReplayTest.record(p, throwing(t), 5, live);
            assertEquals(direct, live[0], t.getMessage());
            RecordReplayTest.Outcome again = RecordReplayTest.run(p, new ReplayHost(HostRecording.read(file), null), 5);
            assertEquals(live[0], again, t.getMessage());
        }
    }

    @Test
    void aNestedTrapRememberedInMemoryIsAnsweredAgainAsTheSameTrap() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(RecordReplayTest.SOURCE);
        for (Trap t : traps()) {
            RecordingHost memory = new RecordingHost(throwing(t));
            RecordReplayTest.Outcome first = RecordReplayTest.run(p, memory, 5);
            assertEquals(RecordReplayTest.run(p, throwing(t), 5), first, t.getMessage());
            memory.rewind();
            assertEquals(first, RecordReplayTest.run(p, memory, 5), t.getMessage());
        }
    }
}
