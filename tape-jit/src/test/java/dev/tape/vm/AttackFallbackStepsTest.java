package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.internal.Generated;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the compiler's stepwise size fallback ({@code JitCompiler.generateClass}: no chunks,
 * unpeeled, no fast copies, no looping callees, no kept aggregates, the largest leaves dropped
 * twice, nothing) with the mixes {@link JitFallbackStepsTest} has not: random programs whose
 * {@code main} runs a counted loop calling a leaf ({@code CountedLoop}), then a loop that
 * calls the looping callee {@code walk} with a kept array, keeps structs and passes one to a leaf,
 * calls three leaves of the same size (which is "largest" is a tie) directly and as func values
 * through {@code call.indirect}, a larger leaf, the closures' functions directly and through
 * {@code call.indirect} (the closures cache, live once the aggregates are dropped; one closure
 * over a struct, one over a tuple too short for its reads), host functions (one suspends),
 * decimals, a recursion, a division that may trap, and itself once more. {@code main} is padded
 * with adds before its loop; for each seed the pads are scanned upwards and the first pad of every
 * new step runs through {@link TierCompare#waysAgree} (interpreted, compiled, stepped, and framed
 * for every third seed: every fuel limit, pauses restored on the other tier, call depths, and
 * against the build before with {@code -Dtape.before.jar=FILE}); at that pad every function
 * compiles (a method the JVM refuses would leave main to the interpreter and hide behind the
 * interpreter's agreement), the class is the same bytes on two fresh VMs, and no compile makes
 * more than {@code MAX_ATTEMPTS} generations. {@code -Dattack.fallback.from=N
 * -Dattack.fallback.seeds=M} run other seeds. On 34e5f1a (main after the fallback's round) nothing
 * differed between the ways or against 6a4249e (the build before it) in 110 seeds as the
 * generator grew (0 to 33, 0 to 29, 30 to 59, and 60 to 75 of its last form, each step reached by
 * 9 to 16 of those 16); and main's class at steps 0 to 2 and 7, and every callee's, were
 * the same bytes on both builds for 6,040 programs of an earlier form (seeds 0 to 39, pads 0 to
 * 2,400 by 16).
 */
class AttackFallbackStepsTest {
    /** The fallback's last step (nothing inline, no dead aggregate cleared); 10 stands for no step fitting. */
    private static final int LAST_STEP = 9;

    private static String item(SplittableRandom rnd, int len, int at) {
        return switch (rnd.nextInt(16)) {
            case 0, 1 -> "    array.new r12, A, " + AttackPrograms.elements(rnd, len) + "\n    const.u64 r15, "
                    + rnd.nextInt(len + 1) + "\n"
                    + (rnd.nextInt(4) == 0 ? "    const.u64 r16, " + (len + rnd.nextInt(2)) + "\n" : "    array.len r16, r12\n")
                    + "    call r0, walk, r0, [r12, r15, r4, r16] -> [r17]\n    i64.add r4, r4, r17\n";
            case 2 -> "    struct.new r20, P, [r5, r4]\n    struct.get r21, r20, 1\n    i64.add r4, r4, r21\n";
            case 3 -> "    struct.new r20, P, [r4, r7]\n    call r0, sget, r0, [r20] -> [r21]\n    i64.xor r4, r4, r21\n";
            case 4 -> "    call r0, e" + rnd.nextInt(3) + ", r0, [r4] -> [r21]\n    i64.add r4, r4, r21\n";
            case 5 -> "    call r0, big, r0, [r4, r5] -> [r21]\n    i64.add r4, r4, r21\n";
            case 6 -> "    call.indirect r0, one, r3" + (3 + rnd.nextInt(2)) + ", r0, [r5] -> [r21]\n    i64.add r4, r4, r21\n";
            case 7 -> "    call r0, l" + (rnd.nextBoolean() ? "A" : "B") + ", r0, [r32, r4] -> [r21]\n    i64.xor r4, r4, r21\n";
            case 8 -> rnd.nextBoolean() ? "    host_call r0, hf, r0, [r4] -> [r21]\n    i64.add r4, r4, r21\n"
                    : "    host_call r0, hw, r0, [r4, r5] -> [r21, r22]\n    i64.add r4, r21, r22\n";
            case 9 -> "    i64.to_dec r36, r4, 2\n    dec.add r35, r35, r36\n    dec.to_i64 r21, r35\n    i64.add r4, r4, r21\n";
            case 10 -> "    call r0, rec, r0, [r3, r4] -> [r21]\n    i64.add r4, r4, r21\n";
            case 11 -> "    i64.sub r22, r8, r5\n    call r0, dv, r0, [r4, r22] -> [r21]\n    i64.add r4, r4, r21\n";
            case 12 -> "    closure.new r3" + (3 + rnd.nextInt(2)) + ", r3" + rnd.nextInt(2) + ", r32\n";
            // a closure over the struct just built (kept until then), called through the cache
            case 13 -> "    struct.new r20, P, [r4, r5]\n    closure.new r39, r41, r20\n"
                    + "    call.indirect r0, one, r39, r0, [r5] -> [r21]\n    i64.add r4, r4, r21\n";
            // a func value of one of the three equal leaves (or big's, which fails the call's signature check)
            case 14 -> "    const.func r48, " + (rnd.nextInt(8) == 0 ? "big" : "e" + rnd.nextInt(3))
                    + "\n    call.indirect r0, one, r48, r0, [r4] -> [r21]\n    i64.add r4, r4, r21\n";
            // once, on the turn r8 names: lB's closure over a one-element tuple (its read traps)
            default -> "    i64.eq r23, r5, r8\n    mov r42, r34\n    br r23, short" + at + ", call" + at + "\nshort" + at
                    + ":\n    mov r42, r38\n    jmp call" + at + "\ncall" + at
                    + ":\n    call.indirect r0, one, r42, r0, [r4] -> [r21]\n    i64.xor r4, r4, r21\n";
        };
    }

    /**
     * The callees: walk, rec, three leaves of one size (e0 to e2), a larger one, the closures'
     * three (lS over a struct), a struct reader and a division.
     */
    private static final String CALLEES = AttackPrograms.WALK + AttackPrograms.REC_STRUCT + """
            func e0(x: i64) -> (i64) {
                const.i64 r2, 1000003
                i64.mul r3, r1, r2
                i64.add r3, r3, r1
                ret r0, [r3]
            }
            func e1(x: i64) -> (i64) {
                const.i64 r2, 1000033
                i64.mul r3, r1, r2
                i64.add r3, r3, r1
                ret r0, [r3]
            }
            func e2(x: i64) -> (i64) {
                const.i64 r2, 1000037
                i64.mul r3, r1, r2
                i64.add r3, r3, r1
                ret r0, [r3]
            }
            """ + AttackPrograms.BIG + """
            func lA(env: agg tuple(i64, i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r3, r3, r2
                ret r0, [r3]
            }
            func lB(env: agg tuple(i64, i64), x: i64) -> (i64) {
                tuple.get r3, r1, 1
                i64.xor r3, r3, r2
                ret r0, [r3]
            }
            func sget(p: agg struct P) -> (i64) {
                struct.get r2, r1, 1
                ret r0, [r2]
            }
            func lS(env: agg struct P, x: i64) -> (i64) {
                struct.get r3, r1, 0
                i64.sub r3, r3, r2
                ret r0, [r3]
            }
            func dv(x: i64, y: i64) -> (i64) {
                i64.div r3, r1, r2
                ret r0, [r3]
            }
            """;

    /** How many functions {@link #CALLEES} and main make. */
    private static final int FUNCTIONS = 12;

    /**
     * @param seed the program's seed (the same program for every pad)
     * @param pad how many adds main makes before its loop
     * @return main(n, x, d), which calls itself once d - 1 deep when d > 0, and its callees
     */
    static AttackPrograms.Generated program(long seed, int pad) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 12);
        StringBuilder s = new StringBuilder("program fallback\narray A = i64\nstruct P = { a: i64, b: i64 }\n"
                + "struct S = { a: i64, b: i64 }\ncallsig one = (i64) -> (i64)\n").append(AttackPrograms.SIX_HOSTS)
                .append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        AttackPrograms.mainStart(s, rnd);
        int len = 1 + rnd.nextInt(6);
        s.append("    array.new r12, A, ").append(AttackPrograms.elements(rnd, len)).append('\n')
                .append("    const.u64 r15, 0\n    const.u64 r16, 0\n    const.i64 r17, 0\n    const.bool r18, false\n")
                .append("    struct.new r20, P, [r5, r4]\n    const.i64 r21, 0\n    const.i64 r22, 0\n")
                .append("    const.func r30, lA\n    const.func r31, lB\n    tuple.new r32, [r7, r8]\n")
                .append("    closure.new r33, r30, r32\n    closure.new r34, r31, r32\n")
                .append("    const.decimal r35, ").append(rnd.nextInt(2001) - 1000).append(", 2\n")
                .append("    const.decimal r36, 0, 2\n    const.i64 r40, 0\n    tuple.new r37, [r7]\n")
                .append("    closure.new r38, r31, r37\n    const.func r41, lS\n    closure.new r39, r41, r20\n")
                .append("    mov r42, r34\n    const.bool r23, false\n");
        for (int k = 0; k < pad; k++) {
            s.append("    i64.add r40, r40, r6\n");
        }
        // a counted loop (CountedLoop) of r8 trips calling a leaf: its chunk is the first step's to drop
        s.append("    const.i64 r49, 0\n    jmp cl\ncl:\n    call r0, e0, r0, [r49] -> [r50]\n")
                .append("    i64.xor r40, r40, r50\n    i64.add r49, r49, r6\n    i64.lt r51, r49, r8\n")
                .append("    br r51, cl, cldone\ncldone:\n");
        s.append("    jmp top\ntop:\n");
        int items = 3 + rnd.nextInt(8);
        for (int i = 0; i < items; i++) {
            s.append(item(rnd, len, i));
        }
        s.append("    i64.add r5, r5, r6\n    i64.lt r18, r5, r1\n    br r18, top, out\nout:\n")
                // main again, d - 1 deep, with the sum as x (main's frames nest d + 1 deep)
                .append("    const.i64 r43, 0\n    i64.lt r44, r43, r3\n    br r44, again, fin\nagain:\n")
                .append("    const.i64 r45, 1\n    i64.sub r46, r3, r45\n    call r0, main, r0, [r1, r4, r46] -> [r47]\n")
                .append("    i64.add r4, r4, r47\n    jmp fin\nfin:\n")
                .append("    i64.add r4, r4, r40\n    ret r0, [r4]\n}\n").append(CALLEES);
        return new AttackPrograms.Generated(s.toString(), rnd.nextInt(5), rnd.nextLong(1000), rnd.nextInt(3));
    }

    /** @return a fresh compiled VM of {@code source} over the driver's host */
    private static JitTier tier(String source) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(source);
        Vm[] self = new Vm[1];
        Vm vm = Jit.compile(p, AttackAllDriver.host(self));
        self[0] = vm;
        return (JitTier) vm.tier;
    }

    /** One padded main compiled: its pad, program, tier, {@code steps} and step (past the last: none fits). */
    private record Probe(int pad, AttackPrograms.Generated g, JitTier tier, int[] st, int step) {}

    /** @return main of {@code seed} padded by {@code pad}, compiled in a fresh VM */
    private static Probe probe(long seed, int pad) throws Exception {
        AttackPrograms.Generated g = program(seed, pad);
        JitTier tier = tier(g.source());
        int[] st = JitTestAccess.steps(tier.view, 0);
        return new Probe(pad, g, tier, st, st[1] < 0 ? LAST_STEP + 1 : st[1]);
    }

    /**
     * For each seed, main padded further and further takes the fallback's steps in order, each
     * compile at most {@code MAX_ATTEMPTS} generations; at the first pad of each step the ways
     * agree (and agree with the build before, when named), every function compiles, and main's
     * class is the same bytes from two fresh VMs; the default seeds land on every step but 9. Every
     * pad of the grid (0 to 2,400 by 8) is checked; a step skipped between two of them is looked for
     * at the pads between, and each in-between pad that lands on a step between the two is checked
     * as well, before the grid's pad.
     */
    @Test
    void everyStepOfMixedProgramsAgrees() throws Exception {
        // seeds 63 to 66 land on every step but 9 (seeds 0 to 12 on none of steps 2 and 3)
        TierCompare.Seeds seeds = new TierCompare.Seeds(Long.getLong("attack.fallback.from", 63),
                Long.getLong("attack.fallback.seeds", 4));
        int[] seen = new int[LAST_STEP + 2];
        boolean before;
        try (TierCompare.Before old = TierCompare.Before.open()) {
            before = old.run() != null;
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                int last = -1;
                for (int pad = 0; pad <= 2400 && last <= LAST_STEP; pad += 8) {
                    Probe grid = probe(seed, pad);
                    // a step skipped between two pads of 8 (step 9's window is the last attempt's
                    // clearing stores, a few bytes): the pads between them that land on one
                    for (int q = Math.max(pad - 7, 0); q < pad && grid.step() > last + 1 && last >= 0; q++) {
                        Probe between = probe(seed, q);
                        if (between.step() > last && between.step() < grid.step()) {
                            last = check(old, seed, between, last, seen);
                        }
                    }
                    last = check(old, seed, grid, last, seen);
                }
            }
        }
        System.out.println("AttackFallbackStepsTest: first pads per step " + Arrays.toString(seen)
                + (before ? ", against the build before" : ""));
        // (step 9 needs a method that clears dead aggregates at step 8, of at most 4,096 ints of
        // code: these mains reach step 8 only longer than that; JitFallbackStepsTest lands on it)
        for (int step = 0; step <= LAST_STEP + 1 && seeds.from() == 63 && seeds.count() == 4; step++) {
            if (step == LAST_STEP) {
                continue;
            }
            assertTrue(seen[step] > 0, "no program landed on step " + step + ": " + Arrays.toString(seen));
        }
    }

    /**
     * One pad's checks: its generations, its step not below {@code last}, and at the first pad of a
     * step the ways' agreement, every function compiled and main's bytes the same from two VMs.
     *
     * @return the pad's step, the next call's {@code last}
     */
    private static int check(TierCompare.Before old, long seed, Probe p, int last, int[] seen) throws Exception {
        int step = p.step();
        String what = "pad " + p.pad() + " " + p.g().what(seed);
        assertTrue(p.st()[0] >= 1 && p.st()[0] <= JitTestAccess.maxAttempts(), p.st()[0] + " generations, " + what);
        assertTrue(step >= last, "step " + step + " after " + last + ", " + what);
        if (step != last) {
            seen[step]++;
            AttackPrograms.Generated g = p.g();
            TierCompare.waysAgree(old.run(), g.source(), g.argv(), g.d() + 4, seed % 2 == 0, 0,
                    seed % 3 == 0, "step " + step + ", " + what);
            Vm[] self = new Vm[1];
            Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), AttackAllDriver.host(self));
            self[0] = vm;
            Jit.precompile(vm);
            assertEquals(step <= LAST_STEP ? FUNCTIONS : FUNCTIONS - 1, Jit.compiledFunctions(vm),
                    "functions compiled at step " + step + ", " + what);
            if (step <= LAST_STEP) {
                Generated a = JitTestAccess.generate(p.tier().view, 0);
                Generated b = JitTestAccess.generate(tier(g.source()).view, 0);
                assertArrayEquals(a.bytes(), b.bytes(), "bytes at step " + step + ", " + what);
            }
        }
        return step;
    }
}
