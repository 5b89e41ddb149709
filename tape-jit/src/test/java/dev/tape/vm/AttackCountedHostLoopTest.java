package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.WordFunction;
import dev.tape.jfr.HostCallEvent;
import dev.tape.value.Value;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on host28's chunked host-call loops ({@code CountedLoop} in tape-jit, twenty-eighth round:
 * a counted loop of one-to-three-word host calls runs chunks of {@code min(t, (fuel - threshold) /
 * k)} trips with no fuel or host-call test per trip). Every run is compared on {@link
 * AttackHostCountTest#four}'s ways (the interpreter, stepped, compiled, framed, and both VMs traced
 * for host events, which runs on the interpreter: see below): result, trap (kind, pc, span, message, stack), fuel
 * left, host calls made, what the host saw.
 *
 * <p>Shapes by hand: host functions that throw {@link StackOverflowError}, {@link AssertionError},
 * a checked exception, an unchecked one and the {@link Trap} of a nested run (w.e), return a bool's
 * word other than 0 and 1 (w.b), start a nested run on the same VM or look at the running context
 * (w.y); a trip of the most code a chunked loop may have, a leaf in it; an unsigned loop and a signed loop compared
 * {@code gt} with operands swapped whose index wraps past the bound's end (so the trips the
 * preamble counts end and the loop goes on, chunk after chunk, until a limit stops it); a loop
 * counting down and one whose bound a host call writes (not chunked); a leaf of two paths of
 * different fuel inlined beside the calls; an f64 accumulation and a tuple beside the calls. Limits:
 * {@link AttackHostCountTest#grid} (host calls 0, 1, 2, around the count, 2<sup>63</sup>-1,
 * 2<sup>63</sup>, 2<sup>64</sup>-1, by fuel 0, 1, around the use, 2<sup>63</sup>-1, 2<sup>63</sup>,
 * 2<sup>64</sup>-1) and every host-call limit and every fuel limit around each chunk's edge with
 * the other limit unlimited; loops crossing the compiled stretch (2<sup>18</sup> fuel) with the
 * limits at the run's end; 300 random loops (compare kind, step, start, bound, calls, filler,
 * leaf); paused at every slice of fuel with snapshots restored on every tier. Trace sinks run on
 * the interpreter only (a one-shot run or a {@link Run} with any sink but RUN events never enters
 * compiled code), so the one observer of a chunk's calls is a JFR recording of
 * {@code dev.tape.HostCall}: each chunked loop recorded on both tiers under several limits gets the
 * same events. And a word function that interrupts its own run from inside a chunk.
 */
class AttackCountedHostLoopTest {
    /** The hosts of {@link AttackHostCountTest} and w.e, w.b, w.i. */
    private static final String HOSTS = AttackHostCountTest.HOSTS + """
            host he = "w.e" (i64) -> (i64)
            host hb = "w.b" (i64) -> (bool)
            host hi = "w.i" (i64) -> (i64)
            """;

    /** leaf(x), function 2 of every program here: -x ^ x + x below 0 (three more instructions), else x. */
    private static final String LEAF = """
            func leaf(x: i64) -> (i64) {
                const.i64 r2, 0
                i64.lt r3, r1, r2
                br r3, neg, pos
            neg:
                i64.sub r4, r2, r1
                i64.xor r4, r4, r1
                i64.add r4, r4, r1
                ret r0, [r4]
            pos:
                ret r0, [r1]
            }
            """;

    /** The checked exception w.e throws for a mod 97 = 9. */
    static final class Checked extends Exception {
        private static final long serialVersionUID = 1L;

        Checked(String m) {
            super(m);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * w.e(a), by a mod 97: 7 throws StackOverflowError, 8 AssertionError, 9 a checked exception,
     * 10 IllegalStateException, 11 the trap of side(a) run on a fresh context with no fuel; else 3a + 1.
     */
    static long e(long a) {
        switch ((int) Math.floorMod(a, 97L)) {
            case 7 -> throw new StackOverflowError("w.e deep");
            case 8 -> throw new AssertionError("w.e assert");
            case 9 -> AttackCountedHostLoopTest.<RuntimeException>sneaky(new Checked("w.e checked"));
            case 10 -> throw new IllegalStateException("w.e state");
            case 11 -> AttackHostCountTest.current.run(new ExecutionContext(), 1, List.of(Value.i64(a)),
                    Limits.DEFAULT.withFuel(0), null);
            default -> {
            }
        }
        return 3 * a + 1;
    }

    /** The run w.i interrupts, and the argument it does so at. */
    private static Run running;
    private static long interruptAt;

    /** w.i(a): a + 1, interrupting {@link #running} when a is {@link #interruptAt}. */
    static long poke(long a) {
        if (a == interruptAt && running != null) {
            running.interrupt();
        }
        return a + 1;
    }

    /** AttackHostCountTest's functions, w.e ({@link #e}), w.b (a &gt;&gt; 1 as a bool's word) and w.i ({@link #poke}). */
    static HostRegistry host() {
        return AttackHostCountTest.host().registerWords("w.e", AttackHostCountTest.I_I,
                        (WordFunction.Of1) AttackCountedHostLoopTest::e)
                .registerWords("w.b", AttackHostCountTest.I_B, a -> a >> 1)
                .registerWords("w.i", AttackHostCountTest.I_I, (WordFunction.Of1) AttackCountedHostLoopTest::poke);
    }

    private static String program(String name, String main) {
        return "program " + name + "\n" + HOSTS + main + AttackHostCountTest.SIDE + LEAF;
    }

    /**
     * main(n, k) of {@code results}: {@code init} after the index r3 = 0 and the step r4 = 1, then
     * the trips of {@code body} while r3 is below n (the compare into r5), then {@code ret}.
     */
    private static String upTo(String name, String results, String init, String body, String ret) {
        return program(name, "func main(n: i64, k: i64) -> (" + results + ") {\n    const.i64 r3, 0\n"
                + "    const.i64 r4, 1\n" + init + "    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n" + body
                + "    i64.add r3, r3, r4\n    i64.lt r5, r3, r1\n    br r5, top, done\ndone:\n    ret r0, [" + ret
                + "]\n}\n");
    }

    /** main(n, k): n trips from 0 of w.y(i + k), w.e of it, w.b of that; sum and bool xor returned. */
    static final String CALLS = upTo("calls", "i64, bool", """
                const.i64 r6, 0
                const.bool r9, false
            """, """
                i64.add r7, r3, r2
                host_call r0, hy, r0, [r7] -> [r8]
                host_call r0, he, r0, [r8] -> [r8]
                host_call r0, hb, r0, [r8] -> [r10]
                bool.xor r9, r9, r10
                i64.add r6, r6, r8
            """, "r6, r9");

    /** main(n, k): n trips from 0 of w.g, w.h and w.z (none throws), each folded in. */
    static final String LONG = upTo("long", "i64, bool", """
                const.i64 r6, 0
                const.bool r9, false
            """, """
                host_call r0, hg, r0, [r3, r2] -> [r8]
                host_call r0, hh, r0, [r8, r6, r3] -> [r8]
                host_call r0, hz, r0, [r8] -> [r10]
                bool.xor r9, r9, r10
                i64.add r6, r6, r8
            """, "r6, r9");

    /** main(n, k): n trips from 0 of the most code a chunked loop may have (64 ints): three host calls, the leaf. */
    static final String BIG = program("big", bigMain());

    private static String bigMain() {
        StringBuilder s = new StringBuilder("""
                func main(n: i64, k: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.i64 r8, 3
                    const.i64 r9, 0
                    i64.lt r5, r3, r1
                    br r5, top, done
                top:
                    host_call r0, hf, r0, [r3] -> [r7]
                """);
        for (int j = 0; j < 7; j++) {
            s.append(j % 2 == 0 ? "    i64.xor r8, r8, r7\n" : "    i64.add r9, r9, r8\n");
            if (j == 2) {
                s.append("    host_call r0, hg, r0, [r8, r2] -> [r7]\n");
            }
            if (j == 4) {
                s.append("    host_call r0, he, r0, [r9] -> [r7]\n");
            }
        }
        return s + """
                    i64.add r3, r3, r4
                    i64.lt r5, r3, r1
                    br r5, top, done
                done:
                    ret r0, [r9]
                }
                """;
    }

    /** main(n, k): from k (u64) while below n (u64) by 2^62: w.h and w.y per trip (wraps past 2^64). */
    static final String UNSIGNED = program("unsigned", """
            func main(n: i64, k: i64) -> (i64) {
                i64.to_u64 r3, r2
                i64.to_u64 r13, r1
                const.u64 r4, 4611686018427387904
                const.i64 r8, 5
                u64.lt r5, r3, r13
                br r5, top, done
            top:
                host_call r0, hh, r0, [r8, r2, r1] -> [r7]
                i64.add r8, r8, r7
                host_call r0, hy, r0, [r8] -> [r8]
                u64.add r3, r3, r4
                u64.lt r5, r3, r13
                br r5, top, done
            done:
                ret r0, [r8]
            }
            """);

    /** main(n, k): from k while n &gt; i (gt, operands swapped) by 3 (wraps past 2^63): w.g and w.e. */
    static final String SWAPPED = program("swapped", """
            func main(n: i64, k: i64) -> (i64, i64) {
                mov r3, r2
                const.i64 r4, 3
                const.i64 r8, 1
                const.i64 r9, 0
                i64.gt r5, r1, r3
                br r5, top, done
            top:
                host_call r0, hg, r0, [r3, r8] -> [r7]
                i64.xor r8, r8, r7
                host_call r0, he, r0, [r8] -> [r11]
                i64.add r9, r9, r11
                i64.add r3, r4, r3
                i64.gt r5, r1, r3
                br r5, top, done
            done:
                ret r0, [r8, r9]
            }
            """);

    /** main(n, k): from n down to k (not chunked), w.f and w.e. */
    static final String DOWN = program("down", """
            func main(n: i64, k: i64) -> (i64) {
                mov r3, r1
                const.i64 r4, -1
                const.i64 r8, 0
                i64.gt r5, r3, r2
                br r5, top, done
            top:
                host_call r0, hf, r0, [r3] -> [r7]
                host_call r0, he, r0, [r7] -> [r7]
                i64.add r8, r8, r7
                i64.add r3, r3, r4
                i64.gt r5, r3, r2
                br r5, top, done
            done:
                ret r0, [r8]
            }
            """);

    /** main(n, k): from 0 while below n, w.d writing n each trip (not chunked). */
    static final String BOUND = upTo("bound", "i64, i64", """
                const.i64 r8, 0
            """, """
                host_call r0, hd, r0, [r1] -> [r1]
                host_call r0, he, r0, [r3] -> [r7]
                i64.add r8, r8, r7
            """, "r8, r1");

    /** main(n, k): from 0 while below n, w.e and the leaf of i - k (two paths of different fuel). */
    static final String LEAFY = upTo("leafy", "i64", """
                const.i64 r8, 0
            """, """
                i64.sub r6, r3, r2
                call r0, leaf, r0, [r6] -> [r7]
                host_call r0, he, r0, [r7] -> [r7]
                i64.add r8, r8, r7
            """, "r8");

    /** main(n, k): w.f and w.e beside an f64 sum and a tuple built and read each trip. */
    static final String MIXED = upTo("mixed", "i64, f64", """
                const.i64 r8, 0
                const.f64 r9, 0.5
            """, """
                host_call r0, hf, r0, [r3] -> [r7]
                i64.to_f64 r10, r7
                f64.add r9, r9, r10
                tuple.new r11, [r7, r3]
                tuple.get r12, r11, 0
                host_call r0, he, r0, [r12] -> [r7]
                i64.add r8, r8, r7
            """, "r8, r9");

    private static int preambles(AttackHostCountTest.Ways w) {
        return CountedLoopPrograms.preambles((JitTier) w.compiled().tier, 0);
    }

    /**
     * Every host-call limit from 0 to the count plus 1 with fuel 2<sup>64</sup>-1 and
     * 2<sup>63</sup>-1, and every fuel limit from 0 to the use plus 2 with host calls
     * 2<sup>64</sup>-1 and half the count, after {@link AttackHostCountTest#grid} when the run
     * ends under every limit ({@code bounded}: else only the limits of the sweeps, which stop it).
     */
    static void sweep(AttackHostCountTest.Ways w, List<Value> args, boolean bounded, String what) {
        Limits base = bounded ? Limits.DEFAULT : Limits.DEFAULT.withMaxHostCalls(60);
        Tiers.Outcome whole = AttackHostCountTest.four(w, args, base, what);
        if (bounded) {
            AttackHostCountTest.grid(w, args, what);
        }
        long used = whole.used(base);
        long calls = whole.hostCalls();
        for (long h = 0; h <= calls + 1; h++) {
            for (long fuel : new long[] {Limits.MAX_UNSIGNED, Long.MAX_VALUE}) {
                AttackHostCountTest.four(w, args, Limits.DEFAULT.withMaxHostCalls(h).withFuel(fuel),
                        what + " calls " + h + " fuel " + fuel);
            }
        }
        for (long fuel = 0; fuel <= used + 2; fuel++) {
            for (long h : new long[] {bounded ? Limits.MAX_UNSIGNED : calls + 1, calls / 2}) {
                AttackHostCountTest.four(w, args, Limits.DEFAULT.withMaxHostCalls(h).withFuel(fuel),
                        what + " calls " + h + " fuel " + fuel);
            }
        }
    }

    @Test
    void handShapesEndAlikeAtEveryLimitAroundEachChunk() {
        long big = Long.MAX_VALUE;
        Object[][] cases = {
            {CALLS, 1, new long[][] {{0, 0}, {1, 4}, {12, 0}, {25, 90}, {40, -3}}, true},
            {BIG, 1, new long[][] {{0, 0}, {1, 2}, {5, 9}, {19, 0}}, true},
            {UNSIGNED, 1, new long[][] {{-1, -10}, {-1, -1}, {5, 0}, {-1, 0}, {3, -4}}, false},
            {SWAPPED, 1, new long[][] {{10, 0}, {big, big - 10}, {big, big - 2}, {-5, -20}}, false},
            {DOWN, 0, new long[][] {{10, 0}, {3, 5}, {30, -2}}, true},
            {BOUND, 0, new long[][] {{10, 0}, {30, 3}}, true},
            {LEAFY, 1, new long[][] {{12, 5}, {30, 14}, {0, 0}}, true},
            {MIXED, 0, new long[][] {{12, 0}, {30, 1}}, true},
        };
        for (Object[] c : cases) {
            String text = (String) c[0];
            AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
            assertEquals((int) c[1] > 0, preambles(w) > 0, text);
            for (long[] a : (long[][]) c[2]) {
                sweep(w, JitWordHostBlockTest.args(a[0], a[1]), (boolean) c[3], text + " n " + a[0] + " k " + a[1]);
            }
        }
    }

    @Test
    void longLoopsAcrossCompiledStretchesEndAlikeAtTheirLimits() {
        for (String text : new String[] {LONG}) {
            AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
            assertEquals(1, preambles(w), text);
            List<Value> a = JitWordHostBlockTest.args(70_000, 200);
            Tiers.Outcome whole = AttackHostCountTest.four(w, a, Limits.DEFAULT, text);
            long used = whole.used(Limits.DEFAULT);
            long calls = whole.hostCalls();
            assertTrue(used > 1 << 19, used + " fuel");
            for (long[] l : new long[][] {{calls - 1, Limits.MAX_UNSIGNED}, {calls, used}, {calls, used - 1},
                    {calls / 2 + 1, Long.MAX_VALUE}, {Limits.MAX_UNSIGNED, used - 7}, {calls - 2, used - 1}}) {
                AttackHostCountTest.four(w, a, Limits.DEFAULT.withMaxHostCalls(l[0]).withFuel(l[1]),
                        text + " calls " + l[0] + " fuel " + l[1]);
            }
        }
    }

    private static final String[] OPS = {"i64.add", "i64.xor", "i64.mul", "i64.sub"};
    private static final String[] CALLEES = {"hf", "hg", "hh", "hy", "hd", "hz", "he", "hb"};
    private static final int[] ARITY = {1, 2, 3, 1, 1, 1, 1, 1};

    /**
     * A random loop of main(n, k): index r3 from 0 or k, compared below n by i64.lt, u64.lt (index,
     * bound and step u64), or gt with the operands swapped; step 1, 2, 3, 2<sup>61</sup> or
     * 2<sup>62</sup>+1, or k (any sign, 0 too), or the bound; one to four calls of any function of {@link #host} (results into r7/r11,
     * bool ones r12) of r2, r6, r8..r10 (and the index when it is i64), folded into r8, r9 or r13;
     * 0 to 7 filler instructions; in a third of them the leaf.
     */
    static String randomLoop(SplittableRandom rnd) {
        int cmp = rnd.nextInt(4);
        boolean unsigned = cmp == 1 || cmp == 3;
        long[] steps = {1, 2, 3, 1L << 61, (1L << 62) + 1};
        long step = steps[rnd.nextInt(steps.length)];
        String ty = unsigned ? "u64" : "i64";
        StringBuilder s = new StringBuilder("func main(n: i64, k: i64) -> (i64, i64, bool) {\n");
        if (unsigned) {
            s.append(rnd.nextBoolean() ? "    i64.to_u64 r3, r2\n" : "    const.u64 r3, 0\n")
                    .append("    i64.to_u64 r14, r1\n    i64.to_u64 r15, r2\n    const.u64 r4, ").append(step)
                    .append('\n');
        } else {
            s.append(rnd.nextBoolean() ? "    mov r3, r2\n" : "    const.i64 r3, 0\n")
                    .append("    mov r14, r1\n    const.i64 r4, ").append(step).append('\n');
        }
        String test = cmp < 2 ? "    " + ty + ".lt r5, r3, r14\n" : "    " + ty + ".gt r5, r14, r3\n";
        s.append("    const.i64 r6, 7\n    const.i64 r8, 5\n    const.i64 r9, 0\n    i64.add r10, r2, r6\n")
                .append("    const.bool r13, false\n").append(test).append("    br r5, top, done\ntop:\n");
        String[] args = unsigned ? new String[] {"r2", "r6", "r8", "r9", "r10"}
                : new String[] {"r2", "r3", "r6", "r8", "r9", "r10"};
        int calls = 1 + rnd.nextInt(4);
        for (int c = 0; c < calls; c++) {
            int f = rnd.nextInt(CALLEES.length);
            boolean bool = CALLEES[f].equals("hz") || CALLEES[f].equals("hb");
            String dst = bool ? "r12" : rnd.nextBoolean() ? "r7" : "r11";
            s.append("    host_call r0, ").append(CALLEES[f]).append(", r0, [");
            for (int j = 0; j < ARITY[f]; j++) {
                s.append(j == 0 ? "" : ", ").append(args[rnd.nextInt(args.length)]);
            }
            s.append("] -> [").append(dst).append("]\n");
            if (bool) {
                s.append("    bool.xor r13, r13, r12\n");
            } else {
                String acc = rnd.nextBoolean() ? "r8" : "r9";
                s.append("    ").append(OPS[rnd.nextInt(OPS.length)]).append(' ').append(acc)
                        .append(", ").append(acc).append(", ").append(dst).append('\n');
            }
            for (int j = rnd.nextInt(rnd.nextInt(3) == 0 ? 8 : 3); j > 0; j--) {
                s.append("    i64.xor r10, r10, r8\n");
            }
        }
        if (rnd.nextInt(3) == 0) {
            s.append("    call r0, leaf, r0, [r9] -> [r11]\n    i64.add r8, r8, r11\n");
        }
        // the step: r4 (a constant), or k (any sign, 0 included), or the bound itself
        int stepReg = rnd.nextInt(4);
        String stepName = stepReg == 0 ? (unsigned ? "r15" : "r2") : stepReg == 1 ? "r14" : "r4";
        s.append("    ").append(ty).append(".add r3, r3, ").append(stepName).append('\n').append(test).append("    br r5, top, done\n")
                .append("done:\n    ret r0, [r8, r9, r13]\n}\n");
        return program("randloop", s.toString());
    }

    @Test
    void randomHostLoopsEndAlikeAroundEveryChunkEdge() {
        SplittableRandom rnd = new SplittableRandom(0xa77ac428L);
        int chunked = 0;
        int limited = 0;
        int failed = 0;
        for (int p = 0; p < 300; p++) {
            String text = randomLoop(rnd);
            AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
            chunked += preambles(w);
            long n = rnd.nextInt(4) == 0 ? Long.MAX_VALUE - rnd.nextInt(5) : rnd.nextInt(25);
            long k = rnd.nextInt(3) == 0 ? n - 1 - rnd.nextInt(20) : rnd.nextInt(40) - 20;
            List<Value> a = JitWordHostBlockTest.args(n, k);
            String what = text + a;
            // bounded by 60 host calls: a loop whose index wraps never ends else
            Limits base = Limits.DEFAULT.withMaxHostCalls(60);
            Tiers.Outcome whole = AttackHostCountTest.four(w, a, base, what);
            failed += whole.kind() == TrapKind.HOST_CALL_FAILED ? 1 : 0;
            long used = whole.used(base);
            long calls = whole.hostCalls();
            for (long h = 0; h <= calls + 1; h += 1 + rnd.nextInt(3)) {
                Tiers.Outcome o = AttackHostCountTest.four(w, a, Limits.DEFAULT.withMaxHostCalls(h)
                        .withFuel(rnd.nextBoolean() ? Limits.MAX_UNSIGNED : Long.MAX_VALUE), what + " calls " + h);
                limited += o.kind() == TrapKind.HOST_CALL_LIMIT_EXCEEDED ? 1 : 0;
            }
            for (long fuel = 0; fuel <= used + 2; fuel += 1 + rnd.nextInt(4)) {
                AttackHostCountTest.four(w, a, base.withFuel(fuel), what + " fuel " + fuel);
            }
        }
        assertTrue(chunked > 200, chunked + " of 300 loops chunked");
        assertTrue(limited > 1_000 && failed > 20, limited + " host-call limit traps, " + failed + " failed calls");
    }

    @Test
    void handShapesPausedAtEverySliceRestoreOnEveryTier() {
        int pauses = 0;
        Object[][] cases = {
            {CALLS, new long[] {30, 4}}, {BIG, new long[] {6, 1}}, {UNSIGNED, new long[] {-1, -10}},
            {SWAPPED, new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 10}}, {LEAFY, new long[] {20, 9}},
            {MIXED, new long[] {20, 0}},
        };
        for (Object[] c : cases) {
            String text = (String) c[0];
            long[] a = (long[]) c[1];
            AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
            List<Value> args = JitWordHostBlockTest.args(a[0], a[1]);
            for (long slice = 1; slice <= 14; slice++) {
                long limit = slice % 3 == 0 ? 20 - slice : 40;
                pauses += AttackHostCountTest.lockstep(w, args, Limits.DEFAULT.withFuel(slice).withMaxHostCalls(limit),
                        slice, text + " slice " + slice + " limit " + limit)[0];
            }
        }
        assertTrue(pauses > 400, pauses + " pauses");
    }

    /**
     * The chunked loops run under a JFR recording of host calls on the interpreter and the compiled
     * tier (the word calls take the recorded path inside the chunk: the function's boxed view inside
     * its event): the same outcomes, and per limit the same events (symbol, signature hash, failed)
     * in the same numbers.
     */
    @Test
    void chunkedLoopsRecordedByJfrGetTheSameHostCallEvents(@TempDir Path dir) throws Exception {
        Object[][] cases = {
            {CALLS, new long[] {40, 3}}, {LONG, new long[] {300, 2}}, {BIG, new long[] {19, 1}},
            {LEAFY, new long[] {30, 14}}, {SWAPPED, new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 10}},
        };
        int files = 0;
        int events = 0;
        for (Object[] c : cases) {
            String text = (String) c[0];
            long[] a = (long[]) c[1];
            AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
            assertTrue(preambles(w) > 0, text);
            List<Value> args = JitWordHostBlockTest.args(a[0], a[1]);
            Limits[] limits = {Limits.DEFAULT.withMaxHostCalls(90), Limits.DEFAULT.withMaxHostCalls(31),
                Limits.DEFAULT.withMaxHostCalls(90).withFuel(97), Limits.DEFAULT.withMaxHostCalls(Limits.MAX_UNSIGNED)
                    .withFuel(200)};
            List<List<Object>> seen = new ArrayList<>();
            for (int tier = 0; tier < 2; tier++) {
                List<Object> got = new ArrayList<>();
                for (Limits l : limits) {
                    Recording r = new Recording();
                    r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
                    r.start();
                    try (r) {
                        got.add(AttackHostCountTest.on(tier == 0 ? w.interpreted() : w.compiled(),
                                tier == 0 ? w.interpretedHost() : w.compiledHost(), args, l, null));
                        r.stop();
                        Path file = dir.resolve("h" + files++ + ".jfr");
                        r.dump(file);
                        Map<String, Integer> counts = new TreeMap<>();
                        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                            if (e.getEventType().getName().equals("dev.tape.HostCall")) {
                                counts.merge(e.getString("symbol") + " " + Long.toHexString(e.getLong("sigHash")) + " "
                                        + e.getBoolean("failed"), 1, Integer::sum);
                            }
                        }
                        events += tier == 0 ? counts.values().stream().mapToInt(Integer::intValue).sum() : 0;
                        got.add(counts);
                    }
                }
                seen.add(got);
            }
            assertEquals(seen.get(0).toString(), seen.get(1).toString(), text + args);
        }
        assertTrue(events > 500, events + " events");
    }

    /**
     * w.i interrupts its own run from inside a chunk (at the first, eighth, 4,000th and last trip):
     * each tier pauses where it polls (the interpreter right after the call, compiled code at its
     * stretch's end, so not at all when the request comes in the last trip: Run's docs), the paused
     * run's snapshot restored on either tier ends alike, and the run resumed ends as the other
     * tier's, with the same fuel left and host calls made.
     */
    @Test
    void anInterruptAskedFromAWordCallInAChunkEndsAlike() {
        String text = upTo("intr", "i64", """
                    const.i64 r6, 0
                """, """
                    host_call r0, hi, r0, [r3] -> [r8]
                    host_call r0, hg, r0, [r8, r2] -> [r8]
                    i64.add r6, r6, r8
                """, "r6");
        AttackHostCountTest.Ways w = AttackHostCountTest.Ways.of(text, host());
        assertTrue(preambles(w) > 0, text);
        List<Value> args = JitWordHostBlockTest.args(50_000, 3);
        Vm[] vms = {w.interpreted(), w.compiled()};
        int[] paused = new int[2];
        for (long at : new long[] {0, 7, 3_999, 49_999}) {
            List<Object> ends = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Vm vm = vms[t];
                interruptAt = at;
                AttackHostCountTest.current = vm;
                Run r = vm.start(new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                running = r;
                Outcome o = r.resume();
                while (o instanceof Outcome.Paused p) {
                    assertTrue(p.reason() instanceof PauseReason.Interrupted, p + " at " + at);
                    paused[t]++;
                    running = null;
                    byte[] snap = r.snapshot();
                    assertEquals(AttackHostCountTest.finish(vms[0].restore(snap)),
                            AttackHostCountTest.finish(vms[1].restore(snap)), "restored, at " + at);
                    o = r.resume();
                }
                running = null;
                ends.add(List.of(Tiers.view(o), r.fuelRemaining(), r.hostCallsMade()));
            }
            assertEquals(ends.get(0), ends.get(1), "interrupted at " + at);
        }
        // the last trip's request comes after compiled code's last poll: that run ends unpaused
        assertEquals(4, paused[0], "interpreter pauses");
        assertEquals(3, paused[1], "compiled pauses");
    }
}
