package dev.tape.jfr;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dev.tape.* JFR events, recorded in-process and read back from the file. */
class JfrEventsTest {
    static final String SOURCE = """
            program jfr
            host twice = "env.twice" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                host_call r0, twice, r0, [r1] -> [r2]
                host_call r0, twice, r0, [r2] -> [r3]
                const.i64 r4, 0
                i64.div r5, r3, r4
                ret r0, [r5]
            }
            func ok(n: i64) -> (r: i64) {
                host_call r0, twice, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            """;

    @Test
    void runTrapAndHostCallEventsAreRecorded(@TempDir Path dir) throws Exception {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(SOURCE, "jfr.tasm")), new HostRegistry().register(
                "env.twice", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                args -> new Value[] {Value.i64(2 * ((Value.I64) args[0]).value())}));
        // before a recording: nothing to see, and the runs are the same
        assertEquals(List.of(Value.i64(6)), vm.run(1, List.of(Value.i64(3)), Limits.DEFAULT));
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(RunEvent.class).withThreshold(Duration.ZERO);
            r.enable(TrapEvent.class);
            r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            r.start();
            assertEquals(List.of(Value.i64(6)), vm.run(1, List.of(Value.i64(3)), Limits.DEFAULT));
            Trap t = assertThrows(Trap.class, () -> vm.run(0, List.of(Value.i64(5)), Limits.DEFAULT));
            assertEquals("div_by_zero", t.label());
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.tape."))
                .collect(Collectors.toList());
        List<RecordedEvent> runs = named(events, "dev.tape.Run");
        assertEquals(2, runs.size());
        RecordedEvent ok = runs.get(0);
        assertEquals(1, ok.getInt("entry"));
        assertEquals("ok", ok.getString("entryName"));
        assertEquals("ok", ok.getString("outcome"));
        assertEquals(2, ok.getLong("fuelUsed"));
        assertEquals(1, ok.getLong("hostCalls"));
        RecordedEvent bad = runs.get(1);
        assertEquals("main", bad.getString("entryName"));
        assertEquals("div_by_zero", bad.getString("outcome"));
        assertEquals(4, bad.getLong("fuelUsed"));
        assertEquals(2, bad.getLong("hostCalls"));
        assertFalse(bad.getDuration().isNegative());

        List<RecordedEvent> traps = named(events, "dev.tape.Trap");
        assertEquals(1, traps.size());
        assertEquals("div_by_zero", traps.get(0).getString("kind"));
        assertEquals(0, traps.get(0).getInt("function"));
        assertEquals("main", traps.get(0).getString("functionName"));
        assertTrue(traps.get(0).getInt("pc") > 0);

        List<RecordedEvent> calls = named(events, "dev.tape.HostCall");
        assertEquals(3, calls.size());
        for (RecordedEvent c : calls) {
            assertEquals("env.twice", c.getString("symbol"));
            assertFalse(c.getBoolean("failed"));
            assertEquals(Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)).hash(), c.getLong("sigHash"));
        }
    }

    @Test
    void aFailingHostCallIsMarkedFailed(@TempDir Path dir) throws Exception {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(SOURCE, "jfr.tasm")), new HostRegistry().register(
                "env.twice", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                args -> {
                    throw new IllegalStateException("down");
                }));
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            r.enable(TrapEvent.class);
            r.start();
            Trap t = assertThrows(Trap.class, () -> vm.run(1, List.of(Value.i64(3)), Limits.DEFAULT));
            assertEquals("host_call_failed", t.label());
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> calls = named(events, "dev.tape.HostCall");
        assertEquals(1, calls.size());
        assertTrue(calls.get(0).getBoolean("failed"));
        RecordedEvent trap = named(events, "dev.tape.Trap").get(0);
        assertEquals("env.twice", trap.getString("hostSymbol"));
        assertEquals("IllegalStateException: down", trap.getString("detail"));
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }
}
