package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@code CallCover} with random mixes of what decides or breaks a cover: the block
 * before an inlined leaf's call ({@code A}) and the block after it ({@code B}) each allocating or
 * not (the heap room local's test or the plain one), making a one-to-three-word host call or not
 * (not covered), trapping or not; {@code A} entered from two blocks, {@code B} a single
 * {@code jmp} to a loop's head (the call before the loop; the language has no fall-through into a
 * label, so {@code B}'s only other ways in are a resumed frame and the real call's return), {@code B} itself ending in a covered call (chains of calls), a host call
 * that charges fuel before the call's block (a call-out that reads the fuel back), leaves with
 * paths of different lengths or reading a tuple argument. Both tiers at every fuel limit, heap
 * limits around what the run allocates, depth and register limits, and pauses at every slice of
 * 1 to 12 with snapshots restored on both tiers.
 */
class AttackCallCoverMixTest {
    /**
     * @param seed the seed
     * @param hosts whether the program may make host calls ({@code w.f1}, {@code w.charge})
     * @return a random program (see the class comment) and {@code f}'s arguments
     */
    static Tiers.Generated program(long seed, boolean hosts) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean loop = rnd.nextInt(3) != 0;
        StringBuilder s = new StringBuilder("program callcovermix\n")
                .append(hosts ? "host f1 = \"w.f1\" (i64) -> (i64)\nhost ch = \"w.charge\" (i64) -> (i64)\n" : "")
                .append("func f(n: i64, x: i64) -> (i64) {\n")
                .append("    const.i64 r3, 0\n    const.i64 r4, 1\n    const.i64 r5, 0\n    const.i64 r6, 7\n")
                .append("    const.i64 r10, 0\n    const.i64 r12, ").append(1 + rnd.nextInt(7)).append('\n');
        if (rnd.nextInt(3) == 0) {
            s.append("    tuple.new r9, [r5, r2]\n    tuple.get r5, r9, 0\n");
        }
        if (hosts && rnd.nextBoolean()) {
            s.append("    host_call r0, ch, r0, [r2] -> [r11]\n    i64.add r2, r2, r11\n");
        }
        if (rnd.nextBoolean()) {
            // a call whose next block is the loop's head (a back edge its other predecessor)
            s.append("    i64.and r8, r2, r6\n");
            call(s, rnd);
        }
        s.append("    jmp head\nhead:\n");
        if (loop) {
            s.append("    i64.lt r7, r3, r1\n    br r7, body, done\nbody:\n");
        } else {
            s.append("    jmp body\nbody:\n");
        }
        int segments = 1 + rnd.nextInt(3);
        for (int k = 0; k < segments; k++) {
            boolean jumpIn = rnd.nextInt(3) == 0;
            if (jumpIn) {
                // A entered from two blocks (a label needs a terminator before it: no jump into B)
                s.append("    jmp p").append(k).append("\np").append(k)
                        .append(":\n    i64.and r11, r3, r4\n    i64.eq r7, r11, r4\n    br r7, a").append(k)
                        .append(", q").append(k).append("\nq").append(k).append(":\n    i64.add r5, r5, r4\n");
            }
            s.append("    jmp a").append(k).append("\na").append(k).append(":\n");
            block(s, rnd, hosts);
            s.append("    i64.and r8, r3, r6\n");
            call(s, rnd);
            block(s, rnd, hosts);
            if (rnd.nextInt(4) == 0) {
                // traps when i reaches r12 (a division by zero)
                s.append("    i64.sub r11, r12, r3\n    i64.div r11, r5, r11\n");
            }
            s.append("    i64.add r5, r5, r10\n");
        }
        s.append("    i64.add r3, r3, r4\n");
        s.append(loop ? "    jmp head\n" : "    jmp done\n");
        s.append("done:\n    i64.add r5, r5, r2\n    ret r0, [r5]\n}\n");
        JitCallCoverTest.leaf(s, rnd, "g", "a: i64, b: i64", "");
        JitCallCoverTest.leaf(s, rnd, "h", "t: agg tuple(i64, i64), b: i64", "    tuple.get r1, r1, 0\n");
        long n = 1 + rnd.nextInt(6);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(n), Value.i64(rnd.nextInt(40))));
    }

    /** A direct call of g, or of h on a tuple built just before (which allocates in the call's block). */
    private static void call(StringBuilder s, SplittableRandom rnd) {
        if (rnd.nextInt(3) == 0) {
            s.append("    tuple.new r9, [r8, r2]\n    call r0, h, r0, [r9, r2] -> [r10]\n");
        } else {
            s.append("    call r0, g, r0, [r8, r2] -> [r10]\n");
        }
    }

    /** Up to 4 instructions, maybe a tuple built and read, maybe a one-word host call. */
    private static void block(StringBuilder s, SplittableRandom rnd, boolean hosts) {
        for (int k = rnd.nextInt(5); k > 0; k--) {
            s.append(rnd.nextBoolean() ? "    i64.add r2, r2, r6\n" : "    i64.xor r2, r2, r4\n");
        }
        if (rnd.nextInt(3) == 0) {
            s.append("    tuple.new r9, [r2, r5, r3]\n    tuple.get r11, r9, 2\n    i64.add r5, r5, r11\n");
        }
        if (hosts && rnd.nextInt(4) == 0) {
            s.append("    host_call r0, f1, r0, [r2] -> [r2]\n");
        }
    }

    /** Every fuel limit, heap limits around what the run allocates, and pauses; without host calls. */
    @Test
    void everyFuelHeapLimitAndPause() throws Exception {
        sweep(0, 150, false);
    }

    /** The same with host calls (a one-word call in A or B; a call-out that charges fuel first). */
    @Test
    void everyFuelHeapLimitAndPauseWithHostCalls() throws Exception {
        sweep(1000, 1150, true);
    }

    /** Every call-depth limit from 0 to 4, then every register limit from 1 to 80. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(2000, 2060, seed -> program(seed, false));
    }

    private static void sweep(long from, long to, boolean hosts) throws Exception {
        int pauses = 0;
        int heapTraps = 0;
        for (long seed = from; seed < to; seed++) {
            Tiers.Generated g = program(seed, hosts);
            VerifiedProgram vp = JitLeafInlineTest.verified(g.source());
            Tiers t = hosts ? Tiers.ofWords(vp, AttackFuelCoverTest.host()) : Tiers.of(vp, Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what);
            t.everyFuel(0, g.args(), full, what);
            long heap = full.heapBytes();
            for (long b = Math.max(0, heap - 300); b <= heap + 1; b++) {
                Tiers.Outcome o = t.check(0, g.args(), Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
                heapTraps += o.kind() == TrapKind.HEAP_LIMIT_EXCEEDED ? 1 : 0;
            }
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, g.args(), slice, 2, what + " slice " + slice, (a, b, pause) -> { });
        }
        assertTrue(pauses >= 500, "pauses " + pauses);
        assertTrue(heapTraps >= 100, "heap traps " + heapTraps);
    }
}
