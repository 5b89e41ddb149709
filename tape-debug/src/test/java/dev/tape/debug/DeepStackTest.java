package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Stepping a run 10,002 frames deep: next over the whole recursion, finish out of its outermost
 * frame, and reverse steps at the bottom. The debugger reads the depth and the innermost position
 * after every instruction; these moves run about 60,000 instructions each at depths up to 10,002.
 */
class DeepStackTest {
    private static final int N = 10_000;
    private static final String DEEP = String.join("\n",
            "program deep",                                   // 1
            "func main(n: i64) -> (r: i64) {",                // 2
            "    call r0, down, r0, [r1] -> [r2]",            // 3
            "    ret r0, [r2]",                               // 4
            "}",                                              // 5
            "func down(n: i64) -> (r: i64) {",                // 6
            "    const.i64 r2, 0",                            // 7
            "    i64.eq r3, r1, r2",                          // 8
            "    br r3, bottom, more",                        // 9
            "bottom:",                                        // 10
            "    ret r0, [r2]",                               // 11
            "more:",                                          // 12
            "    const.i64 r4, 1",                            // 13
            "    i64.sub r5, r1, r4",                         // 14
            "    call r0, down, r0, [r5] -> [r6]",            // 15
            "    i64.add r7, r6, r4",                         // 16
            "    ret r0, [r7]",                               // 17
            "}",
            "");

    private static Session session() throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(DEEP, "deep.tasm");
        return new Session(new Target(Verifier.verify(a.program()), "deep.tasm", DEEP, a.lines(), 0,
                List.of(Value.i64(N)), Limits.DEFAULT.withMaxCallDepth(N + 10), Host.NONE));
    }

    @Test
    void nextStepsOverTenThousandNestedCalls() throws Exception {
        Session s = session();
        s.start();
        assertEquals(3, s.frameLine(0));
        assertEquals(Session.Reason.STEP, s.next().reason());
        assertEquals(1, s.depth());
        assertEquals(4, s.frameLine(0));
        assertEquals(Value.i64(N), s.register(0, "r2").value());
        // main's call, then 8 instructions per level (6 down to the call, 2 after it) and 4 at the bottom
        assertEquals(1 + 8L * N + 4, s.instructions());
    }

    @Test
    void backtraceOfTenThousandFramesShowsBothEnds() throws Exception {
        java.io.StringWriter text = new java.io.StringWriter();
        java.io.PrintWriter out = new java.io.PrintWriter(text);
        new Shell(session(), new java.io.BufferedReader(new java.io.StringReader(
                "break 11\nrun\nbacktrace\nbacktrace 2\nbacktrace -1\nbacktrace 0\n")), out, false).run();
        out.flush();
        List<String> lines = List.of(text.toString().replace("(tape) ", "").split("\n"));
        int bt = lines.indexOf("#0  down pc 19 (deep.tasm:11)");
        assertEquals(3, bt, String.join("\n", lines.subList(0, 5)));
        // 64 innermost, one line for the rest, 64 outermost: not 10,002 lines
        List<String> full = lines.subList(bt, bt + 2 * Shell.BACKTRACE_EDGE + 1);
        assertEquals("#63  down pc 30 (deep.tasm:15)", full.get(63));
        assertEquals("... " + (N + 2 - 128) + " frames elided (backtrace N shows the innermost N, backtrace -N the "
                + "outermost N)", full.get(64));
        assertEquals("#" + (N + 2 - 64) + "  down pc 30 (deep.tasm:15)", full.get(65));
        assertEquals("#" + (N + 1) + "  main pc 0 (deep.tasm:3)", full.get(128));
        List<String> rest = lines.subList(bt + 129, lines.size());
        assertEquals(List.of(
                "#0  down pc 19 (deep.tasm:11)",
                "#1  down pc 30 (deep.tasm:15)",
                "... " + (N) + " frames elided (backtrace N shows the innermost N, backtrace -N the outermost N)",
                "... " + (N + 1) + " frames elided (backtrace N shows the innermost N, backtrace -N the outermost N)",
                "#" + (N + 1) + "  main pc 0 (deep.tasm:3)",
                "error: A frame count is N (the innermost N frames) or -N (the outermost N), not \"0\"."), rest);
    }

    @Test
    void finishOutOfTheOutermostOfTenThousandFrames() throws Exception {
        Session s = session();
        s.breakAtLine(11);
        assertEquals(Session.Reason.BREAKPOINT, s.run().reason());
        assertEquals(N + 2, s.depth(), "main, and down from n = 10,000 to n = 0");
        assertEquals(Value.i64(0), s.register(0, "n").value());
        assertEquals(15, s.frameLine(1), "each caller waits in its call");
        assertEquals(Value.i64(N), s.register(N, "n").value(), "the outermost down");
        s.deleteAll();
        // finish the innermost frame: one level up, just after its call
        assertEquals(Session.Reason.FINISH, s.finish().reason());
        assertEquals(N + 1, s.depth());
        assertEquals(16, s.frameLine(0));
        assertEquals(Value.i64(1), s.register(0, "n").value());
        // finish the outermost down: back in main
        s.selectFrame(s.depth() - 2);
        assertEquals(Session.Reason.FINISH, s.finish().reason());
        assertEquals(1, s.depth());
        assertEquals(4, s.frameLine(0));
        assertEquals(Value.i64(N), s.register(0, "r2").value());
        // and back one instruction: inside the outermost down, at its ret
        assertEquals(Session.Reason.STEP, s.reverseStep().reason());
        assertEquals(2, s.depth());
        assertEquals(17, s.frameLine(0));
        assertEquals(Value.i64(N), s.register(0, "r7").value());
    }
}
