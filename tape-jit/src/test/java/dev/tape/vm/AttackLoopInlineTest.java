package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the compiled tier's speculative inlining of looping callees ({@code LoopInliner}, the
 * ninth round): is abandoning the inlined body always invisible? Random programs ({@link #program})
 * build one or two arrays per loop turn (kept out of the heap, of i64, now and then of u64 the
 * callee declares as i64) and call, directly and through {@code call.indirect}, callees that loop
 * over them: {@code walk} (a u64 index from a start at and around 0, the count, 2<sup>32</sup>,
 * 2<sup>63</sup> and 2<sup>64</sup>-1, stepped by 1, 2, 3, 2<sup>63</sup> or 2<sup>64</sup>-1 so it
 * wraps, bounded by an end or by {@code array.len}, with shifts by 0, 63, 64, 127, -1 and -64,
 * wrapping products and casts at the sign bit; three results, one a bool, written over its own
 * arguments), {@code dot} (two arrays or one passed twice, an immediate read at or past the
 * count), {@code cast} (a loop of casts at the sign bit), {@code rec} (recursion as deep as an
 * argument, then a walk at the bottom, so the call meets every call-depth limit), and a host
 * function whose nested run of {@code side} inlines a walk too; the array also escapes through a
 * {@code mov}, is rebuilt at another site (an object) and lives across a block start where a slice
 * pauses. {@link AttackAllDriver} writes the interpreter's, the compiled tier's and the stepped
 * interpreter's transcripts (every fuel limit with each pause restored on the other tier, every
 * heap, call-depth, host-call and register limit near what the run uses, slices with restores and
 * forks), which must agree line by line, with no {@code internal_error}, and with
 * {@code -Dtape.before.jar=FILE} (the build before the round) equal the old build's.
 *
 * <p>It runs 12 programs; {@code -Dattack.arr9.from=N -Dattack.arr9.seeds=M} runs others. Nothing
 * differed on 0db7aea (between its tiers and stepped runs, or against the build before the round)
 * in 1,600 programs, about 1,000 of them with the call inline. Also here: value shapes the
 * generator does not make (f64 elements with NaN payloads, bool elements and eight results into
 * repeated registers, a unit argument and result, an untyped {@code agg} argument, an array of
 * another array type with the same element type), and an endless inlined loop given 2<sup>64</sup>-1
 * fuel that {@link Run#interrupt()} and a deadline must stop.
 */
class AttackLoopInlineTest {
    /** main calls spin, which loops for ever over the array main keeps. */
    static final String SPIN = """
            program spin
            array A = i64
            func main(n: i64) -> (i64) {
                array.new r2, A, [r1, r1]
                const.u64 r3, 0
                call r0, spin, r0, [r2, r3] -> [r4]
                ret r0, [r4]
            }
            func spin(xs: agg array A, j: u64) -> (total: i64) {
            top:
                array.len r3, r1
                array.get r6, r1, r2
                const.u64 r4, 0
                u64.lt r5, r4, r3
                br r5, top, out
            out:
                ret r0, [r6]
            }
            """;

    private static final String[] STARTS = {"0", "1", "2", "3", "15", "16", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551615"};
    private static final String[] STEPS = {"1", "1", "1", "2", "3", "18446744073709551615", "9223372036854775808"};
    private static final String[] SHIFTS = {"0", "1", "63", "64", "65", "127", "-1", "-64"};

    private static String pick(SplittableRandom rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    /** A program (see the class comment): main(n, x, d) loops n turns; 1 to 4 operations a turn. */
    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 16 : 5);
        int len2 = rnd.nextInt(3) == 0 ? len : 1 + rnd.nextInt(16);
        boolean second = rnd.nextBoolean();
        boolean unsigned2 = rnd.nextInt(6) == 0;
        StringBuilder s = new StringBuilder("program arr9\nhost hx = \"w.x\" (i64) -> (i64)\n");
        s.append("array A = i64\narray U = u64\ncallsig wsig = (agg, u64, i64, u64) -> (i64, u64, bool)\n");
        // main is function 0; side, function 1, is the boxed host function's nested run
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        s.append("    const.i64 r4, 0\n    const.i64 r5, 0\n    const.i64 r6, 1\n    mov r7, r2\n");
        s.append("    const.u64 r8, ").append(pick(rnd, STARTS)).append("\n    const.u64 r9, ")
                .append(rnd.nextBoolean() ? Integer.toString(len + rnd.nextInt(3) - 1) : pick(rnd, STARTS)).append('\n');
        s.append("    const.func r30, walk\n    const.bool r15, false\n");
        s.append("    jmp loop\nloop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n");
        s.append("    i64.add r7, r7, r5\n    array.new r20, A, ").append(AttackPrograms.elements(rnd, len)).append('\n');
        if (second) {
            s.append("    array.new r21, ").append(unsigned2 ? "U" : "A").append(", ");
            if (unsigned2) {
                s.append("[r8]\n");
            } else {
                s.append(AttackPrograms.elements(rnd, len2)).append('\n');
            }
        }
        if (rnd.nextBoolean()) {
            s.append("    jmp mid1\nmid1:\n");
        }
        String other = second ? "r21" : "r20";
        for (int u = 0, ops = 1 + rnd.nextInt(4); u < ops; u++) {
            String arr = rnd.nextInt(4) == 0 ? other : "r20";
            switch (rnd.nextInt(9)) {
                case 0, 1 -> s.append("    call r0, walk, r0, [").append(arr).append(", r8, r4, r9] -> [r4, r8, r15]\n");
                case 2 -> s.append("    call r0, dot, r0, [r20, ").append(rnd.nextBoolean() ? other : "r20")
                        .append(", r7] -> [r10]\n    i64.xor r4, r4, r10\n");
                case 3 -> s.append("    call r0, cast, r0, [").append(arr).append(", r8] -> [r10, r11]\n")
                        .append("    i64.add r4, r4, r10\n");
                case 4 -> s.append("    host_call r0, hx, r0, [r7] -> [r10]\n    i64.add r4, r4, r10\n");
                case 5 -> s.append("    call r0, rec, r0, [r3, r7] -> [r10]\n    i64.add r4, r4, r10\n");
                case 6 -> s.append("    call.indirect r0, wsig, r30, r0, [").append(arr)
                        .append(", r8, r4, r9] -> [r4, r8, r15]\n");
                case 7 -> s.append("    mov r22, ").append(arr).append("\n    array.len r11, r22\n");
                default -> s.append("    array.new r20, A, ").append(AttackPrograms.elements(rnd, len)).append('\n');
            }
        }
        s.append("    i64.add r5, r5, r6\n    jmp loop\ndone:\n    ret r0, [r4]\n}\n");
        // side(a): a nested run from the host function
        s.append("func side(a: i64) -> (i64) {\n    array.new r2, A, [r1, r1, r1]\n    const.u64 r3, 0\n")
                .append("    const.u64 r4, 3\n    call r0, walk, r0, [r2, r3, r1, r4] -> [r5, r3, r6]\n    ret r0, [r5]\n}\n");
        // walk: a loop over xs from j while j < end (or the length), with wrapping steps and shifts
        String sh = pick(rnd, SHIFTS);
        s.append("func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (i64, u64, bool) {\n");
        s.append("    array.len r5, r1\n    const.u64 r6, ").append(pick(rnd, STEPS)).append("\n    const.i64 r11, ")
                .append(sh).append("\n    jmp check\ncheck:\n");
        s.append(rnd.nextInt(3) == 0 ? "    u64.lt r7, r2, r5\n" : "    u64.lt r7, r2, r4\n");
        s.append("    br r7, step, out\nstep:\n    array.get r8, r1, r2\n");
        switch (rnd.nextInt(4)) {
            case 0 -> s.append("    i64.shl r9, r8, r11\n");
            case 1 -> s.append("    i64.shr r9, r8, r11\n");
            case 2 -> s.append("    i64.mul r9, r8, r8\n    i64.sub r9, r9, r11\n");
            default -> s.append("    i64.to_u64 r12, r8\n    u64.shr r12, r12, r6\n    u64.to_i64 r9, r12\n");
        }
        s.append("    i64.add r3, r3, r9\n    i64.xor r3, r3, r8\n    u64.add r2, r2, r6\n    jmp check\nout:\n");
        s.append("    u64.gt r10, r2, r5\n    ret r0, [r3, r2, r10]\n}\n");
        // dot: two arrays (or one twice) walked by the first's length
        s.append("func dot(xs: agg array A, ys: agg array A, k: i64) -> (i64) {\n    array.len r4, r1\n    array.len r5, r2\n")
                .append("    const.u64 r6, 0\n    const.u64 r7, 1\n    jmp head\nhead:\n    u64.lt r8, r6, r4\n")
                .append("    br r8, b, out\nb:\n    array.get r9, r1, r6\n    array.get r10, r2, r6\n")
                .append("    i64.mul r9, r9, r10\n    i64.add r3, r3, r9\n    array.get_imm r11, r2, ")
                .append(rnd.nextInt(Math.max(len2, len) + 1)).append("\n    i64.sub r3, r3, r11\n")
                .append("    u64.add r6, r6, r7\n    jmp head\nout:\n    ret r0, [r3]\n}\n");
        // cast: casts at the sign bit, counted down in a loop
        s.append("func cast(xs: agg array A, j: u64) -> (i64, u64) {\n    array.get_imm r3, r1, 0\n")
                .append("    i64.to_u64 r4, r3\n    u64.add r4, r4, r2\n    const.u64 r7, 1\n    jmp head\nhead:\n")
                .append("    const.u64 r8, 0\n    u64.gt r9, r4, r8\n    u64.lt r10, r4, r7\n    bool.or r9, r9, r10\n")
                .append("    u64.ge r10, r4, r7\n    bool.and r9, r9, r10\n    br r9, b, out\nb:\n")
                .append("    u64.to_i64 r5, r4\n    u64.shr r4, r4, r7\n    jmp head\nout:\n    u64.to_i64 r5, r2\n")
                .append("    ret r0, [r5, r4]\n}\n");
        // rec(d, x): recursion d deep, then a walk at the bottom (a call at every depth limit)
        s.append("func rec(d: i64, x: i64) -> (i64) {\n    const.i64 r3, 0\n    i64.le r4, r1, r3\n    br r4, base, more\n")
                .append("base:\n    array.new r5, A, [r2, r1]\n    const.u64 r6, 0\n    const.u64 r7, 2\n")
                .append("    call r0, walk, r0, [r5, r6, r2, r7] -> [r8, r6, r9]\n    ret r0, [r8]\n")
                .append("more:\n    const.i64 r3, 1\n    i64.sub r1, r1, r3\n    call r0, rec, r0, [r1, r2] -> [r8]\n")
                .append("    ret r0, [r8]\n}\n");
        long d = rnd.nextInt(4);
        return new AttackPrograms.Generated(s.toString(), 1 + rnd.nextInt(4), rnd.nextLong(40) - 20, d);
    }

    /** How many room tests ({@code JitRuntime.leafMakeRoom}) main's method makes: its inlined calls. */
    static int roomTests(String source) throws Exception {
        String stub = source.replace("host hx = \"w.x\" (i64) -> (i64)\n", "");
        if (stub.contains("hx")) {
            stub = stub.replaceAll("    host_call r0, hx, r0, \\[r7\\] -> \\[r10\\]\n", "    mov r10, r7\n");
        }
        return JitKeptStructTest.calls(JitLeafInlineTest.verified(stub), 0, "leafMakeRoom");
    }

    /** Random programs' transcripts agree on the tiers, stepped and (with {@code -Dtape.before.jar}) with the build before. */
    @Test
    void tiersSteppedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.arr9", 12);
        int[] traps = {0};
        int[] results = {0};
        int[] inlined = {0};
        TierCompare.sweep(seeds, AttackLoopInlineTest::program, g -> (int) (g.d() + 2) * 20 + 60, (seed, g, what, now) -> {
            try {
                if (roomTests(g.source()) > 0) {
                    inlined[0]++;
                }
            } catch (Exception e) {
                throw new AssertionError(what, e);
            }
            if (now[0].startsWith("full done")) {
                results[0]++;
            } else {
                traps[0]++;
            }
        });
        System.out.println("AttackLoopInlineTest: " + inlined[0] + " inlined, " + results[0] + " results, " + traps[0]
                + " traps");
        // a third or more run a callee inline in main; a sweep of many programs also reaches traps
        assertTrue(inlined[0] >= seeds.count() / 3, "programs inlining in main: " + inlined[0]);
        assertTrue(seeds.count() < 10 || results[0] > 0 && traps[0] > 0, "traps " + traps[0] + ", results " + results[0]);
    }

    /**
     * Value shapes the generator does not make: f64 elements with NaN payloads (a quiet and a
     * signalling one) returned from the loop; bool elements, {@code bool.not} and {@code bool.xor},
     * and eight results into registers named twice; an untyped {@code agg} argument, a unit argument
     * and a unit result, and an array of another array type with the same element type.
     */
    static final String[] SHAPES = {"""
            program t1
            array F = f64
            func main(n: i64, x: i64, d: i64) -> (f64, i64) {
                const.pool r4, f64:0x7ff8000000000001
                const.pool r5, f64:0xfff0000000000001
                i64.to_f64 r6, r2
                const.i64 r11, 0
                const.i64 r12, 1
                jmp loop
            loop:
                i64.lt r13, r11, r1
                br r13, body, done
            body:
                array.new r7, F, [r4, r5, r6, r4]
                const.u64 r8, 0
                call r0, pickf, r0, [r7, r8] -> [r9, r10]
                i64.add r11, r11, r12
                jmp loop
            done:
                array.new r7, F, [r6, r5]
                const.u64 r8, 1
                call r0, pickf, r0, [r7, r8] -> [r9, r10]
                ret r0, [r9, r10]
            }
            func pickf(xs: agg array F, j: u64) -> (f64, i64) {
                array.len r3, r1
                const.u64 r4, 1
                const.i64 r6, 0
                const.i64 r7, 1
                array.get_imm r8, r1, 0
                jmp h
            h:
                u64.lt r5, r2, r3
                br r5, b, out
            b:
                array.get r8, r1, r2
                u64.add r2, r2, r4
                i64.add r6, r6, r7
                jmp h
            out:
                ret r0, [r8, r6]
            }
            """, """
            program t2
            array B = bool
            func main(n: i64, x: i64, d: i64) -> (i64, bool, bool, i64) {
                const.bool r4, true
                const.bool r5, false
                const.i64 r14, 0
                const.i64 r15, 1
                jmp loop
            loop:
                i64.lt r16, r14, r1
                br r16, body, done
            body:
                array.new r6, B, [r4, r5, r4, r4]
                const.u64 r7, 0
                call r0, bits, r0, [r6, r7, r2] -> [r8, r9, r9, r10, r11, r11, r12, r13]
                mov r5, r9
                i64.add r14, r14, r15
                jmp loop
            done:
                ret r0, [r14, r4, r5, r2]
            }
            func bits(xs: agg array B, j: u64, n: i64) -> (i64, bool, bool, i64, bool, bool, i64, i64) {
                const.i64 r4, 0
                const.bool r5, false
                array.len r6, r1
                const.u64 r7, 1
                const.i64 r10, 1
                jmp h
            h:
                u64.lt r8, r2, r6
                br r8, b, out
            b:
                array.get r9, r1, r2
                bool.not r9, r9
                bool.xor r5, r5, r9
                i64.add r4, r4, r10
                u64.add r2, r2, r7
                jmp h
            out:
                ret r0, [r4, r5, r8, r4, r5, r8, r3, r4]
            }
            """, """
            program t4
            array A = i64
            array B = i64
            func main(n: i64, x: i64, d: i64) -> (i64) {
                const.i64 r14, 0
                const.i64 r15, 1
                const.i64 r6, 0
                jmp loop
            loop:
                i64.lt r16, r14, r1
                br r16, body, done
            body:
                array.new r4, B, [r1, r2, r3, r14]
                const.unit r5
                call r0, g, r0, [r4, r5, r4] -> [r7, r8]
                i64.add r6, r6, r7
                i64.add r14, r14, r15
                jmp loop
            done:
                ret r0, [r6]
            }
            func g(xs: agg, u: unit, ys: agg array A) -> (i64, unit) {
                array.len r4, r1
                const.u64 r5, 0
                const.i64 r6, 0
                const.u64 r9, 1
                jmp h
            h:
                u64.lt r7, r5, r4
                br r7, b, out
            b:
                u64.to_i64 r10, r4
                i64.add r6, r6, r10
                array.get r8, r3, r5
                i64.shl r6, r6, r8
                u64.add r5, r5, r9
                jmp h
            out:
                ret r0, [r6, r2]
            }
            """};

    /** Each shape runs inline in main, and its transcripts agree on the tiers, stepped and with the build before. */
    @Test
    void shapesAgree() throws Exception {
        try (TierCompare.Before old = TierCompare.Before.open()) {
            for (String src : SHAPES) {
                assertEquals(1, roomTests(src), "main runs its callee inline\n" + src);
                for (long[] argv : new long[][] {{3, 5, 1}, {2, -7, 0}, {1, Long.MIN_VALUE, 2}}) {
                    String what = java.util.Arrays.toString(argv) + "\n" + src;
                    String[] now = TierCompare.threeAgree(old.run(), src, argv, 4, argv[2] != 0, 40, what);
                    assertTrue(now[0].startsWith("full done"), what + "\n" + now[0]);
                }
            }
        }
    }

    /**
     * An inlined loop that never ends, given 2<sup>64</sup>-1 fuel: the compiled run still pauses
     * for {@link Run#interrupt()} and for a deadline (the compiled code runs in slices of
     * {@link Run#COMPILED_CHUNK} fuel, the inlined body within them), with the fuel it used
     * accounted for; the paused run's snapshot, restored on the interpreter, runs on the same way
     * (its next steps use exactly their fuel).
     */
    @Test
    void endlessInlinedLoopIsInterruptible() throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(SPIN);
        assertEquals(1, JitKeptStructTest.calls(p, 0, "leafMakeRoom"), "spin runs inline");
        endlessRunStops(p);
    }

    /**
     * Runs {@code p}'s function 0 on {@code i64:3}, compiled, at 2<sup>64</sup>-1 fuel, once stopped
     * by {@link Run#interrupt()} from another thread after 200 ms and once by a 200 ms deadline, and
     * checks each pauses with that reason, having used fuel, and that its snapshot restored on the
     * interpreter has the same fuel and frames and goes on the same way (its next 1,000 steps use
     * exactly their fuel). Shared by the attacks on endless inlined loops.
     *
     * @param p a verified program whose function 0 takes one i64 and never ends
     */
    static void endlessRunStops(VerifiedProgram p) throws Exception {
        for (int how = 0; how < 2; how++) {
            Vm vm = Jit.compile(p, Host.NONE);
            Jit.precompile(vm);
            Run r = vm.start(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(Limits.MAX_UNSIGNED));
            Thread t = null;
            if (how == 0) {
                t = new Thread(() -> {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                    r.interrupt();
                });
                t.setDaemon(true);
                t.start();
            } else {
                r.deadline(Duration.ofMillis(200));
            }
            long t0 = System.nanoTime();
            Outcome o = r.resume();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (t != null) {
                t.join();
            }
            assertInstanceOf(Outcome.Paused.class, o, "how " + how);
            Class<?> why = how == 0 ? PauseReason.Interrupted.class : PauseReason.DeadlineReached.class;
            assertEquals(why, ((Outcome.Paused) o).reason().getClass());
            // a loaded machine may be slow; a run that never polled would never come back at all
            assertTrue(ms < 60_000, "paused after " + ms + " ms");
            long left = r.fuelRemaining();
            assertTrue(Long.compareUnsigned(left, Limits.MAX_UNSIGNED - 1000) < 0, "fuel used: " + (-1L - left));
            Run back = new Vm(p, Host.NONE).restore(r.snapshot());
            assertEquals(left, back.fuelRemaining());
            assertEquals(r.frames(), back.frames());
            for (Run x : new Run[] {r, back}) {
                assertInstanceOf(Outcome.Paused.class, x.step(1000));
                assertEquals(left - 1000, x.fuelRemaining());
            }
            assertEquals(r.frames(), back.frames());
        }
    }
}
