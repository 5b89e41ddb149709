package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.jit.Jit;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fifth round's changes together: programs of {@link JitLeafInlineTest#program} (leaf calls
 * direct, through a func value and through closures, compare-and-branch pairs the interpreter
 * fuses inside leaves and callers, a dividing loop that traps after inlined calls) with word host
 * calls of {@link JitWordHostBlockTest#host} added inside the loop body (which do not end their
 * block; {@code w.f} throws for some arguments), assembled, ENCODED, decoded and verified (so the
 * functions are placed and lowered again on first use), first run on two other threads at once
 * (each tier's first use and first trap there), then compared on both tiers at every fuel limit
 * and paused at every slice with snapshots restored on the other tier, and against a fresh decode
 * run only on this thread; and at every host-call limit. Nothing here differed on 0c74687: it
 * stays as a regression test.
 */
class AttackRoundFiveTogetherTest {
    /** The leaf program with word host calls of w.f and w.g in the loop body. */
    static String program(long seed) {
        JitLeafInlineTest.Generated g = JitLeafInlineTest.program(seed);
        SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
        StringBuilder calls = new StringBuilder("body:\n");
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            if (rnd.nextBoolean()) {
                calls.append("    host_call r0, hf, r0, [r12] -> [r23]\n");
            } else {
                calls.append("    host_call r0, hg, r0, [r12, r10] -> [r23]\n");
            }
            calls.append("    i64.add r12, r12, r23\n");
            if (rnd.nextBoolean()) {
                calls.append("    i64.lt r24, r12, r10\n");
            }
        }
        String s = g.source().replace("program leafy\n", "program leafy\nhost hf = \"w.f\" (i64) -> (i64)\n"
                + "host hg = \"w.g\" (i64, i64) -> (i64)\n");
        // the body of loop (the only "body:" label)
        return s.replace("body:\n", calls.toString());
    }

    static VerifiedProgram loaded(String source) throws Exception {
        byte[] bytes = ProgramEncoder.encode(Assembler.assemble(source, "together.tasm"));
        return Verifier.verifyWithShapesAcrossBlocks(ProgramDecoder.decode(bytes));
    }

    static List<Value> args(long seed) {
        JitLeafInlineTest.Generated g = JitLeafInlineTest.program(seed);
        return List.of(Value.i64(g.n() + 2), Value.i64(g.x()), Value.i64(g.depth()));
    }

    /** Runs both tiers' first runs on two other threads at once, released together. */
    static void firstRunsElsewhere(Tiers t, List<Value> args, long fuel) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Object[] got = new Object[2];
        Thread[] th = new Thread[2];
        Vm[] vms = {t.interpreted, t.compiled};
        for (int i = 0; i < 2; i++) {
            int k = i;
            th[i] = new Thread(() -> {
                try {
                    go.await();
                    got[k] = vms[k].start(0, args, Limits.DEFAULT.withFuel(fuel)).resume();
                } catch (Throwable e) {
                    got[k] = e;
                }
            });
            th[i].start();
        }
        go.countDown();
        for (Thread x : th) {
            x.join();
        }
        assertEquals(Tiers.view((dev.tape.vm.Outcome) got[0]), Tiers.view((dev.tape.vm.Outcome) got[1]));
    }

    @Test
    void everyFuelLimitLoadedFromBytes() throws Exception {
        int trapped = 0;
        int hostTraps = 0;
        for (long seed = 0; seed < 60; seed++) {
            String src = program(seed);
            String what = "seed " + seed + "\n" + src;
            List<Value> args = args(seed);
            Tiers fresh = Tiers.ofWords(loaded(src), JitWordHostBlockTest.host());
            Tiers.Outcome ref = fresh.check(0, args, Limits.DEFAULT, what);
            long used = Limits.DEFAULT.fuel() - ref.fuelRemaining();
            Tiers t = Tiers.ofWords(loaded(src), JitWordHostBlockTest.host());
            firstRunsElsewhere(t, args, 1 + seed % Math.max(1, used));
            Jit.precompile(t.compiled);
            assertEquals(JitLeafInlineTest.program(seed).functions(), Jit.compiledFunctions(t.compiled), what);
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            Tiers.assertSame(ref, full, () -> what);
            if (full.trap() != null) {
                trapped++;
                if (full.trap().toString().contains("host")) {
                    hostTraps++;
                }
            }
            for (long fl = 0; fl <= used + 1; fl++) {
                long fuel = fl;
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                t.check(0, args, limits, what + " fuel " + fuel);
                Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits, null);
                // the interpreter stepped with an INSTR trace (no fused pairs, no inner loop)
                Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits,
                        new StepSweep.Steps());
                Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> what + " fuel " + fuel);
            }
            // every host-call limit up to what the run makes (word host calls that do not end their block)
            for (long h = 0; h <= full.hostCalls() + 1; h++) {
                t.check(0, args, Limits.DEFAULT.withMaxHostCalls(h), what + " host calls " + h);
            }
        }
        assertTrue(trapped >= 3, "runs that trapped: " + trapped);
        assertTrue(hostTraps >= 1, "runs whose host call threw: " + hostTraps);
    }

    @Test
    void pausedAtEverySliceLoadedFromBytes() throws Exception {
        int pauses = 0;
        int[] traced = {0};
        for (long seed = 100; seed < 160; seed++) {
            String src = program(seed);
            List<Value> args = args(seed);
            Tiers t = Tiers.ofWords(loaded(src), JitWordHostBlockTest.host());
            firstRunsElsewhere(t, args, 3 + seed % 40);
            if (seed % 2 == 0) {
                Jit.precompile(t.compiled);
            }
            StepSweep.Steps steps = new StepSweep.Steps();
            Tiers.Outcome full = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, Limits.DEFAULT,
                    steps);
            long used = full.used(Limits.DEFAULT);
            for (long slice = 1; slice <= 13; slice += 4) {
                long sl = slice;
                String what = "seed " + seed + " slice " + slice + "\n" + src;
                pauses += t.lockstep(0, args, slice, 3, what, (a, b, p) -> {
                    long ran = sl * p;
                    if (steps.at.size() == used && ran < used) {
                        traced[0]++;
                        int at = steps.at.get((int) ran);
                        Trap.Frame top = b.frames().get(0);
                        assertEquals(at >>> 16, top.func(), what + " pause " + p);
                        assertEquals(at & 0xFFFF, top.pc(), what + " pause " + p);
                    }
                });
            }
        }
        assertTrue(pauses >= 500, "pauses: " + pauses);
        assertTrue(traced[0] >= pauses / 2, "pauses checked against the INSTR trace: " + traced[0] + " of " + pauses);
    }

    /**
     * Four threads at once, from the first use of a freshly loaded program on (so its functions
     * are lowered again, and first traps happen, on whichever thread comes first), run it at every
     * fuel limit (each thread its own residue class) and in slices restored on the other tier:
     * every outcome equals that of a program loaded and run on this thread alone.
     */
    @Test
    void fourThreadsFromFirstUseAgreeWithOneThread() throws Exception {
        for (long sd = 300; sd < 330; sd++) {
            long seed = sd;
            String src = program(seed);
            List<Value> args = args(seed);
            String what = "seed " + seed + "\n" + src;
            Vm alone = new Vm(loaded(src), JitWordHostBlockTest.host(), Tiers.LAZY);
            Tiers.Outcome full = Tiers.run(alone, null, new ExecutionContext(), 0, args, Limits.DEFAULT, null);
            long used = full.used(Limits.DEFAULT);
            List<Tiers.Outcome> ref = new ArrayList<>();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                ref.add(Tiers.run(alone, null, new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(fuel), null));
            }
            VerifiedProgram vp = loaded(src);
            Vm[] vms = {new Vm(vp, JitWordHostBlockTest.host(), Tiers.LAZY),
                Jit.compile(vp, JitWordHostBlockTest.host(), Tiers.LAZY)};
            CountDownLatch go = new CountDownLatch(1);
            Throwable[] failed = new Throwable[4];
            Thread[] th = new Thread[4];
            for (int i = 0; i < 4; i++) {
                int k = i;
                th[i] = new Thread(() -> {
                    try {
                        go.await();
                        Vm vm = vms[k % 2];
                        for (long fuel = k / 2; fuel <= used + 1; fuel += 2) {
                            long fl = fuel;
                            Tiers.Outcome o = Tiers.run(vm, null, new ExecutionContext(), 0, args,
                                    Limits.DEFAULT.withFuel(fuel), null);
                            Tiers.assertSame("alone", ref.get((int) fuel), "thread " + k, o,
                                    () -> what + " fuel " + fl);
                        }
                        long slice = 1 + k + seed % 7;
                        Object end = sliced(vm, vms[1 - k % 2], args, slice);
                        assertEquals(sliced(alone, alone, args, slice), end, what + " slice " + slice);
                    } catch (Throwable e) {
                        failed[k] = e;
                    }
                });
                th[i].start();
            }
            go.countDown();
            for (Thread x : th) {
                x.join();
            }
            for (Throwable e : failed) {
                if (e != null) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /**
     * Runs {@code entry 0} in slices of {@code slice} fuel, every fifth pause going on from the
     * snapshot restored on the other VM, and back.
     *
     * @return the end as {@link Tiers#view} shows it
     */
    static Object sliced(Vm vm, Vm other, List<Value> args, long slice) {
        Vm[] both = {vm, other};
        Run r = vm.start(0, args, Limits.DEFAULT.withFuel(slice));
        int pause = 0;
        dev.tape.vm.Outcome o;
        while ((o = r.resume()) instanceof dev.tape.vm.Outcome.Paused) {
            if (++pause % 5 == 0) {
                r = both[(pause / 5) % 2].restore(r.snapshot());
            }
            r.addFuel(slice);
        }
        return Tiers.view(o);
    }

}
