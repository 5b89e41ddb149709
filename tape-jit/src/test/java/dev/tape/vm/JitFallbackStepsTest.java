package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stepwise size fallback of the compiler ({@code JitCompiler.generateClass}): a method over the
 * size limit is generated again with less inline, a step at a time. One program has something
 * for every step to drop: a counted loop ({@code CountedLoop}) calling a leaf, then a loop that
 * calls a looping callee with an array it keeps
 * ({@link AttackPrograms#WALK}, the benchmark's array_loop), keeps a struct, and calls two leaves of different sizes; padded
 * with adds after its loop, its method passes the limit at each step in turn. For each step, the
 * first pad that lands on it (just over the limit at every step before) runs on both tiers with
 * the same results, traps and fuel; every compile makes at most {@code MAX_ATTEMPTS} method
 * generations.
 */
class JitFallbackStepsTest {
    /**
     * The program: main(n) sums a leaf's results over a counted loop of n trips (at least 1), n
     * arrays, structs and leaf results, then adds 1 {@code pad} times.
     */
    static String program(int pad) {
        StringBuilder s = new StringBuilder("""
                program fallback
                array A = i64
                struct P = { a: i64, b: i64 }

                func main(n: i64) -> (total: i64) {
                    const.i64 r2, 0
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.i64 r29, 0
                    jmp counted
                counted:
                    call r0, small, r0, [r29] -> [r30]
                    i64.add r2, r2, r30
                    i64.add r29, r29, r4
                    i64.lt r31, r29, r1
                    br r31, counted, walking
                walking:
                    i64.lt r6, r3, r1
                    br r6, build, done
                build:
                    i64.add r7, r3, r4
                    i64.add r8, r7, r4
                    i64.add r9, r8, r4
                    i64.add r10, r9, r4
                    array.new r22, A, [r3, r7, r8, r9, r10]
                    array.len r23, r22
                    const.u64 r24, 0
                    call r0, walk, r0, [r22, r24, r2, r23] -> [r2]
                    struct.new r25, P, [r3, r2]
                    struct.get r26, r25, 1
                    call r0, big, r0, [r26, r3] -> [r27]
                    call r0, small, r0, [r27] -> [r28]
                    i64.add r2, r2, r28
                    i64.add r3, r3, r4
                    i64.lt r6, r3, r1
                    br r6, build, done
                done:
                """);
        for (int k = 0; k < pad; k++) {
            s.append("    i64.add r2, r2, r4\n");
        }
        s.append("""
                    ret r0, [r2]
                }

                """).append(AttackPrograms.WALK).append(AttackPrograms.BIG).append("""
                func small(x: i64) -> (i64) {
                    const.i64 r2, 3
                    i64.add r3, r1, r2
                    ret r0, [r3]
                }
                """);
        return s.toString();
    }

    /**
     * The steps of the fallback: 0 (everything inline, counted loops in chunks), 1 (no chunks) to 8
     * (nothing inline), 9 (step 8 without clearing dead aggregates: pad 824 here), and -1 (too
     * large at every step).
     */
    private static final int LAST_STEP = 9;

    /** @return {@code {generations, step}} of main's compile, padded by {@code pad} */
    private static int[] steps(int pad) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(program(pad));
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        return JitTestAccess.steps(tier.view, 0);
    }

    /**
     * Padded further and further, main's method takes every step in turn, never an earlier one
     * after a later one, and at most {@code MAX_ATTEMPTS} method generations; at the first pad of
     * each step (over the limit at every step before it), both tiers agree at every fuel limit
     * to the end of {@code main(3)} and at call-depth limits 0 to 2, and main is compiled (but
     * when it fits at no step).
     */
    @Test
    void everyStepInTurnBothTiers() throws Exception {
        int last = 0;
        int seen = 0;
        for (int pad = 0; pad <= 1000 && last >= 0; pad += 4) {
            int[] s = steps(pad);
            String what = "pad " + pad + ": step " + s[1] + ", " + s[0] + " generations";
            assertTrue(s[0] >= 1 && s[0] <= JitTestAccess.maxAttempts(), what);
            int step = s[1] < 0 ? LAST_STEP + 1 : s[1];
            assertTrue(step >= last, what + " after step " + last);
            if (step > last || pad == 0) {
                seen |= 1 << step;
                bothTiers(pad, s[1] >= 0, what);
            }
            last = step > LAST_STEP ? -1 : step;
        }
        assertEquals((1 << (LAST_STEP + 2)) - 1, seen, "steps seen: " + Integer.toBinaryString(seen));
    }

    /**
     * Unreachable code does not decide whether main fits: 1,181 unreachable adds after its
     * {@code ret} take its code past {@code DeadAggregates.MAX_CODE}, so it clears no dead
     * aggregate register and is 32 bytes smaller at step 8; before step 9 (step 8 without the
     * clearing), the first pads that fit only at the last step fitted at no step, but at step 8
     * with that dead tail. Now, around the first pad that fits at the last step only (found by
     * search: the generated code's size moves it; pads 824 to 827 in the twentieth round), each
     * pad fits with the tail exactly when it fits without it.
     */
    @Test
    void deadCodeDoesNotDecideWhetherMainFits() throws Exception {
        int first = -1;
        for (int pad = 700; pad <= 1000 && first < 0; pad++) {
            if (steps(pad)[1] == LAST_STEP) {
                first = pad;
            }
        }
        assertTrue(first >= 0, "no pad from 700 to 1000 fits at the last step only");
        int atLast = 0;
        for (int pad = first - 5; pad <= first + 6; pad++) {
            int[] plain = steps(pad);
            VerifiedProgram p = JitLeafInlineTest.verified(CompileCostMain.deadTail(program(pad), 1181));
            int[] dead = JitTestAccess.steps(((JitTier) Jit.compile(p, Host.NONE).tier).view, 0);
            String what = "pad " + pad + ": step " + plain[1] + ", with the dead tail " + dead[1];
            assertEquals(plain[1] >= 0, dead[1] >= 0, what);
            if (plain[1] == LAST_STEP) {
                atLast++;
            }
        }
        assertTrue(atLast > 0, "pads " + (first - 5) + " to " + (first + 6) + " at the last step: none");
    }

    /** Both tiers on {@code main(n)}, n 0 to 3, every fuel limit of main(3), call depth 0 to 2. */
    private static void bothTiers(int pad, boolean compiled, String what) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(program(pad)), Host.NONE);
        Jit.precompile(t.compiled);
        assertEquals(compiled ? 4 : 3, Jit.compiledFunctions(t.compiled), what + ": functions compiled");
        for (long n = 0; n <= 3; n++) {
            Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), Limits.DEFAULT, what + ", n " + n);
            if (n == 3) {
                long used = o.used(Limits.DEFAULT);
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    t.check(0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(fuel), what + ", fuel " + fuel);
                }
                for (long depth = 0; depth <= 2; depth++) {
                    t.check(0, List.of(Value.i64(n)), Limits.DEFAULT.withMaxCallDepth(depth), what + ", depth " + depth);
                }
            }
        }
    }

    /**
     * The fallback drops a method's chunks first ({@code CountedLoop}, step 1): a method that fits
     * with everything inline but its chunk keeps all its inlining. For fillers around the limit,
     * whenever the twin that is no counted loop fits at step 0, the counted one fits at step 0
     * or 1 with as many leaves inline (their room tests, {@code leafFits}, at least one), and where
     * it took step 1 both tiers agree on it at fuel limits inside the loop. (Before the chunks
     * were dropped first, these methods kept their chunk and lost their leaves.)
     */
    @Test
    void chunksDroppedBeforeAnyInlining() throws Exception {
        int near = 0;
        for (int filler = 300; filler <= 700; filler += 4) {
            VerifiedProgram twin = JitLeafInlineTest.verified(CountedLoopPrograms.sized(filler, false, true));
            JitTier twinTier = (JitTier) Jit.compile(twin, Host.NONE).tier;
            if (JitTestAccess.steps(twinTier.view, 0)[1] != 0) {
                continue;
            }
            VerifiedProgram counted = JitLeafInlineTest.verified(CountedLoopPrograms.sized(filler, true, true));
            JitTier tier = (JitTier) Jit.compile(counted, Host.NONE).tier;
            int step = JitTestAccess.steps(tier.view, 0)[1];
            String what = "filler " + filler + ": step " + step;
            assertTrue(step == 0 || step == 1, what);
            int twinLeaves = JitTestAccess.methodCalls(JitTestAccess.generate(twinTier.view, 0).bytes(),
                    "dev/tape/vm/JitRuntime", "leafFits");
            int leaves = JitTestAccess.methodCalls(JitTestAccess.generate(tier.view, 0).bytes(),
                    "dev/tape/vm/JitRuntime", "leafFits");
            assertTrue(twinLeaves > 0, what);
            assertEquals(twinLeaves, leaves, what + ": leaves inline");
            if (step == 1) {
                near++;
                Tiers t = Tiers.of(counted, Host.NONE);
                assertEquals(2, Jit.precompile(t.compiled), what);
                List<Value> a = List.of(Value.i64(3 * JitTestAccess.countedLoopChunk() + 5));
                long used = t.check(0, a, Limits.DEFAULT, what).used(Limits.DEFAULT);
                for (long fuel = used - 40; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                t.check(0, a, Limits.DEFAULT.withFuel(used / 2), what + " fuel " + used / 2);
            }
        }
        assertTrue(near >= 3, "fillers whose chunk alone puts the method over the limit: " + near);
    }
}
