package dev.tape.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.Run;
import dev.tape.vm.Vm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attack on the interpreter's sixth-round dispatch from the debugger: a loop of decimal runs
 * (chained outer instructions) right before a direct call and a {@code call.indirect}, a recursion
 * whose calls and returns run in the inner loop next to decimals, and a callee whose first
 * instructions chain. At every instruction of the run, the debugger's position (function, pc,
 * depth, instruction count, fuel, the selected frame's registers) is the chained run's paused at
 * that fuel; {@code next} over each call lands on the first position after it at the same depth,
 * {@code finish} in each callee on the first position after its return, and reverse stepping
 * from the end walks back through every position.
 */
class AttackChainsDebugTest {
    private static final String SOURCE = String.join("\n",
            "program chains",
            "callsig one = (i64) -> (i64)",
            "func main(n: i64) -> (i64) {",
            "    const.decimal r2, 150, 2",
            "    const.i64 r3, 0",
            "    const.i64 r4, 1",
            "    const.func r8, dbl",
            "    jmp top",
            "top:",
            "    dec.add r2, r2, r2",
            "    i64.to_dec r5, r3, 2",
            "    dec.sub r2, r2, r5",
            "    call r0, rec, r0, [r3] -> [r6]",
            "    i64.to_dec r5, r6, 0",
            "    call.indirect r0, one, r8, r0, [r6] -> [r7]",
            "    i64.add r3, r3, r4",
            "    i64.lt r9, r3, r1",
            "    br r9, top, done",
            "done:",
            "    ret r0, [r7]",
            "}",
            "func rec(d: i64) -> (i64) {",
            "    const.i64 r2, 0",
            "    i64.lt r3, r2, r1",
            "    br r3, deeper, bottom",
            "deeper:",
            "    const.i64 r4, 1",
            "    i64.sub r5, r1, r4",
            "    i64.to_dec r7, r1, 0",
            "    call r0, rec, r0, [r5] -> [r6]",
            "    i64.add r6, r6, r1",
            "    dec.add r7, r7, r7",
            "    ret r0, [r6]",
            "bottom:",
            "    ret r0, [r2]",
            "}",
            "func dbl(x: i64) -> (i64) {",
            "    i64.to_dec r2, r1, 0",
            "    dec.add r3, r2, r2",
            "    dec.to_i64 r4, r3",
            "    ret r0, [r4]",
            "}",
            "");

    private static final List<Value> ARGS = List.of(Value.i64(4));

    private static VerifiedProgram program() throws Exception {
        return Verifier.verify(Assembler.assembleWithLines(SOURCE, "chains.tasm").program());
    }

    private static Session session() throws Exception {
        Assembler.Assembled a = Assembler.assembleWithLines(SOURCE, "chains.tasm");
        Session s = new Session(new Target(Verifier.verify(a.program()), "chains.tasm", SOURCE, a.lines(), 0, ARGS,
                Limits.DEFAULT, new HostRegistry()));
        s.start();
        return s;
    }

    /** The debugger's position: function, pc, depth, instructions, fuel, the top frame's registers. */
    private static String at(Session s) throws DebugException {
        assertEquals(Limits.DEFAULT_FUEL - s.instructions(), s.fuelRemaining());
        return s.frameFunc(0) + ":" + s.framePc(0) + " depth " + s.depth() + " after " + s.instructions() + " "
                + s.registers(0);
    }

    @Test
    void theDebuggerWalksTheChainedRunInstructionByInstruction() throws Exception {
        Session s = session();
        List<String> positions = new ArrayList<>();
        List<Integer> depths = new ArrayList<>();
        positions.add(at(s));
        depths.add(s.depth());
        Session.Stop st;
        while ((st = s.step(1)).reason() == Session.Reason.STEP) {
            positions.add(at(s));
            depths.add(s.depth());
        }
        assertEquals(Session.Reason.RETURNED, st.reason());
        List<Value> results = s.results();
        int n = positions.size();
        assertTrue(n > 100, "positions " + n);
        // the chained run, paused at each fuel, is where the debugger was after that many steps
        Vm vm = new Vm(program(), new HostRegistry());
        for (int i = 0; i < n; i++) {
            Run r = vm.start(0, ARGS, Limits.DEFAULT.withFuel(i));
            Outcome o = r.resume();
            assertInstanceOf(Outcome.Paused.class, o, "fuel " + i);
            String top = r.frames().get(0).func() + ":" + r.frames().get(0).pc() + " depth " + r.depth();
            assertTrue(positions.get(i).startsWith(top + " after " + i + " "), "fuel " + i + ": " + top + " vs "
                    + positions.get(i));
        }
        assertEquals(new Outcome.Done(results), vm.start(0, ARGS, Limits.DEFAULT.withFuel(n)).resume());
        // reverse steps walk back through every position, from the returned run (n instructions)
        for (int i = n - 1; i >= 0; i--) {
            assertEquals(Session.Reason.STEP, s.reverseStep().reason(), "back to " + i);
            assertEquals(positions.get(i), at(s), "back to " + i);
        }
        assertEquals(Session.Reason.HISTORY_START, s.reverseStep().reason());
        int nexts = 0;
        int finishes = 0;
        for (int i = 0; i < n - 1; i++) {
            // next: over a call (the next position one deeper) to the first position back at this depth
            if (depths.get(i + 1) > depths.get(i)) {
                Session x = session();
                x.step(i);
                x.next();
                int j = i + 1;
                while (depths.get(j) > depths.get(i)) {
                    j++;
                }
                assertEquals(positions.get(j), at(x), "next at " + i);
                nexts++;
            }
            // finish: in a callee, to the first position after its return
            if (depths.get(i) > 1) {
                Session x = session();
                x.step(i);
                assertEquals(Session.Reason.FINISH, x.finish().reason(), "finish at " + i);
                int j = i + 1;
                while (depths.get(j) >= depths.get(i)) {
                    j++;
                }
                assertEquals(positions.get(j), at(x), "finish at " + i);
                finishes++;
            }
        }
        assertTrue(nexts >= 8 && finishes > 30, nexts + " nexts, " + finishes + " finishes");
    }
}
