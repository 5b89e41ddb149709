package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
/**
 * The eleventh round's changes together: the compiled tier's range-check elimination of the
 * inlined callee loop ({@code LoopBounds}, a fast copy chosen by an entry test) and the
 * interpreter's unboxed decimal registers ({@code DecScale}), in random programs assembled from
 * text by the hand-written literal matchers ({@code const.decimal}, {@code const.u64} of any
 * width). {@code main}'s loop computes dec_loop's line ({@code i64.to_dec}, {@code dec.mul},
 * {@code dec.add}) and, between decimal instructions, calls {@code walk} (the array-summing loop
 * LoopBounds proves) with starts and ends at, inside and past the array's bounds; {@code walkd}
 * (the same loop adding each element as a decimal); {@code mixd} (decimals in, a nested
 * {@code walk}, a decimal and an i64 out); a host function; and moves decimals through
 * {@code mov}, {@code select}, a struct, an array of decimals, {@code dec.to_i64} and scale
 * changes that end in {@code decimal_scale_mismatch} or {@code decimal_overflow}.
 * {@link AttackAllDriver} writes the transcripts on the interpreter, the compiled tier and the
 * interpreter stepped (every fuel limit, each pause's snapshot restored on the other way, so a
 * pause in the compiled fast copy resumes interpreted and one in the interpreter's decimal loop
 * resumes compiled; heap, call-depth and register limits; slices; a reused context); they must agree
 * line by line, none may end in {@code internal_error}, and with {@code -Dtape.before.jar=FILE} (a
 * build before the round, 3d628c2) the old build's transcripts must equal these.
 *
 * <p>It runs 6 programs and 3 with {@code widen} (more decimal registers than the interpreter's
 * list of unboxed slots holds); {@code -Dattack.eleven.from=N -Dattack.eleven.seeds=M} and
 * {@code -Dattack.eleven.wide.from/seeds} run others. On f328474 (main after the round) nothing
 * differed between the ways or against 3d628c2 (the build before the round) in seeds 0 to 1,299 of
 * the first form and 0 to 39 of the second.
 */
class AttackRoundElevenTogetherTest {
    /** main's decimal registers of scale 2 that the items read and write */
    private static final String[] DECS = {"r10", "r11", "r14", "r19"};

    private static String dec(SplittableRandom rnd) {
        return DECS[rnd.nextInt(DECS.length)];
    }

    /**
     * A bound of {@code walk}'s or {@code walkd}'s loop: mostly the array's length (array.len),
     * else a constant around it.
     */
    private static String end(SplittableRandom rnd, int len) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "    const.u64 r16, " + (len + 1 + rnd.nextInt(3)) + "\n";
            case 1 -> "    const.u64 r16, " + rnd.nextInt(len + 1) + "\n";
            case 2 -> "    const.u64 r16, 18446744073709551615\n";
            default -> "    array.len r16, r12\n";
        };
    }

    private static String start(SplittableRandom rnd, int len) {
        // at the length (traps at the first read) one time in twelve
        return "    const.u64 r15, " + (rnd.nextInt(12) == 0 ? len : rnd.nextInt(len)) + "\n";
    }

    private static String item(SplittableRandom rnd, int len) {
        return switch (rnd.nextInt(14)) {
            case 0, 1 -> "    i64.to_dec r13, r5, 0\n    dec.mul r14, " + dec(rnd)
                    + ", r13\n    dec.add r10, r10, r14\n";
            case 2, 3 -> start(rnd, len) + end(rnd, len)
                    + "    call r0, walk, r0, [r12, r15, r4, r16] -> [r17]\n    i64.add r4, r4, r17\n";
            case 4 -> start(rnd, len) + end(rnd, len)
                    + "    call r0, walkd, r0, [r12, r15, " + dec(rnd) + ", r16] -> [r19]\n"
                    + "    dec.add r10, r10, r19\n";
            case 5 -> "    call r0, mixd, r0, [" + dec(rnd) + ", " + dec(rnd) + ", r12] -> [" + dec(rnd)
                    + ", r17]\n    i64.xor r4, r4, r17\n";
            case 6 -> "    host_call r0, hf, r0, [r5] -> [r21]\n    i64.add r4, r4, r21\n";
            case 7 -> "    struct.new r20, L, [r5, " + dec(rnd) + "]\n    struct.get r19, r20, 1\n    dec.add "
                    + dec(rnd) + ", r19, " + dec(rnd) + "\n";
            case 8 -> "    array.new r22, D, [" + dec(rnd) + ", " + dec(rnd) + ", " + dec(rnd) + "]\n"
                    + "    array.get_imm r19, r22, " + rnd.nextInt(3) + "\n    dec.sub r14, r19, " + dec(rnd) + "\n";
            case 9 -> "    i64.lt r24, r5, r8\n    select r19, r24, " + dec(rnd) + ", " + dec(rnd)
                    + "\n    dec.add r10, r10, r19\n";
            case 10 -> "    mov r19, " + dec(rnd) + "\n    dec.add " + dec(rnd) + ", r19, " + dec(rnd) + "\n";
            case 11 -> "    const.decimal " + dec(rnd) + ", " + (rnd.nextInt(4001) - 2000) + ", 2\n";
            case 12 -> "    i64.to_dec r13, r4, 0\n    dec.to_i64 r21, r13\n    i64.add r4, r4, r21\n";
            default -> switch (rnd.nextInt(4)) {
                // a scale-4 product: a later add of it traps decimal_scale_mismatch
                case 0 -> "    dec.mul " + dec(rnd) + ", " + dec(rnd) + ", " + dec(rnd) + "\n";
                // a square growing every trip until decimal_overflow
                case 1 -> "    i64.to_dec r13, r5, 0\n    dec.add r13, r13, r13\n    dec.mul r13, r13, r13\n"
                        + "    dec.mul r13, r13, r13\n    dec.mul r13, r13, r13\n";
                default -> "    i64.to_dec r13, r8, 18\n    dec.to_i64 r21, r13\n";
            };
        };
    }

    /** A program: main(n, x, d) -> (i64, dec), d unused but for the driver's depth limits. */
    static AttackPrograms.Generated program(long seed) {
        return program(seed, false);
    }

    /**
     * {@code widen(a, b, xs, n)}: {@code count} decimal registers (more than the interpreter's list of
     * 64 unboxed slots, so it is boxed while the loop runs) written by {@code i64.to_dec} and
     * {@code dec.add}, calls of {@code walk} between them, then added into {@code a}.
     */
    private static String widen(SplittableRandom rnd, int count) {
        StringBuilder s = new StringBuilder("func widen(a: dec, b: dec, xs: agg array A, n: i64) -> (dec) {\n"
                + "    const.i64 r5, 1\n    const.u64 r6, 0\n    array.len r7, r3\n    const.i64 r8, 0\n");
        for (int k = 0; k < count; k++) {
            String reg = "r" + (9 + k);
            s.append(rnd.nextBoolean() ? "    i64.to_dec " + reg + ", r4, 2\n"
                    : "    dec.add " + reg + ", r" + (k == 0 ? 1 : 9 + rnd.nextInt(k)) + ", r2\n");
            if (rnd.nextInt(12) == 0) {
                s.append("    call r0, walk, r0, [r3, r6, r8, r7] -> [r8]\n    i64.add r4, r4, r8\n");
            }
        }
        for (int k = 0; k < count; k++) {
            if (rnd.nextInt(3) != 0) {
                s.append("    dec.add r1, r1, r").append(9 + k).append('\n');
            }
        }
        return s.append("    ret r0, [r1]\n}\n").toString();
    }

    /**
     * @param wide whether main's loop also calls {@code widen} (drawn from a random source of its
     *     own, so that the program is otherwise the one without)
     */
    static AttackPrograms.Generated program(long seed, boolean wide) {
        SplittableRandom more = new SplittableRandom(seed * 31 + 7);
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 11);
        StringBuilder s = new StringBuilder("program all11\narray A = i64\narray D = dec\n"
                + "struct L = { qty: i64, price: dec }\n").append(AttackPrograms.SIX_HOSTS)
                .append("func main(n: i64, x: i64, d: i64) -> (i64, dec) {\n");
        AttackPrograms.mainStart(s, rnd);
        int len = 1 + rnd.nextInt(9);
        s.append("    const.decimal r10, ").append(rnd.nextInt(2001) - 1000).append(", 2\n")
                .append("    const.decimal r11, ").append(rnd.nextInt(2001) - 1000).append(", 2\n")
                .append("    array.new r12, A, ").append(AttackPrograms.elements(rnd, len)).append('\n')
                .append("    const.decimal r13, 0, 0\n    const.decimal r14, 0, 2\n    const.u64 r15, 0\n")
                .append("    const.u64 r16, 0\n    const.i64 r17, 0\n    const.bool r18, false\n")
                .append("    const.decimal r19, 1, 2\n    struct.new r20, L, [r5, r10]\n    const.i64 r21, 0\n")
                .append("    array.new r22, D, [r10]\n    const.bool r24, false\n")
                .append("    jmp top\ntop:\n");
        int items = 2 + rnd.nextInt(5);
        for (int i = 0; i < items; i++) {
            s.append(item(rnd, len));
        }
        if (wide) {
            s.append("    call r0, widen, r0, [").append(dec(more)).append(", ").append(dec(more))
                    .append(", r12, r5] -> [").append(dec(more)).append("]\n");
        }
        s.append("    i64.add r5, r5, r6\n    i64.lt r18, r5, r1\n    br r18, top, out\nout:\n")
                .append("    ret r0, [r4, r10]\n}\n");
        s.append(CALLEES);
        if (wide) {
            s.append(widen(more, 60 + more.nextInt(40)));
        }
        return new AttackPrograms.Generated(s.toString(), rnd.nextInt(6), rnd.nextLong(), rnd.nextInt(3));
    }

    /** walk (the loop LoopBounds proves), walkd (its decimal twin) and mixd (decimals around a walk). */
    private static final String CALLEES = AttackPrograms.WALK + """
                func walkd(xs: agg array A, j: u64, acc: dec, end: u64) -> (dec) {
                top:
                    array.get r5, r1, r2
                    i64.to_dec r6, r5, 2
                    dec.add r3, r3, r6
                    const.u64 r7, 1
                    u64.add r2, r2, r7
                    u64.lt r8, r2, r4
                    br r8, top, out
                out:
                    ret r0, [r3]
                }
                func mixd(a: dec, b: dec, xs: agg array A) -> (dec, i64) {
                    dec.add r4, r1, r2
                    const.u64 r5, 0
                    array.len r6, r3
                    const.i64 r7, 0
                    call r0, walk, r0, [r3, r5, r7, r6] -> [r8]
                    i64.to_dec r9, r8, 2
                    dec.add r4, r4, r9
                    ret r0, [r4, r8]
                }
                """;

    /** main's loop: dec_loop's line, then walk, walkd and mixd called with decimals live around them. */
    static final String FIXED = "program fixed11\narray A = i64\nfunc main(n: i64, p: dec) -> (i64, dec) {\n"
            + "    const.i64 r3, 0\n    const.i64 r4, 1\n    const.i64 r5, 3\n"
            + "    array.new r6, A, [r3, r4, r5, r5, r4]\n"
            + "    const.decimal r7, 0, 2\n    const.i64 r8, 0\n    jmp top\ntop:\n"
            + "    i64.to_dec r9, r3, 0\n    dec.mul r10, r2, r9\n    dec.add r7, r7, r10\n"
            + "    const.u64 r11, 0\n    array.len r12, r6\n    call r0, walk, r0, [r6, r11, r8, r12] -> [r13]\n"
            + "    i64.add r8, r8, r13\n    call r0, walkd, r0, [r6, r11, r7, r12] -> [r14]\n"
            + "    call r0, mixd, r0, [r14, r7, r6] -> [r7, r13]\n    dec.add r7, r7, r10\n"
            + "    i64.add r3, r3, r4\n    i64.lt r15, r3, r1\n    br r15, top, out\nout:\n    ret r0, [r8, r7]\n}\n"
            + CALLEES;

    /**
     * The same programs with a call of {@code widen} in main's loop: the interpreter's list of unboxed
     * slots fills and is boxed mid-loop in a callee frame, around inlined {@code walk} calls, at every
     * fuel limit and pause.
     */
    @Test
    void moreDecimalsThanTheListHoldsAgree() throws Exception {
        TierCompare.sweep(TierCompare.Seeds.of("attack.eleven.wide", 3), seed -> program(seed, true), g -> 0,
                (seed, g, what, now) -> { });
    }

    /**
     * The programs reach the fast copy: {@code walk}'s loop is proved and its reads in {@code main}'s
     * method (two sites, LoopPeel's copies) are two more than when its compare is one LoopBounds
     * leaves alone ({@code index > end}); {@code walkd}'s decimal loop is no looping callee.
     */
    @Test
    void walkIsInlinedWithItsFastCopy() throws Exception {
        String[] plans = new String[2];
        int[] reads = new int[2];
        String swapped = FIXED.replace("u64.lt r7, r2, r4", "u64.gt r7, r2, r4");
        for (int k = 0; k < 2; k++) {
            VerifiedProgram p = JitLeafInlineTest.verified(k == 0 ? FIXED : swapped);
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            plans[k] = JitTestAccess.loopBounds(tier.view, 1);
            assertNull(JitTestAccess.loopBounds(tier.view, 2), "walkd");
            reads[k] = JitTestAccess.insns(JitTestAccess.generate(tier.view, 0).bytes(), Opcodes.LALOAD);
        }
        assertEquals("index 2 end 4 reads 1", plans[0]);
        assertNull(plans[1], "index > end");
        assertEquals(reads[1] + 2, reads[0], "main's unchecked reads of walk's elements");
    }

    @Test
    void decimalsAroundInlinedLoopsAgree() throws Exception {
        TierCompare.sweep(TierCompare.Seeds.of("attack.eleven", 6), AttackRoundElevenTogetherTest::program,
                g -> 24, (seed, g, what, now) -> { });
    }

    /** A run's end as text: its results, or its trap's kind, function, pc, span and fuel left. */
    private static String end(Outcome o) {
        if (o instanceof Outcome.Done d) {
            return "done " + d.values();
        }
        if (o instanceof Outcome.Trapped t) {
            Trap x = t.trap();
            return "trap " + x.kind() + " f" + x.func() + " pc " + x.pc() + " span " + x.span() + " fuel "
                    + x.fuelRemaining() + " " + x.getMessage();
        }
        return "paused";
    }

    /** FIXED's arguments: turns and a price whose scale is 2 (or 3 for every fifth: a scale trap). */
    private static List<Value> fixedArgs(int i) {
        return List.of(Value.i64(i % 9), Value.decimal(125L * i - 4000, i % 5 == 4 ? 3 : 2));
    }

    /**
     * FIXED on one interpreting and one compiled VM shared by 8 threads, each with one context it
     * reuses: whole runs, then runs stepped in slices of 1 to 9 fuel whose every pause's registers
     * (frame 0) must be decimals where main declares them, and whose snapshot at every third pause
     * is restored on the other VM and run to its end. Each end (results or trap, fuel) must be the
     * interpreter's on a fresh context, run on this thread alone.
     */
    @Test
    void sharedVmsOnEightThreadsReuseContexts() throws Exception {
        eightThreads(FIXED);
    }

    /** {@link #sharedVmsOnEightThreadsReuseContexts} with a call of an 80-decimal {@code widen} in main's loop. */
    @Test
    void sharedVmsOnEightThreadsWithWiden() throws Exception {
        eightThreads(FIXED.replace("    i64.add r3, r3, r4\n", "    call r0, widen, r0, [r7, r10, r6, r3] -> [r7]\n"
                + "    i64.add r3, r3, r4\n") + widen(new SplittableRandom(1), 80));
    }

    private static void eightThreads(String source) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(source);
        Vm interp = new Vm(p, Host.NONE);
        Vm compiled = Jit.compile(p, Host.NONE);
        Limits limits = Limits.DEFAULT.withFuel(5_000);
        String[] want = new String[40];
        for (int i = 0; i < want.length; i++) {
            want[i] = end(interp.start(new ExecutionContext(), 0, fixedArgs(i), limits, null).resume());
        }
        assertTrue(String.join("\n", want).contains("decimal_scale_mismatch"), "some runs trap");
        assertTrue(String.join("\n", want).contains("done [i64:"), "some runs end");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int th = t;
                all.add(pool.submit(() -> {
                    ExecutionContext ctx = new ExecutionContext();
                    StringBuilder bad = new StringBuilder();
                    int restores = 0;
                    for (int round = 0; round < 3; round++) {
                        for (int i = th; i < want.length; i += 2) {
                            Vm vm = (i + round) % 2 == 0 ? compiled : interp;
                            Vm other = vm == compiled ? interp : compiled;
                            String whole = end(vm.start(ctx, 0, fixedArgs(i), limits, null).resume());
                            if (!whole.equals(want[i])) {
                                bad.append("whole ").append(i).append(": ").append(whole).append('\n');
                            }
                            Run r = vm.start(ctx, 0, fixedArgs(i), limits, null);
                            Outcome o;
                            int pauses = 0;
                            String restored = null;
                            while ((o = r.step(1 + (pauses + i) % 9)) instanceof Outcome.Paused) {
                                for (Value v : r.registers(0)) {
                                    if (v != null && !(v instanceof Value.Decimal || v instanceof Value.I64
                                            || v instanceof Value.U64 || v instanceof Value.Bool
                                            || v == Value.UNIT || v instanceof dev.tape.value.Aggregate)) {
                                        bad.append("register ").append(v).append('\n');
                                    }
                                }
                                if (pauses++ % 3 == 2 && restored == null) {
                                    restored = end(other.restore(new ExecutionContext(), r.snapshot(), limits, null)
                                            .resume());
                                }
                            }
                            restores += restored == null ? 0 : 1;
                            if (!end(o).equals(want[i]) || restored != null && !restored.equals(want[i])) {
                                bad.append("stepped ").append(i).append(": ").append(end(o)).append(" restored ")
                                        .append(restored).append('\n');
                            }
                        }
                    }
                    return restores == 0 ? "no snapshot restored\n" + bad : bad.toString();
                }));
            }
            for (Future<String> f : all) {
                assertEquals("", f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
