package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attack on the interpreter's f64 superinstructions from the debugger: in a loop whose body is an
 * {@code i64.to_f64 + f64.mul + f64.add} triple and an {@code f64.sub + f64.add} pair, breakpoints
 * on the triple's second and third instruction and on the pair's second stop there every turn,
 * with the earlier instructions done and the later not, at the instruction count and fuel of the
 * instructions one at a time. The run is long enough for checkpoints (every 4,096 instructions),
 * and its six instructions before the loop put the first one on the triple's third instruction,
 * so reverse-continue, which replays from that checkpoint (a copy of a run paused inside the
 * triple) or from the start, stops at the same places with the same values, in reverse. (The
 * debugger moves runs with {@code Run.step}, which interprets one instruction at a time, so it
 * never runs the fused forms: this pins that the positions inside them stay addressable.)
 */
class AttackF64SuperinstructionDebugTest {
    private static final String LOOP = String.join("\n",
            "program f64dbg",                            // 1
            "func main(n: i64, x: f64) -> (f64, f64) {", // 2
            "    const.i64 r3, 0",                       // 3
            "    const.i64 r4, 1",                       // 4
            "    const.f64 r8, 0.0",                     // 5
            "    const.f64 r10, -0.0",                   // 6
            "    mov r7, r2",                            // 7
            "    jmp top",                               // 8
            "top:",                                      // 9
            "    i64.to_f64 r6, r3",                     // 10 triple
            "    f64.mul r7, r6, r2",                    // 11
            "    f64.add r8, r8, r7",                    // 12
            "    f64.sub r9, r8, r6",                    // 13 pair
            "    f64.add r10, r10, r9",                  // 14
            "    i64.add r3, r3, r4",                    // 15
            "    i64.lt r5, r3, r1",                     // 16
            "    br r5, top, done",                      // 17
            "done:",                                     // 18
            "    ret r0, [r8, r10]",                     // 19
            "}",
            "");

    private static final int SETUP = 6;
    private static final int TURN = 8;

    private static Session session(long n, double x) throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(LOOP, "f64dbg.tasm");
        return new Session(new Target(Verifier.verify(a.program()), "f64dbg.tasm", LOOP, a.lines(), 0,
                List.of(Value.i64(n), Value.f64(x)), Limits.DEFAULT, new HostRegistry()));
    }

    private static String reg(Session s, String name) throws DebugException {
        Value v = s.register(0, name).value();
        return v == null ? "-" : v instanceof Value.F64 f ? Long.toHexString(f.bits()) : v.toString();
    }

    /** @return line:instructions:r3:r6:r7:r8:r9:r10 at the stop */
    private static String at(Session s) throws DebugException {
        assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining(), "fuel at " + s.instructions());
        return s.frameLine(0) + ":" + s.instructions() + ":" + reg(s, "r3") + ":" + reg(s, "r6") + ":"
                + reg(s, "r7") + ":" + reg(s, "r8") + ":" + reg(s, "r9") + ":" + reg(s, "r10");
    }

    @Test
    void breakpointsInsideTheTripleAndPairStopThereForwardAndBackward() throws Exception {
        long n = 530;
        double x = 0.1;
        Session s = session(n, x);
        s.breakAtLine(11);
        s.breakAtLine(12);
        s.breakAtLine(14);
        List<String> forward = new ArrayList<>();
        Session.Stop st = s.run();
        double r8 = 0.0;
        double r10 = -0.0;
        while (st.reason() == Session.Reason.BREAKPOINT) {
            String here = at(s);
            forward.add(here);
            int k = forward.size() - 1;
            long turn = k / 3;
            int line = new int[] {11, 12, 14}[k % 3];
            int idx = new int[] {1, 2, 4}[k % 3];
            assertEquals(line, s.frameLine(0), here);
            assertEquals(SETUP + turn * TURN + idx, s.instructions(), here);
            // the triple's i64.to_f64 done at its f64.mul; its product done at its f64.add
            double r6 = (double) turn;
            assertEquals(Long.toHexString(Double.doubleToRawLongBits(r6)), reg(s, "r6"), here);
            if (line == 12) {
                assertEquals(Long.toHexString(Double.doubleToRawLongBits(r6 * x)), reg(s, "r7"), here);
                assertEquals(Long.toHexString(Double.doubleToRawLongBits(r8)), reg(s, "r8"), here + ": add not run");
            }
            if (line == 14) {
                r8 = r8 + r6 * x;
                double r9 = r8 - r6;
                assertEquals(Long.toHexString(Double.doubleToRawLongBits(r9)), reg(s, "r9"), here);
                assertEquals(Long.toHexString(Double.doubleToRawLongBits(r10)), reg(s, "r10"), here + ": add not run");
                r10 = r10 + r9;
            }
            st = s.cont();
        }
        assertEquals(Session.Reason.RETURNED, st.reason());
        assertEquals(List.of(Value.f64(r8), Value.f64(r10)), s.results());
        assertEquals(3 * n, forward.size());
        assertTrue(s.instructions() > 4096 + 100, "the run passes a checkpoint: " + s.instructions());
        // (4096 - 6) % 8 == 2: the first checkpoint is on the triple's third instruction
        assertEquals(2, (4096 - SETUP) % TURN);
        // back from the end (replayed from the checkpoint) to some way before it (replayed from
        // the start): each stop a forward stop, in reverse
        List<String> backward = new ArrayList<>();
        while (s.instructions() > 4096 - 40) {
            st = s.reverseContinue();
            assertEquals(Session.Reason.BREAKPOINT, st.reason(), backward.toString());
            backward.add(at(s));
        }
        Collections.reverse(backward);
        assertEquals(forward.subList(forward.size() - backward.size(), forward.size()), backward);
        assertTrue(backward.size() > 50, "stops on both sides of the checkpoint: " + backward.size());
    }
}
