package dev.tape.host;

import dev.tape.asm.Assembler;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.Vm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host wrapped by a recording keeps every power of its context: it can suspend a run (the
 * wrappers once forwarded only the six original methods, so {@code suspend()} hit the interface's
 * default and the call trapped {@code host_call_failed}).
 */
class ForwardingHostContextTest {
    private static final String SOURCE = """
            program fetch
            host fetch = "net.fetch" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                host_call r0, fetch, r0, [r1] -> [r2]
                const.i64 r3, 1
                i64.add r2, r2, r3
                ret r0, [r2]
            }
            """;

    @Test
    void aRecordedHostFunctionCanSuspendItsRun() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(SOURCE, "fetch.tasm"));
        HostRegistry host = new HostRegistry().register("net.fetch",
                Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (HostFunction) (args, results, ctx) -> {
                    assertTrue(ctx.canSuspend(), "a Run's host call may suspend, wrapped or not");
                    ctx.suspend();
                });
        RecordingHost recording = new RecordingHost(host);
        Run run = new Vm(p, recording).start(0, List.of(Value.i64(41)), Limits.DEFAULT);
        Outcome o = run.resume();
        PauseReason.HostSuspended s = assertInstanceOf(PauseReason.HostSuspended.class,
                assertInstanceOf(Outcome.Paused.class, o).reason());
        assertEquals("net.fetch", s.symbol());
        assertEquals(List.of(Value.i64(41)), s.args());
        assertEquals(new Outcome.Done(List.of(Value.i64(101))), run.resumeWith(List.of(Value.i64(100))));
    }
}
