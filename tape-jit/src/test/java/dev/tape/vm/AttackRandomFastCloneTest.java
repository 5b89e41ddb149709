package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the fast clones (attack-f24): random pure programs that the clones' own test does not
 * make. One to five pure functions of 0 to 9 word arguments (past the JVM's six argument
 * registers), each with a counted loop inside (its body mixes the arguments with add, sub, mul,
 * and, or, xor and shifts by counts from 0 to 200), linear and mutual recursion among the functions
 * (a function of at least one argument calls one drawn at random with its first argument less one,
 * so recursion 0 to 60 deep), calls of argument-less functions, and an entry that calls the first
 * function twice (sibling calls that may each bail). Both tiers must agree (result or trap with its
 * call stack, fuel left) at every fuel limit of the small programs, at fuel limits of 2^63 and
 * more (the context's fuel reserve), at every call-depth limit up to past the deepest frame and
 * at 2^63-1 and 2^64-1, and at register limits up to past the deepest frames.
 */
class AttackRandomFastCloneTest {
    private static final String[] BIN = {"i64.add", "i64.sub", "i64.mul", "i64.xor", "i64.and", "i64.or"};
    private static final String[] SHIFT = {"i64.shl", "i64.shr"};

    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(5);
        int[] arity = new int[n + 1];
        for (int f = 1; f <= n; f++) {
            arity[f] = f == 1 ? 1 + rnd.nextInt(9) : rnd.nextInt(10);
        }
        StringBuilder s = new StringBuilder("program attack\n");
        // main(x, y): p1(x, y, ...) + p1(x / 2 ...), its other arguments from y
        s.append("func main(x: i64, y: i64) -> (i64) {\n    const.i64 r3, 1\n");
        StringBuilder a1 = new StringBuilder("r1");
        StringBuilder a2 = new StringBuilder("r4");
        s.append("    i64.shr r4, r1, r3\n");
        for (int j = 2; j <= arity[1]; j++) {
            s.append("    i64.add r").append(4 + j).append(", r2, r").append(j == 2 ? 4 : 3 + j).append('\n');
            a1.append(", r").append(4 + j);
            a2.append(", r").append(rnd.nextBoolean() ? 2 : 4 + j);
        }
        int r = 5 + Math.max(arity[1], 1);
        s.append("    call r0, p1, r0, [").append(a1).append("] -> [r").append(r).append("]\n");
        s.append("    call r0, p1, r0, [").append(a2).append("] -> [r").append(r + 1).append("]\n");
        s.append("    i64.add r").append(r + 2).append(", r").append(r).append(", r").append(r + 1).append('\n');
        s.append("    ret r0, [r").append(r + 2).append("]\n}\n");
        for (int f = 1; f <= n; f++) {
            int k = arity[f];
            int t = k + 1;
            s.append("func p").append(f).append('(');
            for (int j = 1; j <= k; j++) {
                s.append(j == 1 ? "" : ", ").append('a').append(j).append(": i64");
            }
            s.append(") -> (i64) {\n");
            String acc = "r" + t;
            String cnt = "r" + (t + 1);
            String one = "r" + (t + 2);
            String zero = "r" + (t + 3);
            String test = "r" + (t + 4);
            String tmp = "r" + (t + 5);
            String sh = "r" + (t + 6);
            s.append("    const.i64 ").append(acc).append(", ").append(rnd.nextInt(1000) - 500).append('\n');
            s.append("    const.i64 ").append(cnt).append(", ").append(rnd.nextInt(7)).append('\n');
            s.append("    const.i64 ").append(one).append(", 1\n");
            s.append("    const.i64 ").append(zero).append(", 0\n");
            s.append("    const.i64 ").append(sh).append(", ").append(rnd.nextInt(201)).append('\n');
            s.append("    jmp loop\nloop:\n    i64.le ").append(test).append(", ").append(cnt).append(", ").append(zero).append('\n');
            s.append("    br ").append(test).append(", out, body\nbody:\n");
            String x = k == 0 ? cnt : "r" + (1 + rnd.nextInt(k));
            s.append("    ").append(BIN[rnd.nextInt(BIN.length)]).append(' ').append(acc).append(", ").append(acc)
                    .append(", ").append(x).append('\n');
            s.append("    ").append(SHIFT[rnd.nextInt(SHIFT.length)]).append(' ').append(tmp).append(", ").append(acc)
                    .append(", ").append(rnd.nextBoolean() ? sh : x).append('\n');
            s.append("    i64.xor ").append(acc).append(", ").append(acc).append(", ").append(tmp).append('\n');
            s.append("    i64.sub ").append(cnt).append(", ").append(cnt).append(", ").append(one).append('\n');
            s.append("    jmp loop\nout:\n");
            int next = t + 7;
            // a call of an argument-less function (it calls nothing)
            for (int g = 1; g <= n; g++) {
                if (g != f && arity[g] == 0 && rnd.nextInt(3) == 0) {
                    s.append("    call r0, p").append(g).append(", r0, [] -> [r").append(next).append("]\n");
                    s.append("    i64.add ").append(acc).append(", ").append(acc).append(", r").append(next).append('\n');
                    break;
                }
            }
            if (k >= 1) {
                // recursion: while a1 > 0, a function of at least one argument with a1 - 1 first
                List<Integer> callees = new ArrayList<>();
                for (int g = 1; g <= n; g++) {
                    if (arity[g] >= 1) {
                        callees.add(g);
                    }
                }
                int g = callees.get(rnd.nextInt(callees.size()));
                s.append("    i64.le ").append(test).append(", r1, ").append(zero).append('\n');
                s.append("    br ").append(test).append(", done, deeper\ndeeper:\n");
                s.append("    i64.sub r").append(next + 1).append(", r1, ").append(one).append('\n');
                StringBuilder args = new StringBuilder("r" + (next + 1));
                for (int j = 2; j <= arity[g]; j++) {
                    args.append(", r").append(rnd.nextInt(3) == 0 ? t : 1 + rnd.nextInt(k));
                }
                s.append("    call r0, p").append(g).append(", r0, [").append(args).append("] -> [r").append(next + 2)
                        .append("]\n");
                s.append("    ").append(BIN[rnd.nextInt(3)]).append(' ').append(acc).append(", ").append(acc)
                        .append(", r").append(next + 2).append('\n');
                s.append("    jmp done\ndone:\n");
            }
            s.append("    ret r0, [").append(acc).append("]\n}\n");
        }
        long x = rnd.nextInt(4) == 0 ? 40 + rnd.nextInt(21) : rnd.nextInt(12);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(x), Value.i64(rnd.nextLong())));
    }

    @Test
    void everyLimit() throws Exception {
        int entered = 0;
        for (long seed = 0; seed < 60; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            long used = Limits.DEFAULT.fuel() - full.fuelRemaining();
            if (used <= 1_500) {
                t.everyFuel(0, g.args(), full, what);
            } else {
                for (long fuel = used - 300; fuel <= used + 1; fuel++) {
                    t.check(0, g.args(), Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
            }
            for (long fuel : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + used, -1L}) {
                t.check(0, g.args(), Limits.DEFAULT.withFuel(fuel), what + " fuel " + Long.toUnsignedString(fuel));
            }
            for (long d = 0; d <= 64; d++) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + d);
            }
            for (long d : new long[] {Long.MAX_VALUE, -1L, Integer.MAX_VALUE, 1L << 31}) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxCallDepth(d), what + " depth " + Long.toUnsignedString(d));
            }
            for (int regs = 1; regs <= 2_500; regs += 7) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
            ExecutionContext ctx = new ExecutionContext();
            try {
                t.compiled.run(ctx, 0, g.args(), Limits.DEFAULT, null);
            } catch (Trap e) {
                // compared above
            }
            entered += ctx.fastEntries > 0 ? 1 : 0;
        }
        assertTrue(entered >= 30, "programs that entered clones: " + entered);
    }
}
