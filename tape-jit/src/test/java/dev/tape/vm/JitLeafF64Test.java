package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leaves with f64 arithmetic ({@code f64.add}, {@code sub}, {@code mul}, {@code div}) run inline in
 * the caller's method ({@code LeafInliner}) with the interpreter's bits: the inlined body calls the
 * same {@code Numerics} methods, so NaN payloads (canonical or not, quiet or signalling), infinities,
 * signed zeros, subnormals, overflow and division by zero come out alike on both tiers. Random
 * leaves over such constants are called in a loop directly and through {@code call.indirect} of
 * two closures picked by {@code i % 2} (one over a leaf with an f64 environment, one over a
 * function that calls, no leaf), from under a recursion of random depth. Both tiers agree in
 * result bits or trap (kind, pc, stack), fuel and heap bytes at every fuel limit, every call-depth
 * limit and register limit around what the run needs, and paused at every slice of a random size
 * (frames, registers, fuel, snapshot bytes; runs restored from the snapshots).
 */
class JitLeafF64Test {
    /** One generated program and its entry's arguments. */
    record Generated(String source, long n, long xBits, long depth) {}

    /** f64 constants as the assembler writes them: the edge cases of IEEE arithmetic. */
    private static final String[] CONSTANTS = {"nan", "inf", "-inf", "0.0", "-0.0", "1e308", "-1e308",
        "4.9e-324", "2.2250738585072014e-308", "0x7ff8000000000123", "0xfff0000000000001", "0x7ff0000000000abc",
        "1.5", "-3.25", "0.1", "3.0", "1e-300"};
    /** the same edge cases as arguments */
    private static final long[] ARGS = {Double.doubleToRawLongBits(0.5), Double.doubleToRawLongBits(-0.0),
        0x7ff8000000000777L, 0xfff4000000000001L, Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
        Double.doubleToRawLongBits(1e300), Double.doubleToRawLongBits(Double.MIN_VALUE),
        Double.doubleToRawLongBits(7.25)};
    private static final String[] ARITH = {"f64.add", "f64.sub", "f64.mul", "f64.div"};
    private static final String[] COMPARE = {"f64.lt", "f64.le", "f64.gt", "f64.ge", "f64.eq"};

    /** {@code n} random f64 operations on r1..r6 into r3..r6 (every one of the four at least once per leaf, mostly). */
    private static void ops(StringBuilder s, SplittableRandom rnd, int n, int lowest) {
        for (int k = 0; k < n; k++) {
            int dst = 3 + rnd.nextInt(4);
            int a = lowest + rnd.nextInt(7 - lowest);
            int b = lowest + rnd.nextInt(7 - lowest);
            s.append("    ").append(ARITH[rnd.nextInt(ARITH.length)]).append(" r").append(dst).append(", r")
                    .append(a).append(", r").append(b).append('\n');
        }
    }

    /**
     * A leaf's body after its arguments (for a closure, the environment's element first into r3):
     * constants into the rest of r3..r6, operations, a diamond on an f64 compare whose arms differ
     * in length (one sometimes returning early), the result: at most 32 instructions.
     */
    private static void leafBody(StringBuilder s, SplittableRandom rnd, String name, boolean env) {
        int first = 3;
        if (env) {
            s.append("    tuple.get r3, r1, 0\n");
            first = 4;
        }
        for (int r = first; r <= 6; r++) {
            s.append("    const.f64 r").append(r).append(", ").append(CONSTANTS[rnd.nextInt(CONSTANTS.length)])
                    .append('\n');
        }
        int lowest = env ? 2 : 1; // a closure's r1 is its environment
        ops(s, rnd, 2 + rnd.nextInt(4), lowest);
        s.append("    ").append(COMPARE[rnd.nextInt(COMPARE.length)]).append(" r7, r").append(3 + rnd.nextInt(4))
                .append(", r").append(lowest + rnd.nextInt(7 - lowest)).append('\n');
        s.append("    br r7, ").append(name).append("_a, ").append(name).append("_b\n");
        s.append(name).append("_a:\n");
        ops(s, rnd, rnd.nextInt(4), lowest);
        if (rnd.nextInt(3) == 0) {
            s.append("    ret r0, [r").append(3 + rnd.nextInt(4)).append("]\n");
        } else {
            s.append("    jmp ").append(name).append("_j\n");
        }
        s.append(name).append("_b:\n");
        ops(s, rnd, rnd.nextInt(4), lowest);
        s.append("    jmp ").append(name).append("_j\n");
        s.append(name).append("_j:\n");
        s.append("    ret r0, [r").append(3 + rnd.nextInt(4)).append("]\n}\n");
    }

    /**
     * {@code main(n, x, d)} recurses {@code d} deep, then {@code loop} calls {@code leaf} directly
     * and a closure picked by {@code i % 2} (over {@code cl}, a leaf reading its f64 environment,
     * or over {@code heavy}, which calls {@code leaf} and so is no leaf), {@code n} times.
     */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program f64leaf\ncallsig un = (f64) -> (f64)\n");
        s.append("func main(n: i64, x: f64, d: i64) -> (f64) {\n    const.i64 r4, 0\n    i64.le r5, r3, r4\n");
        s.append("    br r5, bottom, down\ndown:\n    const.i64 r4, 1\n    i64.sub r6, r3, r4\n");
        s.append("    call r0, main, r0, [r1, r2, r6] -> [r7]\n    ret r0, [r7]\nbottom:\n");
        s.append("    call r0, loop, r0, [r1, r2] -> [r7]\n    ret r0, [r7]\n}\n");
        s.append("func loop(n: i64, x: f64) -> (f64) {\n    const.func r3, cl\n    const.func r4, heavy\n");
        s.append("    const.f64 r5, ").append(CONSTANTS[rnd.nextInt(CONSTANTS.length)]).append('\n');
        s.append("    tuple.new r6, [r5]\n    closure.new r7, r3, r6\n    closure.new r8, r4, r6\n");
        s.append("    const.i64 r9, 0\n    const.i64 r10, 1\n    mov r11, r2\n    const.i64 r13, 2\n    jmp loop\n");
        s.append("loop:\n    i64.lt r12, r9, r1\n    br r12, body, done\nbody:\n");
        s.append("    call r0, leaf, r0, [r11, r2] -> [r14]\n");
        s.append("    i64.rem r15, r9, r13\n    const.i64 r16, 0\n    i64.eq r17, r15, r16\n");
        s.append("    br r17, pick0, pick1\npick0:\n    mov r18, r7\n    jmp call\npick1:\n    mov r18, r8\n");
        s.append("    jmp call\ncall:\n    call.indirect r0, un, r18, r0, [r14] -> [r11]\n");
        s.append("    i64.add r9, r9, r10\n    jmp loop\ndone:\n    ret r0, [r11]\n}\n");
        s.append("func leaf(a: f64, b: f64) -> (f64) {\n");
        leafBody(s, rnd, "leaf", false);
        s.append("func cl(env: agg tuple(f64), a: f64) -> (f64) {\n");
        leafBody(s, rnd, "cl", true);
        s.append("func heavy(env: agg tuple(f64), a: f64) -> (f64) {\n    tuple.get r3, r1, 0\n"
                + "    call r0, leaf, r0, [r2, r3] -> [r4]\n    ret r0, [r4]\n}\n");
        return new Generated(s.toString(), 1 + rnd.nextInt(6), ARGS[rnd.nextInt(ARGS.length)], rnd.nextInt(3));
    }

    private static VerifiedProgram verified(Generated g) {
        return Tiers.verified(JitCornerCasesTest.asm(g.source()));
    }

    /** Both tiers, every function compiled before the runs. */
    private static Tiers tiers(Generated g) {
        Tiers t = Tiers.of(verified(g), Host.NONE);
        Jit.precompile(t.compiled);
        return t;
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.f64Bits(g.xBits()), Value.i64(g.depth()));
    }

    /** The loop's direct call of {@code leaf} and its {@code call.indirect} of {@code cl} both run inline. */
    @Test
    void f64LeavesAreInlined() {
        for (long seed = 0; seed < 20; seed++) {
            Generated g = program(seed);
            // functions: main 0, loop 1
            assertEquals(2, JitLeafInlinedTest.inlinedSites(verified(g), 1), g.source());
        }
    }

    /** Every fuel limit up to what the run uses (and one above), on both tiers, result bits included. */
    @Test
    void everyFuelLimit() {
        int nan = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            if (full.trap() == null && full.results().get(0) instanceof Value.F64 f
                    && Double.isNaN(Double.longBitsToDouble(f.bits()))) {
                nan++;
            }
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, args(g), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        assertTrue(nan >= 5, "runs whose result is a NaN: " + nan);
    }

    /** Every call-depth limit and register limits around what the run needs, on both tiers. */
    @Test
    void everyDepthAndRegisterLimit() {
        int heapTraps = 0;
        for (long seed = 100; seed < 130; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            for (long d = 0; d <= g.depth() + 3; d++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 1; regs <= 80; regs++) {
                Tiers.Outcome o = t.check(0, args(g), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                if (o.trap() != null && o.trap().toString().contains("heap_limit")) {
                    heapTraps++;
                }
            }
        }
        assertTrue(heapTraps >= 100, "runs that ran out of registers: " + heapTraps);
    }

    /** Paused at every slice of a random size: same frames, registers, fuel and snapshot bytes; restored runs end alike. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (long seed = 200; seed < 230; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            int[] count = {0};
            t.lockstep(0, args(g), slice, 3, "seed " + seed + " slice " + slice + "\n" + g.source(),
                    (a, b, pause) -> count[0]++);
            pauses += count[0];
        }
        assertTrue(pauses >= 100, "pauses: " + pauses);
    }
}
