package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the inlined leaves' guard that makes register room ({@code JitRuntime.leafMakeRoom}) where
 * the guard raises the register mark and the leaf then does not run inline: a leaf reading a kept
 * struct whose flag is 0 after a resume, a direct leaf whose tuple argument is short at one
 * iteration (its read's check fails, the real call traps in the callee), and a
 * {@code call.indirect} site whose closure alternates between a leaf over a good environment, a
 * non-leaf of another register count and, at one iteration, the leaf over a short environment.
 * The caller's register base is set so that the leaves' charge (base, registers and the pending
 * frame records) lands at the register files' length (256 or 512) give or take 2. Both tiers must
 * agree in result or trap (kind, pc, stack), fuel and heap bytes at every register limit around
 * the charges, every call-depth limit 0 to 4 and every fuel limit; with one context per tier
 * reused across runs with different limits (the mark each run leaves in the context too); paused at slices 1 to 5, 11, 23 and 47 (registers in use too, runs
 * restored from the snapshots on both tiers); and against the stepped interpreter
 * ({@link StepSweep}).
 */
class AttackLeafPeelTest {
    /** One program, its entry's arguments, and the lowest and highest charge its calls in {@code work} make. */
    record Generated(String source, long n, long x, long k, int low, int high) {}

    /** {@code main(n, x, k)} calls through 0 to 2 wrappers to {@code work}, which loops {@code n} times. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int wrappers = rnd.nextInt(3);
        int depth = 1 + wrappers;
        int workTop = 24 + rnd.nextInt(6);
        int leafS = 3 + rnd.nextInt(29);
        int leafT = 3 + rnd.nextInt(29);
        int leafC = 4 + rnd.nextInt(28);
        int heavy = 4 + rnd.nextInt(60);
        int[] wrapTop = new int[wrappers];
        int wrapSum = 0;
        for (int k = 0; k < wrappers; k++) {
            wrapTop[k] = 4 + rnd.nextInt(12);
            wrapSum += wrapTop[k] + 1;
        }
        int files = rnd.nextInt(4) == 0 ? 512 : 256;
        int biggest = Math.max(leafS, Math.max(leafT, leafC)) + 1;
        // the biggest leaf's charge at the files' length, give or take 2
        int delta = rnd.nextInt(5) - 2;
        int mainTop = files + delta - wrapSum - (workTop + 1) - biggest - 2 * depth - 1;
        StringBuilder s = new StringBuilder("program peel\nstruct S = { a: i64, b: i64 }\n");
        s.append("callsig one = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64, k: i64) -> (i64) {\n");
        s.append("    const.i64 r").append(mainTop).append(", 0\n");
        s.append("    call r0, ").append(wrappers > 0 ? "w1" : "work").append(", r0, [r1, r2, r3] -> [r4]\n");
        s.append("    call r0, tail, r0, [r4] -> [r4]\n");
        s.append("    ret r0, [r4]\n}\n");
        // a real call from the entry whose registers end where the biggest leaf's charge does: it
        // writes up to the mark the leaf made, so the mark must never pass the files
        int tailTop = files + delta - (mainTop + 1) - 1 + rnd.nextInt(3) - 1;
        s.append("func tail(x: i64) -> (i64) {\n    const.i64 r").append(tailTop).append(", 1\n");
        s.append("    i64.div r2, r1, r").append(tailTop).append("\n    ret r0, [r2]\n}\n");
        for (int k = 1; k <= wrappers; k++) {
            s.append("func w").append(k).append("(n: i64, x: i64, k: i64) -> (i64) {\n");
            s.append("    const.i64 r").append(wrapTop[k - 1]).append(", 0\n");
            s.append("    call r0, ").append(k < wrappers ? "w" + (k + 1) : "work")
                    .append(", r0, [r1, r2, r3] -> [r4]\n");
            s.append("    ret r0, [r4]\n}\n");
        }
        s.append("func work(n: i64, x: i64, k: i64) -> (i64) {\n");
        s.append("    const.i64 r").append(workTop).append(", 0\n");
        s.append("    struct.new r20, S, [r1, r2]\n");
        s.append("    const.func r21, leafc\n    const.func r22, heavyc\n");
        s.append("    const.i64 r4, ").append(1 + rnd.nextInt(40)).append('\n');
        s.append("    tuple.new r5, [r4]\n    tuple.new r16, []\n");
        s.append("    closure.new r6, r21, r5\n    closure.new r17, r22, r5\n    closure.new r18, r21, r16\n");
        s.append("    const.i64 r7, 0\n    const.i64 r8, 1\n    mov r9, r2\n    jmp loop\n");
        s.append("loop:\n    i64.lt r10, r7, r1\n    br r10, body, done\nbody:\n");
        s.append("    call r0, leafs, r0, [r20] -> [r11]\n    i64.add r9, r9, r11\n");
        s.append("    i64.eq r13, r7, r3\n    tuple.new r19, [r7]\n    br r13, short1, go1\n");
        s.append("short1:\n    tuple.new r19, []\n    jmp go1\ngo1:\n");
        s.append("    call r0, leaft, r0, [r19] -> [r11]\n    i64.xor r9, r9, r11\n");
        int phase = rnd.nextInt(2);
        s.append("    i64.and r23, r7, r8\n    const.i64 r12, ").append(phase).append('\n');
        s.append("    i64.eq r13, r23, r12\n    mov r14, r6\n    br r13, odd, pick\n");
        s.append("odd:\n    mov r14, r17\n    jmp pick\npick:\n");
        s.append("    const.i64 r12, 100\n    i64.add r12, r12, r3\n    i64.eq r13, r7, r12\n    br r13, bad, go2\n");
        s.append("bad:\n    mov r14, r18\n    jmp go2\ngo2:\n");
        s.append("    call.indirect r0, one, r14, r0, [r7] -> [r11]\n    i64.add r9, r9, r11\n");
        s.append("    i64.add r7, r7, r8\n    jmp loop\ndone:\n    ret r0, [r9]\n}\n");
        s.append("func leafs(p: agg struct S) -> (i64) {\n    struct.get r2, r1, 1\n");
        s.append("    const.i64 r").append(leafS).append(", 3\n    i64.add r2, r2, r").append(leafS)
                .append("\n    ret r0, [r2]\n}\n");
        s.append("func leaft(t: agg tuple(i64)) -> (i64) {\n    tuple.get r2, r1, 0\n");
        s.append("    const.i64 r").append(leafT).append(", 5\n    i64.mul r2, r2, r").append(leafT)
                .append("\n    ret r0, [r2]\n}\n");
        s.append("func leafc(env: agg tuple(i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n");
        s.append("    const.i64 r").append(leafC).append(", 7\n    i64.add r3, r3, r2\n");
        s.append("    i64.add r3, r3, r").append(leafC).append("\n    ret r0, [r3]\n}\n");
        s.append("func heavyc(env: agg, x: i64) -> (i64) {\n    const.i64 r").append(heavy).append(", 1\n");
        s.append("    i64.div r3, r2, r").append(heavy).append("\n    ret r0, [r3]\n}\n");
        int base = mainTop + 1 + wrapSum + workTop + 1 + 2 * depth;
        int smallest = Math.min(Math.min(leafS, leafT), Math.min(leafC, heavy)) + 1;
        int high = Math.max(base + Math.max(biggest, heavy + 1), mainTop + tailTop + 2);
        long n = 1 + rnd.nextInt(6);
        // k: the short tuple's iteration (or none), and the short environment's at k - 100
        long k = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt((int) n);
            case 1 -> 100 - rnd.nextInt((int) n);
            default -> -1000;
        };
        return new Generated(s.toString(), n, rnd.nextLong(1000), k, base + smallest, high);
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()), Value.i64(g.k()));
    }

    /** work's function id: after main, tail and the wrappers. */
    private static int work(Generated g) {
        return g.source().split("\nfunc w[0-9]", -1).length + 1;
    }

    /** Every register limit around the charges, every call-depth limit 0 to 4, every fuel limit. */
    @Test
    void everyLimitAroundTheFiles() throws Exception {
        int made = 0;
        for (long seed = 0; seed < 24; seed++) {
            Generated g = program(seed);
            VerifiedProgram p = JitLeafInlineTest.verified(g.source());
            made += JitKeptStructTest.calls(p, work(g), "leafMakeRoom") >= 3 ? 1 : 0;
            Tiers t = Tiers.of(p, Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (int regs = g.low() - 3; regs <= g.high() + 3; regs++) {
                for (long d = 0; d <= 4; d++) {
                    t.check(0, args(g), Limits.DEFAULT.withMaxRegisters(regs).withMaxCallDepth(d),
                            what + " regs " + regs + " depth " + d);
                }
            }
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args(g), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        assertTrue(made >= 20, "programs whose work makes three leaves' room: " + made);
    }

    /** One context per tier reused across runs with random register and depth limits around the charges. */
    @Test
    void contextsReusedAcrossLimits() throws Exception {
        for (long seed = 300; seed < 320; seed++) {
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            SplittableRandom rnd = new SplittableRandom(seed);
            List<String> seen = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(g.low() - 3 + rnd.nextInt(g.high() - g.low() + 7))
                        .withMaxCallDepth(rnd.nextInt(5));
                if (rnd.nextInt(4) == 0) {
                    limits = Limits.DEFAULT;
                }
                seen.add(limits.toString());
                Tiers.Outcome a = Tiers.run(t.interpreted, t.interpretedHost, ci, 0, args(g), limits, null);
                Tiers.Outcome b = Tiers.run(t.compiled, t.compiledHost, cc, 0, args(g), limits, null);
                long s = seed;
                Tiers.assertSame(a, b, () -> "seed " + s + " runs " + seen + "\n" + g.source());
                // the mark the run left in the context: the leaves' guards raised it as the real calls would
                assertEquals(ci.regHigh, cc.regHigh, "seed " + s + " runs " + seen + "\n" + g.source());
            }
        }
    }

    /** Paused at every slice 1 to 5 and at 11, 23 and 47, registers in use too, restored on both tiers; and the stepped interpreter. */
    @Test
    void pausedAndStepped() throws Exception {
        int pauses = 0;
        for (long seed = 100; seed < 116; seed++) {
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            for (long slice : new long[] {1, 2, 3, 4, 5, 11, 23, 47}) {
                String what = "seed " + seed + " slice " + slice + "\n" + g.source();
                pauses += t.lockstep(0, args(g), slice, 1, what, (a, b, pause) ->
                        assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
            }
            StepSweep.sweep(t, args(g), seed, "seed " + seed + "\n" + g.source());
        }
        assertTrue(pauses >= 300, "pauses: " + pauses);
    }
}
