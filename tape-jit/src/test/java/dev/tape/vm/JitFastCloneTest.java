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
import java.util.function.LongFunction;

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
 * and may trap on a zero divisor). The same sweeps run {@link JitFastCloneFuelTest}'s programs,
 * which loop ({@link #FAMILIES}).
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

    /**
     * A family of random programs the sweeps below run, and how far they take it.
     *
     * @param name names the family in failure messages
     * @param program the family's generator
     * @param mayTrap whether a program may trap at {@code Limits.DEFAULT} (a division by zero)
     * @param seeds the seeds 0 to {@code seeds} (exclusive) run plain and at every fuel and heap limit
     * @param minEntered of those, how many must enter a clone in a plain run
     * @param limitSeeds the seeds from 100 run {@link Tiers#depthAndRegisterSweep}, the as many after them
     *     every depth limit from 5 to {@code maxDepth} by 3 and register limit from 81 to
     *     {@code maxRegisters} by {@code registerStep}
     * @param maxDepth the last depth limit (the deepest recursion's depth or past it)
     * @param maxRegisters the last register limit (past the deepest frames' registers)
     * @param registerStep the step of the register limits
     * @param pauseSeeds the seeds from 200 run paused and restored ({@link Tiers#pauseSweep})
     * @param minPauses how many pauses those must make
     * @param smallStackFrom the first of {@code limitSeeds} seeds run on a 256 KiB Java stack
     */
    record Family(String name, LongFunction<Tiers.Generated> program, boolean mayTrap, int seeds, int minEntered,
                  int limitSeeds, long maxDepth, int maxRegisters, int registerStep, int pauseSeeds, int minPauses,
                  long smallStackFrom) {}

    /**
     * This class's programs (deep recursions that bail, divisions), and {@link JitFastCloneFuelTest}'s
     * (loops by {@code jmp} or {@code br} in recursing functions: fuel tests at back edges and rets).
     */
    static final List<Family> FAMILIES = List.of(
            new Family("fast", JitFastCloneTest::program, true, 40, 20, 30, 130, 3_000, 41, 15, 100, 300),
            new Family("fastfuel", JitFastCloneFuelTest::program, false, 30, 25, 15, 40, 1_500, 47, 10, 50, 130));

    /** Most generated programs enter clones in a plain run (the context's count). */
    @Test
    void theProgramsEnterClones() throws Exception {
        for (Family f : FAMILIES) {
            int entered = 0;
            for (long seed = 0; seed < f.seeds(); seed++) {
                Tiers.Generated g = f.program().apply(seed);
                Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), Host.NONE);
                ExecutionContext ctx = new ExecutionContext();
                try {
                    vm.run(ctx, 0, g.args(), Limits.DEFAULT, null);
                } catch (Trap e) {
                    // a division by zero: the clones did their part before
                    if (!f.mayTrap()) {
                        throw e;
                    }
                }
                entered += ctx.fastEntries > 0 ? 1 : 0;
            }
            assertTrue(entered >= f.minEntered(), f.name() + ": programs that entered clones: " + entered);
        }
    }

    /** Every fuel limit from 0 to one past the use (the fuel runs out at every point of the clones), every heap limit near the use. */
    @Test
    void everyFuelLimitAndHeapLimit() throws Exception {
        for (Family f : FAMILIES) {
            Tiers.fuelAndHeapSweep(0, f.seeds(), f.program(), (g, vp, t, full, what) ->
                    assertTrue(Jit.compiledFunctions(t.compiled) >= 1, f.name() + " " + what));
        }
    }

    /** Depth limits hit inside the clones, and register limits up to past the deepest frames. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        for (Family f : FAMILIES) {
            Tiers.depthAndRegisterSweep(100, 100 + f.limitSeeds(), f.program());
            for (long seed = 100 + f.limitSeeds(); seed < 100 + 2L * f.limitSeeds(); seed++) {
                Tiers.Generated g = f.program().apply(seed);
                Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
                String what = f.name() + " seed " + seed + "\n" + g.source();
                for (long d = 5; d <= f.maxDepth(); d += 3) {
                    t.check(0, g.args(), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
                }
                for (int regs = 81; regs <= f.maxRegisters(); regs += f.registerStep()) {
                    t.check(0, g.args(), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
                }
            }
        }
    }

    /** Paused runs (today's path) restored on the other tier agree. */
    @Test
    void pausedRunsKeepTheirPath() throws Exception {
        for (Family f : FAMILIES) {
            int pauses = Tiers.pauseSweep(200, 200 + f.pauseSeeds(), f.program());
            assertTrue(pauses >= f.minPauses(), f.name() + ": pauses " + pauses);
        }
    }

    /** On a thread with a small Java stack, the tiers still agree (the clones nest within the budget). */
    @Test
    void smallJavaStack() throws Exception {
        for (Family f : FAMILIES) {
            Tiers.smallStackSweep(256 * 1024, f.smallStackFrom(), f.smallStackFrom() + f.limitSeeds(), f.program());
        }
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
