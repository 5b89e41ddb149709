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
 * Attack on the interpreter's superinstructions from the debugger: breakpoints on the second half
 * of a const+add pair and on the second and third instructions of an add+lt+br triple stop there,
 * every turn of the loop, with the first half done and the second not, the instruction count and
 * fuel of the instructions one at a time; stepping and reverse stepping move one instruction at a
 * time through the pairs.
 */
class AttackSuperinstructionDebugTest {
    private static final String LOOP = String.join("\n",
            "program dbg",                     // 1
            "func main(n: i64) -> (i64) {",    // 2
            "    const.i64 r2, 0",             // 3
            "    const.i64 r3, 0",             // 4
            "    const.i64 r4, 1",             // 5
            "    jmp top",                     // 6
            "top:",                            // 7
            "    const.i64 r5, 5",             // 8  const + add
            "    i64.add r2, r2, r5",          // 9
            "    i64.add r3, r3, r4",          // 10 add + lt + br
            "    i64.lt r6, r3, r1",           // 11
            "    br r6, top, done",            // 12
            "done:",                           // 13
            "    ret r0, [r2]",                // 14
            "}",
            "");

    private static Session session(long n) throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(LOOP, "dbg.tasm");
        return new Session(new Target(Verifier.verify(a.program()), "dbg.tasm", LOOP, a.lines(), 0,
                List.of(Value.i64(n)), Limits.DEFAULT, new HostRegistry()));
    }

    private static long reg(Session s, String name) throws DebugException {
        return ((Value.I64) s.register(0, name).value()).value();
    }

    @Test
    void breakpointsOnSecondAndThirdHalvesStopEveryTurn() throws Exception {
        Session s = session(3);
        s.breakAtLine(9);
        s.breakAtLine(11);
        s.breakAtLine(12);
        List<String> hits = new ArrayList<>();
        Session.Stop st = s.run();
        while (st.reason() == Session.Reason.BREAKPOINT) {
            hits.add(s.frameLine(0) + ":" + s.instructions() + ":" + reg(s, "r2") + ":" + reg(s, "r3"));
            assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining(), hits.toString());
            if (s.frameLine(0) == 9) {
                assertEquals(5, reg(s, "r5"), "the constant is written, the add not yet");
            }
            st = s.cont();
        }
        assertEquals(Session.Reason.RETURNED, st.reason());
        assertEquals(List.of(Value.i64(15)), s.results());
        // line:instructions run:r2:r3 (4 before the loop, 5 a turn)
        assertEquals(List.of("9:5:0:0", "11:7:5:1", "12:8:5:1", "9:10:5:1", "11:12:10:2", "12:13:10:2",
                "9:15:10:2", "11:17:15:3", "12:18:15:3"), hits);
    }

    @Test
    void steppingMovesOneInstructionAtATimeThroughThePairs() throws Exception {
        Session s = session(2);
        s.breakAtLine(8);
        assertEquals(Session.Reason.BREAKPOINT, s.run().reason());
        s.deleteAll();
        int[] lines = {9, 10, 11, 12, 8, 9, 10, 11, 12, 14};
        for (int i = 0; i < lines.length; i++) {
            s.step(1);
            assertEquals(lines[i], s.frameLine(0), "step " + (i + 1));
            assertEquals(5 + i, s.instructions(), "step " + (i + 1));
        }
        for (int i = lines.length - 2; i >= 0; i--) {
            s.reverseStep();
            assertEquals(lines[i], s.frameLine(0), "back to step " + (i + 1));
            assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining());
        }
        s.reverseStep();
        assertEquals(8, s.frameLine(0));
        assertEquals(4, s.instructions());
        assertEquals(Session.Reason.RETURNED, s.cont().reason());
        assertEquals(List.of(Value.i64(10)), s.results());
    }
}
