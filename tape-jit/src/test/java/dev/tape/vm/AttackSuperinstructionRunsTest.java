package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the interpreter's inner word loop and superinstructions from the run's side: an
 * interrupt or deadline in a loop made only of a superinstruction (the inner loop never leaves)
 * pauses in time, at a legal point whose fuel, position and registers agree, on both tiers, and the
 * snapshot taken there goes on alike on both; trace masks without INSTR (the interpreter then runs
 * fused) report the same call, host and run events as with INSTR (never fused), at every budget; and
 * a function whose lowered code straddles 65,536 ints (where {@link LoweredFunction} changes how it
 * keeps its positions) with pairs across that point runs alike on both tiers and stops where the
 * trace says.
 */
class AttackSuperinstructionRunsTest {
    /** the tight loop: i64.add + i64.lt + br, one {@link LOp#I64_ADD_LT_BR} */
    static final String SPIN = """
            program spin
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp top
            top:
                i64.add r2, r2, r3
                i64.lt r4, r2, r1
                br r4, top, done
            done:
                ret r0, [r2]
            }
            """;

    /** How a run paused in {@link #SPIN} must look: its pc is the one the fuel used says, r2 the adds done. */
    private static void assertLegalSpinPause(Run r, long fuel, int[] pcs, String what) {
        long used = fuel - r.fuelRemaining();
        assertTrue(used > 3, what + ": used " + used);
        long k = used - 3;
        int pc = (int) r.position();
        assertEquals(pcs[(int) (k % 3)], pc, what + ": pc after " + used + " units");
        assertEquals(Value.i64((k + 2) / 3), r.registers(0).get(2), what + ": adds done after " + used + " units");
    }

    /** @return the byte pcs of the loop's add, lt and br, from a traced run */
    private static int[] spinPcs(Vm vm) {
        List<Integer> pcs = new ArrayList<>();
        vm.run(new ExecutionContext(), 0, List.of(Value.i64(1)), Limits.DEFAULT, new TraceSink() {
            @Override
            public int mask() {
                return TraceMask.INSTR;
            }

            @Override
            public void instr(int func, int pc, long span, int opcode) {
                pcs.add(pc);
            }
        });
        // const, const, jmp, add, lt, br, ret
        assertEquals(7, pcs.size());
        return new int[] {pcs.get(3), pcs.get(4), pcs.get(5)};
    }

    @Test
    void interruptAndDeadlineInALoopOfOnlyASuperinstruction() throws Exception {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(SPIN));
        Vm interp = new Vm(vp, new HostRegistry());
        Vm comp = Jit.compile(vp, new HostRegistry());
        assertEquals(1, AttackSuperinstructionTest.countSuper(interp, 0));
        int[] pcs = spinPcs(interp);
        long fuel = 1L << 50;
        Limits limits = Limits.DEFAULT.withFuel(fuel);
        List<Value> args = List.of(Value.i64(Long.MAX_VALUE));
        for (boolean deadline : new boolean[] {false, true}) {
            for (Vm vm : new Vm[] {interp, comp}) {
                String what = (deadline ? "deadline" : "interrupt") + (vm == comp ? " compiled" : " interpreted");
                Run r = vm.start(0, args, limits);
                long[] askedAt = new long[1];
                Thread poker = null;
                if (deadline) {
                    askedAt[0] = System.nanoTime() + 30_000_000L;
                    r.deadline(Duration.ofMillis(30));
                } else {
                    poker = new Thread(() -> {
                        try {
                            Thread.sleep(30);
                        } catch (InterruptedException e) {
                            return;
                        }
                        askedAt[0] = System.nanoTime();
                        r.interrupt();
                    });
                    poker.start();
                }
                Outcome o = r.resume();
                long late = System.nanoTime() - askedAt[0];
                if (poker != null) {
                    poker.join();
                }
                assertInstanceOf(Outcome.Paused.class, o, what);
                Class<?> reason = deadline ? PauseReason.DeadlineReached.class : PauseReason.Interrupted.class;
                assertEquals(reason, ((Outcome.Paused) o).reason().getClass(), what);
                // a chunk of 65,536 instructions takes well under a millisecond, and without the poll
                // the run would take days (2^50 fuel): a bound this loose only catches a missing poll,
                // never a slow or loaded machine
                assertTrue(late < 20_000_000_000L, what + ": paused " + late / 1_000_000 + " ms after the request");
                assertLegalSpinPause(r, fuel, pcs, what);
                // the paused run, and its snapshot restored on either tier, go on alike
                byte[] snap = r.snapshot();
                Run a = interp.restore(snap);
                Run b = comp.restore(snap);
                for (int round = 0; round < 5; round++) {
                    long units = 1 + round * 7919L;
                    Outcome oa = a.step(units);
                    Outcome ob = b.step(units);
                    Outcome or = r.step(units);
                    assertEquals(oa, ob, what + " round " + round);
                    assertEquals(oa, or, what + " round " + round);
                    assertEquals(a.fuelRemaining(), b.fuelRemaining(), what + " round " + round);
                    assertEquals(a.fuelRemaining(), r.fuelRemaining(), what + " round " + round);
                    assertEquals(a.frames(), b.frames(), what + " round " + round);
                    assertLegalSpinPause(a, fuel, pcs, what + " round " + round);
                    assertLegalSpinPause(b, fuel, pcs, what + " round " + round);
                    assertEquals(java.util.Arrays.toString(a.snapshot()), java.util.Arrays.toString(b.snapshot()),
                            what + " round " + round);
                }
            }
        }
    }

    /** A loop of pairs that calls a helper and a host function. */
    static final String CALLS = """
            program calls
            host poke = "t.poke" (i64) -> (i64)
            func main(n: i64) -> (i64, f64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.f64 r7, 0.5
                const.f64 r8, 1.5
                jmp top
            top:
                const.i64 r4, 2
                i64.add r2, r2, r4
                call r0, helper, r0, [r2] -> [r5]
                host_call r0, poke, r0, [r5] -> [r6]
                const.i64 r4, 1
                i64.sub r2, r2, r4
                f64.mul r8, r8, r7
                f64.add r8, r8, r7
                const.i64 r4, 1
                i64.add r3, r3, r4
                i64.lt r9, r3, r1
                br r9, top, done
            done:
                ret r0, [r2, r8]
            }
            func helper(x: i64) -> (i64) {
                const.i64 r2, 3
                i64.add r3, r1, r2
                const.i64 r2, 10
                i64.lt r4, r3, r2
                br r4, low, high
            low:
                ret r0, [r3]
            high:
                const.i64 r2, 7
                i64.sub r3, r3, r2
                ret r0, [r3]
            }
            """;

    /** Every event but instr, as text. */
    private static final class Events implements TraceSink {
        final int mask;
        final List<String> log = new ArrayList<>();

        Events(int mask) {
            this.mask = mask;
        }

        @Override
        public int mask() {
            return mask;
        }

        @Override
        public void runStart(Program program, int entry, int argCount) {
            log.add("start " + entry + " " + argCount);
        }

        @Override
        public void runEnd(Program program, boolean trapped, long fuelUsed) {
            log.add("end " + trapped + " " + fuelUsed);
        }

        @Override
        public void callEnter(int func, int depth) {
            log.add("enter " + func + " " + depth);
        }

        @Override
        public void callExit(int func, int depth) {
            log.add("exit " + func + " " + depth);
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            log.add("host " + symbol + " " + func + " " + pc);
        }

        @Override
        public void hostExit(int hostSig, String symbol) {
            log.add("host exit " + symbol);
        }
    }

    /**
     * Under every trace mask without INSTR (the interpreter runs the pairs fused) the run, call and
     * host events, the outcome and the fuel are those of the same mask with INSTR (stepped, never
     * fused), at every fuel budget.
     */
    @Test
    void traceMasksWithoutInstrSeeWhatSteppedRunsSee() {
        VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(CALLS));
        HostRegistry h = new HostRegistry().register("t.poke", Signature.of(List.of(I64), List.of(I64)),
                (HostFunction) (a, out, ctx) -> out[0] = Value.i64(((Value.I64) a[0]).value() * 2));
        Vm vm = new Vm(vp, h);
        assertTrue(AttackSuperinstructionTest.countSuper(vm, 0) >= 5);
        assertTrue(AttackSuperinstructionTest.countSuper(vm, 1) >= 2);
        List<Value> args = List.of(Value.i64(4));
        Limits big = Limits.DEFAULT.withFuel(100_000);
        Tiers.Outcome whole = Tiers.run(vm, null, new ExecutionContext(), 0, args, big, null);
        long used = whole.used(big);
        assertTrue(used > 60, "used " + used);
        int[] masks = {TraceMask.RUN, TraceMask.CALL, TraceMask.HOST, TraceMask.RUN | TraceMask.CALL,
            TraceMask.CALL | TraceMask.HOST, TraceMask.RUN | TraceMask.CALL | TraceMask.HOST};
        for (int mask : masks) {
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                Events fused = new Events(mask);
                Events stepped = new Events(mask | TraceMask.INSTR);
                Tiers.Outcome a = Tiers.run(vm, null, new ExecutionContext(), 0, args, limits, fused);
                Tiers.Outcome b = Tiers.run(vm, null, new ExecutionContext(), 0, args, limits, stepped);
                String what = "mask " + mask + " fuel " + fuel;
                Tiers.assertSame("fused", a, "stepped", b, () -> what);
                assertEquals(stepped.log, fused.log, what);
            }
        }
    }

    /** Every instruction's byte pc (one function). */
    private static final class Pcs implements TraceSink {
        final List<Integer> at = new ArrayList<>();

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            at.add(pc);
        }
    }

    /**
     * Lowered code of 65,535 to 65,541 ints (where {@link LoweredFunction} keeps its positions in
     * a char array or an int array), made of const+add pairs and an add+lt+br at the very end (which
     * straddles code index 65,535/65,536 at some of the lengths): both tiers and the stepped
     * interpreter end alike at budgets around the instructions near code index 65,535 and the end, a
     * budget ending inside a pair stops at its second half, and a run paused there and restored
     * ends as the whole run.
     */
    @Test
    void pairsAroundThe65536IntBoundary() throws Exception {
        for (int len = 65_535; len <= 65_541; len++) {
            // [const r2 0: 4][const r3 1: 4][nop x p][pairs of const+add: 8 each]
            // [add r4 r4 r3: 4][lt r5 r4 r3: 4][br: 4][ret r0 [r2]: 3]: 27 + p + 8m ints
            int m = (len - 27) / 8;
            int p = len - 27 - 8 * m;
            StringBuilder sb = new StringBuilder("program big\nfunc main() -> (i64) {\n");
            sb.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r4, 0\n");
            for (int i = 0; i < p; i++) {
                sb.append("    nop\n");
            }
            for (int i = 0; i < m; i++) {
                sb.append("    const.i64 r5, ").append(i % 2 == 0 ? i : -(long) i << 33).append('\n');
                sb.append("    i64.add r2, r2, r5\n");
            }
            sb.append("    i64.add r4, r4, r3\n    i64.lt r6, r4, r3\n    br r6, done, done\n");
            sb.append("done:\n    ret r0, [r2]\n}\n");
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(sb.toString()));
            Tiers t = Tiers.of(vp, new HostRegistry());
            LoweredFunction lf = t.interpreted.funcs[0];
            assertEquals(len, lf.codeLength(), "len " + len);
            long want = 0;
            for (int i = 0; i < m; i++) {
                want += i % 2 == 0 ? i : -(long) i << 33;
            }
            List<Value> none = List.of();
            Pcs steps = new Pcs();
            Limits big = Limits.DEFAULT.withFuel(1_000_000);
            Tiers.Outcome full = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, none, big, steps);
            assertEquals(List.of(Value.i64(want)), full.results(), "len " + len);
            long used = full.used(big);
            // the instructions whose code lies around index 65,535
            List<Long> budgets = new ArrayList<>();
            int[] pcOf = lf.pcOf();
            for (int i = 0; i < lf.codeLength(); i++) {
                if (pcOf[i] >= 0 && i >= 65_500 - 12 && i <= 65_540) {
                    int at = steps.at.indexOf(pcOf[i]);
                    budgets.add((long) at);
                    budgets.add((long) at + 1);
                }
            }
            for (long k = Math.max(0, used - 6); k <= used + 1; k++) {
                budgets.add(k);
            }
            assertTrue(budgets.size() > 10, "len " + len);
            for (long fuel : budgets) {
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, none, limits,
                        new Pcs());
                Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, none, limits, null);
                Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, none, limits, null);
                String what = "len " + len + " fuel " + fuel;
                Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> what);
                Tiers.assertSame(fast, compiled, () -> what);
                if (fuel < used) {
                    assertEquals(steps.at.get((int) fuel), fast.trap().pc(), what);
                }
                // paused there (a fuel slice), the snapshot restored on either tier ends as the run
                Run r = t.interpreted.start(0, none, limits);
                if (r.resume() instanceof Outcome.Paused) {
                    byte[] snap = r.snapshot();
                    List<Object> end = Tiers.finish(t.interpreted.restore(snap));
                    assertEquals(new Outcome.Done(List.of(Value.i64(want))), end.get(0), what);
                    assertEquals(Tiers.finish(t.interpreted.restore(snap)), Tiers.finish(t.compiled.restore(snap)),
                            what);
                }
            }
        }
    }
}
