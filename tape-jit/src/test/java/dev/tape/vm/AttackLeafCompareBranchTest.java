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
 * Attacks on rules24's fusion of an inlined leaf's compare with the {@code br} on its register
 * ({@code InlineBody.branchCompare}): random leaves of forward blocks, each with one or two
 * compares of every op (i64, u64, f64; eq, lt, gt, le, ge) into one of three bool registers, an
 * optional instruction between the last compare and the block's end (a move, a {@code bool.not} of
 * the compare's register, a bool op reading it, another compare into another register), and an
 * end that is a {@code br} on the compare's register, a {@code br} on another one, a {@code jmp} or
 * the {@code ret}. Every block reads the bool registers written before it (so a register live into
 * another block, read after the branch on both targets, must hold what the compare wrote), and the
 * leaf returns the path it took and all three registers. The caller calls the leaf four times with
 * its arguments swapped and repeated (equal operands), so the first sites run inline and the later
 * ones are real calls once the method's inlining budget is spent. Arguments are the types' edges:
 * 0, 1, -1, 7, {@code Long.MIN_VALUE} and {@code MAX_VALUE}; 0.0, -0.0, NaNs, infinities.
 *
 * <p>Each program runs on both tiers ({@link Tiers#check}: results, trap with pc and span, fuel)
 * at every fuel limit, at every call-depth and register limit, and in lockstep slices with
 * snapshots and restores at the pauses. A mutation of the fusion (the sense of one op's branch
 * inverted, or the register left unwritten on one way) fails {@link #randomLeavesAgreeOnBothTiers}.
 */
class AttackLeafCompareBranchTest {
    private static final String[] OPS = {"i64.eq", "i64.lt", "i64.gt", "i64.le", "i64.ge", "u64.eq", "u64.lt",
        "u64.gt", "u64.le", "u64.ge", "f64.eq", "f64.lt", "f64.gt", "f64.le", "f64.ge"};
    private static final long[] I64 = {0, 1, -1, 7, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final long[] F64 = {bits(0.0), bits(-0.0), bits(1.5), bits(Double.NaN), 0x7ff0_0000_0000_0001L,
        0xfff8_0000_0000_0000L, bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY)};

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** A compare's operands of type {@code t}: registers of that type, {@code r10} (the path) among the i64. */
    private static String operand(SplittableRandom rnd, String t) {
        return switch (t) {
            case "i64" -> new String[] {"r1", "r2", "r10"}[rnd.nextInt(3)];
            case "u64" -> new String[] {"r3", "r4"}[rnd.nextInt(2)];
            default -> new String[] {"r5", "r6"}[rnd.nextInt(2)];
        };
    }

    /** @return the compare's bool register */
    private static int compare(SplittableRandom rnd, StringBuilder s) {
        String op = OPS[rnd.nextInt(OPS.length)];
        String t = op.substring(0, 3);
        int dst = 7 + rnd.nextInt(3);
        s.append("    ").append(op).append(" r").append(dst).append(", ").append(operand(rnd, t)).append(", ")
                .append(operand(rnd, t)).append('\n');
        return dst;
    }

    /** A random program: function 0 calls leaf {@code l} four times; its arguments. */
    static Tiers.Generated generate(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program attackcmpbr\n");
        s.append("""
                func main(a: i64, b: i64, u: u64, v: u64, x: f64, y: f64) -> (i64, bool, bool, bool) {
                    call r0, l, r0, [r1, r2, r3, r4, r5, r6] -> [r7, r8, r9, r10]
                    call r0, l, r0, [r2, r1, r4, r3, r6, r5] -> [r11, r12, r13, r14]
                    i64.add r7, r7, r11
                    bool.xor r8, r8, r12
                    bool.xor r9, r9, r13
                    bool.xor r10, r10, r14
                    call r0, l, r0, [r1, r1, r3, r3, r5, r5] -> [r11, r12, r13, r14]
                    i64.add r7, r7, r11
                    bool.or r8, r8, r12
                    bool.or r9, r9, r13
                    bool.and r10, r10, r14
                    call r0, l, r0, [r2, r2, r4, r4, r6, r6] -> [r11, r12, r13, r14]
                    i64.add r7, r7, r11
                    bool.and r8, r8, r12
                    bool.xor r9, r9, r13
                    bool.or r10, r10, r14
                    ret r0, [r7, r8, r9, r10]
                }
                func l(a: i64, b: i64, u: u64, v: u64, x: f64, y: f64) -> (i64, bool, bool, bool) {
                    const.bool r7, false
                    const.bool r8, true
                    const.bool r9, false
                    const.i64 r10, 0
                """);
        int blocks = 2 + rnd.nextInt(4);
        for (int j = 0; j < blocks; j++) {
            if (j > 0) {
                s.append("b").append(j).append(":\n");
                s.append("    bool.xor r9, r9, r").append(7 + rnd.nextInt(2)).append('\n');
            }
            s.append("    const.i64 r11, ").append(1L << (3 * j + rnd.nextInt(3))).append('\n');
            s.append("    i64.add r10, r10, r11\n");
            int dst = compare(rnd, s);
            if (rnd.nextInt(3) == 0) {
                dst = compare(rnd, s); // the same or another register compared again
            }
            int reg = dst;
            switch (rnd.nextInt(8)) {
                case 0 -> s.append("    bool.not r").append(dst).append(", r").append(dst).append('\n');
                case 1 -> s.append("    mov r9, r").append(dst).append('\n');
                case 2 -> reg = compare(rnd, s);
                case 3 -> s.append("    bool.and r").append(7 + rnd.nextInt(3)).append(", r").append(dst)
                        .append(", r").append(7 + rnd.nextInt(3)).append('\n');
                default -> { }
            }
            if (j == blocks - 1) {
                break;
            }
            int end = rnd.nextInt(10);
            if (end == 0) {
                s.append("    ret r0, [r10, r7, r8, r9]\n");
            } else if (end == 1) {
                s.append("    jmp b").append(j + 1 + rnd.nextInt(blocks - 1 - j)).append('\n');
            } else {
                if (end == 2) {
                    reg = 7 + rnd.nextInt(3);
                }
                int yes = j + 1 + rnd.nextInt(blocks - 1 - j);
                int no = j + 1 + rnd.nextInt(blocks - 1 - j);
                s.append("    br r").append(reg).append(", b").append(yes).append(", b").append(no).append('\n');
            }
        }
        s.append("    ret r0, [r10, r7, r8, r9]\n}\n");
        List<Value> args = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            args.add(Value.i64(I64[rnd.nextInt(I64.length)]));
        }
        for (int k = 0; k < 2; k++) {
            args.add(new Value.U64(I64[rnd.nextInt(I64.length)]));
        }
        for (int k = 0; k < 2; k++) {
            args.add(new Value.F64(F64[rnd.nextInt(F64.length)]));
        }
        return new Tiers.Generated(s.toString(), args);
    }

    @Test
    void randomLeavesAgreeOnBothTiers() throws Exception {
        int inlined = 0;
        int real = 0;
        for (long seed = 0; seed < 400; seed++) {
            Tiers.Generated g = generate(seed);
            VerifiedProgram vp = Tiers.verified(JitCornerCasesTest.asm(g.source()));
            int sites = JitLeafInlinedTest.inlinedSites(vp, 0);
            inlined += sites;
            real += 4 - sites;
            Tiers t = Tiers.of(vp, Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            t.everyFuel(0, g.args(), full, what);
            // the same leaf on every pair of edge values for its i64 and f64 arguments
            SplittableRandom rnd = new SplittableRandom(~seed);
            for (int k = 0; k < 12; k++) {
                List<Value> args = List.of(Value.i64(I64[rnd.nextInt(I64.length)]),
                        Value.i64(I64[rnd.nextInt(I64.length)]), new Value.U64(I64[rnd.nextInt(I64.length)]),
                        new Value.U64(I64[rnd.nextInt(I64.length)]), new Value.F64(F64[rnd.nextInt(F64.length)]),
                        new Value.F64(F64[rnd.nextInt(F64.length)]));
                t.check(0, args, Limits.DEFAULT, what + " args " + args);
            }
        }
        assertTrue(inlined > 400, "leaf sites inlined: " + inlined);
        assertTrue(real > 0, "leaf sites left as real calls: " + real);
    }

    /**
     * A random looping callee ({@code LoopInliner}: backward branches, an array its caller keeps):
     * {@code main(a, b, x, y)} builds an array of 1 to 8 edge words three times and calls
     * {@code walk} on it, which for each element compares (any op, on the element, the
     * arguments, its index and end, its sum so far; {@code LoopInliner} admits no f64 compare, so a
     * {@code walk} with one stays a real call) into {@code r9} or {@code r10}, sometimes again
     * or with an instruction between, and branches on it (or on the other register) to one of two
     * blocks that add their own constant and read the registers; it returns the sum and both.
     */
    static Tiers.Generated looping(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program attackcmpbrloop\narray A = i64\n");
        s.append("""
                func main(a: i64, b: i64, x: f64, y: f64) -> (i64, bool, bool) {
                    const.i64 r10, 0
                    const.i64 r11, 1
                    const.i64 r12, 0
                    const.bool r13, false
                    const.bool r14, false
                    const.i64 r15, 3
                    const.i64 r17, 7
                    const.i64 r18, -1
                    jmp loop
                loop:
                    i64.lt r16, r10, r15
                    br r16, body, done
                body:
                """);
        String[] elems = {"r1", "r2", "r10", "r17", "r18"};
        s.append("    array.new r20, A, [");
        int n = 1 + rnd.nextInt(8);
        for (int k = 0; k < n; k++) {
            s.append(k == 0 ? "" : ", ").append(elems[rnd.nextInt(elems.length)]);
        }
        s.append("]\n");
        s.append("""
                    array.len r21, r20
                    call r0, walk, r0, [r20, r1, r2, r3, r4, r21] -> [r22, r23, r24]
                    i64.add r12, r12, r22
                    bool.xor r13, r13, r23
                    bool.xor r14, r14, r24
                    i64.add r10, r10, r11
                    jmp loop
                done:
                    ret r0, [r12, r13, r14]
                }
                func walk(xs: agg array A, a: i64, b: i64, x: f64, y: f64, end: u64) -> (i64, bool, bool) {
                    const.u64 r7, 0
                    const.i64 r8, 0
                    const.bool r9, false
                    const.bool r10, true
                    jmp top
                top:
                    u64.lt r11, r7, r6
                    br r11, body, out
                body:
                    array.get r12, r1, r7
                """);
        int dst = loopCompare(rnd, s);
        if (rnd.nextInt(3) == 0) {
            dst = loopCompare(rnd, s);
        }
        int reg = dst;
        switch (rnd.nextInt(6)) {
            case 0 -> s.append("    bool.not r").append(dst).append(", r").append(dst).append('\n');
            case 1 -> reg = loopCompare(rnd, s);
            case 2 -> reg = 19 - dst;
            default -> { }
        }
        s.append("    br r").append(reg).append(", p, q\n");
        s.append("p:\n    const.i64 r13, ").append(1 + rnd.nextInt(9)).append("\n    i64.add r8, r8, r13\n");
        s.append("    bool.xor r10, r10, r9\n    jmp next\n");
        s.append("q:\n    const.i64 r13, ").append(16 * (1 + rnd.nextInt(9))).append("\n    i64.add r8, r8, r13\n");
        s.append("    jmp next\n");
        s.append("""
                next:
                    const.u64 r14, 1
                    u64.add r7, r7, r14
                    jmp top
                out:
                    ret r0, [r8, r9, r10]
                }
                """);
        List<Value> args = List.of(Value.i64(I64[rnd.nextInt(I64.length)]), Value.i64(I64[rnd.nextInt(I64.length)]),
                new Value.F64(F64[rnd.nextInt(F64.length)]), new Value.F64(F64[rnd.nextInt(F64.length)]));
        return new Tiers.Generated(s.toString(), args);
    }

    /** @return the compare's register, r9 or r10, of walk's loop body */
    private static int loopCompare(SplittableRandom rnd, StringBuilder s) {
        String op = OPS[rnd.nextInt(OPS.length)];
        String t = op.substring(0, 3);
        String[] regs = switch (t) {
            case "i64" -> new String[] {"r12", "r2", "r3", "r8"};
            case "u64" -> new String[] {"r7", "r6"};
            default -> new String[] {"r4", "r5"};
        };
        int dst = 9 + rnd.nextInt(2);
        s.append("    ").append(op).append(" r").append(dst).append(", ").append(regs[rnd.nextInt(regs.length)])
                .append(", ").append(regs[rnd.nextInt(regs.length)]).append('\n');
        return dst;
    }

    @Test
    void randomLoopingCalleesAgreeOnBothTiers() throws Exception {
        int[] inlined = {0};
        Tiers.fuelAndHeapSweep(0, 120, AttackLeafCompareBranchTest::looping, (g, vp, t, full, what) -> {
            if (JitKeptStructTest.calls(vp, 0, "leafMakeRoom") > 0) {
                inlined[0]++;
            }
            assertTrue(full.trap() == null, what);
        });
        assertTrue(inlined[0] > 60, "walk runs inline in " + inlined[0] + " of 120");
        Tiers.depthAndRegisterSweep(500, 520, AttackLeafCompareBranchTest::looping);
        assertTrue(Tiers.pauseSweep(600, 640, AttackLeafCompareBranchTest::looping) > 40);
    }

    @Test
    void randomLeavesAtEveryDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(1000, 1040, AttackLeafCompareBranchTest::generate);
    }

    @Test
    void randomLeavesPauseAndRestoreAlike() throws Exception {
        int pauses = Tiers.pauseSweep(2000, 2060, AttackLeafCompareBranchTest::generate);
        assertTrue(pauses > 60, "pauses: " + pauses);
    }

    /** The generator makes every shape it claims: each op, fused and unfused, each kind of end. */
    @Test
    void theGeneratorCoversEveryOpAndEnd() {
        String all = "";
        for (long seed = 0; seed < 400; seed++) {
            all += generate(seed).source();
        }
        for (String op : OPS) {
            assertTrue(all.contains("    " + op + " "), op);
        }
        for (String end : new String[] {"bool.not", "mov r9", "jmp b", "br r7", "br r8", "br r9"}) {
            assertTrue(all.contains(end), end);
        }
        assertEquals(generate(7).source(), generate(7).source());
    }
}
