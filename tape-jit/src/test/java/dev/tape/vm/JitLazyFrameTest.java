package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier's direct calls write their caller's frame record only when a trap, a pause or
 * a hand-over unwinds through the call ({@code JitRuntime.pending}): random programs of mutually
 * recursive functions (each of its own register count, one or two results, one or two calls, an
 * {@code i64.div} that traps at a chosen depth) run on both tiers and must agree in every detail
 * at every fuel limit and call-depth limit (the trap's stack lists every record), when the
 * recursion nests deeper than compiled frames do (the interpreter returns into the compiled
 * callers through their records), and paused at every fuel slice: the frames, every frame's
 * registers and the snapshot bytes at each pause, and the run resumed from that snapshot.
 */
class JitLazyFrameTest {
    /** One generated program: its text and the entry's arguments. */
    record Generated(String source, int functions, long n, long x) {}

    /**
     * A program of {@code k} functions {@code f0..f(k-1)}, each {@code (n: i64, x: i64) -> (i64)}
     * or {@code -> (i64, i64)}: at {@code n <= 0} it returns {@code x}; else it calls one or two
     * random functions with {@code n - 1} (deep: one call each, so depth is {@code n + 1}), mixes
     * their results into {@code x}, and pads its frame with a random number of registers. Some
     * functions divide by {@code n - t}, trapping {@code div_by_zero} at {@code n == t}.
     */
    static Generated program(long seed, boolean deep) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 2 + rnd.nextInt(4);
        boolean[] two = new boolean[k];
        for (int i = 0; i < k; i++) {
            two[i] = rnd.nextInt(3) == 0;
        }
        StringBuilder s = new StringBuilder("program lazy\n");
        for (int i = 0; i < k; i++) {
            s.append("func f").append(i).append("(n: i64, x: i64) -> (i64").append(two[i] ? ", i64" : "")
                    .append(") {\n");
            s.append("    const.i64 r3, 0\n    i64.le r4, r1, r3\n    br r4, leaf, rec\nleaf:\n");
            s.append("    ret r0, [r2").append(two[i] ? ", r1" : "").append("]\nrec:\n");
            s.append("    const.i64 r5, 1\n    i64.sub r6, r1, r5\n");
            s.append("    const.i64 r7, ").append(1 + rnd.nextInt(7)).append("\n    i64.mul r8, r2, r7\n");
            if (rnd.nextInt(3) == 0) {
                s.append("    const.i64 r9, ").append(rnd.nextInt(deep ? 300 : 6)).append("\n");
                s.append("    i64.sub r9, r1, r9\n    i64.div r9, r8, r9\n    i64.add r8, r8, r9\n");
            }
            int calls = deep ? 1 : 1 + rnd.nextInt(2);
            int acc = 8;
            int next = 10;
            for (int c = 0; c < calls; c++) {
                int callee = rnd.nextInt(k);
                int res = next;
                next += 2;
                s.append("    call r0, f").append(callee).append(", r0, [r6, r").append(acc).append("] -> [r")
                        .append(res).append(two[callee] ? ", r" + (res + 1) : "").append("]\n");
                s.append("    i64.add r").append(next).append(", r").append(acc).append(", r").append(res).append('\n');
                acc = next++;
                if (two[callee]) {
                    s.append("    i64.xor r").append(next).append(", r").append(acc).append(", r").append(res + 1)
                            .append('\n');
                    acc = next++;
                }
            }
            int pad = rnd.nextInt(12);
            for (int p = 0; p < pad; p++) {
                s.append("    const.i64 r").append(next + p).append(", ").append(p).append('\n');
            }
            s.append("    ret r0, [r").append(acc).append(two[i] ? ", r6" : "").append("]\n}\n");
        }
        long n = deep ? 150 + rnd.nextInt(300) : 2 + rnd.nextInt(5);
        return new Generated(s.toString(), k, n, rnd.nextLong(1000));
    }

    static VerifiedProgram verified(String source) throws Exception {
        return Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "lazy.tasm"));
    }

    /** Both tiers, every function compiled before the runs. */
    static Tiers tiers(Generated g) throws Exception {
        Tiers t = Tiers.of(verified(g.source()), Host.NONE);
        Jit.precompile(t.compiled);
        assertEquals(g.functions(), Jit.compiledFunctions(t.compiled), g.source());
        return t;
    }

    /** Every fuel limit up to what the run uses (and one far above), on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        int trapped = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed, false);
            Tiers t = tiers(g);
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "seed " + seed);
            if (full.trap() != null) {
                trapped++;
            }
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= Math.min(used + 1, 2_500); fuel++) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), "seed " + seed + "\n" + g.source());
            }
        }
        // the programs trap inside calls too, not only at their end
        assertTrue(trapped >= 5, "runs that trapped: " + trapped);
    }

    /**
     * Every call-depth limit (call_depth_exceeded at every depth), and recursion deeper than
     * compiled frames nest (the interpreter takes over with heap frames and returns into the
     * compiled callers through their records), with and without a trap at depth.
     */
    @Test
    void everyDepthAndDeepRecursion() throws Exception {
        for (long seed = 100; seed < 120; seed++) {
            Generated g = program(seed, true);
            Tiers t = tiers(g);
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()));
            String what = "seed " + seed + "\n" + g.source();
            t.check(0, args, Limits.DEFAULT, what);
            for (long d = 0; d <= g.n() + 2; d += 1 + d / 16) {
                t.check(0, args, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (long fuel = 0; fuel < 30_000; fuel += 97) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), what);
            }
        }
    }

    /**
     * Paused at every fuel slice of random sizes: both tiers pause at the same instruction with
     * the same frames, registers each frame has written, fuel and snapshot bytes, and a run restored from
     * the compiled tier's snapshot ends as the whole run does.
     */
    @Test
    void pausedAtEverySlice() throws Exception {
        int total = 0;
        int nested = 0;
        for (long seed = 200; seed < 230; seed++) {
            boolean deep = seed % 3 == 0;
            Generated g = program(seed, deep);
            Tiers t = tiers(g);
            List<Value> args = List.of(Value.i64(g.n()), Value.i64(g.x()));
            String what = "seed " + seed + "\n" + g.source();
            SplittableRandom rnd = new SplittableRandom(seed);
            long slice = 1 + rnd.nextInt(deep ? 200 : 40);
            int[] inCalls = {0};
            int pauses = t.lockstep(0, args, slice, 7, what, (a, b, pause) -> {
                if (b.depth() > 1) {
                    inCalls[0]++;
                }
                for (int f = 0; f < a.depth(); f++) {
                    assertEquals(written(t.interpreted, a, f), written(t.compiled, b, f),
                            what + " pause " + pause + " frame " + f);
                }
            });
            nested += inCalls[0];
            total += pauses;
        }
        // most pauses are inside calls: the snapshots and frames there come from the lazy records
        assertTrue(nested >= 200, "pauses in calls: " + nested + " of " + total);
    }

    /**
     * The registers of frame {@code f} of a paused run of {@code vm} that the frame has written on every path to
     * its point (a word register not written yet reads as whatever bits an earlier frame left in
     * its slot, which differ between the tiers by design); null for the others.
     */
    private static List<Value> written(Vm vm, Run run, int f) {
        int[] at = vm.frameAt(run.context(), f);
        long[] mask = vm.verified.initFacts(at[0]).writtenBefore(new int[] {at[1]})[0];
        List<Value> regs = new java.util.ArrayList<>(run.registers(f));
        for (int i = 0; i < regs.size(); i++) {
            if ((mask[i >>> 6] & (1L << i)) == 0) {
                regs.set(i, null);
            }
        }
        return regs;
    }
}
