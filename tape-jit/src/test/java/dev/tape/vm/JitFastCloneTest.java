package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pure calls run on their fast clones (tape-jit's {@code FastClone}) in a one-shot
 * {@code Vm.run}, and a clone that bails (fuel short, its nesting budget spent) is run again on
 * the compiled tier's own path: both tiers must agree on every run (result or trap with its call
 * stack, fuel left, heap, host calls).
 *
 * <p>The programs are random call-heavy word recursions: {@code main(n, b)} calls function 1 of 1
 * to 4 functions, each of two word arguments (the counter {@code a}, i64, and {@code b}, i64 or
 * u64), which at {@code a < 2} returns a mix of its arguments, else calls two of the functions at
 * or after it (itself included) with {@code a - 1} and {@code a - 2} and arguments changed by
 * add, sub, mul, xor, shifts, compares and selects, and combines the results; some programs run a
 * linear recursion 40 to 120 deep (deeper than a clone's Java stack budget lets it nest, so it
 * bails and the call runs again on the compiled path), and one in four divides in a leaf (a
 * division is no clone's operation: those functions and their callers run on the compiled path,
 * and may trap on a zero divisor).
 */
class JitFastCloneTest {
    private static final String[] BIN = {"i64.add", "i64.sub", "i64.mul", "i64.xor", "i64.and", "i64.or"};

    /** A random program ({@link JitFastCloneTest}'s), entry 0, with its arguments. */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(4);
        boolean linear = rnd.nextInt(4) == 0;
        boolean divide = rnd.nextInt(4) == 0;
        StringBuilder s = new StringBuilder("program fast\n");
        s.append("func main(n: i64, b: i64) -> (i64) {\n")
                .append("    call r0, g1, r0, [r1, r2] -> [r3]\n")
                .append("    ret r0, [r3]\n}\n");
        boolean[] us = new boolean[n + 1];
        for (int f = 2; f <= n; f++) {
            us[f] = rnd.nextInt(4) == 0;
        }
        for (int f = 1; f <= n; f++) {
            boolean u = us[f];
            String t = u ? "u64" : "i64";
            s.append("func g").append(f).append("(a: i64, b: ").append(t).append(") -> (i64) {\n");
            s.append("    const.i64 r3, 2\n")
                    .append("    const.i64 r4, 1\n")
                    .append("    i64.lt r5, r1, r3\n")
                    .append("    br r5, small, big\n")
                    .append("small:\n");
            if (u) {
                s.append("    u64.to_i64 r6, r2\n");
            } else {
                s.append("    mov r6, r2\n");
            }
            s.append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r7, r6, r1\n");
            if (divide && f == n) {
                s.append("    i64.div r7, r7, r1\n");
            }
            s.append("    ret r0, [r7]\n")
                    .append("big:\n")
                    .append("    i64.sub r8, r1, r4\n")
                    .append("    i64.sub r9, r1, r3\n");
            // the two callees' second arguments, of their types
            int c1 = linear ? f : f + rnd.nextInt(n - f + 1);
            int c2 = f + rnd.nextInt(n - f + 1);
            s.append("    const.i64 r10, ").append(rnd.nextInt(9) - 4).append('\n');
            String b = "r2";
            if (u) {
                s.append("    u64.to_i64 r11, r2\n");
                b = "r11";
            }
            s.append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r12, ").append(b).append(", r10\n")
                    .append("    i64.shl r13, r12, r4\n")
                    .append("    i64.gt r14, r12, r10\n")
                    .append("    select r15, r14, r12, r13\n");
            arg(s, us[c1], "r16", "r15");
            s.append("    call r0, g").append(c1).append(", r0, [r8, r16] -> [r17]\n");
            if (linear) {
                s.append("    ").append(BIN[rnd.nextInt(3)]).append(" r20, r17, r1\n")
                        .append("    ret r0, [r20]\n}\n");
                continue;
            }
            arg(s, us[c2], "r18", "r13");
            s.append("    call r0, g").append(c2).append(", r0, [r9, r18] -> [r19]\n")
                    .append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(" r20, r17, r19\n")
                    .append("    i64.le r21, r17, r19\n")
                    .append("    select r20, r21, r20, r17\n")
                    .append("    ret r0, [r20]\n}\n");
        }
        long a = linear ? 40 + rnd.nextInt(80) : 2 + rnd.nextInt(9);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(a), Value.i64(rnd.nextInt(100) - 50)));
    }

    /** Writes to {@code dst} a callee's second argument, {@code from} as u64 when {@code u}, else i64. */
    private static void arg(StringBuilder s, boolean u, String dst, String from) {
        s.append(u ? "    i64.to_u64 " : "    mov ").append(dst).append(", ").append(from).append('\n');
    }

    /** Most generated programs enter clones in a plain run (the context's count). */
    @Test
    void theProgramsEnterClones() throws Exception {
        int entered = 0;
        for (long seed = 0; seed < 40; seed++) {
            Tiers.Generated g = program(seed);
            Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), Host.NONE);
            ExecutionContext ctx = new ExecutionContext();
            try {
                vm.run(ctx, 0, g.args(), Limits.DEFAULT, null);
            } catch (dev.tape.vm.Trap e) {
                // a division by zero: the clones did their part before
            }
            entered += ctx.fastEntries > 0 ? 1 : 0;
        }
        assertTrue(entered >= 20, "programs that entered clones: " + entered);
    }

    @Test
    void everyFuelLimitAndHeapLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 40, JitFastCloneTest::program, (g, vp, t, full, what) ->
                assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what));
    }

    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 130, JitFastCloneTest::program);
        for (long seed = 130; seed < 160; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            // depth limits hit inside the clones, and register limits up to past the deepest frames
            for (long d = 5; d <= 130; d += 3) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (int regs = 81; regs <= 3_000; regs += 41) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
        }
    }

    @Test
    void pausedRunsKeepTheirPath() throws Exception {
        int pauses = Tiers.pauseSweep(200, 215, JitFastCloneTest::program);
        assertTrue(pauses >= 100, "pauses " + pauses);
    }

    /** On a thread with a small Java stack, the tiers still agree (the clones nest within the budget). */
    @Test
    void smallJavaStack() throws Exception {
        Tiers.smallStackSweep(256 * 1024, 300, 330, JitFastCloneTest::program);
    }

    /**
     * fib's class holds its fast clone, and a run of fib enters it (the context's count); a run
     * short of fuel bails, runs again on the compiled path and traps as the interpreter does.
     */
    @Test
    void fibEntersItsClone() throws Exception {
        String src = Files.readString(Path.of("../examples/fib.tasm"));
        VerifiedProgram vp = JitLeafInlineTest.verified(src);
        Vm vm = Jit.compile(vp, Host.NONE);
        JitTier tier = (JitTier) vm.tier;
        String pool = new String(JitTestAccess.generate(tier.view, 0).bytes(), StandardCharsets.ISO_8859_1);
        assertTrue(pool.contains("fast0"), "fib's clone");
        assertTrue(pool.contains("(JLdev/tape/vm/ExecutionContext;IJ)J"), "the clone's descriptor");
        ExecutionContext ctx = new ExecutionContext();
        assertEquals(List.of(Value.i64(6765)), vm.run(ctx, 0, List.of(Value.i64(20)), Limits.DEFAULT, null));
        assertTrue(ctx.fastEntries > 0, "entered " + ctx.fastEntries);
        assertFalse(ctx.fast, "fast mode off after the run");
        Tiers t = Tiers.of(vp, Host.NONE);
        Tiers.Outcome full = t.check(0, List.of(Value.i64(15)), Limits.DEFAULT, "fib 15");
        t.everyFuel(0, List.of(Value.i64(15)), full, "fib 15");
    }
}
