package dev.tape.jfr;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs made with {@code Vm.start}: their Run and Trap events, and a Pause and a Resume per pause. */
class RunJfrEventsTest {
    @Test
    void aRunAPIRunEmitsRunPauseResumeAndTrapEvents(@TempDir Path dir) throws Exception {
        Vm vm = vm();
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(RunEvent.class).withThreshold(Duration.ZERO);
            r.enable(TrapEvent.class);
            r.enable(PauseEvent.class);
            r.enable(ResumeEvent.class);
            r.start();
            // 1 fuel: the host call runs, the run pauses for fuel before the ret
            Run ok = vm.start(1, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(1));
            Outcome o = ok.resume();
            assertInstanceOf(PauseReason.FuelExhausted.class, assertInstanceOf(Outcome.Paused.class, o).reason());
            ok.addFuel(1);
            assertEquals(new Outcome.Done(List.of(Value.i64(6))), ok.resume());
            Run bad = vm.start(0, List.of(Value.i64(5)), Limits.DEFAULT);
            assertEquals("div_by_zero", assertInstanceOf(Outcome.Trapped.class, bad.resume()).trap().label());
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.tape.")).collect(Collectors.toList());

        List<RecordedEvent> pauses = named(events, "dev.tape.Pause");
        assertEquals(1, pauses.size());
        RecordedEvent p = pauses.get(0);
        assertEquals("fuel", p.getString("reason"));
        assertEquals(1, p.getInt("function"));
        assertEquals("ok", p.getString("functionName"));
        assertTrue(p.getInt("pc") > 0, "paused at the ret, after the host call");
        assertEquals(1, p.getLong("fuelUsed"));
        assertEquals(1, p.getLong("hostCalls"));

        List<RecordedEvent> resumes = named(events, "dev.tape.Resume");
        assertEquals(1, resumes.size());
        assertEquals(1, resumes.get(0).getInt("function"));
        assertEquals(p.getInt("pc"), resumes.get(0).getInt("pc"));
        assertEquals(1, resumes.get(0).getLong("fuelUsed"));
        assertTrue(!resumes.get(0).getStartTime().isBefore(p.getStartTime()));

        List<RecordedEvent> runs = named(events, "dev.tape.Run");
        assertEquals(2, runs.size());
        assertEquals("ok", runs.get(0).getString("entryName"));
        assertEquals("ok", runs.get(0).getString("outcome"));
        assertEquals(2, runs.get(0).getLong("fuelUsed"));
        assertEquals(1, runs.get(0).getLong("hostCalls"));
        assertEquals("main", runs.get(1).getString("entryName"));
        assertEquals("div_by_zero", runs.get(1).getString("outcome"));
        assertEquals(4, runs.get(1).getLong("fuelUsed"));

        List<RecordedEvent> traps = named(events, "dev.tape.Trap");
        assertEquals(1, traps.size());
        assertEquals("div_by_zero", traps.get(0).getString("kind"));
        assertEquals("main", traps.get(0).getString("functionName"));
    }

    @Test
    void eachStepOfASteppedRunIsAPause(@TempDir Path dir) throws Exception {
        Vm vm = vm();
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(PauseEvent.class);
            r.enable(ResumeEvent.class);
            r.start();
            Run run = vm.start(0, List.of(Value.i64(5)), Limits.DEFAULT);
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(Outcome.Paused.class, run.step(1));
            }
            assertInstanceOf(Outcome.Trapped.class, run.step(1));
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> pauses = named(events, "dev.tape.Pause");
        assertEquals(List.of("steps", "steps", "steps"), pauses.stream().map(e -> e.getString("reason")).toList());
        assertEquals(List.of(1L, 2L, 3L), pauses.stream().map(e -> e.getLong("fuelUsed")).toList());
        assertEquals(List.of(1L, 2L, 2L), pauses.stream().map(e -> e.getLong("hostCalls")).toList());
        // resumed three times: the fourth step traps
        assertEquals(3, named(events, "dev.tape.Resume").size());
    }

    @Test
    void hugeFunctionNamesAreCutInEveryStepsEvents(@TempDir Path dir) throws Exception {
        // a 1,000,000-char function name: uncut, each pause and resume would write 1 MB
        String name = "f" + "\u00e9".repeat(999_998) + "z";
        dev.tape.program.ProgramBuilder pb = new dev.tape.program.ProgramBuilder();
        dev.tape.program.FunctionBuilder f = pb.addFunction(List.of(), List.of());
        pb.functionName(0, name);
        dev.tape.program.FunctionBuilder.Label loop = f.newLabel();
        f.jmp(loop).place(loop).jmp(loop);
        Vm vm = new Vm(Verifier.verify(pb.build()), new HostRegistry());
        Path file = dir.resolve("rec.jfr");
        try (Recording r = new Recording()) {
            r.enable(PauseEvent.class);
            r.enable(ResumeEvent.class);
            r.enable(TrapEvent.class);
            r.enable(RunEvent.class).withThreshold(Duration.ZERO);
            r.start();
            Run run = vm.start(0, List.of(), Limits.DEFAULT.withFuel(5));
            for (int i = 0; i < 4; i++) {
                assertInstanceOf(Outcome.Paused.class, run.step(1));
            }
            // out of fuel: a pause, then the fuel_exceeded trap
            assertInstanceOf(PauseReason.FuelExhausted.class, assertInstanceOf(Outcome.Paused.class, run.resume()).reason());
            assertInstanceOf(Outcome.Trapped.class, run.resume());
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("dev.tape.")).collect(Collectors.toList());
        assertEquals(5, named(events, "dev.tape.Pause").size());
        assertEquals(5, named(events, "dev.tape.Resume").size());
        assertEquals(1, named(events, "dev.tape.Trap").size());
        assertEquals(1, named(events, "dev.tape.Run").size());
        int checked = 0;
        for (RecordedEvent e : events) {
            String n = e.getEventType().getName().equals("dev.tape.Run") ? e.getString("entryName")
                    : e.getString("functionName");
            assertTrue(n.length() <= TapeEvents.MAX_TEXT, n.length() + " chars in " + e.getEventType().getName());
            assertTrue(n.startsWith("f\u00e9\u00e9") && n.endsWith("\u00e9z"), n);
            assertTrue(n.contains("...(" + (name.length() - 2 * ((TapeEvents.MAX_TEXT - 24) / 2)) + " chars)..."), n);
            checked++;
        }
        assertEquals(12, checked);
    }

    @Test
    void cutKeepsShortTextAndSurrogatePairs() {
        assertEquals(null, TapeEvents.cut(null));
        String s = "x".repeat(TapeEvents.MAX_TEXT);
        assertTrue(s == TapeEvents.cut(s));
        String pairs = "\ud83d\ude00".repeat(1000);
        String c = TapeEvents.cut(pairs);
        assertTrue(c.length() <= TapeEvents.MAX_TEXT, c);
        assertTrue(c.startsWith("\ud83d\ude00") && c.endsWith("\ud83d\ude00"), c);
        int dots = c.indexOf("...(");
        assertTrue(!Character.isHighSurrogate(c.charAt(dots - 1)), c);
        assertTrue(!Character.isLowSurrogate(c.charAt(c.lastIndexOf(")...") + 4)), c);
    }

    /** JfrEventsTest's program, env.twice doubling its argument. */
    private static Vm vm() throws Exception {
        return new Vm(Verifier.verify(Assembler.assemble(JfrEventsTest.SOURCE, "jfr.tasm")), new HostRegistry().register(
                "env.twice", Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                args -> new Value[] {Value.i64(2 * ((Value.I64) args[0]).value())}));
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }
}
