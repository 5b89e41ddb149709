package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.CodeImage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on call28's {@code LeafLoop} (attack-c28): the interpreter hands every direct call of a
 * small leaf ({@code CodeImage.runEntries}, {@code ~entry ^ HOT}) to {@code LeafLoop}, which then
 * runs the caller on. Random programs whose {@code main(n, x)} loops {@code n} times over two to
 * seven sites drawn from: direct calls of leaves of 0 and 1 arguments and results, of two
 * arguments and two results, of 255 arguments and 255 results (past the free copies), of no
 * arguments and no results, of exactly {@link CodeImage#LEAF_MAX} instructions and of one over (no
 * leaf), of a leaf whose registers reach 2 to 700 (the register files' growth edges, the
 * {@code hotGrow} stop); {@code call.indirect} of a leaf's func value and of a closure over a leaf;
 * a recursion that alternates leaf and non-leaf calls; f64 chains ({@code FloatRun}, with
 * {@code f64.to_i64}, which traps out of range), decimal chains ({@code DecimalRun}, a
 * {@code dec.mul} whose scale overflows after some trips), tuple chains ({@code TupleRun}) and an
 * {@code i64.div} that traps at one trip. Each program must end alike (result or trap with kind,
 * function, pc, span and stack; fuel; heap) on the interpreter, the compiled tier and the
 * interpreter with calls traced (which never enters {@code LeafLoop}), at every fuel limit of the
 * run, every call-depth limit 0 to 8, register limits from 1 past the deepest need, and paused in
 * slices of 1 to 12 fuel with snapshots restored on both tiers. By hand: a leaf at entry 0 called
 * directly and through its func value; recursions 0 to 40 deep past the first frame records and
 * register files, one alternating a function {@code CallLoop} takes with one it does not, one whose
 * register mark a wide leaf raised first (so only the frame records stop {@code LeafLoop}: the
 * test that fails when {@code LeafLoop} drops its frame-record check).
 */
class AttackLeafLoopTest {
    /** One program, its entry's arguments, and a register bound past what its deepest frame needs. */
    record Program(String source, List<Value> args, int regs) {}

    static Program program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int wide = 2 + rnd.nextInt(700);
        StringBuilder s = new StringBuilder("program leafloop\ncallsig one = (i64) -> (i64)\n");
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r3, 0\n    const.i64 r4, 1\n    mov r5, r2\n");
        s.append("    const.func r6, l1\n    tuple.new r7, []\n    const.func r8, lc\n    closure.new r9, r8, r7\n");
        s.append("    const.decimal r34, ").append(rnd.nextInt(40) - 20).append(", ").append(rnd.nextInt(3)).append('\n');
        s.append("    const.decimal r35, ").append(1 + rnd.nextInt(9)).append(", ").append(rnd.nextInt(4)).append('\n');
        s.append("    jmp loop\nloop:\n    i64.lt r12, r3, r1\n    br r12, body, done\nbody:\n");
        int sites = 2 + rnd.nextInt(6);
        boolean big = false;
        for (int u = 0; u < sites; u++) {
            switch (rnd.nextInt(16)) {
                case 0, 1 -> s.append("    call r0, l1, r0, [r5] -> [r5]\n");
                case 2 -> s.append("    call r0, l0, r0, [] -> [r10]\n    i64.add r5, r5, r10\n");
                case 3 -> s.append("    call r0, lv, r0, [r5] -> []\n    call r0, nil, r0, [] -> []\n");
                case 4 -> s.append("    call r0, l2, r0, [r5, r3] -> [r10, r11]\n    i64.xor r5, r10, r11\n");
                case 5 -> s.append("    call r0, l8, r0, [r5] -> [r5]\n");
                case 6 -> s.append("    call r0, l9, r0, [r5] -> [r5]\n");
                case 7 -> s.append("    call r0, lw, r0, [r3] -> [r10]\n    i64.add r5, r5, r10\n");
                case 8 -> s.append("    call.indirect r0, one, r6, r0, [r5] -> [r5]\n");
                case 9 -> s.append("    call.indirect r0, one, r9, r0, [r5] -> [r5]\n");
                case 10 -> s.append("    const.i64 r13, ").append(rnd.nextInt(4)).append('\n')
                        .append("    call r0, rec, r0, [r13, r5] -> [r5]\n");
                case 11 -> {
                    s.append("    i64.to_f64 r30, r5\n    f64.mul r31, r30, r30\n    f64.add r31, r31, r30\n");
                    // f64.to_bits gives a u64, kept; f64.to_i64 traps out of range
                    s.append(rnd.nextBoolean() ? "    f64.to_bits r19, r31\n" : "    f64.to_i64 r14, r31\n    i64.xor r5, r5, r14\n");
                }
                case 12 -> {
                    s.append("    dec.add r34, r34, r35\n    i64.to_dec r36, r3, 1\n    dec.add r36, r36, r34\n");
                    if (rnd.nextInt(3) == 0) {
                        s.append("    dec.mul r34, r34, r35\n");
                    }
                    s.append("    dec.to_i64 r15, r36\n    i64.add r5, r5, r15\n");
                }
                case 13 -> s.append("    tuple.new r38, [r5, r3]\n    tuple.get r16, r38, 1\n    i64.add r5, r5, r16\n");
                case 14 -> s.append("    const.i64 r17, ").append(rnd.nextInt(8)).append('\n')
                        .append("    i64.sub r17, r3, r17\n    i64.div r18, r5, r17\n    i64.xor r5, r5, r18\n");
                default -> {
                    big = true;
                    int k = 1 + rnd.nextInt(255);
                    s.append("    call r0, big, r0, [");
                    for (int i = 0; i < 255; i++) {
                        s.append(i == 0 ? "" : ", ").append(i % 3 == 0 ? "r5" : i % 3 == 1 ? "r3" : "r2");
                    }
                    s.append("] -> [");
                    for (int i = 0; i < 255; i++) {
                        s.append(i == 0 ? "" : ", ").append('r').append(40 + i);
                    }
                    s.append("]\n    i64.add r5, r5, r").append(39 + k).append('\n');
                }
            }
        }
        s.append("    i64.add r3, r3, r4\n    jmp loop\ndone:\n    ret r0, [r5]\n}\n");
        s.append("func l1(x: i64) -> (i64) {\n    const.i64 r2, ").append(rnd.nextInt(9) - 4)
                .append("\n    i64.add r2, r1, r2\n    ret r0, [r2]\n}\n");
        s.append("func l0() -> (i64) {\n    const.i64 r1, ").append(rnd.nextLong()).append("\n    ret r0, [r1]\n}\n");
        s.append("func lv(x: i64) -> () {\n    ret r0, []\n}\n");
        s.append("func nil() -> () {\n    ret r0, []\n}\n");
        s.append("func l2(a: i64, b: i64) -> (i64, i64) {\n    i64.add r3, r1, r2\n    i64.sub r4, r1, r2\n");
        s.append("    ret r0, [r3, r4]\n}\n");
        // seven instructions and the ret: LEAF_MAX; one more: no leaf
        String seven = "    i64.mul r2, r1, r1\n    i64.xor r2, r2, r1\n    i64.and r3, r2, r1\n    i64.or r2, r2, r3\n"
                + "    i64.mul r2, r2, r3\n    i64.xor r2, r2, r1\n    i64.add r2, r2, r1\n";
        s.append("func l8(x: i64) -> (i64) {\n").append(seven).append("    ret r0, [r2]\n}\n");
        s.append("func l9(x: i64) -> (i64) {\n").append(seven).append("    i64.sub r2, r2, r1\n    ret r0, [r2]\n}\n");
        s.append("func lw(x: i64) -> (i64) {\n    const.i64 r").append(wide).append(", 5\n");
        s.append("    i64.mul r1, r1, r").append(wide).append("\n    ret r0, [r1]\n}\n");
        s.append("func lc(env: agg tuple(), x: i64) -> (i64) {\n    i64.add r3, r2, r2\n    ret r0, [r3]\n}\n");
        // rec(k, x): k > 0: x = l1(x); x = rec(k - 1, x); x = l2(x, k).0
        s.append("func rec(k: i64, x: i64) -> (i64) {\n    const.i64 r3, 0\n    i64.le r4, r1, r3\n");
        s.append("    br r4, out, deeper\ndeeper:\n    call r0, l1, r0, [r2] -> [r2]\n    const.i64 r3, 1\n");
        s.append("    i64.sub r5, r1, r3\n    call r0, rec, r0, [r5, r2] -> [r2]\n");
        s.append("    call r0, l2, r0, [r2, r1] -> [r2, r6]\n    jmp out\nout:\n    ret r0, [r2]\n}\n");
        s.append("func big(");
        for (int i = 1; i <= 255; i++) {
            s.append(i == 1 ? "" : ", ").append('a').append(i).append(": i64");
        }
        s.append(") -> (");
        for (int i = 1; i <= 255; i++) {
            s.append(i == 1 ? "" : ", ").append("i64");
        }
        s.append(") {\n    ret r0, [");
        for (int i = 255; i >= 1; i--) {
            s.append('r').append(i).append(i == 1 ? "" : ", ");
        }
        s.append("]\n}\n");
        long x = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(2000) - 1000;
        int regs = (big ? 300 : 40) + 8 * 8 + Math.max(wide + 1, big ? 256 : 0) + 40;
        return new Program(s.toString(), List.of(Value.i64(rnd.nextInt(7)), Value.i64(x)), regs);
    }

    /** The interpreter with calls traced: its direct calls never enter LeafLoop. */
    private static Tiers.Outcome traced(Tiers t, Program p, Limits limits) {
        return Tiers.run(t.interpreted, null, new ExecutionContext(), 0, p.args(), limits, new AttackCallLoopTest.Calls());
    }

    private static void check(Tiers t, Program p, Limits limits, String what) {
        Tiers.Outcome o = t.check(0, p.args(), limits, what);
        Tiers.assertSame("interpreted", o, "calls traced", traced(t, p, limits), () -> what + " (traced, " + limits + ")");
    }

    /** The leaves are what the generator says: marked, of the lengths named, l9 no leaf. */
    @Test
    void theLeavesAreMarked() throws Exception {
        VerifiedProgram vp = JitLeafInlineTest.verified(program(0).source());
        CodeImage image = new Vm(vp, new dev.tape.host.HostRegistry()).image;
        int[] run = image.runEntries();
        // main l1 l0 lv nil l2 l8 l9 lw lc rec big
        for (int f : new int[] {1, 2, 3, 4, 5, 6, 8, 9, 11}) {
            assertTrue(image.leafLength(f) > 0, "leaf " + f);
            assertTrue(CodeImage.isHot(run[f]), "marked " + f);
            assertTrue(run[f] < 0, "LeafLoop's " + f);
            assertEquals(image.entry(f), (run[f] ^ (run[f] >> 31)) & (CodeImage.HOT - 1), "entry " + f);
        }
        assertEquals(CodeImage.LEAF_MAX, image.leafLength(6));
        assertEquals(0, image.leafLength(7));
        assertEquals(0, image.leafLength(10));
    }

    @Test
    void everyFuelDepthAndRegisterLimit() throws Exception {
        int traps = 0;
        for (long seed = 0; seed < 300; seed++) {
            Program p = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(p.source()), Host.NONE);
            String what = "seed " + seed + "\n" + p.source();
            Tiers.Outcome full = t.check(0, p.args(), Limits.DEFAULT, what);
            traps += full.trapped() ? 1 : 0;
            long used = full.used(Limits.DEFAULT);
            for (long fuel = 0; fuel <= used + 1; fuel += used > 3000 ? 1 + (fuel % 7) : 1) {
                check(t, p, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            for (long d = 0; d <= 8; d++) {
                check(t, p, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 1; regs <= p.regs(); regs += seed % 4 == 0 ? 1 : 5) {
                check(t, p, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
        }
        assertTrue(traps > 20, "programs that trap: " + traps);
    }

    @Test
    void pausedInSlicesRestoredOnBothTiers() throws Exception {
        int pauses = Tiers.pauseSweep(300, 400, seed -> {
            Program p = program(seed);
            return new Tiers.Generated(p.source(), p.args());
        });
        assertTrue(pauses > 1000, pauses + " pauses");
    }

    /**
     * A small leaf at entry 0 (function 0, {@code ~0 ^ HOT}), called directly and through its func
     * value from a loop in function 1, which runs: every fuel limit, both tiers and calls traced.
     */
    @Test
    void aLeafAtEntryZeroCalledDirectlyAndIndirectly() throws Exception {
        String src = """
                program zero
                callsig one = (i64) -> (i64)
                func leaf(x: i64) -> (i64) {
                    const.i64 r2, 3
                    i64.mul r2, r1, r2
                    ret r0, [r2]
                }
                func main(n: i64, x: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.func r6, leaf
                    jmp loop
                loop:
                    i64.lt r5, r3, r1
                    br r5, body, done
                body:
                    call r0, leaf, r0, [r2] -> [r2]
                    call.indirect r0, one, r6, r0, [r2] -> [r2]
                    i64.add r3, r3, r4
                    jmp loop
                done:
                    ret r0, [r2]
                }
                """;
        VerifiedProgram vp = JitLeafInlineTest.verified(src);
        CodeImage image = new Vm(vp, new dev.tape.host.HostRegistry()).image;
        assertEquals(0, image.entry(0));
        assertEquals(~0 ^ CodeImage.HOT, image.runEntries()[0]);
        Tiers t = Tiers.of(vp, Host.NONE);
        Program p = new Program(src, List.of(Value.i64(9), Value.i64(-5)), 20);
        Tiers.Outcome full = t.check(1, p.args(), Limits.DEFAULT, src);
        assertEquals(List.of(Value.i64(-5L * (long) Math.pow(9, 9))), full.results());
        for (long fuel = 0; fuel <= full.used(Limits.DEFAULT) + 1; fuel++) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome o = t.check(1, p.args(), limits, "fuel " + fuel);
            Tiers.assertSame("interpreted", o, "calls traced",
                    Tiers.run(t.interpreted, null, new ExecutionContext(), 1, p.args(), limits, new AttackCallLoopTest.Calls()),
                    () -> "traced, fuel");
        }
    }

    /**
     * A recursion 0 to 40 deep that alternates a function CallLoop takes ({@code even}, which calls
     * the leaf first) and one it does not ({@code odd}, which starts with an {@code i64.mul} and calls
     * the leaf last): past the first frame records (16) and the first register files (256), so calls
     * of the leaf from {@code execute}, from {@code CallLoop} and from {@code LeafLoop} stop for room
     * ({@code hotGrow}); and a descent in {@code LeafLoop} alone after a wide leaf raised the
     * register mark. Every call-depth limit to past the deepest, every register limit to past the
     * deepest need, fresh and reused contexts, both tiers and calls traced.
     */
    @Test
    void aRecursionAlternatingLeafAndNonLeafCallsAtEveryDepthAndRegisterLimit() throws Exception {
        String src = "program alternate\nfunc main(k: i64, x: i64) -> (i64) {\n"
                + "    call r0, even, r0, [r1, r2] -> [r3]\n    call r0, leaf, r0, [r3] -> [r3]\n    ret r0, [r3]\n}\n"
                + descent("even", "    const.i64 r3, 0\n    call r0, leaf, r0, [r2] -> [r2]\n", "    i64.le r4, r1, r3\n"
                        + "    br r4, out, deeper\n", "odd", false)
                + descent("odd", "    i64.mul r2, r2, r1\n    const.i64 r3, 0\n", "    i64.le r4, r1, r3\n"
                        + "    br r4, out, deeper\n", "even", true) + LEAF;
        // a wide leaf first raises the register mark past the whole recursion: then only the frame
        // records (16 at first) stop LeafLoop, which runs the descent through (down's ops are its own)
        String wideFirst = "program widefirst\nfunc main(k: i64, x: i64) -> (i64) {\n"
                + "    call r0, wide, r0, [r2] -> [r3]\n    call r0, leaf, r0, [r3] -> [r3]\n"
                + "    call r0, down, r0, [r1, r3] -> [r3]\n    ret r0, [r3]\n}\n"
                + descent("down", "    const.i64 r3, 0\n    call r0, leaf, r0, [r2] -> [r2]\n", "    i64.lt r4, r3, r1\n"
                        + "    br r4, deeper, out\n", "down", true) + LEAF
                + "func wide(x: i64) -> (i64) {\n    const.i64 r600, 7\n    i64.add r1, r1, r600\n    ret r0, [r1]\n}\n";
        int kinds = 0;
        for (String source : List.of(src, wideFirst)) {
            kinds |= everyDepthAndRegisterLimit(source);
        }
        assertEquals(3, kinds, "both register traps and results");
    }

    /** The leaf of the recursions: {@code x + 7}. */
    private static final String LEAF = "func leaf(x: i64) -> (i64) {\n    const.i64 r2, 7\n    i64.add r2, r1, r2\n"
            + "    ret r0, [r2]\n}\n";

    /**
     * {@code name(k, x)}: {@code head}, then {@code test} (to {@code out} when k is 0 or less, else to
     * {@code deeper}), {@code x = callee(k - 1, x)}, and {@code x = leaf(x)} after it when
     * {@code leafAfter}; returns x.
     */
    private static String descent(String name, String head, String test, String callee, boolean leafAfter) {
        return "func " + name + "(k: i64, x: i64) -> (i64) {\n" + head + test
                + "deeper:\n    const.i64 r3, 1\n    i64.sub r5, r1, r3\n    call r0, " + callee
                + ", r0, [r5, r2] -> [r2]\n" + (leafAfter ? "    call r0, leaf, r0, [r2] -> [r2]\n" : "")
                + "    jmp out\nout:\n    ret r0, [r2]\n}\n";
    }

    /** @return bit 0 when some register limit trapped, bit 1 when some ran to its end */
    private static int everyDepthAndRegisterLimit(String src) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(src), Host.NONE);
        ExecutionContext reusedI = new ExecutionContext();
        ExecutionContext reusedC = new ExecutionContext();
        int kinds = 0;
        for (long k : new long[] {0, 1, 14, 15, 16, 17, 40}) {
            List<Value> args = List.of(Value.i64(k), Value.i64(3));
            String what = "k " + k + "\n" + src;
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
            Program p = new Program(src, args, 0);
            for (long d = 0; d <= k + 4; d++) {
                check(t, p, Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 1; regs <= 8 * (int) k + (src.contains("r600") ? 700 : 60); regs++) {
                Limits limits = Limits.DEFAULT.withMaxRegisters(regs);
                Tiers.Outcome o = t.check(0, args, limits, what + " regs " + regs);
                Tiers.assertSame("fresh", o, "reused interpreted",
                        Tiers.run(t.interpreted, null, reusedI, 0, args, limits, null), () -> what + " reused");
                Tiers.assertSame("fresh", o, "reused compiled",
                        Tiers.run(t.compiled, null, reusedC, 0, args, limits, null), () -> what + " reused");
                Tiers.assertSame("interpreted", o, "calls traced",
                        Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits,
                                new AttackCallLoopTest.Calls()), () -> limits + " traced, " + what);
                kinds |= o.trapped() ? 1 : 2;
            }
            for (long fuel = 0; fuel <= full.used(Limits.DEFAULT) + 1; fuel += 1 + k / 8) {
                check(t, p, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        return kinds;
    }
}
