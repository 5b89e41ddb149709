package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on registers a frame has not written yet whose register-file slots hold what an earlier
 * frame left there (a str in a decimal register's slot, a decimal in a str register's slot, an i64
 * in a decimal-typed frame's word slot): a run paused by fuel inside the callee's loop shows the
 * same registers and takes the same snapshot bytes on both tiers, and ends alike restored.
 */
class AttackStaleSlotsTest {
    static final String STALE = """
            program stale2
            func main(n: i64) -> (str, dec, dec) {
                call r0, a, r0, [] -> [r2, r4]
                call r0, b, r0, [r1] -> [r3]
                ret r0, [r2, r3, r4]
            }
            func a() -> (str, dec) {
                const.i64 r1, 77
                const.pool r2, str:"left here"
                const.decimal r3, 31415, 4
                ret r0, [r2, r3]
            }
            func b(n: i64) -> (dec) {
                const.i64 r4, 0
                const.i64 r5, 1
                jmp head
            head:
                i64.lt r6, r4, r1
                br r6, body, done
            body:
                i64.add r4, r4, r5
                jmp head
            done:
                i64.to_dec r2, r4, 1
                dec.add r2, r2, r2
                const.pool r3, str:"late"
                str.len r7, r3
                ret r0, [r2]
            }
            """;

    @Test
    void pausedInACalleeWhoseSlotsHoldAnEarlierFramesValues() {
        VerifiedProgram p = Tiers.verified(JitResumeTest.asm(STALE));
        Vm interp = new Vm(p, new HostRegistry());
        Vm jit = Jit.compile(p, new HostRegistry());
        assertEquals(3, Jit.precompile(jit));
        List<Value> args = List.of(Value.i64(8));
        List<Value> want = interp.run(0, args, Limits.DEFAULT);
        int paused = 0;
        for (long at = 1; at < 60; at++) {
            Run x = interp.start(0, args, Limits.DEFAULT.withFuel(at));
            Run y = jit.start(0, args, Limits.DEFAULT.withFuel(at));
            Outcome ox = x.resume();
            Outcome oy = y.resume();
            assertEquals(ox, oy, "at " + at);
            if (!(ox instanceof Outcome.Paused)) {
                continue;
            }
            paused++;
            assertEquals(x.frames(), y.frames(), "at " + at);
            for (int f = 0; f < x.frames().size(); f++) {
                assertEquals(x.registers(f), y.registers(f), "frame " + f + " at " + at);
            }
            byte[] sx = x.snapshot();
            assertArrayEquals(sx, y.snapshot(), "snapshot at " + at);
            for (Run r : new Run[] {x, y, jit.restore(sx), new Vm(p, new HostRegistry()).restore(sx)}) {
                r.addFuel(1_000);
                assertEquals(new Outcome.Done(want), r.resume(), "at " + at);
            }
        }
        assertTrue(paused > 20, "paused " + paused);
    }
}
