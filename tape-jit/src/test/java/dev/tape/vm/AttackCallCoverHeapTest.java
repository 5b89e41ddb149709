package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on {@code CallCover}'s heap argument: the block before an inlined leaf's call allocates
 * nothing (its test is the plain fuel's), the block after the call allocates (its test is the fuel
 * against the heap threshold, which also proves the heap room for its charges). The inlined path
 * goes past the next block's test, so that block's heap room must be proven some other way.
 * Both tiers at every heap limit around what the run allocates, every fuel limit, and pauses.
 */
class AttackCallCoverHeapTest {
    /**
     * {@code f(n, x)}: a plain block that calls the leaf {@code g}, then (in most seeds) a block that
     * builds a tuple and reads it, in a loop of {@code n} (peeled) or once; a tuple may also be
     * built before the loop, so the method keeps the heap room in a local from its entry.
     */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean loop = rnd.nextInt(4) != 0;
        StringBuilder s = new StringBuilder("program callcoverheap\nfunc f(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r3, 0\n    const.i64 r4, 1\n    const.i64 r5, 0\n    const.i64 r6, 7\n");
        if (rnd.nextBoolean()) {
            s.append("    tuple.new r9, [r5, r2]\n    tuple.get r5, r9, 0\n");
        }
        if (loop) {
            s.append("    i64.lt r7, r3, r1\n    br r7, body, done\nbody:\n");
        } else {
            s.append("    jmp body\nbody:\n");
        }
        s.append("    i64.and r8, r3, r6\n");
        pad(s, rnd, 3);
        s.append("    call r0, g, r0, [r8, r2] -> [r10]\n");
        pad(s, rnd, 2);
        int tuples = 1 + rnd.nextInt(3);
        for (int k = 0; k < tuples; k++) {
            s.append("    tuple.new r9, [r10, r2, r5]\n    tuple.get r11, r9, ").append(k % 3).append('\n');
            s.append("    i64.add r5, r5, r11\n");
        }
        s.append("    i64.add r3, r3, r4\n");
        if (loop) {
            s.append("    i64.lt r7, r3, r1\n    br r7, body, done\n");
        } else {
            s.append("    jmp done\n");
        }
        s.append("done:\n    i64.add r5, r5, r2\n    ret r0, [r5]\n}\n");
        s.append("func g(a: i64, b: i64) -> (i64) {\n    const.i64 r4, ").append(rnd.nextInt(8)).append('\n')
                .append("    i64.lt r5, r1, r4\n    br r5, short, long\nshort:\n    i64.add r2, r2, r1\n    jmp out\n")
                .append("long:\n    i64.xor r2, r2, r4\n    i64.add r2, r2, r1\n    i64.xor r2, r2, r4\n    jmp out\n")
                .append("out:\n    ret r0, [r2]\n}\n");
        long n = 1 + rnd.nextInt(8);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(n), Value.i64(rnd.nextInt(40))));
    }

    private static void pad(StringBuilder s, SplittableRandom rnd, int max) {
        for (int k = rnd.nextInt(max + 1); k > 0; k--) {
            s.append(rnd.nextBoolean() ? "    i64.add r2, r2, r6\n" : "    i64.xor r2, r2, r4\n");
        }
    }

    /** Every heap limit around what the run allocates, and every fuel limit, on both tiers. */
    @Test
    void everyHeapAndFuelLimitWhenOnlyTheBlockAfterTheCallAllocates() throws Exception {
        int traps = Tiers.fuelAndHeapSweep(0, 60, AttackCallCoverHeapTest::program,
                (g, vp, t, full, what) -> assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
        assertTrue(traps > 100, "heap traps " + traps);
    }

    /** Pauses at every slice of 1 to 12 fuel, restored on both tiers. */
    @Test
    void pausesWhenOnlyTheBlockAfterTheCallAllocates() throws Exception {
        Tiers.pauseSweep(300, 340, AttackCallCoverHeapTest::program);
    }
}
