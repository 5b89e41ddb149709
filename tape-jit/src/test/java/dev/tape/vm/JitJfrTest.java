package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled tier emits a dev.tape.Compile event per compiled function, and compiled runs a dev.tape.Run. */
class JitJfrTest {
    @Test
    void compilationsAreRecorded(@TempDir Path dir) throws Exception {
        String source = Files.readString(Path.of("../examples/fib.tasm"));
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.tape.Compile");
            r.enable("dev.tape.Run");
            r.start();
            Vm vm = Jit.compile(Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "fib.tasm")), Host.NONE);
            assertEquals(List.of(Value.i64(6765)), vm.run(0, List.of(Value.i64(20)), Limits.DEFAULT));
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> compiles = events.stream().filter(e -> e.getEventType().getName().equals("dev.tape.Compile"))
                .collect(Collectors.toList());
        assertEquals(1, compiles.size());
        RecordedEvent c = compiles.get(0);
        assertEquals(0, c.getInt("function"));
        assertEquals("fib", c.getString("functionName"));
        assertTrue(c.getBoolean("compiled"));
        assertTrue(c.getInt("bytes") > 100, "class bytes " + c.getInt("bytes"));
        List<RecordedEvent> runs = events.stream().filter(e -> e.getEventType().getName().equals("dev.tape.Run"))
                .collect(Collectors.toList());
        assertEquals(1, runs.size());
        assertEquals(153_234, runs.get(0).getLong("fuelUsed"));
    }
}
