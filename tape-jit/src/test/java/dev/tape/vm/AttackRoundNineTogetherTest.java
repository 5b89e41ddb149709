package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ninth round's changes together (loops peeled, small looping callees over kept arrays run
 * inline, classes initialised on a thread of their own, the must-init pass charged): random
 * programs whose {@code main} runs an inner loop inside an outer one (so the inner loop is entered
 * again and both are peeled), dense in {@code call.indirect} of closures (over a leaf that reads its
 * environment, a leaf that ignores it, a function that is no leaf, one picked by {@code i % k}, one
 * made in the loop, a func value), direct calls of looping callees over an array built per
 * iteration (the benchmark's self-looping entry block and a test-block loop with
 * {@code array.len}, an immediate read and now and then a {@code u64.to_i64} of the start; starts
 * at and around the array's bounds, the iteration's index, ends at the count, one past it or far
 * past it), host calls of every shape (one that throws, one that charges fuel and suspends, one
 * that starts a nested run), structs and tuples built, a function {@code mix} that builds an array
 * and walks it too, and a recursion as deep as an argument says (one program in ten just below and
 * past the default call depth). Each program is assembled, ENCODED, decoded and verified, and
 * {@link AttackAllDriver} writes its transcripts on the interpreter, the compiled tier, the
 * interpreter stepped with an INSTR trace and a {@code Jit.compileFramed} VM (every fuel limit with
 * each pause restored on another way, every heap, call-depth, host-call and register limit near
 * what the run uses, contexts shared across limits, slices with restores and forks). The four must
 * agree line by line, no run may end in {@code internal_error}, and with
 * {@code -Dtape.before.jar=FILE} (a build before the round) the old build's transcripts must equal
 * these.
 *
 * <p>It runs 3 programs; {@code -Dattack.nine.from=N -Dattack.nine.seeds=M} runs others. Nothing
 * differed on 0db7aea (between its ways, or against 08cdb4a, the build before the round) in about
 * 1,530 programs, all with the old build's transcripts: seeds 0 to 441 with the framed VM and
 * {@code -Dattack.driver.points=12}, and lighter sweeps without it (points 2 or 3, slices of 53 or
 * 101: seeds 20000 to 20714, 40000 to 40036, and 50000 to 50334 of the form with the outer loop's
 * array; the others of an earlier form without it). It stays as a regression test.
 */
class AttackRoundNineTogetherTest {
    private static String ireg(SplittableRandom rnd) {
        return new String[] {"r4", "r5", "r7", "r8", "r12"}[rnd.nextInt(5)];
    }

    /**
     * A walk's start and end (r21, r22): four sites in five within the array (from 0, 1 or the last
     * index to the count or a constant within it), the others at and around its bounds (the
     * iteration's index, 2<sup>32</sup>, 2<sup>63</sup>, 2<sup>64</sup> - 1; ends one past the
     * count or far past it), where the walk traps or its inlined body is abandoned.
     */
    private static String site(SplittableRandom rnd, int len, String index, String arr) {
        if (rnd.nextInt(5) != 0) {
            long from = new long[] {0, 0, 1, len - 1}[rnd.nextInt(4)] % len;
            return "    const.u64 r21, " + from + "\n" + (rnd.nextBoolean() ? "    array.len r22, " + arr + "\n"
                    : "    const.u64 r22, " + (1 + from + rnd.nextInt(len - (int) from)) + "\n");
        }
        long[] at = {0, 1, len - 1, len, 1L << 32, (1L << 32) + len - 1, Long.MIN_VALUE, -1};
        String start = rnd.nextInt(3) == 0 ? "    i64.to_u64 r21, " + index + "\n"
                : "    const.u64 r21, " + Long.toUnsignedString(at[rnd.nextInt(at.length)]) + "\n";
        return start + switch (rnd.nextInt(4)) {
            case 0 -> "    array.len r22, " + arr + "\n";
            case 1 -> "    array.len r22, " + arr + "\n    const.u64 r23, 1\n    u64.add r22, r22, r23\n";
            case 2 -> "    const.u64 r22, " + (1 + rnd.nextInt(len)) + "\n";
            default -> "    const.u64 r22, 4294967296\n";
        };
    }

    /** An array of {@code len} i64 elements from the iteration's values into r20. */
    private static void array(StringBuilder s, SplittableRandom rnd, int len, String[] values) {
        s.append("    array.new r20, A, [");
        for (int j = 0; j < len; j++) {
            s.append(j == 0 ? "" : ", ").append(values[rnd.nextInt(values.length)]);
        }
        s.append("]\n");
    }

    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(10);
        int imm = rnd.nextInt(12) == 0 ? len : rnd.nextInt(len);
        int outer = 1 + rnd.nextInt(3);
        StringBuilder s = new StringBuilder("program nine\n");
        s.append(AttackPrograms.SIX_HOSTS);
        s.append("array A = i64\nstruct S = { f0: i64, f1: i64 }\nstruct T = { t: agg, v: i64 }\n");
        s.append("callsig one = (i64) -> (i64)\n");
        // main is function 0, side (the boxed host function's nested run) function 1
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        AttackPrograms.mainStart(s, rnd).append("    const.i64 r10, 0\n    mov r12, r2\n");
        s.append("    const.func r30, leafe\n    const.i64 r31, ").append(1 + rnd.nextInt(40)).append('\n');
        s.append("    tuple.new r32, [r31]\n    closure.new r33, r30, r32\n");
        s.append("    const.func r34, leafn\n    tuple.new r35, []\n    closure.new r36, r34, r35\n");
        s.append("    const.func r37, heavy\n    closure.new r38, r37, r32\n    const.func r39, plain\n");
        s.append("    struct.new r11, S, [r2, r6]\n    const.bool r17, true\n");
        s.append("    jmp outer\nouter:\n    const.i64 r16, ").append(outer).append("\n    i64.lt r14, r10, r16\n");
        s.append("    br r14, start, done\nstart:\n    const.i64 r5, 0\n    array.new r40, A, [");
        for (int j = 0; j < len; j++) {
            s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r10" : "r4");
        }
        s.append("]\n    jmp loop\n");
        s.append("loop:\n    i64.lt r14, r5, r1\n    br r14, body, next\nbody:\n    i64.add r7, r7, r5\n");
        long depth = rnd.nextInt(10) == 0 ? 1018 + rnd.nextInt(8) : rnd.nextInt(12);
        String[] values = {"r5", "r7", "r12", "r4", "r10"};
        for (int u = 0, ops = 3 + rnd.nextInt(9); u < ops; u++) {
            String a = ireg(rnd);
            String b = ireg(rnd);
            String c = ireg(rnd);
            String dst = new String[] {"r7", "r8", "r12"}[rnd.nextInt(3)];
            switch (rnd.nextInt(18)) {
                case 0, 1 -> s.append("    call.indirect r0, one, r33, r0, [").append(a).append("] -> [r24]\n")
                        .append("    i64.add r4, r4, r24\n");
                case 2 -> s.append("    call.indirect r0, one, r36, r0, [").append(a).append("] -> [r24]\n")
                        .append("    i64.xor r4, r4, r24\n");
                case 3 -> {
                    int k = 2 + rnd.nextInt(2);
                    s.append("    const.i64 r25, ").append(k).append("\n    i64.rem r26, r5, r25\n");
                    s.append("    const.i64 r25, 0\n    i64.eq r27, r26, r25\n    mov r28, r33\n");
                    s.append("    br r27, pick").append(u).append(", other").append(u).append('\n');
                    s.append("other").append(u).append(":\n    const.i64 r25, 1\n    i64.eq r27, r26, r25\n");
                    s.append("    mov r28, r36\n    br r27, pick").append(u).append(", last").append(u).append('\n');
                    s.append("last").append(u).append(":\n    mov r28, r38\n    jmp pick").append(u).append('\n');
                    s.append("pick").append(u).append(":\n    call.indirect r0, one, r28, r0, [").append(a)
                            .append("] -> [r24]\n    i64.add r4, r4, r24\n");
                }
                case 4 -> s.append("    tuple.new r29, [r5]\n    closure.new r28, r30, r29\n")
                        .append("    call.indirect r0, one, r28, r0, [").append(a).append("] -> [").append(dst)
                        .append("]\n");
                case 5 -> s.append("    call.indirect r0, one, r39, r0, [").append(a).append("] -> [").append(dst)
                        .append("]\n");
                case 6, 7, 8 -> {
                    // the array built here, or the one the outer loop built (kept across the inner loop)
                    String arr = rnd.nextInt(3) == 0 ? "r40" : "r20";
                    if (arr.equals("r20")) {
                        array(s, rnd, len, values);
                    }
                    switch (rnd.nextInt(8)) {
                        case 0 -> s.append("    jmp mid").append(u).append("\nmid").append(u).append(":\n");
                        case 1 -> s.append("    call.indirect r0, one, r33, r0, [r5] -> [r24]\n");
                        case 2 -> s.append("    host_call r0, hf, r0, [r5] -> [r24]\n");
                        default -> { }
                    }
                    s.append(site(rnd, len, "r5", arr));
                    s.append("    call r0, ").append(rnd.nextBoolean() ? "walk" : "walk2").append(", r0, [")
                            .append(arr).append(", r21, r4, r22] -> [r4]\n");
                    if (rnd.nextInt(5) == 0) {
                        s.append("    array.len r23, ").append(arr)
                                .append("\n    u64.to_i64 r24, r23\n    i64.add r4, r4, r24\n");
                    }
                }
                case 9 -> s.append("    host_call r0, hf, r0, [").append(a).append("] -> [").append(dst).append("]\n");
                case 10 -> s.append("    host_call r0, hg, r0, [").append(a).append(", ").append(b).append("] -> [")
                        .append(dst).append("]\n");
                case 11 -> s.append("    host_call r0, hh, r0, [").append(a).append(", ").append(b).append(", ")
                        .append(c).append("] -> [").append(dst).append("]\n");
                case 12 -> s.append(rnd.nextBoolean()
                        ? "    host_call r0, hw, r0, [" + a + ", " + b + "] -> [" + dst + ", r19]\n"
                        : "    host_call r0, hx, r0, [" + a + "] -> [" + dst + "]\n    host_call r0, hp, r0, ["
                                + b + "] -> [r17]\n    select " + dst + ", r17, " + a + ", " + b + "\n");
                case 13 -> s.append("    struct.new r11, S, [").append(a).append(", ").append(b)
                        .append("]\n    struct.get r24, r11, ").append(rnd.nextInt(2))
                        .append("\n    i64.add r4, r4, r24\n    call r0, leaf, r0, [r11] -> [r24]\n")
                        .append("    i64.xor r4, r4, r24\n");
                case 14 -> s.append("    tuple.new r29, [r7, r4]\n    struct.new r18, T, [r29, r5]\n")
                        .append("    struct.get r8, r18, 1\n    tuple.get ").append(dst).append(", r29, ")
                        .append(rnd.nextInt(2)).append('\n');
                case 15 -> s.append("    call r0, mix, r0, [").append(a).append(", ").append(b).append("] -> [")
                        .append(dst).append("]\n");
                case 16 -> s.append("    call r0, rec, r0, [r3, r7] -> [r8]\n    i64.add r4, r4, r8\n");
                default -> s.append("    i64.div ").append(dst).append(", r4, ")
                        .append(rnd.nextInt(3) == 0 ? "r8" : "r6").append('\n');
            }
        }
        s.append("    i64.add r4, r4, r8\n    i64.add r5, r5, r6\n    jmp loop\n");
        s.append("next:\n");
        if (rnd.nextBoolean()) {
            // a second looping site, in the outer loop
            array(s, rnd, len, values);
            s.append(site(rnd, len, "r10", "r20"));
            s.append("    call r0, walk, r0, [r20, r21, r4, r22] -> [r4]\n");
        }
        s.append("    i64.add r10, r10, r6\n    jmp outer\ndone:\n    ret r0, [r4]\n}\n");
        s.append("""
                func side(x: i64) -> (i64) {
                    host_call r0, hf, r0, [r1] -> [r2]
                    struct.new r3, S, [r1, r2]
                    struct.get r4, r3, 1
                    host_call r0, hg, r0, [r4, r1] -> [r4]
                    ret r0, [r4]
                }
                func leaf(s: agg struct S) -> (i64) {
                    struct.get r2, r1, 0
                    struct.get r3, r1, 1
                    i64.mul r2, r2, r3
                    ret r0, [r2]
                }
                """ + AttackPrograms.WALK);
        s.append("func walk2(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {\n");
        s.append("    array.len r8, r1\n    array.get_imm r5, r1, ").append(imm).append('\n');
        s.append("    i64.xor r3, r3, r5\n    u64.to_i64 r9, r8\n    i64.add r3, r3, r9\n");
        if (rnd.nextBoolean()) {
            s.append("    u64.to_i64 r10, r2\n    i64.add r3, r3, r10\n");
        }
        s.append("    jmp check\ncheck:\n    u64.lt r7, r2, r4\n    br r7, step, out\n");
        s.append("step:\n    array.get r5, r1, r2\n    const.i64 r9, 3\n    i64.mul r5, r5, r9\n");
        s.append("    i64.add r3, r3, r5\n    const.u64 r6, ").append(1 + rnd.nextInt(2)).append('\n');
        s.append("    u64.add r2, r2, r6\n    jmp check\nout:\n    ret r0, [r3]\n}\n");
        s.append("func leafe(env: agg tuple(i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n");
        s.append("    const.i64 r").append(3 + rnd.nextInt(12)).append(", 7\n    i64.add r3, r3, r2\n    ret r0, [r3]\n}\n");
        s.append("""
                func leafn(env: agg tuple(), x: i64) -> (i64) {
                    const.i64 r3, 3
                    i64.mul r3, r2, r3
                    ret r0, [r3]
                }
                """).append(AttackPrograms.HEAVY_PLAIN);
        // mix(a, b): builds a struct and an array, walks it, makes host calls
        s.append("func mix(a: i64, b: i64) -> (i64) {\n    struct.new r3, S, [r1, r2]\n");
        for (int j = 0, k = 1 + rnd.nextInt(4); j < k; j++) {
            switch (rnd.nextInt(5)) {
                case 0 -> s.append("    host_call r0, hf, r0, [r1] -> [r1]\n");
                case 1 -> s.append("    host_call r0, hg, r0, [r1, r2] -> [r2]\n");
                case 2 -> s.append("    struct.new r3, S, [r2, r1]\n    struct.get r4, r3, ").append(rnd.nextInt(2))
                        .append("\n    i64.add r1, r1, r4\n");
                default -> {
                    s.append("    array.new r20, A, [r1, r2");
                    for (int e = 2; e < len; e++) {
                        s.append(", r").append(1 + e % 2);
                    }
                    s.append("]\n").append(site(rnd, len, "r2", "r20"));
                    s.append("    call r0, walk").append(rnd.nextBoolean() ? "" : "2")
                            .append(", r0, [r20, r21, r1, r22] -> [r1]\n");
                }
            }
        }
        s.append("    struct.get r4, r3, ").append(rnd.nextInt(2)).append("\n    i64.add r1, r1, r4\n    ret r0, [r1]\n}\n");
        s.append(AttackPrograms.REC_STRUCT);
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(6), rnd.nextLong(1000), depth);
    }

    /**
     * Checks one program: its ways agree, none ends in {@code internal_error}, and with
     * {@code oldRun} the build before writes the same transcripts.
     *
     * @param seed the program's seed
     * @param oldRun {@link TierCompare.Before#run()}, or null
     * @param framed whether to add the framed VM's transcript
     * @return whether the run under the default limits ended with results
     */
    static boolean check(long seed, Method oldRun, boolean framed) throws Exception {
        return check(program(seed), seed, oldRun, framed);
    }

    /**
     * As {@link #check(long, Method, boolean)}, for a program made elsewhere.
     *
     * @param g the program and its entry's arguments
     * @param seed the program's seed (for the message)
     * @param oldRun {@link TierCompare.Before#run()}, or null
     * @param framed whether to add the framed VM's transcript
     * @return whether the run under the default limits ended with results
     */
    static boolean check(AttackPrograms.Generated g, long seed, Method oldRun, boolean framed) throws Exception {
        String[] now = TierCompare.waysAgree(oldRun, g.source(), g.argv(), g.d() + 4, seed % 2 == 0,
                (int) (g.d() + 2) * 12 + 140, framed, g.what(seed));
        return now[0].startsWith("full done");
    }

    @Test
    void tiersSteppedFramedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.nine", 3);
        int results = 0;
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (long seed = seeds.from(); seed < seeds.end(); seed++) {
                results += check(seed, old.run(), true) ? 1 : 0;
            }
        }
        assertTrue(results >= (seeds.count() + 2) / 3 && (seeds.count() < 40 || results < seeds.count()),
                "results " + results + " of " + seeds.count());
    }

    /** A loop that calls {@code walk} on an array it keeps; walk's step is 0, so it never ends. */
    private static final String SPIN = """
            program spin
            array A = i64
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r4, 0
                jmp loop
            loop:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                array.new r6, A, [r2, r3, r4]
                const.u64 r7, 0
                array.len r8, r6
                call r0, walk, r0, [r6, r7, r4, r8] -> [r4]
                i64.add r2, r2, r3
                jmp loop
            done:
                ret r0, [r4]
            }
            func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {
            top:
                array.get r5, r1, r2
                i64.add r3, r3, r5
                const.u64 r6, 0
                u64.add r2, r2, r6
                u64.lt r7, r2, r4
                br r7, top, out
            out:
                ret r0, [r3]
            }
            """;

    /**
     * An endless loop in a looping callee the compiled tier runs inline, with fuel as large as the
     * format allows (2<sup>64</sup> - 1): a deadline and an interrupt from another thread stop it
     * on every way (compiled, framed, interpreted), at a point a run given exactly the fuel used
     * so far pauses at too (same frames and position), and its snapshot restored on every way runs
     * on until it is interrupted again.
     */
    @Test
    void anEndlessInlinedLoopStopsOnDeadlinesAndInterrupts() throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(SPIN);
        assertTrue(JitKeptStructTest.calls(p, 0, "leafMakeRoom") > 0, "walk runs inline in main");
        Vm jit = Jit.compile(p, Host.NONE);
        Vm framed = Jit.compileFramed(p, Host.NONE, VmOptions.DEFAULT);
        Vm in = new Vm(p, Host.NONE);
        Vm[] ways = {jit, framed, in};
        List<Value> args = List.of(Value.i64(5));
        Limits unlimited = Limits.DEFAULT.withFuel(-1);
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (Vm vm : ways) {
                Run r = vm.start(new ExecutionContext(), 0, args, unlimited, null);
                r.deadline(Duration.ofMillis(30));
                Outcome o = r.resume();
                assertInstanceOf(PauseReason.DeadlineReached.class, ((Outcome.Paused) o).reason());
                assertEquals("walk", r.frames().get(0).name(), r.frames()::toString);
                long used = -1L - r.fuelRemaining();
                for (Vm w : ways) {
                    if (w == in && used > 20_000_000) {
                        continue; // the interpreter would take long to get there
                    }
                    Run f = w.start(new ExecutionContext(), 0, args, Limits.DEFAULT.withFuel(used), null);
                    assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) f.resume()).reason());
                    assertEquals(r.frames(), f.frames(), "fuel " + used);
                    assertEquals(r.position(), f.position(), "fuel " + used);
                }
                byte[] snap = r.snapshot();
                for (Vm w : ways) {
                    Run back = w.restore(new ExecutionContext(), snap, unlimited, null);
                    Thread t = new Thread(() -> {
                        try {
                            Thread.sleep(30);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        back.interrupt();
                    });
                    t.start();
                    Outcome ob = back.resume();
                    t.join();
                    assertInstanceOf(PauseReason.Interrupted.class, ((Outcome.Paused) ob).reason());
                    assertTrue(-1L - back.fuelRemaining() >= used, "fuel goes on from the snapshot's");
                }
            }
        });
    }
}
