package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inline caches of compiled {@code call.indirect} sites ({@link IndirectSite}): whatever a
 * site has cached (nothing, one callee, several, or given up past
 * {@link IndirectSite#MAX_ENTRIES}), a call behaves as the interpreter's. One compiled VM runs every
 * case in turn, so its sites go through all their states between and within runs: callees that
 * change from one call to the next, from one run to the next, func values and closures (one callee
 * with different environments), a callee that traps, fuel limits that end a run inside a cached
 * callee or hand it over, and depth-limit traps in recursion through the cache.
 */
class JitIndirectCacheTest {
    /**
     * The loop main and mainc share: r9 = the callee chosen among r10..r15 by (start + i) rem k,
     * called through one {@code call.indirect} site, its results summed in r4.
     */
    private static final String SELECT_LOOP = """
                i64.lt r8, r5, r1
                br r8, body, done
            body:
                i64.add r7, r3, r5
                i64.rem r7, r7, r2
                mov r9, r10
                i64.eq r8, r7, r6
                select r9, r8, r11, r9
                i64.eq r8, r7, r16
                select r9, r8, r12, r9
                i64.eq r8, r7, r17
                select r9, r8, r13, r9
                i64.eq r8, r7, r18
                select r9, r8, r14, r9
                i64.eq r8, r7, r19
                select r9, r8, r15, r9
                call.indirect r0, unary, r9, r0, [r5] -> [r20]
                i64.add r4, r4, r20
                i64.add r5, r5, r6
                i64.lt r8, r5, r1
                br r8, body, done
            done:
                ret r0, [r4]
            }
            """;

    /**
     * {@code main(n, k, start)}: for i in 0..n-1 calls f_j(i), j = (start + i) rem k, through one
     * {@code call.indirect} of a func value, and sums the results; {@code mainc(n, k, start)} does
     * the same through closures: j 0 to 2 are {@code addc} with environments 1, 2, 3 (one callee,
     * three environments), 3 to 5 are {@code mulc} with 4, 2, 3. f5 traps div_by_zero at i = 1000.
     * {@code d0(n, k)} recurses n deep through {@code call.indirect}, calling d_j with j = n rem k;
     * d0 to d5 have one body, so they share one method and one inline cache, which sees k callees.
     */
    static final String POLY = """
            program poly
            callsig unary = (i64) -> (i64)
            callsig binary = (i64, i64) -> (i64)

            func main(n: i64, k: i64, start: i64) -> (i64) {
                const.i64 r4, 0
                const.i64 r5, 0
                const.i64 r6, 1
                const.func r10, f0
                const.func r11, f1
                const.func r12, f2
                const.func r13, f3
                const.func r14, f4
                const.func r15, f5
                const.i64 r16, 2
                const.i64 r17, 3
                const.i64 r18, 4
                const.i64 r19, 5
            """ + SELECT_LOOP + """

            func f0(x: i64) -> (i64) {
                const.i64 r2, 1
                i64.add r3, r1, r2
                ret r0, [r3]
            }

            func f1(x: i64) -> (i64) {
                i64.add r2, r1, r1
                ret r0, [r2]
            }

            func f2(x: i64) -> (i64) {
                const.i64 r2, 3
                i64.sub r3, r1, r2
                ret r0, [r3]
            }

            func f3(x: i64) -> (i64) {
                const.i64 r2, 5
                i64.xor r3, r1, r2
                ret r0, [r3]
            }

            func f4(x: i64) -> (i64) {
                const.i64 r2, 7
                i64.mul r3, r1, r2
                const.i64 r4, 11
                i64.add r5, r3, r4
                ret r0, [r5]
            }

            func f5(x: i64) -> (i64) {
                const.i64 r2, 1000
                i64.sub r3, r1, r2
                const.i64 r4, 100000
                i64.div r5, r4, r3
                ret r0, [r5]
            }

            func mainc(n: i64, k: i64, start: i64) -> (i64) {
                const.i64 r4, 0
                const.i64 r5, 0
                const.i64 r6, 1
                const.i64 r16, 2
                const.i64 r17, 3
                const.i64 r18, 4
                const.i64 r19, 5
                const.func r21, addc
                const.func r22, mulc
                tuple.new r23, [r6]
                closure.new r10, r21, r23
                tuple.new r23, [r16]
                closure.new r11, r21, r23
                closure.new r14, r22, r23
                tuple.new r23, [r17]
                closure.new r12, r21, r23
                closure.new r15, r22, r23
                tuple.new r23, [r18]
                closure.new r13, r22, r23
            """ + SELECT_LOOP + """

            func addc(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r2, r3
                ret r0, [r4]
            }

            func mulc(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.mul r4, r2, r3
                ret r0, [r4]
            }

            """ + dispatchers();

    /** Six functions of one shape, d0 to d5, that recurse into each other through one call.indirect site. */
    private static String dispatchers() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            s.append(DISPATCHER.replace("func d0(", "func d" + i + "(")).append('\n');
        }
        return s.toString();
    }

    /** d0; {@link #dispatchers} names its copies d1 to d5 */
    private static final String DISPATCHER = """
            func d0(n: i64, k: i64) -> (i64) {
                const.i64 r3, 0
                i64.eq r4, r1, r3
                br r4, base, more
            base:
                ret r0, [r3]
            more:
                const.i64 r5, 1
                i64.sub r6, r1, r5
                i64.rem r7, r1, r2
                const.i64 r31, 1
                i64.eq r21, r7, r31
                const.i64 r32, 2
                i64.eq r22, r7, r32
                const.i64 r33, 3
                i64.eq r23, r7, r33
                const.i64 r34, 4
                i64.eq r24, r7, r34
                const.i64 r35, 5
                i64.eq r25, r7, r35
                const.func r8, d0
                const.func r9, d1
                select r8, r21, r9, r8
                const.func r9, d2
                select r8, r22, r9, r8
                const.func r9, d3
                select r8, r23, r9, r8
                const.func r9, d4
                select r8, r24, r9, r8
                const.func r9, d5
                select r8, r25, r9, r8
                call.indirect r0, binary, r8, r0, [r6, r2] -> [r12]
                i64.add r13, r12, r5
                ret r0, [r13]
            }
            """;

    private static final int MAIN = 0;
    private static final int MAINC = 7;
    private static final int DOWN = 10;

    static Program program() {
        try {
            return Assembler.assemble(POLY, "poly.tasm");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** What {@code main} computes, or null when f5 divides by zero. */
    private static Long expected(long n, int k, int start) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            long x = i;
            total += switch ((int) ((start + i) % k)) {
                case 0 -> x + 1;
                case 1 -> x + x;
                case 2 -> x - 3;
                case 3 -> x ^ 5;
                case 4 -> x * 7 + 11;
                default -> {
                    if (x == 1000) {
                        yield null;
                    }
                    yield 100_000 / (x - 1000);
                }
            };
        }
        return total;
    }

    private static Long expectedOrNull(long n, int k, int start) {
        try {
            return expected(n, k, start);
        } catch (NullPointerException e) {
            return null;
        }
    }

    /** What {@code mainc} computes. */
    static long expectedClosures(long n, int k, int start) {
        long total = 0;
        for (long i = 0; i < n; i++) {
            int j = (int) ((start + i) % k);
            total += j < 3 ? i + j + 1 : i * new int[] {4, 2, 3}[j - 3];
        }
        return total;
    }

    static List<Value> args(long n, int k, int start) {
        return List.of(Value.i64(n), Value.i64(k), Value.i64(start));
    }

    /**
     * One VM: every number of callees per site from 1 to 6 (past the cache's 4), each first
     * started at a different callee, so the site's cached callees change between runs, then
     * within them; long runs (hot enough for C2 to inline through the cache) give the known sums
     * on both tiers.
     */
    @Test
    void callsThroughTheCacheInEveryStateMatchTheInterpreter() {
        // through the cache only, then with main's leaf callees inline ahead of it
        for (boolean framed : new boolean[] {true, false}) {
            callsInEveryState(Tiers.of(program(), Host.NONE, framed));
        }
    }

    private void callsInEveryState(Tiers t) {
        for (int k : new int[] {1, 1, 2, 3, 4, 5, 6, 1, 2}) {
            for (int start = 0; start < k; start++) {
                for (long n : new long[] {1, 7, 900}) {
                    Tiers.Outcome o = t.check(MAIN, args(n, k, start), Limits.DEFAULT,
                            "main(" + n + ", " + k + ", " + start + ")");
                    assertEquals(List.of(Value.i64(expected(n, k, start))), o.results());
                    Tiers.Outcome c = t.check(MAINC, args(n, k, start), Limits.DEFAULT,
                            "mainc(" + n + ", " + k + ", " + start + ")");
                    assertEquals(List.of(Value.i64(expectedClosures(n, k, start))), c.results());
                }
            }
        }
        // hot: C2 compiles the loop with the callees the caches hold
        for (int round = 0; round < 3; round++) {
            for (int k : new int[] {1, 2, 6}) {
                Tiers.Outcome o = t.check(MAIN, args(20_000, k, 0), Limits.DEFAULT, "hot main k " + k);
                // 1000 rem k is never 5: f5 does not trap
                assertEquals(List.of(Value.i64(expected(20_000, k, 0))), o.results());
                Tiers.Outcome c = t.check(MAINC, args(20_000, k, 1), Limits.DEFAULT, "hot mainc k " + k);
                assertEquals(List.of(Value.i64(expectedClosures(20_000, k, 1))), c.results());
            }
        }
    }

    /**
     * The cache of {@code main}'s one site in its states: empty before any call, then one entry
     * per callee it meets that has a method (a callee is cached at the call after the one that
     * compiled it), and given up at the fifth; a megamorphic site still calls alike.
     */
    @Test
    void aSiteCachesUpToFourCalleesThenGivesUp() {
        // every call through the cache: main's const.func callees are leaves it would run inline
        Tiers t = Tiers.of(program(), Host.NONE, true);
        t.check(MAIN, args(3, 1, 0), Limits.DEFAULT, "main(3, 1, 0)");
        List<IndirectSite> sites = ((JitTier) t.compiled.tier).indirectSites();
        assertEquals(1, sites.size(), "main has one call.indirect, and only main has been compiled");
        IndirectSite site = sites.get(0);
        assertEquals(1, site.entries(), "f0: compiled at the first call, cached at the second");
        t.check(MAIN, args(1, 1, 0), Limits.DEFAULT, "f0 again");
        assertEquals(1, site.entries(), "a hit changes nothing");
        // f1 to f3 join f0; f4 finds the cache full, and the site gives up
        int[] want = {1, 2, 3, 4, 5, 5};
        for (int j = 1; j < 6; j++) {
            t.check(MAIN, args(1, 6, j), Limits.DEFAULT, "f" + j + " compiled");
            assertEquals(want[j - 1], site.entries(), "after f" + j + "'s first call");
            t.check(MAIN, args(1, 6, j), Limits.DEFAULT, "f" + j + " cached");
            assertEquals(want[j], site.entries(), "after f" + j + "'s second call");
        }
        Tiers.Outcome o = t.check(MAIN, args(900, 6, 0), Limits.DEFAULT, "megamorphic");
        assertEquals(List.of(Value.i64(expected(900, 6, 0))), o.results());
    }

    /**
     * A cached callee that traps (f5 at i = 1000, when it is the callee then): the same trap, pc,
     * call stack and fuel as the interpreter, with the cache empty, holding f5 and given up.
     */
    @Test
    void aCachedCalleeThatTrapsTrapsAlike() {
        Tiers t = Tiers.of(program(), Host.NONE, true);
        for (int k : new int[] {6, 1, 6, 2, 6}) {
            // j = (start + 1000) rem k is 5 at i = 1000: start = 5 - (1000 rem k), mod k
            int start = Math.floorMod(5 - 1000 % k, k);
            if (k < 6) {
                start = 0; // f5 is never called: the run returns
            }
            Tiers.Outcome o = t.check(MAIN, args(1_200, k, start), Limits.DEFAULT, "trap k " + k);
            Long want = expectedOrNull(1_200, k, start);
            if (want == null) {
                assertTrue(o.trapped(), o::toString);
                assertEquals(TrapKind.DIV_BY_ZERO, o.kind());
                assertEquals(2, o.trap().stack().size(), o::toString);
            } else {
                assertEquals(List.of(Value.i64(want)), o.results());
            }
        }
    }

    /**
     * Every fuel limit of short polymorphic runs, func values and closures, on a VM whose caches
     * are warm from long runs: a limit ends the run in the caller or in a cached callee, whose
     * block then hands over, at the interpreter's pc with its fuel.
     */
    @Test
    void everyFuelLimitThroughWarmCaches() {
        for (boolean framed : new boolean[] {true, false}) {
            everyFuelLimit(Tiers.of(program(), Host.NONE, framed));
        }
    }

    private void everyFuelLimit(Tiers t) {
        for (int k : new int[] {1, 3, 6}) {
            t.check(MAIN, args(5_000, k, 0), Limits.DEFAULT, "warm main " + k);
            t.check(MAINC, args(5_000, k, 0), Limits.DEFAULT, "warm mainc " + k);
            for (int entry : new int[] {MAIN, MAINC}) {
                List<Value> a = args(6, k, 1);
                long used = t.check(entry, a, Limits.DEFAULT, "full").used(Limits.DEFAULT);
                assertTrue(used > 6 * 20, "six iterations of about 25 instructions: " + used);
                for (long fuel = 0; fuel <= used + 2; fuel++) {
                    Tiers.Outcome o = t.check(entry, a, Limits.DEFAULT.withFuel(fuel),
                            "entry " + entry + " k " + k + " fuel " + fuel);
                    assertEquals(fuel < used, o.trapped(), o::toString);
                }
            }
        }
    }

    /**
     * Recursion through one {@code call.indirect} site with one callee (k = 1), two, four, and six
     * (more than the cache holds): the depth limit traps alike on both sides of the compiled
     * nesting limit, and a deep recursion runs compiled on a thread with a 128 KiB stack as it
     * does interpreted, with the cache's guards and frames on the stack.
     */
    @Test
    void depthLimitsAndSmallStacksThroughTheCache() throws Exception {
        Tiers t = Tiers.of(program(), Host.NONE, true);
        for (int k : new int[] {1, 2, 4, 6}) {
            for (int max : new int[] {3, 50, 199, 200, 201, 260, 1_000}) {
                Limits l = Limits.DEFAULT.withMaxCallDepth(max);
                for (long n : new long[] {max - 2, max - 1, max, 2_000}) {
                    Tiers.Outcome o = t.check(DOWN, List.of(Value.i64(n), Value.i64(k)), l,
                            "d0(" + n + ", " + k + ") max depth " + max);
                    if (n + 1 > max) {
                        assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, o.kind(), o::toString);
                    } else {
                        assertEquals(List.of(Value.i64(n)), o.results(), o::toString);
                    }
                }
            }
            Limits deep = Limits.DEFAULT.withMaxCallDepth(5_000);
            List<Value> a = List.of(Value.i64(3_000), Value.i64(k));
            // a fresh VM: the cache fills while the JVM still interprets the generated code
            Tiers fresh = Tiers.of(program(), Host.NONE, true);
            Tiers.Outcome[] box = (Tiers.Outcome[]) Tiers.onThread(128 << 10, () -> new Tiers.Outcome[] {
                fresh.interpret(DOWN, a, deep), fresh.compile(DOWN, a, deep), t.compile(DOWN, a, deep)});
            assertEquals(List.of(Value.i64(3_000)), box[0].results(), "the interpreter: " + box[0]);
            int kk = k;
            Tiers.assertSame(box[0], box[1], () -> "d0(3000, " + kk + ") on a 128 KiB stack, fresh VM");
            Tiers.assertSame(box[0], box[2], () -> "d0(3000, " + kk + ") on a 128 KiB stack, warm VM");
            JitTier tier = (JitTier) fresh.compiled.tier;
            assertEquals(Math.min(k, 6), tier.compiledCount(), "d0 to d" + (k - 1) + " ran compiled");
            assertEquals(1, tier.classes(), "they share one method, so one inline cache");
        }
    }
}
