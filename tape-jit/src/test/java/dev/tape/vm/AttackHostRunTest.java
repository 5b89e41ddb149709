package dev.tape.vm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the interpreter's loop of quick host calls and word instructions ({@code HostRun},
 * twenty-seventh round): random programs whose loops mix one-to-three-word host calls ({@code w.f},
 * which throws for a mod 61 = 17, {@code w.g}, {@code w.h}, {@code w.p} with a bool result that a
 * {@code br} reads) with the word instructions the run takes (mov, constants, add, sub, mul, the
 * fused compare-and-branch and the superinstructions), with instructions it does not take
 * ({@code i64.xor}, {@code i64.div} that traps on a zero divisor, tuples), host calls it declines
 * ({@code w.w}, a {@code Words} function that charges fuel and suspends; {@code w.x}, boxed,
 * charging fuel and now and then running function 1 nested on the same VM), back-to-back host
 * calls, inner loops around a host call, direct calls of a looping callee with host calls and a
 * recursion with a host call in each frame. {@link AttackAllDriver} writes the transcripts on the
 * interpreter (where {@code HostRun} runs), the compiled tier and the interpreter stepped one
 * instruction at a time (which never enters {@code HostRun}): every fuel limit, heap, depth,
 * host-call and register limit, limits as large as the format allows, each fuel pause's snapshot
 * restored on the other way, slices with restores and forks, a reused context; they must agree
 * line by line, and with {@code -Dtape.before.jar=FILE} (a build before {@code HostRun}) equal that
 * build's.
 *
 * <p>{@code -Dattack.hostrun.from=N -Dattack.hostrun.seeds=M} runs other seeds.
 */
class AttackHostRunTest {
    private static final String[] WORDS = {"r4", "r5", "r7", "r8", "r10", "r11"};

    private static String any(SplittableRandom rnd) {
        return WORDS[rnd.nextInt(WORDS.length)];
    }

    /** A branch on r18 to two blocks of word instructions that meet again; {@code k} names their labels. */
    private static String branch(int k) {
        return "    br r18, t" + k + ", f" + k + "\nt" + k + ":\n    i64.add r4, r4, r6\n    jmp e" + k + "\nf" + k
                + ":\n    i64.sub r4, r4, r9\n    jmp e" + k + "\ne" + k + ":\n";
    }

    /** One item of main's loop body; {@code k} names its labels. */
    private static String item(SplittableRandom rnd, int k) {
        String a = any(rnd);
        String b = any(rnd);
        return switch (rnd.nextInt(20)) {
            case 0, 1 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    i64.add r4, r4, r10\n";
            case 2 -> "    host_call r0, hg, r0, [" + a + ", " + b + "] -> [r11]\n    i64.sub r4, r4, r11\n"
                    + "    const.i64 r12, " + (rnd.nextInt(201) - 100) + "\n    i64.add r4, r4, r12\n";
            case 3 -> "    host_call r0, hh, r0, [" + a + ", " + b + ", r9] -> [r12]\n    i64.mul r13, r12, r9\n"
                    + "    i64.add r4, r4, r13\n    mov r11, r12\n";
            case 4 -> "    host_call r0, hp, r0, [" + a + "] -> [r18]\n" + branch(k);
            // back to back: the run's own host_call case, no word instruction between
            case 5 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    host_call r0, hg, r0, [r10, " + b
                    + "] -> [r11]\n    host_call r0, hp, r0, [r11] -> [r16]\n    i64.add r4, r4, r11\n";
            // an inner loop around a host call: its latch is a fused compare-and-branch
            case 6, 7 -> "    const.i64 r13, 0\n    const.i64 r15, " + rnd.nextInt(7) + "\n    jmp i" + k + "\ni" + k
                    + ":\n    i64.add r14, r13, r7\n    host_call r0, hf, r0, [r14] -> [r10]\n    i64.add r4, r4, r10\n"
                    + "    i64.add r13, r13, r6\n    i64.lt r18, r13, r15\n    br r18, i" + k + ", o" + k + "\no" + k
                    + ":\n";
            // declined by the quick path: handed back to execute
            case 8 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    i64.add r4, r4, r10\n"
                    + "    host_call r0, hw, r0, [r5, r4] -> [r10, r11]\n    i64.add r4, r4, r11\n";
            case 9 -> "    host_call r0, hg, r0, [" + a + ", " + b + "] -> [r10]\n    mov r11, r10\n"
                    + "    host_call r0, hx, r0, [r5] -> [r10]\n    i64.add r4, r4, r10\n";
            case 10 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    call r0, side, r0, [r10] -> [r11]\n"
                    + "    i64.add r4, r4, r11\n";
            case 11 -> "    host_call r0, hg, r0, [" + a + ", r5] -> [r10]\n    call r0, rec, r0, [r3, r10] -> [r11]\n"
                    + "    i64.add r4, r4, r11\n";
            // not taken by the run: it stops there, unpaid
            case 12 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    i64.xor r4, r4, r10\n";
            case 13 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    const.i64 r13, 7\n    i64.rem r14, "
                    + b + ", r13\n    i64.div r11, r10, r14\n    i64.add r4, r4, r11\n";
            case 14 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    tuple.new r20, [r10, r4]\n"
                    + "    tuple.get r11, r20, 0\n    i64.add r4, r4, r11\n";
            // the fused compare-and-branch right after the call (the run's first instruction), and
            // after a constant (a superinstruction)
            case 15 -> "    host_call r0, hf, r0, [" + a + "] -> [r10]\n    i64.lt r18, r10, " + b + "\n" + branch(k);
            case 16 -> "    host_call r0, hg, r0, [" + a + ", " + b + "] -> [r10]\n    const.i64 r12, "
                    + (rnd.nextInt(201) - 100) + "\n    i64.lt r18, r10, r12\n" + branch(k);
            // w.f refuses its argument at turn T only ((turn - T) * 1000 + 17): a trap inside the run
            case 17 -> "    host_call r0, hg, r0, [" + a + ", " + b + "] -> [r11]\n    const.i64 r13, " + rnd.nextInt(6)
                    + "\n    i64.sub r14, r5, r13\n    const.i64 r13, 1000\n    i64.mul r14, r14, r13\n"
                    + "    const.i64 r13, 17\n    i64.add r14, r14, r13\n    host_call r0, hf, r0, [r14] -> [r10]\n"
                    + "    i64.add r4, r4, r10\n";
            default -> "    host_call r0, hg, r0, [" + a + ", " + b + "] -> [r10]\n    const.i64 r12, "
                    + rnd.nextInt(1000) + "\n    i64.add r4, r10, r12\n";
        };
    }

    /**
     * The program of a seed: main(n, x, d) -> (i64), n turns of a body of random items; function 1
     * ({@code side}, which {@code w.x} also runs nested) loops three times around a host call;
     * {@code rec(d, x)} makes a host call in each of its d + 1 frames.
     */
    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 27);
        StringBuilder s = new StringBuilder("program hostrun27\n").append(AttackPrograms.SIX_HOSTS)
                .append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        AttackPrograms.mainStart(s, rnd);
        s.append("    const.i64 r10, 0\n    const.i64 r11, 0\n    jmp top\ntop:\n");
        int items = 2 + rnd.nextInt(5);
        for (int i = 0; i < items; i++) {
            s.append(item(rnd, i));
        }
        s.append("    i64.add r5, r5, r6\n    i64.lt r19, r5, r1\n    br r19, top, out\nout:\n    ret r0, [r4]\n}\n");
        s.append("""
                func side(a: i64) -> (i64) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    const.i64 r5, 3
                    jmp top
                top:
                    host_call r0, hg, r0, [r1, r2] -> [r4]
                    i64.add r1, r1, r4
                    i64.add r2, r2, r3
                    i64.lt r6, r2, r5
                    br r6, top, out
                out:
                    ret r0, [r1]
                }
                func rec(d: i64, x: i64) -> (i64) {
                    const.i64 r3, 0
                    i64.le r4, r1, r3
                    br r4, base, step
                base:
                    host_call r0, hf, r0, [r2] -> [r5]
                    ret r0, [r5]
                step:
                    host_call r0, hg, r0, [r2, r1] -> [r6]
                    const.i64 r7, 1
                    i64.sub r8, r1, r7
                    call r0, rec, r0, [r8, r6] -> [r9]
                    i64.add r9, r9, r6
                    ret r0, [r9]
                }
                """);
        long x = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(121) - 60;
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(6), x, rnd.nextInt(4));
    }

    /** The sweep: the three ways agree, and the programs both finish and trap. */
    @Test
    void hostCallsAndWordRunsAgreeOnEveryWayAndLimit() throws Exception {
        int[] ends = new int[2];
        TierCompare.sweep(TierCompare.Seeds.of("attack.hostrun", 48), AttackHostRunTest::program, g -> 24,
                (seed, g, what, now) -> {
                    String full = now[0].substring(0, now[0].indexOf('\n'));
                    ends[full.startsWith("full done") ? 0 : 1]++;
                });
        assertTrue(ends[0] > 0 && (ends[1] > 0 || ends[0] < 6), ends[0] + " done, " + ends[1] + " trapped");
    }
}
