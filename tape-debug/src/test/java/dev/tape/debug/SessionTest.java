package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.asm.LineTable;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The debugger core without a front end: moves, breakpoints, watchpoints and replayed host answers. */
class SessionTest {
    private static final String CALLS = String.join("\n",
            "program calls",                                  // 1
            "host charge = \"test.charge\" (u64) -> ()",      // 2
            "func main(n: i64) -> (i64) {",                   // 3
            "    const.u64 r2, 5",                            // 4  pc 0
            "    host_call r0, charge, r0, [r2] -> []",       // 5  pc 3
            "    call r0, twice, r0, [r1] -> [r3]",           // 6
            "    ret r0, [r3]",                               // 7
            "}",                                              // 8
            "func twice(x: i64) -> (i64) {",                  // 9
            "    i64.add r2, r1, r1",                         // 10 pc 0
            "    i64.add r2, r2, r2",                         // 11 pc 4
            "    ret r0, [r2]",                               // 12 pc 8
            "}",
            "");

    /** test.charge through a host that counts the calls that reach it. */
    private static Session session(String text, AtomicInteger calls, Value... args) throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(text, "calls.tasm");
        Host counting = TestTargets.countingConformanceHost(calls);
        return new Session(new Target(Verifier.verify(a.program()), "calls.tasm", text, a.lines(), 0, List.of(args),
                Limits.DEFAULT, counting));
    }

    @Test
    void goingBackReplaysTheHostsAnswerAndItsFuelCharge() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Session s = session(CALLS, calls, Value.i64(4));
        assertEquals(Session.Reason.ENTRY, s.start().reason());
        s.step(2);
        assertEquals(1, calls.get());
        long fuel = s.fuelRemaining();
        assertEquals(Limits.DEFAULT_FUEL - 2 - 5, fuel, "two instructions and the host's charge of 5");
        assertEquals(Session.Reason.STEP, s.reverseStep().reason());
        assertEquals(Limits.DEFAULT_FUEL - 1, s.fuelRemaining());
        s.step(1);
        assertEquals(fuel, s.fuelRemaining(), "the charge is made again on replay");
        assertEquals(1, calls.get(), "without calling the host again");
        assertEquals(1, s.hostCalls());
        assertEquals(Session.Reason.RETURNED, s.cont().reason());
        assertEquals(List.of(Value.i64(16)), s.results());
        assertEquals(1, calls.get());
    }

    @Test
    void nextStepsOverACallAndFinishFromTheEntryEndsTheRun() throws Exception {
        Session s = session(CALLS, new AtomicInteger(), Value.i64(3));
        s.start();
        s.step(2);
        assertEquals(6, s.frameLine(0));
        assertEquals(Session.Reason.STEP, s.next().reason());
        assertEquals(1, s.depth());
        assertEquals(7, s.frameLine(0));
        assertEquals(Value.i64(12), s.register(0, "r3").value(), "twice(3) = (3 + 3) * 2");
        assertEquals(Session.Reason.RETURNED, s.finish().reason());
        assertEquals(List.of(Value.i64(12)), s.results());
    }

    @Test
    void aWatchpointIsDeletedWhenItsFrameReturns() throws Exception {
        Session s = session(CALLS, new AtomicInteger(), Value.i64(1));
        s.breakAt("twice");
        assertEquals(Session.Reason.BREAKPOINT, s.run().reason());
        assertEquals(2, s.depth());
        Breakpoint w = s.watch("x");
        assertEquals(1, w.reg());
        assertEquals(2, w.depth());
        Session.Stop st = s.cont();
        assertEquals(Session.Reason.WATCH_SCOPE, st.reason(), "x never changes; twice returns");
        assertEquals(w, st.breakpoint());
        assertEquals(1, s.breakpoints().size(), "only the breakpoint is left");
        assertEquals(1, s.depth());
        assertEquals(7, s.frameLine(0));
    }

    @Test
    void reverseAtTheStartSaysSoAndMovesWithoutARunFail() throws Exception {
        Session s = session(CALLS, new AtomicInteger(), Value.i64(1));
        assertThrows(DebugException.class, s::cont);
        assertThrows(DebugException.class, s::reverseStep);
        assertThrows(DebugException.class, () -> s.registers(0));
        s.start();
        assertEquals(Session.Reason.HISTORY_START, s.reverseStep().reason());
        assertEquals(Session.Reason.HISTORY_START, s.reverseContinue().reason());
        assertEquals(0, s.instructions());
    }

    @Test
    void locationsOfEveryForm() throws Exception {
        Session s = session(CALLS, new AtomicInteger(), Value.i64(1));
        assertEquals(List.of(1, 4), List.of(s.breakAt("twice:4").func(), s.breakAt("twice:4").pc()));
        assertEquals(List.of(1, 8), List.of(s.breakAt("@1:8").func(), s.breakAt("@1:8").pc()));
        assertEquals(List.of(1, 0), List.of(s.breakAt("@1").func(), s.breakAt("@1").pc()));
        Breakpoint line = s.breakAt("calls.tasm:9");
        assertEquals(List.of(1, 0, 10), List.of(line.func(), line.pc(), line.line()), "line 9 has no code: line 10");
        assertEquals(3, s.breakAt("5").pc());
        assertEquals(42, s.breakAt("span 42").span());
        assertThrows(DebugException.class, () -> s.breakAt("twice:3"), "inside an instruction");
        assertThrows(DebugException.class, () -> s.breakAt("@2"));
        assertThrows(DebugException.class, () -> s.breakAt(""));
    }

    @Test
    void aBinaryProgramBreaksOnNamedLabelsButNotLines() throws Exception {
        String text = String.join("\n", "program p", "func f() -> (i64) {", "    const.i64 r1, 1", "    jmp top",
                "top::", "    ret r0, [r1]", "}", "");
        Program p = ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(text, "p.tasm")));
        Session s = new Session(new Target(Verifier.verify(p), "p.tape", null, LineTable.EMPTY, 0, List.of(),
                Limits.DEFAULT, Host.NONE));
        Breakpoint b = s.breakAt("top");
        assertEquals(-1, b.line());
        assertEquals("f pc 9", b.what());
        DebugException e = assertThrows(DebugException.class, () -> s.breakAt("3"));
        assertTrue(e.getMessage().startsWith("No source lines"), e.getMessage());
        assertEquals(Session.Reason.BREAKPOINT, s.run().reason());
        assertEquals(-1, s.frameLine(0));
        assertNull(s.target().sourceLine(1));
    }

    @Test
    void textIsEscapedToOneLine() {
        assertEquals("a\\nb\\u001b[0m\\u202e\\t", Text.escape("a\nb\u001b[0m\u202e\t"));
        assertEquals("", Text.escape(null));
        String longText = "x".repeat(5000);
        assertTrue(Text.escape(longText).contains("...(3000 chars)..."));
    }
}
