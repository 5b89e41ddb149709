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
 * Attack on fast25's fuel tests in fast clones (a block's charge untested, a test before each
 * {@code ret} and each branch whose target is at or before it): self-loops ({@code br} and
 * {@code jmp} to their own block, the target equal to the branch), a loop whose head is the
 * function's entry, random control flow (irreducible loops, forward jumps into loops, self-loops,
 * {@code select}, fused compare-and-branch) over every word operation of {@code WordOps} at its
 * type's edges (shift counts at and past 64 and negative, MIN/MAX, u64 against i64), calls
 * nesting to the depth limit, compared with the interpreter at every fuel limit, near 2^63 and
 * past it ({@code fuelReserve}).
 */
class AttackFastCloneFuelTest {
    private static final String[] I64_CONST = {"0", "1", "-1", "63", "64", "65", "-64", "-65", "127", "-9223372036854775808",
        "9223372036854775807", "4611686018427387904", "12345"};
    private static final String[] U64_CONST = {"0", "1", "63", "64", "65", "127", "18446744073709551615",
        "9223372036854775808", "9223372036854775807", "4294967296"};
    private static final String[] I64_BIN = {"add", "sub", "mul", "and", "or", "xor", "shl", "shr"};
    private static final String[] CMP = {"eq", "lt", "gt", "le", "ge"};
    private static final String[] BOOL_BIN = {"and", "or", "xor"};
    /** i64 registers: the arguments, constants and scratch; u64 and bool registers apart */
    private static final int[] I64 = {1, 2, 3, 4, 5, 6, 10, 11, 12, 13};
    private static final int[] I64_DST = {10, 11, 12, 13};
    private static final int[] U64 = {7, 8, 14, 15};
    private static final int[] BOOL = {9, 16, 18};

    private static int pick(SplittableRandom rnd, int[] a) {
        return a[rnd.nextInt(a.length)];
    }

    /**
     * A random pure program: main calls g1; each g has a few blocks with random word operations and
     * random terminators ({@code jmp}, {@code br} to any block, itself included, {@code ret}, a
     * {@code jmp} to the next block), and calls (its first argument decremented).
     */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(3);
        StringBuilder s = new StringBuilder("program attackfuel\n");
        s.append("func main(n: i64, b: i64) -> (i64) {\n")
                .append("    call r0, g1, r0, [r1, r2] -> [r3]\n")
                .append("    ret r0, [r3]\n}\n");
        for (int f = 1; f <= n; f++) {
            s.append("func g").append(f).append("(a: i64, b: i64) -> (i64) {\n");
            for (int r = 3; r <= 6; r++) {
                s.append("    const.i64 r").append(r).append(", ").append(I64_CONST[rnd.nextInt(I64_CONST.length)]).append('\n');
            }
            for (int r : new int[] {7, 8}) {
                s.append("    const.u64 r").append(r).append(", ").append(U64_CONST[rnd.nextInt(U64_CONST.length)]).append('\n');
            }
            s.append("    const.bool r9, true\n");
            s.append("    mov r10, r1\n    mov r11, r2\n    mov r12, r3\n    mov r13, r4\n");
            s.append("    mov r14, r7\n    mov r15, r8\n");
            s.append("    i64.lt r16, r2, r1\n    bool.not r18, r16\n    const.i64 r19, 1\n    mov r17, r19\n    jmp L0\n");
            int blocks = 2 + rnd.nextInt(4);
            for (int b = 0; b < blocks; b++) {
                s.append("L").append(b).append(":\n");
                int ops = rnd.nextInt(4);
                for (int o = 0; o < ops; o++) {
                    op(rnd, s, n, rnd.nextInt(9));
                }
                if (b == blocks - 1) {
                    // a call in every function (a leaf would be inlined, not cloned)
                    op(rnd, s, n, 8);
                }
                int t = rnd.nextInt(b == blocks - 1 ? 3 : 4);
                switch (t) {
                    case 0 -> s.append("    jmp L").append(rnd.nextInt(blocks)).append('\n');
                    case 1 -> s.append("    br r").append(pick(rnd, BOOL)).append(", L").append(rnd.nextInt(blocks))
                            .append(", L").append(rnd.nextInt(blocks)).append('\n');
                    case 2 -> s.append("    ret r0, [r").append(pick(rnd, I64)).append("]\n");
                    default -> s.append("    jmp L").append(b + 1).append('\n');
                }
            }
            s.append("}\n");
        }
        String b = I64_CONST[rnd.nextInt(I64_CONST.length)];
        return new Tiers.Generated(s.toString(), List.of(Value.i64(2 + rnd.nextInt(5)), Value.i64(Long.parseLong(b))));
    }

    private static void op(SplittableRandom rnd, StringBuilder s, int n, int kind) {
        switch (kind) {
            case 0, 1 -> s.append("    i64.").append(I64_BIN[rnd.nextInt(I64_BIN.length)]).append(" r").append(pick(rnd, I64_DST))
                    .append(", r").append(pick(rnd, I64)).append(", r").append(pick(rnd, I64)).append('\n');
            case 2 -> s.append("    u64.").append(I64_BIN[rnd.nextInt(I64_BIN.length)]).append(" r").append(14 + rnd.nextInt(2))
                    .append(", r").append(pick(rnd, U64)).append(", r").append(pick(rnd, U64)).append('\n');
            case 3 -> s.append("    i64.").append(CMP[rnd.nextInt(CMP.length)]).append(" r").append(16 + 2 * rnd.nextInt(2))
                    .append(", r").append(pick(rnd, I64)).append(", r").append(pick(rnd, I64)).append('\n');
            case 4 -> s.append("    u64.").append(CMP[rnd.nextInt(CMP.length)]).append(" r").append(16 + 2 * rnd.nextInt(2))
                    .append(", r").append(pick(rnd, U64)).append(", r").append(pick(rnd, U64)).append('\n');
            case 5 -> {
                if (rnd.nextBoolean()) {
                    s.append("    bool.not r").append(16 + 2 * rnd.nextInt(2)).append(", r").append(pick(rnd, BOOL)).append('\n');
                } else {
                    s.append("    bool.").append(BOOL_BIN[rnd.nextInt(3)]).append(" r").append(16 + 2 * rnd.nextInt(2))
                            .append(", r").append(pick(rnd, BOOL)).append(", r").append(pick(rnd, BOOL)).append('\n');
                }
            }
            case 6 -> s.append("    select r").append(pick(rnd, I64_DST)).append(", r").append(pick(rnd, BOOL))
                    .append(", r").append(pick(rnd, I64)).append(", r").append(pick(rnd, I64)).append('\n');
            case 7 -> s.append("    mov r").append(pick(rnd, I64_DST)).append(", r").append(pick(rnd, I64)).append('\n');
            default -> {
                s.append("    i64.sub r17, r1, r19\n");
                s.append("    call r0, g").append(1 + rnd.nextInt(n)).append(", r0, [r17, r").append(pick(rnd, I64))
                        .append("] -> [r").append(pick(rnd, I64_DST)).append("]\n");
            }
        }
    }

    /** Runs of the random programs enter clones (so the sweeps below exercise them). */
    @Test
    void theRandomProgramsEnterClones() throws Exception {
        int entered = 0;
        for (long seed = 0; seed < 60; seed++) {
            Tiers.Generated g = program(seed);
            Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), Host.NONE);
            ExecutionContext ctx = new ExecutionContext();
            try {
                vm.run(ctx, 0, g.args(), Limits.DEFAULT.withFuel(5_000), null);
            } catch (Trap e) {
                // out of fuel or too deep: the clones were tried
            }
            entered += ctx.fastEntries > 0 ? 1 : 0;
        }
        assertTrue(entered >= 15, "programs that entered clones: " + entered);
    }

    /**
     * Both tiers at every fuel limit up to 400 (or one past the program's use), and at limits near
     * and past 2^63 (those that end within 5,000): result, trap kind, pc, span and fuel left agree.
     */
    @Test
    void randomControlFlowAtEveryFuelLimit() throws Exception {
        int huge = 0;
        for (long seed = 0; seed < 60; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT.withFuel(5_000), what + " fuel 5000");
            long used = Math.min(5_000 - full.fuelRemaining(), 400);
            for (long fuel = 0; fuel <= used + 1; fuel++) {
                t.check(0, g.args(), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
            }
            if (full.kind() == TrapKind.FUEL_EXCEEDED) {
                continue;
            }
            huge++;
            for (long fuel : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, -1L, -2L}) {
                t.check(0, g.args(), Limits.DEFAULT.withFuel(fuel), what + " fuel " + Long.toUnsignedString(fuel));
            }
        }
        assertTrue(huge >= 10, "programs run at fuel past 2^63: " + huge);
    }

    /** Depth limits hit inside the random clones. */
    @Test
    void randomControlFlowAtDepthLimits() throws Exception {
        for (long seed = 100; seed < 120; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            for (long d = 2; d <= 30; d += 4) {
                t.check(0, g.args(), Limits.DEFAULT.withFuel(3_000).withMaxCallDepth(d), what + " depth " + d);
            }
        }
    }

    /**
     * A block that is only a {@code br} or a {@code jmp} to itself (the target equal to the
     * branch: a back edge only by {@code >=}): the clone tests the fuel before it (read from the
     * class), and both tiers run out of fuel at the same pc.
     */
    @Test
    void aBranchToItselfIsABackEdge() throws Exception {
        for (String loop : new String[] {"br r7, loop, zero", "jmp loop"}) {
            VerifiedProgram vp = JitLeafInlineTest.verified(FastCloneFuel.spin(loop));
            Vm vm = Jit.compile(vp, Host.NONE);
            assertTrue(FastCloneFuel.fuelTests(((JitTier) vm.tier).view)[0] >= 1, loop);
            Tiers t = Tiers.of(vp, Host.NONE);
            for (long fuel : new long[] {0, 1, 5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 100, 10_001}) {
                Tiers.Outcome o = t.check(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(fuel), loop + " fuel " + fuel);
                assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), loop + " fuel " + fuel);
            }
            ExecutionContext ctx = new ExecutionContext();
            try {
                vm.run(ctx, 0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(10_000), null);
            } catch (Trap e) {
                // out of fuel, after the clone bailed
            }
            assertTrue(ctx.fastEntries > 0, "the spin's clone was entered");
        }
    }

    /**
     * A loop whose head is the function's first instruction (pc 0, the clone's entry label): the
     * back edge to it is tested; every fuel limit agrees.
     */
    @Test
    void aLoopHeadAtTheEntry() throws Exception {
        String src = """
                program head
                func main(n: i64, one: i64) -> (i64) {
                    call r0, down, r0, [r1, r2] -> [r3]
                    ret r0, [r3]
                }
                func down(a: i64, one: i64) -> (i64) {
                top:
                    i64.sub r1, r1, r2
                    i64.lt r3, r2, r1
                    br r3, top, out
                out:
                    i64.lt r4, r1, r2
                    br r4, done, again
                again:
                    call r0, down, r0, [r2, r2] -> [r5]
                    ret r0, [r5]
                done:
                    ret r0, [r1]
                }
                """;
        VerifiedProgram vp = JitLeafInlineTest.verified(src);
        Vm vm = Jit.compile(vp, Host.NONE);
        assertTrue(FastCloneFuel.fuelTests(((JitTier) vm.tier).view)[0] >= 1);
        Tiers t = Tiers.of(vp, Host.NONE);
        for (long a : new long[] {1, 2, 7, 40}) {
            List<Value> args = List.of(Value.i64(a), Value.i64(1));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "a " + a);
            t.everyFuelTrapsBelow(0, args, full, "a " + a);
        }
        ExecutionContext ctx = new ExecutionContext();
        vm.run(ctx, 0, List.of(Value.i64(40), Value.i64(1)), Limits.DEFAULT, null);
        assertTrue(ctx.fastEntries > 0, "the clone was entered");
    }
}
