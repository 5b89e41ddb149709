package dev.tape.vm;

import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sweep the suites of fused and chained interpreter dispatch ({@code SuperinstructionTiersTest},
 * {@code OuterChainTiersTest}) run on each program: the interpreter stepped with an INSTR trace
 * (one instruction at a time, never fused or chained) against the untraced interpreter and the
 * compiled tier at every fuel budget, and paused in lockstep at slices of random sizes.
 */
final class StepSweep {
    private StepSweep() {}

    /** Every instruction run, as {@code func << 16 | pc}. */
    static final class Steps implements TraceSink {
        final List<Integer> at = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            at.add(func << 16 | pc);
        }
    }

    /**
     * Runs function 0 of {@code t} with {@code args}: once stepped with a million fuel (one INSTR
     * event per fuel unit), then at every budget from 0 to two past what it used (stepped, untraced
     * and compiled alike; a fuel trap at the stepped run's instruction of that count), then paused
     * every 1 to 3 and twice every 1 to 9 fuel in lockstep (each pause at the stepped run's
     * instruction, its snapshot restored on the interpreter ending as the whole run).
     *
     * @param t the program on both tiers
     * @param args the entry's arguments
     * @param seed the slices' random seed
     * @param what the program's name in failure messages
     * @return the whole stepped run's outcome
     * @throws Exception when a run throws
     */
    static Tiers.Outcome sweep(Tiers t, List<Value> args, long seed, String what) throws Exception {
        Steps steps = new Steps();
        Limits big = Limits.DEFAULT.withFuel(1_000_000);
        Tiers.Outcome full = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, big, steps);
        long used = full.used(big);
        assertEquals(used, steps.at.size(), what + ": one INSTR event per fuel unit");
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits,
                    new Steps());
            Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits, null);
            Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, args, limits, null);
            String at = what + " fuel " + fuel;
            Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
            Tiers.assertSame(fast, compiled, () -> at);
            if (fuel < used) {
                assertEquals(TrapKind.FUEL_EXCEEDED, fast.kind(), at);
                int traced = steps.at.get((int) fuel);
                assertEquals(traced >>> 16, fast.trap().func(), at + ": function of instruction " + fuel);
                assertEquals(traced & 0xFFFF, fast.trap().pc(), at + ": pc of instruction " + fuel);
            } else {
                assertEquals(full.results(), fast.results(), at);
                assertEquals(full.kind(), fast.kind(), at);
            }
        }
        Random rnd = new Random(seed * 31);
        for (int round = 0; round < 3; round++) {
            long slice = 1 + rnd.nextInt(round == 0 ? 3 : 9);
            int pauses = t.lockstep(0, args, slice, 2, what + " slice " + slice, (a, b, pause) -> {
                long ran = slice * pause;
                if (ran < used) {
                    int traced = steps.at.get((int) ran);
                    Trap.Frame top = a.frames().get(0);
                    assertEquals(traced >>> 16, top.func(), what + " slice " + slice + " pause " + pause);
                    assertEquals(traced & 0xFFFF, top.pc(), what + " slice " + slice + " pause " + pause);
                }
                // the interpreter's snapshot, restored on the interpreter, ends as the whole run
                Run restored = t.interpreted.restore(a.snapshot());
                List<Object> end = Tiers.finish(restored);
                Object whole = full.trapped() ? full.trap().kind() : full.results();
                Object got = end.get(0) instanceof Tiers.TrapView v ? v.kind()
                        : ((dev.tape.vm.Outcome.Done) end.get(0)).values();
                assertEquals(whole, got, what + " slice " + slice + " restored at pause " + pause);
            });
            assertEquals((used - 1) / slice, pauses, what + " slice " + slice + ": a pause every slice");
        }
        return full;
    }
}
