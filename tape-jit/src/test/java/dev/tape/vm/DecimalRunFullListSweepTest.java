package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@link DecimalRun}'s full-list hand-back through {@link DecScale#put(ExecutionContext,
 * long[], Object[], int, long, int, boolean)} (attack-a17): a block of decimal instructions
 * ({@code dec.add}, {@code dec.sub}, {@code dec.mul}, {@code i64.to_dec}; results into fresh slots,
 * into slots that hold a token or a boxed constant, into one of their own operands) mixed with word
 * instructions and their fused forms ({@code const} + {@code i64.add}, {@code mov} of words), and
 * {@code mov}s of decimals, which end a run and box their operand in place. A callee lists exactly
 * {@code k} decimals before the block each trip ({@code const.decimal} then {@code i64.to_dec} into
 * each slot), and {@code k} is swept so that the list of unboxed decimals becomes full at every
 * listing write of the block, one before it and one after. Each program: both tiers at every fuel
 * budget and paused in lockstep ({@link StepSweep}), paused at every instruction with its snapshot
 * restored on both tiers ending alike, and the untraced interpreter's registers (dead ones too)
 * against the stepped one's at every pause of slices 1 to 5. The model is the interpreter stepped
 * (an INSTR trace: no run, no hand-back).
 */
class DecimalRunFullListSweepTest {
    /**
     * Decimal registers of main by scale, so that few programs trap: scale 2 (r2, r4, r20 to r22),
     * scale 1 (r3, r23, r24), scale 0 (r25). A product is of scale 2 (1 + 1 or 2 + 0).
     */
    private static final int[][] GROUPS = {{25}, {3, 23, 24}, {2, 4, 20, 21, 22}};

    /** A block and how many of its instructions may list a slot (each decimal write). */
    record Block(List<String> lines, int writes) {}

    private static int pick(Random rnd, int[] group) {
        return group[rnd.nextInt(group.length)];
    }

    static Block block(Random rnd) {
        List<String> out = new ArrayList<>();
        int writes = 0;
        int n = 8 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            int g = rnd.nextInt(3);
            int[] group = GROUPS[g];
            int x = pick(rnd, group);
            int y = pick(rnd, group);
            int d = switch (rnd.nextInt(3)) {
                // a result often one of its own operands
                case 0 -> x;
                case 1 -> y;
                default -> pick(rnd, group);
            };
            switch (rnd.nextInt(9)) {
                case 0, 1 -> {
                    out.add("i64.to_dec r" + d + ", r7, " + g);
                    writes++;
                }
                case 2, 3 -> {
                    out.add((rnd.nextBoolean() ? "dec.add r" : "dec.sub r") + d + ", r" + x + ", r" + y);
                    writes++;
                }
                case 4 -> {
                    // scale 2: 1 + 1, or 2 + 0 (the result often the scale-2 operand)
                    int a;
                    int b;
                    if (rnd.nextBoolean()) {
                        a = pick(rnd, GROUPS[1]);
                        b = pick(rnd, GROUPS[1]);
                    } else {
                        a = pick(rnd, GROUPS[2]);
                        b = 25;
                    }
                    int to = rnd.nextBoolean() && a != 3 && a != 23 && a != 24 ? a : pick(rnd, GROUPS[2]);
                    out.add("dec.mul r" + to + ", r" + a + ", r" + b);
                    writes++;
                }
                case 5 -> out.add("i64.add r10, r10, r6");
                case 6 -> {
                    out.add("const.i64 r11, " + rnd.nextInt(9));
                    out.add("i64.add r10, r11, r10");
                }
                case 7 -> out.add("mov r12, r10");
                default -> out.add("mov r" + d + ", r" + x);
            }
        }
        return new Block(out, writes);
    }

    /** main(n): n trips of fill(k) then the block; returns six of its decimals. */
    static String program(Block b, int k) {
        StringBuilder s = new StringBuilder("""
                func main(n: i64) -> (dec, dec, dec, dec, dec, dec) {
                    const.decimal r2, 125, 2
                    const.decimal r3, 3, 1
                    const.decimal r4, -7, 2
                    const.decimal r20, 1, 2
                    const.decimal r21, 2, 2
                    const.decimal r22, 3, 2
                    const.decimal r23, 4, 1
                    const.decimal r24, 5, 1
                    const.decimal r25, 6, 0
                    const.i64 r5, 0
                    const.i64 r6, 1
                    const.i64 r7, 3
                    const.i64 r10, 0
                    const.i64 r11, 0
                    const.i64 r12, 0
                    jmp head
                head:
                    i64.lt r8, r5, r1
                    br r8, body, done
                body:
                    call r0, fill, r0, [r5] -> [r9]
                """);
        for (String l : b.lines) {
            s.append("    ").append(l).append('\n');
        }
        s.append("""
                    i64.add r5, r5, r6
                    i64.lt r8, r5, r1
                    br r8, body, done
                done:
                    ret r0, [r2, r3, r4, r20, r22, r25]
                }
                func fill(x: i64) -> (i64) {
                """);
        for (int j = 0; j < k; j++) {
            s.append("    const.decimal r").append(2 + j).append(", 9, 1\n");
            s.append("    i64.to_dec r").append(2 + j).append(", r1, ").append(j % 3).append('\n');
        }
        s.append("    ret r0, [r1]\n}\n");
        return s.toString();
    }

    @Test
    void theListFillsAtEveryWriteOfTheBlock() throws Exception {
        Random rnd = new Random(0xA17);
        List<Value> args = List.of(Value.i64(2));
        int programs = 0;
        int ended = 0;
        for (int p = 0; p < 8; p++) {
            Block b = block(rnd);
            int slots = ExecutionContext.DEC_SLOTS;
            for (int k = slots - b.writes - 1; k <= slots + 1; k++) {
                String text = program(b, k);
                String what = "block " + p + " k " + k + "\n" + text;
                Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(text)), new HostRegistry());
                Tiers.Outcome o = StepSweep.sweep(t, args, p * 131L + k, what);
                programs++;
                if (!o.trapped()) {
                    ended++;
                }
                if (k >= slots - 2) {
                    restoredAtEveryInstruction(t, args, what);
                }
                registersAgainstStepped(t, args, what);
            }
        }
        assertTrue(ended >= programs / 2, "programs that end with results: " + ended + " of " + programs);
    }

    /**
     * rec(d, a, b): m decimal writes before the call and m after it (into the slots listed before
     * the call, which the call's arguments boxed, and into fresh ones), at every depth down to 0,
     * so the list grows across frames and fills in a caller or a callee, before or after a call;
     * depth and m swept, so the list fills at every write of a frame.
     */
    static String recursive(int m, int depth) {
        StringBuilder s = new StringBuilder("""
                func main(n: i64) -> (dec) {
                    const.decimal r2, 5, 1
                    const.decimal r3, 7, 1
                    call r0, rec, r0, [r1, r2, r3] -> [r4]
                    ret r0, [r4]
                }
                func rec(d: i64, a: dec, b: dec) -> (dec) {
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.i64 r6, 3
                """);
        for (int i = 0; i < m; i++) {
            s.append("    const.decimal r").append(10 + i).append(", ").append(i).append(", 1\n");
        }
        s.append("    const.decimal r").append(10 + m).append(", 1, 0\n");
        s.append("    const.decimal r").append(11 + m).append(", 2, 0\n");
        s.append("    i64.lt r7, r4, r1\n    br r7, down, leaf\ndown:\n");
        for (int i = 0; i < m; i++) {
            String op = switch (i % 4) {
                case 0 -> "dec.add r" + (10 + i) + ", r2, r3";
                case 1 -> "i64.to_dec r" + (10 + i) + ", r1, 1";
                case 2 -> "dec.sub r2, r2, r" + (10 + i - 1);
                default -> "dec.add r" + (10 + i) + ", r" + (10 + i) + ", r3";
            };
            s.append("    ").append(op).append("\n    i64.add r8, r1, r5\n");
        }
        s.append("    i64.sub r8, r1, r5\n    call r0, rec, r0, [r8, r2, r3] -> [r9]\n");
        for (int i = 0; i < m; i++) {
            String op = switch (i % 4) {
                case 0 -> "dec.add r" + (10 + i) + ", r" + (10 + i) + ", r9";
                case 1 -> "dec.mul r9, r9, r" + (10 + m + i % 2);
                case 2 -> "i64.to_dec r" + (10 + m + i) + ", r6, 0";
                default -> "dec.sub r3, r3, r" + (10 + i);
            };
            s.append("    ").append(op).append('\n');
        }
        s.append("    ret r0, [r9]\nleaf:\n    dec.add r2, r2, r3\n    ret r0, [r2]\n}\n");
        return s.toString();
    }

    @Test
    void theListGrowsAcrossFramesOfARecursion() throws Exception {
        int ended = 0;
        int programs = 0;
        for (int m = 1; m <= 8; m++) {
            for (int depth = 2; depth <= 12; depth += 2 + m % 2) {
                List<Value> args = List.of(Value.i64(depth));
                String text = recursive(m, depth);
                String what = "m " + m + " depth " + depth + "\n" + text;
                Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(text)), new HostRegistry());
                Tiers.Outcome o = StepSweep.sweep(t, args, m * 17L + depth, what);
                programs++;
                if (!o.trapped()) {
                    ended++;
                }
                registersAgainstStepped(t, args, what);
                hugeBudgets(t, args, o, what);
            }
        }
        assertTrue(ended >= programs / 2, "programs that end with results: " + ended + " of " + programs);
    }

    /**
     * Budgets at and past {@code Integer.MAX_VALUE} (the run counts its units in an int) and the
     * largest unsigned one: both tiers and the stepped interpreter end as at a million units.
     */
    private static void hugeBudgets(Tiers t, List<Value> args, Tiers.Outcome model, String what) {
        long used = model.used(Limits.DEFAULT.withFuel(1_000_000));
        for (long fuel : new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MAX_VALUE + used,
                (1L << 32) + 1, Long.MAX_VALUE, -1L}) {
            Limits limits = Limits.DEFAULT.withFuel(fuel);
            Tiers.Outcome fast = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits, null);
            Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits,
                    new StepSweep.Steps());
            Tiers.Outcome compiled = Tiers.run(t.compiled, null, new ExecutionContext(), 0, args, limits, null);
            String at = what + " fuel " + Long.toUnsignedString(fuel);
            Tiers.assertSame("stepped", stepped, "interpreted", fast, () -> at);
            Tiers.assertSame(fast, compiled, () -> at);
            assertEquals(model.results(), fast.results(), at);
            assertEquals(used, fast.used(limits), at);
        }
    }

    /**
     * Paused after every instruction (fuel 1 at a time) on both tiers: each pause's snapshot, restored
     * on the interpreter and on the compiled tier, ends as the whole run does.
     */
    private static void restoredAtEveryInstruction(Tiers t, List<Value> args, String what) throws Exception {
        List<Object> whole = Tiers.finish(t.interpreted.start(0, args, Limits.DEFAULT));
        Limits one = Limits.DEFAULT.withFuel(1);
        Run a = t.interpreted.start(0, args, one);
        Run b = t.compiled.start(0, args, one);
        for (int pause = 0; ; pause++) {
            String at = what + " pause " + pause;
            Outcome oa = a.resume();
            Outcome ob = b.resume();
            assertEquals(Tiers.view(oa), Tiers.view(ob), at);
            if (!(oa instanceof Outcome.Paused)) {
                break;
            }
            byte[] snap = a.snapshot();
            assertArrayEquals(snap, b.snapshot(), at);
            assertEquals(endOf(whole), endOf(Tiers.finish(t.interpreted.restore(snap))), at + " restored, interpreted");
            assertEquals(endOf(whole), endOf(Tiers.finish(t.compiled.restore(snap))), at + " restored, compiled");
            a.addFuel(1);
            b.addFuel(1);
        }
    }

    /** The end of a finished run: its results, or its trap's kind, function and pc (not its fuel). */
    private static Object endOf(List<Object> finished) {
        Object first = finished.get(0);
        if (first instanceof Tiers.TrapView v) {
            return v.kind() + " in " + v.func() + " at " + v.pc();
        }
        return ((Outcome.Done) first).values();
    }

    /** Paused every 1 to 5 units: {@link AttackDecimalHandBackTest#registersAgainstStepped}. */
    private static void registersAgainstStepped(Tiers t, List<Value> args, String what) {
        AttackDecimalHandBackTest.registersAgainstStepped(t, args, what, 1, 5);
    }
}
