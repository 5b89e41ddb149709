package dev.tape.vm;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the interpreter's unboxed decimals ({@link DecScale}: a mantissa in the word file, a
 * scale token in the reference file, the slot listed until it is boxed) where the list of unboxed
 * slots and the frames disagree: a recursion whose every frame writes up to 100 decimal registers
 * (more than {@link ExecutionContext#DEC_SLOTS}, so the list fills and is boxed in the middle of a
 * frame's chain), keeps them across the recursive call and reads them after it, then calls a
 * helper whose word and string registers take the slots the deeper frames' decimals (listed,
 * maybe still tokens) had; decimals moved by {@code mov} and {@code select}, passed and returned,
 * put in tuples, converted with {@code dec.to_i64}, next to host calls (a boxed one that starts a
 * nested run of the helper on the same VM, a word one that suspends, one that fails) and, for some
 * seeds, a doubling that overflows or a product whose scale makes a later add trap. Each program
 * goes through {@link TierCompare#threeAgree}: the interpreter, the compiled tier and the stepped
 * interpreter at every fuel, heap, call-depth, host-call and register limit, paused, snapshotted,
 * forked and restored on the other way (and against the build before with
 * {@code -Dtape.before.jar}).
 */
class AttackDecimalTokensDeepTest {
    /** the first decimal register of rec */
    private static final int D0 = 10;

    static String program(long seed, int k) {
        Random rnd = new Random(seed);
        int t0 = D0 + k;
        int t1 = t0 + 1;
        int tup = t0 + 2;
        int cond = t0 + 3;
        int tmp = t0 + 4;
        StringBuilder s = new StringBuilder("program decdeep\n").append(AttackPrograms.SIX_HOSTS);
        s.append("""
                func main(n: i64, x: i64, d: i64) -> (dec, i64) {
                    i64.to_dec r4, r2, 2
                    call r0, rec, r0, [r1, r4] -> [r5, r6]
                    ret r0, [r5, r6]
                }
                """);
        // function 1 (w.x runs it nested): word registers and strings over the slots of rec's frames
        s.append("func words(k: i64) -> (i64) {\n    const.i64 r2, 3\n    const.pool r3, str:\"slot\"\n");
        int m = 4 + k + rnd.nextInt(20);
        int last = 1;
        for (int j = 4; j < m; j++) {
            if (j % 7 == 0) {
                s.append("    str.concat r").append(j).append(", r3, r3\n");
            } else {
                s.append("    i64.add r").append(j).append(", r").append(last).append(", r2\n");
                last = j;
            }
        }
        s.append("    ret r0, [r").append(last).append("]\n}\n");
        s.append("func rec(n: i64, p: dec) -> (dec, i64) {\n    const.i64 r3, 0\n    const.i64 r4, 1\n");
        s.append("    const.i64 r7, 0\n    i64.to_dec r").append(D0).append(", r1, 2\n");
        for (int j = D0 + 1; j < D0 + k; j++) {
            s.append("    dec.add r").append(j).append(", r").append(j - 1).append(", r2\n");
        }
        s.append("    i64.lt r").append(cond).append(", r1, r4\n");
        items(s, rnd, k, 2 + rnd.nextInt(6));
        s.append("    i64.eq r5, r1, r3\n    br r5, leaf, inner\nleaf:\n");
        items(s, rnd, k, 1 + rnd.nextInt(3));
        s.append("    ret r0, [").append(dec(rnd, k)).append(", r1]\ninner:\n    i64.sub r6, r1, r4\n");
        s.append("    call r0, rec, r0, [r6, ").append(dec(rnd, k)).append("] -> [").append(dec(rnd, k))
                .append(", r7]\n");
        items(s, rnd, k, 1 + rnd.nextInt(5));
        s.append("    call r0, words, r0, [r7] -> [r8]\n");
        items(s, rnd, k, 1 + rnd.nextInt(5));
        s.append("    i64.add r7, r7, r8\n    ret r0, [").append(dec(rnd, k)).append(", r7]\n}\n");
        // t0, t1: scale-0 decimals; tup: a tuple (dec, i64); cond: a bool; tmp: an i64
        return s.toString().replace("T0", "r" + t0).replace("T1", "r" + t1).replace("TUP", "r" + tup)
                .replace("COND", "r" + cond).replace("TMP", "r" + tmp);
    }

    private static String dec(Random rnd, int k) {
        // mostly the first and last few, which the list holds unboxed longest and shortest
        int j = rnd.nextInt(3) == 0 ? rnd.nextInt(k) : rnd.nextBoolean() ? rnd.nextInt(Math.min(k, 3))
                : k - 1 - rnd.nextInt(Math.min(k, 3));
        return "r" + (D0 + j);
    }

    private static void items(StringBuilder s, Random rnd, int k, int n) {
        for (int i = 0; i < n; i++) {
            String a = dec(rnd, k);
            String b = dec(rnd, k);
            String c = dec(rnd, k);
            s.append(switch (rnd.nextInt(14)) {
                case 0, 1 -> "    dec.add " + a + ", " + b + ", " + c + "\n";
                case 2 -> "    dec.sub " + a + ", " + b + ", " + c + "\n";
                case 3 -> "    mov " + a + ", " + b + "\n    dec.add " + b + ", " + b + ", " + c + "\n";
                case 4 -> "    select " + a + ", COND, " + b + ", " + c + "\n";
                case 5 -> "    i64.to_dec " + a + ", r7, 2\n";
                case 6 -> "    i64.to_dec T0, r1, 0\n    dec.add T1, T0, T0\n    dec.to_i64 TMP, T1\n"
                        + "    i64.add r7, r7, TMP\n";
                case 7 -> "    host_call r0, hx, r0, [r7] -> [TMP]\n    i64.add r7, r7, TMP\n    dec.add " + a
                        + ", " + b + ", " + c + "\n";
                case 8 -> "    host_call r0, hw, r0, [r7, r1] -> [TMP, r8]\n    i64.add r7, TMP, r8\n";
                case 9 -> "    host_call r0, hf, r0, [r7] -> [TMP]\n    i64.add r7, r7, TMP\n";
                case 10 -> "    tuple.new TUP, [" + a + ", r7]\n    dec.add " + a + ", " + a + ", " + b + "\n"
                        + "    tuple.get " + c + ", TUP, 0\n";
                case 11 -> rnd.nextInt(4) == 0 ? doubling(a) : "    dec.sub " + a + ", " + a + ", " + a + "\n";
                case 12 -> rnd.nextInt(4) == 0 ? "    dec.mul " + a + ", " + b + ", " + c + "\n"
                        : "    dec.add " + a + ", " + a + ", " + a + "\n";
                default -> "    mov " + a + ", " + c + "\n    mov " + c + ", " + b + "\n    mov " + b + ", " + a + "\n";
            });
        }
    }

    /** 70 doublings of a: overflows unless a is 0 */
    private static String doubling(String a) {
        return ("    dec.add " + a + ", " + a + ", " + a + "\n").repeat(70);
    }

    @Test
    void deepFramesOfManyUnboxedDecimalsAgreeEverywhere() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.decdeep", 24);
        int[] widths = {3, 40, 66, 100};
        int ran = 0;
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                int k = widths[(int) (seed % widths.length)];
                String source = program(seed, k);
                long n = seed % 5;
                long[] argv = {n, seed * 37 - 400, 7};
                int regs = (int) ((n + 2) * (D0 + k + 8) + 2 * (n + 3) + k + 40);
                String[] now = TierCompare.threeAgree(old.run(), source, argv, n + 4, seed % 2 == 0, regs,
                        "seed " + seed + " k " + k + " n " + n + "\n" + source);
                assertTrue(now[0].startsWith("full "), now[0]);
                ran++;
            }
        }
        assertTrue(ran > 0);
    }
}
