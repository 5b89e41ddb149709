package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the inlined callee loop's range-check elimination ({@code LoopBounds}, eleventh
 * round): random callee loops of the shapes it proves and of shapes just beside them (an index of
 * i64, read through a cast, or u64, reads of two arrays of different lengths or of one array
 * passed twice, reads before the compare on the first trip, after each of two raises, of a second
 * index {@code i + c}, a head at the callee's entry or entered by a jmp, a body before its head, a
 * second exit, an end read from {@code array.len}), and loops it must refuse (a step above
 * 2<sup>20</sup> or wrapping: 2<sup>63</sup> + 1, 2<sup>64</sup> - 3; the end raised on the loop;
 * the index added to itself; a step set before the loop and doubled on it), with starts and ends
 * at and around the arrays' bounds, negative, near 2<sup>32</sup>, 2<sup>62</sup>,
 * 2<sup>63</sup> and 2<sup>64</sup> minus the step; the caller calls it in its loop (LoopPeel's
 * two copies) and sometimes once after. Both tiers must agree (result or trap kind, pc and stack,
 * fuel, heap) at every fuel limit (sampled past 2,000) and call-depth limits 0 to 2. Checked
 * against scratch bugs in LoopBounds: an end or start test one too loose, no start test, the
 * first trip's offsets or the later trips' left out, an end written on the loop or a negative
 * step let through each fail the sweep.
 */
class AttackLoopBoundsTest {
    /** One program and its entry's arguments. */
    record Generated(String source, long n, long start, long end, boolean signed) {}

    private static long pick(SplittableRandom rnd, long... values) {
        return values[rnd.nextInt(values.length)];
    }

    /**
     * {@code main(n, k, e)}: builds arrays xs (1 to 16 elements) and ys (another length, or xs
     * again) per iteration and calls {@code walk(xs, ys, k, acc, e)}, then calls it once more after
     * its loop. Registers of walk: r1 xs, r2 ys, r3 index, r4 acc, r5 end.
     */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean signed = rnd.nextInt(4) == 0;
        String t = signed ? "i64" : "u64";
        int lx = 1 + rnd.nextInt(16);
        boolean same = rnd.nextInt(4) == 0;
        int ly = same ? lx : 1 + rnd.nextInt(16);
        int len = Math.min(lx, ly);
        long step = pick(rnd, 1, 1, 1, 2, 3, 7, 1L << 20);
        long step2 = pick(rnd, 1, 2, 5);
        boolean twoRaises = rnd.nextInt(3) == 0;
        long s = step + (twoRaises ? step2 : 0);
        boolean benign = rnd.nextInt(5) < 3;
        long start = benign ? rnd.nextInt(len + 1) : pick(rnd, 0, 0, 0, 1, 2, len - 1, len, len + 1, lx - 1, ly - 1, lx, ly, len - s, len - 1 - s,
                -1, -s, 1L << 31, 1L << 32, (1L << 32) - 1, 1L << 62, Long.MAX_VALUE, Long.MAX_VALUE - s + 1,
                Long.MIN_VALUE, -s - 1, Long.MIN_VALUE + 1);
        long end = benign ? rnd.nextInt(len + 1) + (rnd.nextInt(3) == 0 ? lx + ly - 2 * len : 0) : pick(rnd, len, len, len, len - 1, len + 1, lx, ly, lx - s, ly - s, 0, 1, len + s, len - 1 + s,
                len - s, 1L << 32, (1L << 32) + 1, 1L << 62, Long.MAX_VALUE, Long.MAX_VALUE - s + 1, Long.MIN_VALUE,
                -1, -s, -2);
        StringBuilder m = new StringBuilder("program bounds\narray A = i64\n");
        m.append("func main(n: i64, k: ").append(t).append(", e: ").append(t).append(") -> (i64) {\n");
        m.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    const.i64 r12, 0\n    jmp loop\n");
        m.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n    i64.add r15, r12, r10\n");
        String[] values = {"r10", "r12", "r15", "r11"};
        m.append("    array.new r20, A, [");
        for (int j = 0; j < lx; j++) {
            m.append(j == 0 ? "" : ", ").append(values[rnd.nextInt(values.length)]);
        }
        m.append("]\n");
        String ys = "r20";
        if (!same) {
            m.append("    array.new r21, A, [");
            for (int j = 0; j < ly; j++) {
                m.append(j == 0 ? "" : ", ").append(values[rnd.nextInt(values.length)]);
            }
            m.append("]\n");
            ys = "r21";
        }
        m.append("    mov r24, r2\n    mov r23, r3\n");
        m.append("    call r0, walk, r0, [r20, ").append(ys).append(", r24, r12, r23] -> [r12]\n");
        m.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n");
        boolean after = rnd.nextBoolean();
        if (after) {
            m.append("    array.new r20, A, [r12, r10]\n    mov r24, r2\n    mov r23, r3\n");
            m.append("    call r0, walk, r0, [r20, r20, r24, r12, r23] -> [r12]\n");
        }
        m.append("    ret r0, [r12]\n}\n");

        // walk
        StringBuilder w = new StringBuilder();
        w.append("func walk(xs: agg array A, ys: agg array A, j: ").append(t).append(", acc: i64, end: ")
                .append(t).append(") -> (total: i64) {\n");
        String lt = signed ? "i64.lt" : "u64.lt";
        String gt = signed ? "i64.gt" : "u64.gt";
        String add = signed ? "i64.add" : "u64.add";
        String cst = "const." + t;
        int endReg = 5;
        int endKind = rnd.nextInt(6);
        StringBuilder prelude = new StringBuilder();
        if (endKind == 0) {
            prelude.append("    array.len r16, r1\n");
            prelude.append(signed ? "    u64.to_i64 r17, r16\n" : "    mov r17, r16\n");
            endReg = 17;
        } else if (endKind == 1) {
            prelude.append("    array.len r16, r2\n");
            prelude.append(signed ? "    u64.to_i64 r17, r16\n" : "    mov r17, r16\n");
            prelude.append("    ").append(cst).append(" r18, 1\n    ").append(signed ? "i64.sub" : "u64.sub")
                    .append(" r17, r17, r18\n");
            endReg = 17;
        }
        String compareInit = rnd.nextInt(3) == 0 ? "    " + gt + " r7, r" + endReg + ", r3\n"
                : "    " + lt + " r7, r3, r" + endReg + "\n";
        String[] reads = {
            "    array.get r8, r1, r3\n    i64.add r4, r4, r8\n",
            "    array.get r8, r2, r3\n    i64.xor r4, r4, r8\n",
            "    array.get r8, r2, r3\n    i64.mul r4, r4, r8\n    array.get r9, r1, r3\n    i64.sub r4, r4, r9\n",
            "    " + cst + " r13, 1\n    " + add + " r19, r3, r13\n    array.get r8, r1, r19\n    i64.add r4, r4, r8\n",
            "",
        };
        if (signed) { // array.get takes a u64 index: an i64 index is read through a cast (which traps below 0)
            for (int r = 0; r < reads.length; r++) {
                reads[r] = reads[r].replace("array.get r8, r1, r3", "i64.to_u64 r22, r3\n    array.get r8, r1, r22")
                        .replace("array.get r8, r2, r3", "i64.to_u64 r22, r3\n    array.get r8, r2, r22")
                        .replace("array.get r9, r1, r3", "array.get r9, r1, r22")
                        .replace("array.get r8, r1, r19", "i64.to_u64 r22, r19\n    array.get r8, r1, r22");
            }
        }
        String pre = reads[rnd.nextInt(reads.length)];
        String mid = reads[rnd.nextInt(reads.length)];
        String post = reads[rnd.nextInt(reads.length)];
        String raise1Init = "    " + cst + " r6, " + Long.toUnsignedString(step) + "\n    " + add + " r3, r3, r6\n";
        String raise1 = raise1Init;
        int hostile = rnd.nextInt(8); // 0-3: a loop the proof must refuse (else it reads past the end)
        if (hostile == 0) {
            long big = pick(rnd, (1L << 20) + 1, 1L << 31, 1L << 32, 1L << 62, -1, -3, Long.MIN_VALUE, Long.MIN_VALUE + 1);
            raise1 = raise1.replace(" r6, " + Long.toUnsignedString(step), " r6, "
                    + (signed ? Long.toString(big) : Long.toUnsignedString(big)));
        } else if (hostile == 1) {
            raise1 += "    " + add + " r" + endReg + ", r" + endReg + ", r6\n";
        } else if (hostile == 2) {
            raise1 += "    " + add + " r3, r3, r3\n";
        } else if (hostile == 3) { // a step set before the loop and doubled on it
            prelude.append("    ").append(cst).append(" r6, ").append(step).append("\n");
            raise1 = "    " + add + " r3, r3, r6\n    " + add + " r6, r6, r6\n";
        }
        String raise2 = twoRaises ? "    " + cst + " r12, " + step2 + "\n    " + add + " r3, r12, r3\n" : "";
        String exit = rnd.nextInt(4) == 0
                ? "    const.i64 r11, 100000\n    i64.gt r10, r4, r11\n    br r10, out, more\nmore:\n" : "";
        String compare = compareInit;
        int shape = rnd.nextInt(4);
        shape = shape == 3 && prelude.length() > 0 ? 1 : shape;
        switch (shape) {
            case 0 -> { // do-while, head at entry unless after a prelude
                w.append(prelude).append(prelude.length() > 0 ? "    jmp top\n" : "").append("top:\n").append(pre).append(raise1).append(mid).append(exit)
                        .append(raise2).append(post).append(compare).append("    br r7, top, out\n");
            }
            case 1 -> { // tested loop entered by a jmp
                w.append(prelude).append("    jmp check\ncheck:\n").append(pre).append(compare)
                        .append("    br r7, step, out\nstep:\n").append(mid).append(raise1).append(exit)
                        .append(post).append(raise2).append("    jmp check\n");
            }
            case 2 -> { // tested loop whose body comes before its head
                w.append(prelude).append("    jmp check\nstep:\n").append(mid).append(raise1).append(exit)
                        .append(raise2).append(post).append("    jmp check\ncheck:\n").append(pre).append(compare)
                        .append("    br r7, step, out\n");
            }
            default -> { // tested loop whose head is the callee's entry (no prelude)
                w.append("check:\n").append(pre).append(compare.replace("r" + endReg, "r5"))
                        .append("    br r7, step, out\nstep:\n").append(mid).append(raise1).append(post)
                        .append(raise2).append(exit).append("    jmp check\n");
            }
        }
        w.append("out:\n    ret r0, [r4]\n}\n");
        return new Generated(m + w.toString(), 1 + rnd.nextInt(3), start, end, signed);
    }

    private static List<Value> args(Generated g) {
        List<Value> a = new ArrayList<>();
        a.add(Value.i64(g.n()));
        a.add(g.signed() ? Value.i64(g.start()) : new Value.U64(g.start()));
        a.add(g.signed() ? Value.i64(g.end()) : new Value.U64(g.end()));
        return a;
    }

    /** Runs seeds {@code from} to {@code to - 1} on both tiers: returns {proved, trapped, ended}. */
    static int[] sweep(long from, long to) throws Exception {
        int proved = 0;
        int traps = 0;
        int ended = 0;
        for (long seed = from; seed < to; seed++) {
            Generated g = program(seed);
            VerifiedProgram p;
            try {
                p = JitLeafInlineTest.verified(g.source());
            } catch (Exception ex) {
                throw new AssertionError("seed " + seed + "\n" + g.source(), ex);
            }
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            String what = "seed " + seed + ", start " + g.start() + ", end " + g.end() + "\n" + g.source();
            proved += JitTestAccess.loopBounds(tier.view, 1) != null ? 1 : 0;
            Tiers t = Tiers.of(p, Host.NONE);
            Jit.precompile(t.compiled);
            if (JitLoopBoundsTest.fuelAndDepthAgree(t, args(g), what, 2_000, 61)) {
                traps++;
            } else {
                ended++;
            }
        }
        return new int[] {proved, traps, ended};
    }

    @Test
    void randomLoopsBothTiers() throws Exception {
        int[] r = sweep(0, Long.getLong("attack.bounds.seeds", 1000));
        System.out.println("AttackLoopBoundsTest: " + r[0] + " proved, " + r[1] + " trapped, " + r[2] + " ended");
        assertTrue(r[0] >= 80, "proved " + r[0]);
        assertTrue(r[1] >= 30 && r[2] >= 30, "trapped " + r[1] + " ended " + r[2]);
    }

    /**
     * A random control-flow graph for {@code walk(xs, ys, j, acc, end)} (all u64 but acc): 2 to 6
     * blocks of reads of {@code j} (of xs, ys, {@code j + step}), raises of {@code j} by a
     * constant (sometimes a register set elsewhere, or the end raised too), each ended by a
     * compare of {@code j} and {@code end} (either way round, either branch order), a test of the
     * sum, a jmp or a ret, to random blocks; main as {@link #program}'s. Many do not verify
     * (skipped) or are refused; those proved run on both tiers.
     */
    static Generated randomGraph(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int lx = 1 + rnd.nextInt(16);
        int ly = 1 + rnd.nextInt(16);
        StringBuilder m = new StringBuilder("program graph\narray A = i64\n");
        m.append("func main(n: i64, k: u64, e: u64) -> (i64) {\n");
        m.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    const.i64 r12, 0\n    jmp loop\n");
        m.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n    i64.add r15, r12, r10\n");
        for (int a = 0; a < 2; a++) {
            m.append("    array.new r").append(20 + a).append(", A, [");
            for (int j = 0; j < (a == 0 ? lx : ly); j++) {
                m.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r15" : "r10");
            }
            m.append("]\n");
        }
        m.append("    mov r24, r2\n    mov r23, r3\n");
        m.append("    call r0, walk, r0, [r20, r21, r24, r12, r23] -> [r12]\n");
        m.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        StringBuilder w = new StringBuilder("func walk(xs: agg array A, ys: agg array A, j: u64, acc: i64, end: u64)"
                + " -> (total: i64) {\n    const.u64 r6, 1\n    const.u64 r9, 0\n    jmp b0\n");
        int blocks = 2 + rnd.nextInt(5);
        String[] pieces = {
            "    array.get r8, r1, r3\n    i64.add r4, r4, r8\n",
            "    array.get r8, r2, r3\n    i64.xor r4, r4, r8\n",
            "    const.u64 r6, STEP\n    u64.add r3, r3, r6\n",
            "    const.u64 r6, STEP\n    u64.add r3, r6, r3\n",
            "    u64.add r3, r3, r6\n",
            "    u64.add r9, r3, r6\n    array.get r8, r1, r9\n    i64.add r4, r4, r8\n",
            "    const.u64 r6, STEP\n",
            "    u64.add r5, r5, r6\n",
            "    mov r9, r3\n    array.get r8, r2, r9\n    i64.sub r4, r4, r8\n",
        };
        for (int b = 0; b < blocks; b++) {
            w.append("b").append(b).append(":\n");
            for (int k = rnd.nextInt(4); k > 0; k--) {
                int piece = rnd.nextInt(pieces.length);
                piece = piece == 7 && rnd.nextInt(3) != 0 ? 0 : piece; // the end raised: now and then
                w.append(pieces[piece].replace("STEP", Long.toUnsignedString(
                        pick(rnd, 1, 1, 2, 3, 1L << 20, (1L << 20) + 1, -1, Long.MIN_VALUE + 1))));
            }
            String t1 = "b" + rnd.nextInt(blocks);
            String t2 = rnd.nextInt(3) == 0 ? "b" + rnd.nextInt(blocks) : "out";
            boolean swap = rnd.nextInt(4) == 0;
            switch (rnd.nextInt(6)) {
                case 0, 1 -> w.append("    u64.lt r7, r3, r5\n    br r7, ").append(swap ? t2 : t1).append(", ")
                        .append(swap ? t1 : t2).append("\n");
                case 2 -> w.append("    u64.gt r7, r5, r3\n    br r7, ").append(swap ? t2 : t1).append(", ")
                        .append(swap ? t1 : t2).append("\n");
                case 3 -> w.append("    const.i64 r11, 5000\n    i64.gt r10, r4, r11\n    br r10, ")
                        .append(t2).append(", ").append(t1).append("\n");
                case 4 -> w.append("    jmp ").append(t1).append("\n");
                default -> w.append(b == blocks - 1 || rnd.nextBoolean() ? "    ret r0, [r4]\n"
                        : "    jmp " + t1 + "\n");
            }
        }
        w.append("out:\n    ret r0, [r4]\n}\n");
        int len = Math.min(lx, ly);
        long start = pick(rnd, 0, 0, 1, len - 1, len, len + 1, -1, -2, 1L << 32);
        long end = pick(rnd, len, len, len - 1, len + 1, 0, Math.max(lx, ly), -1, 1L << 62);
        return new Generated(m + w.toString(), 1 + rnd.nextInt(3), start, end, false);
    }

    /**
     * {@link #randomGraph}'s programs that verify, on both tiers at sampled fuel limits (every
     * one to 300, then about 5% apart) with 20,000 fuel at most (on main: 1,799 of 3,000 verify,
     * 103 proved, no difference; a scratch LoopBounds that lets a loop block have two successors
     * on the loop fails it).
     */
    @Test
    void randomGraphsBothTiers() throws Exception {
        int verified = 0;
        int proved = 0;
        for (long seed = 0; seed < Long.getLong("attack.bounds.graphs", 3000); seed++) {
            Generated g = randomGraph(seed);
            VerifiedProgram p;
            try {
                p = JitLeafInlineTest.verified(g.source());
            } catch (Exception ex) {
                continue; // a register read before it is written, a type that does not fit: not a program
            }
            verified++;
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            if (JitTestAccess.loopBounds(tier.view, 1) == null) {
                continue;
            }
            proved++;
            String what = "graph seed " + seed + ", start " + g.start() + ", end " + g.end() + "\n" + g.source();
            Tiers t = Tiers.of(p, Host.NONE);
            Jit.precompile(t.compiled);
            Limits limits = Limits.DEFAULT.withFuel(20_000);
            Tiers.Outcome full = t.check(0, args(g), limits, what);
            long used = full.used(limits);
            for (long fuel = 0; fuel <= used + 1; fuel += fuel < 300 ? 1 : 1 + fuel / 19) {
                t.check(0, args(g), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        System.out.println("AttackLoopBoundsTest graphs: " + verified + " verified, " + proved + " proved");
        assertTrue(proved >= 80, "verified " + verified + ", proved " + proved);
    }

    /** tape-bench's array_loop with {@code pad} more adds before its {@code ret}. */
    private static String padded(int pad) throws Exception {
        String src;
        try (var in = AttackLoopBoundsTest.class.getResourceAsStream("/dev/tape/bench/array_loop.tasm")) {
            src = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (src == null) {
            src = java.nio.file.Files.readString(java.nio.file.Path.of(
                    "../tape-bench/src/main/resources/dev/tape/bench/array_loop.tasm"));
        }
        StringBuilder fill = new StringBuilder("done:\n");
        for (int k = 0; k < pad; k++) {
            fill.append("    i64.add r2, r2, r4\n");
        }
        return src.replace("done:\n", fill.toString());
    }

    /**
     * The fast copies (and their entry tests) never cost a method its inlined calls: array_loop
     * padded so that its method, unpeeled, is just under the 7,900-byte limit without them and
     * over it with them (pads 864 to 876). Before the fix such a method was generated again with
     * real calls ({@code sum} called, its array made: 0.065 to 0.131 ms a run of
     * {@code array_loop(1000)} against 0.034 to 0.071 with the fix, two rounds each, same minutes); now without the fast copies, so its calls stay inline as in the
     * same program whose loop is not proved ({@code sum}'s compare written {@code index > end}:
     * the same code but for that compare's operands). Around it (pad 370: peeled over the limit
     * with the fast copies, under it without) the method is still generated unpeeled with them,
     * measured the faster of the two.
     */
    @Test
    void fastCopiesNeverCostInlinedCalls() throws Exception {
        for (int pad : new int[] {370, 860, 864, 870, 876}) {
            String src = padded(pad);
            String unproved = src.replace("u64.lt r7, r2, r4", "u64.gt r7, r2, r4");
            byte[][] bytes = new byte[2][];
            for (int k = 0; k < 2; k++) {
                VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(k == 0 ? src : unproved));
                JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
                var g = JitTestAccess.generate(tier.view, 0);
                assertTrue(g != null, "pad " + pad + ": compiled");
                bytes[k] = g.bytes();
            }
            String what = "pad " + pad + ": class bytes " + bytes[0].length + " proved, " + bytes[1].length
                    + " unproved";
            assertEquals(JitTestAccess.methodCalls(bytes[1], "dev/tape/vm/JitRuntime", "leafMakeRoom"),
                    JitTestAccess.methodCalls(bytes[0], "dev/tape/vm/JitRuntime", "leafMakeRoom"), what + ": inlined");
            assertTrue(JitTestAccess.insns(bytes[0], Opcodes.LALOAD) >= JitTestAccess.insns(bytes[1], Opcodes.LALOAD),
                    what + ": reads of the scratch elements");
        }
        Tiers t = Tiers.of(Tiers.verified(JitCornerCasesTest.asm(padded(870))), Host.NONE);
        Jit.precompile(t.compiled);
        for (long n = 0; n <= 3; n++) {
            t.check(0, List.of(Value.i64(n)), Limits.DEFAULT, "pad 870, n " + n);
        }
    }
}
