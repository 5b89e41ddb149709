package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's snapshot example ("Snapshots: a paused run as bytes"): the block between the
 * markers below is the README's code block, character for character (checked), and it runs, on the
 * README's Run example program, from an interpreted VM into a compiled one.
 */
class ReadmeSnapshotExampleTest {
    @Test
    void theExampleRuns() throws Exception {
        HostRegistry host = new HostRegistry().register("net.fetch",
                Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (HostFunction) (args, results, ctx) -> ctx.suspend());
        VerifiedProgram program = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(ReadmeRunExampleTest.SOURCE, "fetch.tasm"));
        Vm vm = new Vm(program, host);
        Vm otherVm = Jit.compile(program, host);
        // README begin
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(1_000));
        Outcome o = run.resume();                                            // Paused: FuelExhausted
        byte[] snapshot = run.snapshot();                                    // the run itself is unchanged
        // later, anywhere: a Vm of the same program (new Vm(...) or Jit.compile(...)), the same host
        Run again = otherVm.restore(snapshot);                               // SnapshotException if refused
        again.addFuel(20_000);
        o = again.resume();
        if (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended call) {
            long n = ((Value.I64) call.args().get(0)).value();
            byte[] waiting = again.snapshot();                               // suspended in net.fetch
            Run answered = otherVm.restore(waiting);
            o = answered.resumeWith(List.of(Value.i64(n * 2)));
        }
        List<Value> out = ((Outcome.Done) o).values();
        // README end
        assertEquals(List.of(Value.i64(6000)), out, "3000 iterations, then fetch(3000) answered with 6000");
        // the one-shot run uses 12,008 (ReadmeRunExampleTest); `again` stopped in the host call, before the ret
        assertEquals(21_000 - 12_007, again.fuelRemaining(), "the restored run used the run's fuel exactly");
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws Exception {
        String me = Files.readString(Path.of("src/test/java/dev/tape/vm/ReadmeSnapshotExampleTest.java"));
        String block = me.substring(me.indexOf("// README begin\n") + "// README begin\n".length(),
                me.indexOf("        // README end"));
        String code = block.lines().map(l -> l.startsWith("        ") ? l.substring(8) : l)
                .collect(Collectors.joining("\n", "", "\n"));
        String readme = Files.readString(Path.of("../README.md"));
        int section = readme.indexOf("### Snapshots: a paused run as bytes");
        assertTrue(section > 0, "the README has the section");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        int end = readme.indexOf("```\n", start);
        assertEquals(code, readme.substring(start, end));
    }
}
