package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attack on the interpreter's leaf calls (a direct call of a small leaf runs inside the call,
 * without a frame record) from the debugger: a breakpoint inside the leaf stops every call with
 * the leaf's frame on top of its caller's; step goes into the leaf, next goes over it, finish comes
 * out of it, reverse step and reverse continue (which replay many instructions at once) land inside
 * it, each with the count and fuel of the instructions one at a time.
 */
class AttackLeafCallDebugTest {
    private static final String LOOP = String.join("\n",
            "program dbg",                                   // 1
            "func main(n: i64) -> (i64) {",                  // 2
            "    const.i64 r2, 0",                           // 3
            "    const.i64 r3, 0",                           // 4
            "    const.i64 r4, 1",                           // 5
            "    jmp top",                                   // 6
            "top:",                                          // 7
            "    call r0, leaf, r0, [r2, r3] -> [r2, r5]",   // 8
            "    i64.add r3, r3, r4",                        // 9
            "    i64.lt r6, r3, r1",                         // 10
            "    br r6, top, done",                          // 11
            "done:",                                         // 12
            "    ret r0, [r2]",                              // 13
            "}",                                             // 14
            "func leaf(a: i64, b: i64) -> (i64, i64) {",     // 15
            "    const.i64 r3, 3",                           // 16 const + add
            "    i64.add r4, r1, r3",                        // 17
            "    i64.mul r5, r4, r2",                        // 18
            "    ret r0, [r5, r4]",                          // 19
            "}",
            "");

    private static Session session(long n) throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(LOOP, "dbg.tasm");
        return new Session(new Target(Verifier.verify(a.program()), "dbg.tasm", LOOP, a.lines(), 0,
                List.of(Value.i64(n)), Limits.DEFAULT, new HostRegistry()));
    }

    private static long reg(Session s, int frame, String name) throws DebugException {
        return ((Value.I64) s.register(frame, name).value()).value();
    }

    /** main's r2 after {@code k} calls: leaf(a, i) returns (a + 3) * i. */
    private static long r2After(int k) {
        long a = 0;
        for (int i = 0; i < k; i++) {
            a = (a + 3) * i;
        }
        return a;
    }

    @Test
    void aBreakpointInsideTheLeafStopsEveryCallOnTopOfItsCaller() throws Exception {
        Session s = session(4);
        s.breakAtLine(18);
        List<String> hits = new ArrayList<>();
        Session.Stop st = s.run();
        int call = 0;
        while (st.reason() == Session.Reason.BREAKPOINT) {
            assertEquals(2, s.depth(), "the leaf's frame and main's");
            assertEquals(18, s.frameLine(0));
            assertEquals(8, s.frameLine(1), "main is at its call");
            assertEquals(r2After(call) + 3, reg(s, 0, "r4"), "call " + call);
            assertEquals(call, reg(s, 0, "r2"), "the second argument");
            assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining());
            hits.add(Long.toString(s.instructions()));
            call++;
            st = s.cont();
        }
        assertEquals(Session.Reason.RETURNED, st.reason());
        assertEquals(List.of(Value.i64(r2After(4))), s.results());
        // 4 before the loop; a turn: call, const, add | mul, ret, add, lt, br (8)
        assertEquals(List.of("7", "15", "23", "31"), hits);
    }

    @Test
    void stepNextFinishAndReverseMovesThroughALeafCall() throws Exception {
        Session s = session(3);
        s.breakAtLine(8);
        assertEquals(Session.Reason.BREAKPOINT, s.run().reason());
        assertEquals(4, s.instructions());
        // next: over the call, results written
        s.next();
        assertEquals(9, s.frameLine(0));
        assertEquals(1, s.depth());
        assertEquals(9, s.instructions(), "the call and the leaf's four instructions");
        assertEquals(r2After(1), reg(s, 0, "r2"));
        assertEquals(3, reg(s, 0, "r5"));
        // to the next call, then step into the leaf and finish out of it
        assertEquals(Session.Reason.BREAKPOINT, s.cont().reason());
        assertEquals(12, s.instructions());
        s.step(1);
        assertEquals(2, s.depth());
        assertEquals(16, s.frameLine(0));
        for (int line = 17; line <= 19; line++) {
            s.step(1);
            assertEquals(line, s.frameLine(0));
            assertEquals(2, s.depth());
        }
        assertEquals(16, s.instructions());
        s.reverseStep();
        assertEquals(18, s.frameLine(0));
        assertEquals(2, s.depth());
        assertEquals(15, s.instructions());
        s.finish();
        assertEquals(1, s.depth());
        assertEquals(9, s.frameLine(0));
        assertEquals(17, s.instructions());
        assertEquals(r2After(2), reg(s, 0, "r2"));
        // back into the leaf: the ret, then (reverse continue) the breakpoint inside it
        s.reverseStep();
        assertEquals(2, s.depth());
        assertEquals(19, s.frameLine(0));
        assertEquals(16, s.instructions());
        s.deleteAll();
        s.breakAtLine(17);
        Session.Stop back = s.reverseContinue();
        assertEquals(Session.Reason.BREAKPOINT, back.reason());
        assertEquals(2, s.depth());
        assertEquals(17, s.frameLine(0));
        assertEquals(14, s.instructions());
        assertEquals(3, reg(s, 0, "r3"), "the constant is written");
        assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining());
        s.deleteAll();
        assertEquals(Session.Reason.RETURNED, s.cont().reason());
        assertEquals(List.of(Value.i64(r2After(3))), s.results());
        assertEquals(4 + 3 * 8 + 1, s.instructions());
    }
}
