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
 * Compiled calls of small leaf functions run inline in the caller's method ({@code LeafInliner})
 * under a guard on the fuel left, the call depth and the register room; when the guard fails the
 * real call runs and traps, pauses or hands over at the exact pc. Random programs call random
 * leaves (acyclic bodies of arithmetic, compares, moves, constants and projections, with forward
 * branches whose arms differ in length, so the paths charge different fuel, and early returns)
 * in a loop at the bottom of a recursion: directly, through a func value ({@code call.indirect}),
 * and through closures over a tuple environment that alternate at one site (two leaves, each one
 * of the site's inlined callees, and a closure over a function that is no leaf, which takes the
 * real call). Both tiers must agree in every detail (result or trap with its stack of functions
 * and pcs, fuel left, heap bytes) at every fuel limit up to what the run uses, at every call-depth
 * limit, at register limits around what the run needs, and paused at every fuel slice of random
 * sizes (frames, written registers, fuel and snapshot bytes, and runs restored from snapshots).
 */
class JitLeafInlineTest {
    /** One generated program: its text, its function count and the entry's arguments. */
    record Generated(String source, int functions, long n, long x, long depth) {}

    private static final String[] BINARY = {"i64.add", "i64.sub", "i64.mul", "i64.and", "i64.or", "i64.xor",
        "i64.shl", "i64.shr"};
    /** the registers of {@code wide} */
    private static final int WIDE = 100;
    private static final String[] COMPARE = {"i64.lt", "i64.le", "i64.gt", "i64.ge", "i64.eq"};

    /**
     * A leaf's body after its arguments: temporaries r3..r6 set from constants, then one to three
     * two diamonds (a compare into r7, a br, arms of 0 to 3 operations, one arm sometimes returning
     * early), then the result (for a closure, the environment's element in r3 first): at most 32
     * instructions, so each is a leaf the compiler inlines.
     */
    private static void leafBody(StringBuilder s, SplittableRandom rnd, String name, boolean env) {
        int first = 3;
        if (env) {
            s.append("    tuple.get r3, r1, 0\n");
            first = 4;
        }
        for (int r = first; r <= 6; r++) {
            s.append("    const.i64 r").append(r).append(", ").append(rnd.nextInt(-9, 10)).append('\n');
        }
        int diamonds = 1 + rnd.nextInt(2);
        for (int d = 0; d < diamonds; d++) {
            ops(s, rnd, rnd.nextInt(3));
            s.append("    ").append(COMPARE[rnd.nextInt(COMPARE.length)]).append(" r7, r")
                    .append(2 + rnd.nextInt(5)).append(", r").append(2 + rnd.nextInt(5)).append('\n');
            if (rnd.nextInt(4) == 0) {
                s.append("    bool.not r7, r7\n");
            }
            String a = name + "_a" + d;
            String b = name + "_b" + d;
            String j = name + "_j" + d;
            s.append("    br r7, ").append(a).append(", ").append(b).append('\n');
            s.append(a).append(":\n");
            ops(s, rnd, rnd.nextInt(4));
            if (rnd.nextInt(4) == 0) {
                s.append("    ret r0, [r").append(3 + rnd.nextInt(4)).append("]\n");
            } else {
                s.append("    jmp ").append(j).append('\n');
            }
            s.append(b).append(":\n");
            ops(s, rnd, rnd.nextInt(4));
            s.append("    jmp ").append(j).append('\n');
            s.append(j).append(":\n");
        }
        s.append("    mov r6, r").append(3 + rnd.nextInt(4)).append('\n');
        s.append("    ret r0, [r6]\n}\n");
    }

    /** {@code n} random operations on r1..r6 into r3..r6 (shift counts are masked, so none traps). */
    private static void ops(StringBuilder s, SplittableRandom rnd, int n) {
        for (int k = 0; k < n; k++) {
            int dst = 3 + rnd.nextInt(4);
            int a = 2 + rnd.nextInt(5);
            int b = 2 + rnd.nextInt(5);
            if (rnd.nextInt(6) == 0) {
                s.append("    const.i64 r").append(dst).append(", ").append(rnd.nextInt(100)).append('\n');
            } else if (rnd.nextInt(6) == 0) {
                s.append("    mov r").append(dst).append(", r").append(a).append('\n');
            } else {
                s.append("    ").append(BINARY[rnd.nextInt(BINARY.length)]).append(" r").append(dst).append(", r")
                        .append(a).append(", r").append(b).append('\n');
            }
        }
    }

    /**
     * A program: {@code main(n, x, d)} calls {@code wide} (many registers, which raise the
     * register high-water mark; even seeds only), then recurses {@code d} deep through {@code deep}, which then
     * loops {@code n} times over direct calls of the leaves {@code leaf0..}, a {@code call.indirect}
     * of a func value, and a {@code call.indirect} of one of three closures chosen by
     * {@code i % 3} (two over leaves, one over {@code heavy}, which divides and is no leaf); some
     * programs divide by {@code n - i - t} in the loop, trapping {@code div_by_zero} after some
     * inlined calls.
     */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int leaves = 1 + rnd.nextInt(3);
        StringBuilder s = new StringBuilder("program leafy\ncallsig bin = (i64, i64) -> (i64)\n"
                + "callsig un = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        if (seed % 2 == 0) {
            s.append("    call r0, wide, r0, [r2] -> [r4]\n");
        } else {
            // no wide frame first: the leaves' first calls grow the register files (or trap)
            s.append("    mov r4, r2\n");
        }
        s.append("    call r0, deep, r0, [r1, r4, r3] -> [r4]\n    ret r0, [r4]\n}\n");
        // many registers at depth 2 (in even seeds' programs): the register high-water mark then
        // covers the leaves' calls deeper down, so only the depth decides there whether a call may
        // run inline
        s.append("func wide(x: i64) -> (i64) {\n");
        for (int r = 2; r < WIDE; r++) {
            s.append("    const.i64 r").append(r).append(", ").append(r).append('\n');
        }
        s.append("    i64.add r1, r1, r").append(WIDE - 1).append("\n    ret r0, [r1]\n}\n");
        s.append("func deep(n: i64, x: i64, d: i64) -> (i64) {\n");
        s.append("    const.i64 r4, 0\n    i64.le r5, r3, r4\n    br r5, bottom, down\ndown:\n");
        s.append("    const.i64 r4, 1\n    i64.sub r6, r3, r4\n");
        s.append("    call r0, deep, r0, [r1, r2, r6] -> [r7]\n    ret r0, [r7]\nbottom:\n");
        s.append("    call r0, loop, r0, [r1, r2] -> [r7]\n    ret r0, [r7]\n}\n");
        s.append("func loop(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.func r3, leaf").append(rnd.nextInt(leaves)).append('\n');
        s.append("    const.func r4, cl0\n    const.func r5, cl1\n    const.func r20, heavy\n");
        s.append("    const.i64 r6, ").append(rnd.nextInt(50)).append("\n    tuple.new r7, [r6]\n");
        s.append("    closure.new r8, r4, r7\n    closure.new r9, r5, r7\n    closure.new r21, r20, r7\n");
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    mov r12, r2\n    const.i64 r13, 3\n    jmp loop\n");
        s.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n");
        int calls = 1 + rnd.nextInt(3);
        for (int c = 0; c < calls; c++) {
            s.append("    call r0, leaf").append(rnd.nextInt(leaves)).append(", r0, [r12, r10] -> [r15]\n");
            s.append("    i64.add r12, r12, r15\n");
        }
        s.append("    call.indirect r0, bin, r3, r0, [r12, r10] -> [r15]\n    i64.xor r12, r12, r15\n");
        // one of three closures by i % 3
        s.append("    i64.rem r16, r10, r13\n    const.i64 r17, 0\n    i64.eq r18, r16, r17\n");
        s.append("    br r18, pick0, not0\npick0:\n    mov r19, r8\n    jmp call\nnot0:\n");
        s.append("    const.i64 r17, 1\n    i64.eq r18, r16, r17\n    br r18, pick1, pick2\n");
        s.append("pick1:\n    mov r19, r9\n    jmp call\npick2:\n    mov r19, r21\n    jmp call\ncall:\n");
        s.append("    call.indirect r0, un, r19, r0, [r12] -> [r15]\n    i64.add r12, r12, r15\n");
        if (rnd.nextInt(3) == 0) {
            s.append("    i64.sub r17, r1, r10\n    const.i64 r22, ").append(1 + rnd.nextInt(6)).append('\n');
            s.append("    i64.sub r17, r17, r22\n    i64.div r17, r12, r17\n    i64.add r12, r12, r17\n");
        }
        s.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        for (int l = 0; l < leaves; l++) {
            s.append("func leaf").append(l).append("(a: i64, b: i64) -> (i64) {\n");
            leafBody(s, rnd, "leaf" + l, false);
        }
        for (int l = 0; l < 2; l++) {
            s.append("func cl").append(l).append("(env: agg tuple(i64), a: i64) -> (i64) {\n");
            leafBody(s, rnd, "cl" + l, true);
        }
        s.append("func heavy(env: agg tuple(i64), a: i64) -> (i64) {\n    tuple.get r3, r1, 0\n"
                + "    const.i64 r4, 7\n    i64.div r5, r2, r4\n    i64.add r5, r5, r3\n    ret r0, [r5]\n}\n");
        return new Generated(s.toString(), 7 + leaves, 2 + rnd.nextInt(5), rnd.nextLong(1000), rnd.nextInt(4));
    }

    static VerifiedProgram verified(String source) throws Exception {
        return Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "leafy.tasm"));
    }

    /** Both tiers, every function compiled before the runs. */
    static Tiers tiers(Generated g) throws Exception {
        Tiers t = Tiers.of(verified(g.source()), Host.NONE);
        Jit.precompile(t.compiled);
        assertEquals(g.functions(), Jit.compiledFunctions(t.compiled), g.source());
        return t;
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()), Value.i64(g.depth()));
    }

    /** Every fuel limit up to what the run uses (and one above), on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        int trapped = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            if (full.trap() != null) {
                trapped++;
            }
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args(g), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        assertTrue(trapped >= 5, "runs that trapped (div_by_zero after inlined calls): " + trapped);
    }

    /** Every call-depth limit and register limits around what the run needs, on both tiers. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        int heapTraps = 0;
        for (long seed = 100; seed < 140; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            for (long d = 0; d <= g.depth() + 4; d++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 1; regs <= 200; regs++) {
                Tiers.Outcome o = t.check(0, args(g), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                if (o.trap() != null && o.trap().toString().contains("heap_limit")) {
                    heapTraps++;
                }
            }
        }
        assertTrue(heapTraps >= 100, "runs that ran out of registers: " + heapTraps);
    }

    /**
     * Paused at every fuel slice of random sizes: both tiers pause at the same instruction (inside
     * leaves too, whose real call runs when the slice is short) with the same frames, written
     * registers, fuel and snapshot bytes, and runs restored from the snapshots end alike.
     */
    @Test
    void pausedAtEverySlice() throws Exception {
        int inLeaf = 0;
        for (long seed = 200; seed < 240; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            long slice = 1 + new SplittableRandom(seed).nextInt(30);
            int[] deeper = {0};
            long bottom = g.depth() + 3; // main, deep x (depth + 1), loop
            t.lockstep(0, args(g), slice, 5, what + " slice " + slice, (a, b, pause) -> {
                if (b.depth() > bottom) {
                    deeper[0]++;
                }
            });
            inLeaf += deeper[0];
        }
        // pauses inside the leaves (the guard failed and the real call ran)
        assertTrue(inLeaf >= 100, "pauses inside leaves: " + inLeaf);
    }
}
