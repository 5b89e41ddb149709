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
 * The inlined leaves' register room made up front ({@code LeafRoom.test},
 * {@code JitRuntime.leafMakeRoom}): where the room is short, the guard raises the register mark as
 * the real call would, when the real call would neither trap nor grow the register files. Random
 * programs loop over 1 or 2 call sites (direct calls of a leaf, {@code call.indirect} of a closure
 * over a leaf), with the entry's, the leaves' and 0 to 2 wrapper frames' register counts random, a
 * wide call first now and then (the mark already high), and now and then a wider leaf called at one
 * iteration only (the mark raised mid-loop). Both tiers must agree in result or trap (kind, pc,
 * stack), fuel and heap bytes at every register limit from 1 to past what the deepest call needs,
 * every call-depth limit from 0 to 4 and every fuel limit; with one context per tier reused across
 * runs with different limits; and paused at every slice size from 1 to 6 and at 11, 23 and 47, in frames, fuel,
 * snapshot bytes and registers in use (the mark the guard raises), with runs restored from the
 * snapshots on both tiers.
 */
class JitLeafRoomMadeTest {
    /** One generated program, the entry's arguments and the registers its deepest leaf call needs. */
    record Generated(String source, long n, long x, int need) {}

    /** A program: {@code main(n, x)} calls through the wrappers to {@code work}, which loops {@code n} times. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int wrappers = rnd.nextInt(3);
        StringBuilder s = new StringBuilder("program room\ncallsig one = (i64) -> (i64)\n");
        int mainTop = 3 + rnd.nextInt(20);
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r").append(mainTop).append(", 0\n");
        s.append("    call r0, ").append(wrappers > 0 ? "w1" : "work").append(", r0, [r1, r2] -> [r3]\n");
        s.append("    ret r0, [r3]\n}\n");
        int base = mainTop + 1;
        for (int k = 1; k <= wrappers; k++) {
            int top = 3 + rnd.nextInt(12);
            s.append("func w").append(k).append("(n: i64, x: i64) -> (i64) {\n");
            s.append("    const.i64 r").append(top).append(", 0\n");
            s.append("    call r0, ").append(k < wrappers ? "w" + (k + 1) : "work").append(", r0, [r1, r2] -> [r3]\n");
            s.append("    ret r0, [r3]\n}\n");
            base += top + 1;
        }
        int workTop = 20 + rnd.nextInt(10);
        int leafD = 3 + rnd.nextInt(24);
        int leafC = 4 + rnd.nextInt(24);
        int wideLeaf = 8 + rnd.nextInt(23);
        boolean wideFirst = rnd.nextInt(4) == 0;
        long wideAt = rnd.nextInt(3) == 0 ? rnd.nextInt(6) : -1;
        s.append("func work(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r").append(workTop).append(", 0\n");
        if (wideFirst) {
            s.append("    call r0, wide, r0, [r2] -> [r14]\n");
        }
        s.append("    const.func r3, leafc\n    const.i64 r4, ").append(1 + rnd.nextInt(40)).append('\n');
        s.append("    tuple.new r5, [r4]\n    closure.new r6, r3, r5\n");
        s.append("    const.i64 r7, 0\n    const.i64 r8, 1\n    mov r9, r2\n    jmp loop\n");
        s.append("loop:\n    i64.lt r10, r7, r1\n    br r10, body, done\nbody:\n");
        int sites = 1 + rnd.nextInt(2);
        for (int u = 0; u < sites; u++) {
            if (rnd.nextBoolean()) {
                s.append("    call r0, leafd, r0, [r7] -> [r11]\n");
            } else {
                s.append("    call.indirect r0, one, r6, r0, [r7] -> [r11]\n");
            }
            s.append("    i64.").append(rnd.nextBoolean() ? "add" : "xor").append(" r9, r9, r11\n");
        }
        if (wideAt >= 0) {
            s.append("    const.i64 r12, ").append(wideAt).append("\n    i64.eq r13, r7, r12\n");
            s.append("    br r13, wcall, wnext\nwcall:\n    call r0, leafw, r0, [r7] -> [r11]\n");
            s.append("    i64.add r9, r9, r11\n    jmp wnext\nwnext:\n");
        }
        s.append("    i64.add r7, r7, r8\n    jmp loop\ndone:\n    ret r0, [r9]\n}\n");
        s.append("func wide(x: i64) -> (i64) {\n    const.i64 r60, 1\n    i64.div r2, r1, r60\n    ret r0, [r2]\n}\n");
        s.append("func leafd(x: i64) -> (i64) {\n    const.i64 r").append(leafD).append(", 3\n");
        s.append("    i64.add r2, r1, r").append(leafD).append("\n    ret r0, [r2]\n}\n");
        s.append("func leafw(x: i64) -> (i64) {\n    const.i64 r").append(wideLeaf).append(", 5\n");
        s.append("    i64.mul r2, r1, r").append(wideLeaf).append("\n    ret r0, [r2]\n}\n");
        s.append("func leafc(env: agg tuple(i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n");
        s.append("    const.i64 r").append(leafC).append(", 7\n    i64.add r3, r3, r2\n");
        s.append("    i64.add r3, r3, r").append(leafC).append("\n    ret r0, [r3]\n}\n");
        int depth = 1 + wrappers;
        int need = base + workTop + 1 + Math.max(61, Math.max(leafD, Math.max(leafC, wideLeaf)) + 1) + 2 * depth;
        return new Generated(s.toString(), 1 + rnd.nextInt(8), rnd.nextLong(1000), need);
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()));
    }

    /** work's function id: after main and the wrappers. */
    private static int work(Generated g) {
        return g.source().split("\nfunc w[0-9]", -1).length;
    }

    /** Every register limit to past the deepest need, every call-depth limit 0 to 4, every fuel limit. */
    @Test
    void everyRegisterDepthAndFuelLimit() throws Exception {
        int made = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            VerifiedProgram p = JitLeafInlineTest.verified(g.source());
            made += JitKeptStructTest.calls(p, work(g), "leafMakeRoom") > 0 ? 1 : 0;
            Tiers t = Tiers.of(p, Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            t.everyRegistersAndDepth(0, args(g), g.need() + 4, 4, what);
            t.everyFuel(0, args(g), full, what);
        }
        assertTrue(made >= 35, "programs whose loop makes a leaf's room: " + made);
    }

    /** One context per tier, reused across runs with random register and depth limits. */
    @Test
    void contextsReusedAcrossLimits() throws Exception {
        for (long s = 200; s < 230; s++) {
            long seed = s;
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            ExecutionContext ci = new ExecutionContext();
            ExecutionContext cc = new ExecutionContext();
            SplittableRandom rnd = new SplittableRandom(seed);
            List<String> seen = new ArrayList<>();
            for (int k = 0; k < 60; k++) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(1 + rnd.nextInt(g.need() + 4))
                        .withMaxCallDepth(rnd.nextInt(5));
                if (rnd.nextInt(4) == 0) {
                    limits = Limits.DEFAULT;
                }
                seen.add(limits.toString());
                Tiers.Outcome a = Tiers.run(t.interpreted, t.interpretedHost, ci, 0, args(g), limits, null);
                Tiers.Outcome b = Tiers.run(t.compiled, t.compiledHost, cc, 0, args(g), limits, null);
                Tiers.assertSame(a, b, () -> "seed " + seed + " runs " + seen + "\n" + g.source());
            }
        }
    }

    /** Paused at every slice size from 1 to 6 and at slices of 11, 23 and 47: registers in use too; restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (long seed = 100; seed < 125; seed++) {
            Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            for (long slice : new long[] {1, 2, 3, 4, 5, 6, 11, 23, 47}) {
                String what = "seed " + seed + " slice " + slice + "\n" + g.source();
                pauses += t.lockstep(0, args(g), slice, 1 + (int) (seed % 3), what, (a, b, pause) ->
                        assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
            }
        }
        assertTrue(pauses >= 500, "pauses: " + pauses);
    }
}
