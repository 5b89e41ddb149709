package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack (attack-d29) on dec29's unboxed decimal constants ({@link DecScale}: a {@code const.decimal}
 * or a {@code const.pool} of a decimal written as the scale's token and the mantissa word, the slot
 * listed) across frames, a shape {@link DecimalConstTiersTest} (one loop in one frame) does not reach:
 * a recursive function writes constants into low and high registers (up to r250) of every frame on
 * its way down, 15 to 60 frames deep, so the list of 64 unboxed slots fills and is boxed mid-descent
 * with the slots of many frames in it, and the register files grow while slots are listed; on the
 * way up each frame reads its own constants (still tokens, or boxed by a full list) with
 * {@code dec.add}, {@code dec.sub}, {@code mov}, {@code select}, {@code tuple.new}, a host call and
 * the {@code ret} through every frame. Each program runs through {@link StepSweep#sweep} (stepped,
 * untraced and compiled alike at every fuel budget, paused at slices, snapshots the same bytes and
 * restored on either tier), a third of them paused before every instruction, and a third at every
 * heap limit around their tuples' charge and every call depth and register limit around their frames.
 */
class AttackDecimalConstFramesTest {
    private static final int[] SCALES = AttackDecimalAddShapesTest.SCALES;
    private static final long[] EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 3037000500L};
    // the registers of rec's constants: low ones and high ones, so each frame is 251 registers
    private static final int[] CREGS = {10, 11, 12, 200, 250};

    private static void constant(StringBuilder s, Random rnd, int d, int scale) {
        long m = rnd.nextInt(8) != 0 ? rnd.nextInt(21) - 10 : EDGES[rnd.nextInt(EDGES.length)];
        int sc = rnd.nextInt(40) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : scale;
        DecimalConstTiersTest.constant(s, d, m, sc, !rnd.nextBoolean());
    }

    private static int creg(Random rnd) {
        return CREGS[rnd.nextInt(CREGS.length)];
    }

    /**
     * main(n: i64) -> (dec, dec): rec(n, c) and c; rec(n, acc) -> (dec) writes constants into
     * {@link #CREGS}, recurses on n - 1 with acc plus one of them, then combines the result with its
     * constants; rec(0, acc) returns acc plus a constant.
     */
    static String program(long seed) {
        Random rnd = new Random(seed);
        int scale = SCALES[rnd.nextInt(SCALES.length)];
        StringBuilder s = new StringBuilder();
        s.append("program constframes\nhost hid = \"d.id\" (dec) -> (dec)\n");
        s.append("func main(n: i64) -> (dec, dec) {\n");
        constant(s, rnd, 2, scale);
        s.append("    call r0, rec, r0, [r1, r2] -> [r3]\n    ret r0, [r2, r3]\n}\n");
        s.append("func rec(n: i64, acc: dec) -> (dec) {\n    const.i64 r3, 0\n    const.i64 r4, 1\n");
        s.append("    i64.le r5, r1, r3\n    br r5, bottom, down\ndown:\n    .span 1\n");
        for (int k : CREGS) {
            constant(s, rnd, k, scale);
        }
        s.append("    .span 2\n    dec.add r8, r2, r").append(creg(rnd)).append('\n');
        s.append("    i64.sub r9, r1, r4\n    call r0, rec, r0, [r9, r8] -> [r20]\n");
        int items = 2 + rnd.nextInt(5);
        for (int k = 0; k < items; k++) {
            s.append("    .span ").append(3 + k).append('\n');
            int x = creg(rnd);
            int y = rnd.nextInt(3) == 0 ? 20 : creg(rnd);
            switch (rnd.nextInt(8)) {
                case 0, 1 -> s.append("    dec.add r20, r20, r").append(x).append('\n');
                case 2 -> s.append("    dec.sub r").append(x).append(", r20, r").append(y).append('\n');
                case 3 -> s.append("    mov r").append(x).append(", r").append(y).append('\n');
                case 4 -> s.append("    i64.lt r6, r9, r4\n    select r").append(x).append(", r6, r").append(y)
                        .append(", r20\n");
                case 5 -> s.append("    host_call r0, hid, r0, [r").append(y).append("] -> [r").append(x).append("]\n");
                case 6 -> s.append("    tuple.new r21, [r").append(x).append(", r").append(y)
                        .append("]\n    tuple.get r").append(creg(rnd)).append(", r21, 1\n");
                default -> constant(s, rnd, x, scale);
            }
        }
        s.append("    .span 90\n    ret r0, [r").append(rnd.nextInt(3) == 0 ? creg(rnd) : 20).append("]\n");
        s.append("bottom:\n    .span 91\n");
        constant(s, rnd, 7, scale);
        s.append("    dec.add r7, r2, r7\n    ret r0, [r7]\n}\n");
        return s.toString();
    }

    @Test
    void recursiveConstantsEndAliveOnBothTiersAtEveryBudgetPauseHeapDepthAndRegisterLimit() throws Exception {
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 0; seed < 10; seed++) {
            String src = program(seed);
            Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(src)), AttackDecimalAddShapesTest.HOST);
            long n = 14 + seed * 5;
            List<Value> args = List.of(Value.i64(n));
            String what = "seed " + seed + " n " + n + "\n" + src;
            Tiers.Outcome full = StepSweep.sweep(t, args, seed, what);
            endings.add(full.trapped() ? full.trap().kind().toString() : "done");
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
            if (seed % 3 == 0) {
                t.lockstep(0, args, 1, 1, what + " slice 1", (a, b, pause) -> { });
            }
            if (seed % 3 == 1) {
                for (long depth = n - 2; depth <= n + 3; depth++) {
                    t.check(0, args, Limits.DEFAULT.withMaxCallDepth(depth), what + " depth " + depth);
                }
                Tiers.Outcome whole = t.check(0, args, Limits.DEFAULT, what);
                for (long heap = Math.max(0, whole.heapBytes() - 120); heap <= whole.heapBytes() + 1; heap++) {
                    t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
                }
                int frames = 251 * (int) (n + 2) + 2 * (int) (n + 2);
                for (int regs = frames - 600; regs <= frames + 10; regs += 3) {
                    t.check(0, args, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                }
            }
        }
        assertTrue(endings.contains("done"), endings.toString());
        assertTrue(total > 10 * 14 * 10, "the programs ran " + total + " instructions");
    }
}
