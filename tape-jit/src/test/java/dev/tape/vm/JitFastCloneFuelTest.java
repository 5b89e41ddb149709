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
 * The fast clones' fuel tests (fast25: a block's charge is untested, the fuel is tested before
 * each {@code ret} and each back edge): random pure programs whose functions loop (a back edge by
 * {@code jmp} or by {@code br}) and recurse ({@link #program}). {@link JitFastCloneTest} sweeps
 * them ({@link JitFastCloneTest#FAMILIES}) on both tiers at every fuel limit over the program's
 * use (so the fuel runs out between two tests, inside a callee, right at a {@code ret} and inside
 * a loop), at depth and register limits hit inside the clones, on a small Java stack, and paused
 * and restored; results, trap kind, pc and span and fuel left must agree ({@link Tiers#check}).
 * Here: an endless loop in a clone, and the fuel tests read from the generated class.
 */
class JitFastCloneFuelTest {
    private static final String[] BIN = {"i64.add", "i64.sub", "i64.mul", "i64.xor", "i64.and", "i64.or"};

    /** A random pure program: main calls g1; each g loops a few times, then recurses (once or twice). */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(3);
        boolean linear = rnd.nextInt(3) == 0;
        StringBuilder s = new StringBuilder("program fastfuel\n");
        s.append("func main(n: i64, b: i64) -> (i64) {\n")
                .append("    call r0, g1, r0, [r1, r2] -> [r3]\n")
                .append("    ret r0, [r3]\n}\n");
        for (int f = 1; f <= n; f++) {
            boolean byBr = rnd.nextBoolean();
            s.append("func g").append(f).append("(a: i64, b: i64) -> (i64) {\n")
                    .append("    const.i64 r3, 2\n")
                    .append("    const.i64 r4, 1\n")
                    .append("    const.i64 r5, ").append(1 + rnd.nextInt(7)).append('\n')
                    .append("    i64.and r6, r2, r5\n")
                    .append("    mov r7, r1\n");
            if (byBr) {
                // a do-while: the back edge is the br's first target
                s.append("    jmp body\n")
                        .append("body:\n")
                        .append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r7, r7, r6\n")
                        .append("    i64.sub r6, r6, r4\n")
                        .append("    i64.gt r8, r6, r4\n")
                        .append("    br r8, body, after\n");
            } else {
                // a while: the back edge is the jmp
                s.append("    jmp head\n")
                        .append("head:\n")
                        .append("    i64.lt r8, r6, r4\n")
                        .append("    br r8, after, body\n")
                        .append("body:\n")
                        .append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r7, r7, r6\n")
                        .append("    i64.sub r6, r6, r4\n")
                        .append("    jmp head\n");
            }
            s.append("after:\n")
                    .append("    i64.lt r9, r1, r3\n")
                    .append("    br r9, small, big\n")
                    .append("small:\n")
                    .append("    ret r0, [r7]\n")
                    .append("big:\n")
                    .append("    i64.sub r10, r1, r4\n")
                    .append("    i64.sub r11, r1, r3\n");
            int c1 = linear ? f : f + rnd.nextInt(n - f + 1);
            int c2 = f + rnd.nextInt(n - f + 1);
            s.append("    call r0, g").append(c1).append(", r0, [r10, r7] -> [r12]\n");
            if (linear) {
                s.append("    ").append(BIN[rnd.nextInt(3)]).append(" r14, r12, r7\n")
                        .append("    ret r0, [r14]\n}\n");
                continue;
            }
            s.append("    call r0, g").append(c2).append(", r0, [r11, r12] -> [r13]\n")
                    .append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r14, r12, r13\n")
                    .append("    ret r0, [r14]\n}\n");
        }
        long a = linear ? 5 + rnd.nextInt(30) : 2 + rnd.nextInt(6);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(a), Value.i64(rnd.nextInt(100) - 50)));
    }

    /**
     * {@link FastCloneFuel#SPIN}, a pure callee that loops forever once its first call (which
     * returns at once, and compiles it) is done: its clone must test the fuel at the back edge (else
     * it never returns), and both tiers trap out of fuel at the same pc with nothing left.
     */
    @Test
    void anEndlessLoopInACloneRunsOutOfFuel() throws Exception {
        String src = FastCloneFuel.spin("i64.add r1, r1, r2\n    jmp loop");
        VerifiedProgram vp = JitLeafInlineTest.verified(src);
        Tiers t = Tiers.of(vp, Host.NONE);
        for (long fuel : new long[] {0, 1, 2, 3, 4, 5, 17, 1_000, 1_000_001}) {
            Tiers.Outcome o = t.check(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(fuel), "spin fuel " + fuel);
            assertEquals(TrapKind.FUEL_EXCEEDED, o.kind(), "spin fuel " + fuel);
        }
        Vm vm = Jit.compile(vp, Host.NONE);
        ExecutionContext ctx = new ExecutionContext();
        try {
            vm.run(ctx, 0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(100_000), null);
        } catch (Trap e) {
            // out of fuel, after the clone bailed
        }
        assertTrue(ctx.fastEntries > 0, "the spin's clone was entered");
    }

    /**
     * Every branch of a clone that may go back is preceded, in its block, by a fuel test (an
     * {@code IFLT} to the bail), and every {@code LRETURN} too: read from the generated class.
     */
    @Test
    void everyBackEdgeAndReturnIsTested() throws Exception {
        int checked = 0;
        for (long seed = 0; seed < 30; seed++) {
            Tiers.Generated g = program(seed);
            Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), Host.NONE);
            int[] counts = FastCloneFuel.fuelTests(((JitTier) vm.tier).view);
            assertTrue(counts[0] > 0, "seed " + seed + ": back edges seen " + counts[0]);
            checked += counts[0] + counts[1];
        }
        assertTrue(checked > 60, "checked " + checked);
    }
}
