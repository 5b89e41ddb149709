package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@code FuelCover} (a block's fuel test covering its single-predecessor successors)
 * with random control-flow graphs rather than {@code JitFuelCoverTest}'s fixed fib shape: chains
 * of {@code jmp}s and {@code br}s (A covers B, B's successor C; deeper chains), a {@code br}
 * whose two targets are one block, covered blocks of up to 12 instructions next to covering
 * blocks of 1, covered blocks that end in a direct call (of a leaf the compiler may inline or of
 * {@code f} itself), a {@code call.indirect}, a {@code ret}, or trap in the middle ({@code
 * i64.div} by 0), loop back-edges into blocks whose other predecessor is a single {@code br}, and
 * blocks entered by falling through after a call (a call's return point). Both tiers must end
 * alike (result or trap with its pc and stack, fuel left, heap) at every fuel limit and every
 * call-depth and register limit, and pause at every slice of 1 to 12 with equal snapshots,
 * restored on both tiers.
 */
class AttackFuelCoverTest {
    /**
     * A random program: {@code f(n, x)} of 4 to 12 random blocks (forward {@code br}/{@code jmp},
     * bounded back-edges, calls, returns), a leaf {@code g} and {@code h} called indirectly.
     *
     * @param seed the seed
     * @return its text and {@code f}'s arguments
     */
    static Tiers.Generated program(long seed) {
        return program(seed, false);
    }

    /**
     * {@link #program(long)}, with host calls when {@code hosts}: a one-to-three-word {@code w.f1}
     * among the padding (a block that makes one is neither covered nor covering) and {@code
     * w.charge} ending blocks (it charges fuel and returns the fuel it saw, so a fuel local off by
     * a block's length shows in the result).
     */
    static Tiers.Generated program(long seed, boolean hosts) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int blocks = 4 + rnd.nextInt(9);
        StringBuilder s = new StringBuilder("program attackcover\ncallsig unary = (i64) -> (i64)\n")
                .append(hosts ? "host f1 = \"w.f1\" (i64) -> (i64)\nhost ch = \"w.charge\" (i64) -> (i64)\n" : "")
                .append("func f(n: i64, x: i64) -> (i64) {\n")
                .append("    const.i64 r3, 2\n    const.i64 r5, 1\n    const.i64 r10, 0\n")
                .append("    const.i64 r12, 7\n    const.i64 r13, 0\n    const.i64 r14, ")
                .append(1 + rnd.nextInt(4)).append('\n')
                .append("    const.func r15, h\n    const.i64 r6, 0\n    const.i64 r9, 0\n    const.i64 r11, 0\n    i64.eq r16, r13, r13\n");
        for (int b = 0; b < blocks; b++) {
            if (b > 0) {
                s.append("b").append(b).append(":\n");
            }
            pad(s, rnd, b == 0 ? 2 : 12, hosts);
            int last = blocks - 1;
            if (b == last) {
                s.append("    ret r0, [r2]\n");
                continue;
            }
            int kind = rnd.nextInt(hosts ? 12 : 10);
            int t1 = b + 1 + rnd.nextInt(last - b);
            int t2 = b + 1 + rnd.nextInt(last - b);
            switch (kind) {
                case 0, 1, 2 -> s.append("    i64.and r11, r2, r5\n    i64.eq r16, r11, r5\n    br r16, b").append(t1).append(", b").append(t2)
                        .append('\n');
                case 3, 4 -> s.append("    jmp b").append(t1).append('\n');
                case 5 -> {
                    // a bounded back-edge: to an earlier block (or this one), else on
                    int back = rnd.nextInt(b + 1);
                    s.append("    i64.add r10, r10, r5\n    i64.lt r16, r10, r14\n    br r16, ")
                            .append(back == 0 ? "b" + (b + 1) : "b" + back).append(", b").append(b + 1).append('\n');
                }
                case 6 -> s.append("    call r0, g, r0, [r2] -> [r2]\n    jmp b").append(b + 1).append('\n');
                case 7 -> s.append("    call.indirect r0, unary, r15, r0, [r2] -> [r2]\n    jmp b").append(b + 1)
                        .append('\n');
                case 8 -> {
                    // recursion while n > 0: the call ends this block, its return point falls through
                    s.append("    i64.lt r16, r13, r1\n    br r16, c").append(b).append(", b").append(b + 1)
                            .append("\nc").append(b).append(":\n    i64.sub r6, r1, r5\n")
                            .append("    call r0, f, r0, [r6, r2] -> [r9]\n    i64.add r2, r2, r9\n")
                            .append("    jmp b").append(b + 1).append('\n');
                }
                case 9 -> s.append("    ret r0, [r2]\n");
                default -> s.append("    host_call r0, ch, r0, [r2] -> [r11]\n    i64.add r2, r2, r11\n    jmp b")
                        .append(b + 1).append('\n');
            }
        }
        s.append("}\nfunc g(x: i64) -> (i64) {\n    const.i64 r2, 3\n    i64.mul r3, r1, r2\n")
                .append("    i64.and r4, r3, r2\n    i64.eq r5, r4, r2\n    br r5, odd, even\nodd:\n    i64.add r3, r3, r2\n")
                .append("    ret r0, [r3]\neven:\n    i64.sub r3, r3, r2\n    ret r0, [r3]\n}\n")
                .append("func h(x: i64) -> (i64) {\n    const.i64 r2, 5\n    i64.xor r3, r1, r2\n    jmp k\n")
                .append("k:\n    i64.add r3, r3, r2\n    ret r0, [r3]\n}\n");
        long n = rnd.nextInt(3);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(n), Value.i64(1 + rnd.nextInt(60))));
    }

    /**
     * Up to {@code max} instructions that change r2, one in ten a division that traps when x % 7
     * is 0, and a {@code w.f1} call when {@code hosts}.
     */
    private static void pad(StringBuilder s, SplittableRandom rnd, int max, boolean hosts) {
        for (int k = rnd.nextInt(max + 1); k > 0; k--) {
            switch (rnd.nextInt(hosts ? 11 : 10)) {
                case 10 -> s.append("    host_call r0, f1, r0, [r2] -> [r2]\n");
                case 0 -> s.append("    i64.rem r9, r2, r12\n    i64.div r9, r2, r9\n    i64.add r2, r2, r9\n");
                case 1, 2, 3 -> s.append("    i64.add r2, r2, r5\n");
                case 4, 5 -> s.append("    i64.xor r2, r2, r3\n");
                default -> s.append("    i64.add r2, r2, r1\n");
            }
        }
    }

    /** Every fuel limit from 0 to one past what the run uses (and heap limits), on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 400, AttackFuelCoverTest::program, (g, vp, t, full, what) ->
                assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
    }

    /** Every call-depth limit from 0 to 4, then every register limit from 1 to 80. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(1000, 1100, AttackFuelCoverTest::program);
    }

    /** f1(a) = 3a + 1 (one word: does not end its block); w.charge(a) charges a mod 3 and returns the fuel it saw. */
    static HostRegistry host() {
        Signature s1 = Signature.of(List.of(I64), List.of(I64));
        return new HostRegistry()
                .registerWords("w.f1", s1, a -> a * 3 + 1)
                .registerWordArrays("w.charge", s1, (args, results, ctx) -> {
                    ctx.chargeFuel(Math.floorMod(args[0], 3));
                    results[0] = ctx.fuelRemaining() & 0xFFFF;
                });
    }

    /**
     * With host calls: every fuel limit, and pauses at every slice of 1 to 12 with snapshots
     * compared and restored on both tiers (the host's results tell the fuel it saw).
     */
    @Test
    void withHostCallsEveryFuelAndPause() throws Exception {
        int pauses = 0;
        for (long seed = 3000; seed < 3250; seed++) {
            Tiers.Generated g = program(seed, true);
            VerifiedProgram vp = JitLeafInlineTest.verified(g.source());
            Tiers t = Tiers.ofWords(vp, host());
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            t.everyFuel(0, g.args(), full, what);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, g.args(), slice, 2, what + " slice " + slice, (a, b, pause) -> { });
        }
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }

    /** Pauses at every slice of 1 to 12 fuel, snapshots compared and restored on both tiers. */
    @Test
    void pausesEverywhere() throws Exception {
        int pauses = Tiers.pauseSweep(2000, 2300, AttackFuelCoverTest::program);
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }
}
