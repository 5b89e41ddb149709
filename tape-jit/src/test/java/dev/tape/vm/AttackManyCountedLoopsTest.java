package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks the nineteenth round's counted loops (attack-b19): several loops of the chunk's form in
 * one method, sharing their index, end and step registers (one loop's index another's end or
 * step, written by another loop's body), sequential (one's exit the next one's head), joined by
 * jumps into another loop's head, nested in an outer loop not of the form; compared between the
 * tiers at every fuel limit of small runs, paused in slices and restored on both tiers; and the
 * method's size within {@code MethodSize.bound} with many chunks.
 */
class AttackManyCountedLoopsTest {
    /** Word registers r1..r8, bool r9, r10 (the compares'), r11. */
    private static final int WORDS = 8;

    private static final String LEAVES = CountedLoopPrograms.INC + CountedLoopPrograms.pick(false);

    /**
     * A random method of {@code loops} loops of the form. Loop j uses index, end and step
     * registers drawn from r1..r5 (so loops share them), its body writes any word register but
     * its own three (so it may write another loop's index, end or step). Between loops: nothing
     * (the exit is the next head), a reset of the next index, or a jump back to an earlier head
     * on a bool (an outer loop not of the form, around the loops between).
     */
    static String program(SplittableRandom rnd, String ty, int loops) {
        StringBuilder s = CountedLoopPrograms.mainHeader("attack_b19_" + ty, WORDS);
        s.append("    const.T r8, 0\n");
        for (int j = 0; j < loops; j++) {
            int[] regs = distinct(rnd, 3, 1, 5);
            int i = regs[0];
            int end = regs[1];
            int step = regs[2];
            String c = "r" + (9 + rnd.nextInt(2));
            boolean swapped = rnd.nextBoolean();
            String cmp = "T." + (swapped ? "gt" : "lt");
            String test = swapped ? cmp + " " + c + ", r" + end + ", r" + i : cmp + " " + c + ", r" + i + ", r" + end;
            int entry = rnd.nextInt(3);
            if (entry == 0) {
                s.append("    const.T r").append(i).append(", ").append(rnd.nextInt(0, 4)).append('\n');
            }
            if (entry == 1) {
                s.append("    ").append(test).append("\n    br ").append(c).append(", L").append(j)
                        .append(", X").append(j).append('\n');
            } else {
                // a label follows a terminator
                s.append("    jmp L").append(j).append('\n');
            }
            s.append("L").append(j).append(":\n");
            List<String> body = new ArrayList<>();
            int n = rnd.nextInt(0, 6);
            for (int k = 0; k < n; k++) {
                body.add(instruction(rnd, i, end, step));
            }
            body.add(rnd.nextInt(body.size() + 1), "T.add r" + i + ", r" + i + ", r" + step);
            for (String b : body) {
                s.append("    ").append(b).append('\n');
            }
            s.append("    ").append(test).append("\n    br ").append(c).append(", L").append(j)
                    .append(", X").append(j).append("\nX").append(j).append(":\n");
            if (j > 0 && rnd.nextInt(3) == 0) {
                // an outer loop around loops k..j, at most 3 times (r8 counts)
                int k = rnd.nextInt(j + 1);
                s.append("    const.T r6, 1\n    T.add r8, r8, r6\n    const.T r6, 3\n    T.lt r11, r8, r6\n")
                        .append("    br r11, L").append(k).append(", Y").append(j).append("\nY").append(j).append(":\n");
            }
        }
        s.append("    ret r0, [");
        for (int r = 1; r <= WORDS; r++) {
            s.append('r').append(r).append(", ");
        }
        s.append("r9, r10, r11]\n}\n").append(LEAVES);
        return s.toString().replace("T", ty);
    }

    private static int[] distinct(SplittableRandom rnd, int n, int from, int to) {
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            int r;
            boolean again;
            do {
                r = rnd.nextInt(from, to + 1);
                again = false;
                for (int q = 0; q < k; q++) {
                    again |= out[q] == r;
                }
            } while (again);
            out[k] = r;
        }
        return out;
    }

    /** A body instruction writing none of the loop's index, end and step. */
    private static String instruction(SplittableRandom rnd, int i, int end, int step) {
        int dr;
        do {
            dr = rnd.nextInt(1, 8);
        } while (dr == i || dr == end || dr == step);
        String d = "r" + dr;
        String a = "r" + rnd.nextInt(1, WORDS + 1);
        String b = "r" + rnd.nextInt(1, WORDS + 1);
        return switch (rnd.nextInt(8)) {
            case 0 -> "T.add " + d + ", " + a + ", " + b;
            case 1 -> "T.sub " + d + ", " + a + ", " + b;
            case 2 -> "T.xor " + d + ", " + a + ", " + b;
            case 3 -> "const.T " + d + ", " + rnd.nextInt(0, 9);
            case 4 -> "mov " + d + ", " + a;
            case 5 -> "call r0, inc, r0, [" + a + "] -> [" + d + "]";
            case 6 -> "call r0, pick, r0, [" + a + ", " + b + "] -> [" + d + "]";
            default -> "bool.not r11, r" + (9 + rnd.nextInt(2));
        };
    }

    private static List<Value> args(String ty, SplittableRandom rnd) {
        List<Value> a = new ArrayList<>();
        for (int r = 1; r <= WORDS; r++) {
            a.add(CountedLoopPrograms.word(ty, rnd.nextInt(5) == 0 ? rnd.nextInt(-3, 40) : rnd.nextInt(0, 12)));
        }
        for (int r = 9; r <= 11; r++) {
            a.add(Value.bool(rnd.nextBoolean()));
        }
        return a;
    }

    /** Random methods of 2 to 5 loops, every fuel limit of a few runs each. */
    @Test
    void severalLoopsEveryFuel() throws Exception {
        SplittableRandom rnd = new SplittableRandom(1919);
        int chunked = 0;
        int runs = 0;
        for (int n = 0; n < 200; n++) {
            String ty = rnd.nextInt(3) == 0 ? "u64" : "i64";
            String text = program(rnd, ty, rnd.nextInt(2, 6));
            VerifiedProgram vp = JitLeafInlineTest.verified(text);
            if (CountedLoopPrograms.preambles(vp) > 1) {
                chunked++;
            }
            Tiers t = Tiers.of(vp, Host.NONE);
            for (int c = 0; c < 3; c++) {
                List<Value> a = args(ty, rnd);
                String what = text + " args " + a;
                Tiers.Outcome o = t.check(0, a, Limits.DEFAULT.withFuel(2000), what);
                long used = 2000 - o.fuelRemaining();
                for (long fuel = 0; fuel <= used + 1; fuel++) {
                    t.check(0, a, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                    runs++;
                }
            }
        }
        assertTrue(chunked >= 60, "chunked: " + chunked);
        assertTrue(runs >= 10_000, "runs: " + runs);
    }

    /** Whether the run ends with fuel left, the same on both tiers. */
    private static boolean ends(Tiers t, List<Value> a, long fuel) {
        return t.check(0, a, Limits.DEFAULT.withFuel(fuel), "ends " + a).fuelRemaining() > 0;
    }

    /** Long runs of several chunked loops, paused in slices, restored on both tiers. */
    @Test
    void severalLoopsInSlices() throws Exception {
        SplittableRandom rnd = new SplittableRandom(19_19);
        int pauses = 0;
        for (int n = 0; n < 16; n++) {
            String ty = rnd.nextBoolean() ? "u64" : "i64";
            String text = program(rnd, ty, rnd.nextInt(2, 5));
            Tiers t = Tiers.of(JitLeafInlineTest.verified(text), Host.NONE);
            List<Value> few = args(ty, rnd);
            // only runs that end (a loop whose step another loop zeroed runs until the fuel is out)
            for (long slice : ends(t, few, 5_000) ? new long[] {rnd.nextInt(1, 9), rnd.nextInt(9, 40)} : new long[0]) {
                pauses += t.lockstep(0, few, slice, 3, text + " slice " + slice + " args " + few, (x, y, p) -> { });
            }
            // long trips: some ends large, slices around the chunk's size
            List<Value> many = args(ty, rnd);
            for (int r = 0; r < 5; r++) {
                if (rnd.nextBoolean()) {
                    many.set(r, CountedLoopPrograms.word(ty, rnd.nextInt(1000, 200_000)));
                }
            }
            for (long slice : ends(t, many, 5_000_000) ? new long[] {65_536 + rnd.nextInt(-9, 9), 3L * 65_536 + 7}
                    : new long[0]) {
                pauses += t.lockstep(0, many, slice, 3, text + " slice " + slice + " args " + many, (x, y, p) -> { });
            }
        }
        assertTrue(pauses >= 20, "pauses: " + pauses);
    }
    /** A leaf as large as a chunk lets in (word arguments and results). */
    private static final String FAT = """
            func fat(x: i64, y: i64) -> (i64, i64) {
                i64.add r3, r1, r2
                i64.mul r4, r3, r1
                i64.xor r5, r4, r2
                i64.sub r6, r5, r3
                i64.shl r7, r6, r1
                i64.or r8, r7, r4
                ret r0, [r8, r7]
            }
            """;

    /**
     * {@code loops} counted loops in a row, each with {@code calls} calls of a leaf and filler
     * arithmetic up to the chunk's code cap, on registers from {@code base} on (past 127 words
     * the locals take wide loads and stores).
     */
    static String many(int loops, int calls, int base) {
        StringBuilder s = new StringBuilder("program many\nfunc main(n: i64) -> (i64) {\n");
        int i = base;
        int end = base + 1;
        int step = base + 2;
        int acc = base + 3;
        int b = base + 4;
        s.append("    const.i64 r").append(step).append(", 1\n    const.i64 r").append(acc).append(", 0\n");
        for (int j = 0; j < loops; j++) {
            s.append("    const.i64 r").append(i).append(", 0\n    mov r").append(end).append(", r1\n    jmp L")
                    .append(j).append("\nL").append(j).append(":\n");
            for (int c = 0; c < calls; c++) {
                s.append("    call r0, fat, r0, [r").append(acc).append(", r").append(i).append("] -> [r").append(acc)
                        .append(", r").append(base + 5).append("]\n");
            }
            for (int k = 0; k < 6 - 2 * calls; k++) {
                s.append("    i64.mul r").append(acc).append(", r").append(acc).append(", r").append(step).append('\n');
            }
            s.append("    i64.add r").append(i).append(", r").append(i).append(", r").append(step).append('\n');
            s.append("    i64.lt r").append(b).append(", r").append(i).append(", r").append(end).append('\n');
            s.append("    br r").append(b).append(", L").append(j).append(", X").append(j).append("\nX").append(j)
                    .append(":\n");
        }
        s.append("    ret r0, [r").append(acc).append("]\n}\n").append(FAT);
        return s.toString();
    }

    /**
     * Many chunked loops in one method: its bytecode within {@code MethodSize.bound} (one
     * chunk's bytes per {@code br}), the generations within the most a compile makes, and the
     * tiers agreeing at every fuel limit of a short run.
     */
    @Test
    void manyLoopsWithinTheBound() throws Exception {
        int checked = 0;
        int everyLoop = 0;
        for (int base : new int[] {2, 140}) {
            for (int calls : new int[] {0, 1, 3}) {
                for (int loops : new int[] {1, 2, 3, 8, 30, 100, 300}) {
                    String text = many(loops, calls, base);
                    String what = "loops " + loops + " calls " + calls + " base " + base;
                    VerifiedProgram p = JitLeafInlineTest.verified(text);
                    Vm vm = new Vm(p, new dev.tape.host.HostRegistry(), Tiers.LAZY);
                    dev.tape.verify.internal.LoweredFunction fn = dev.tape.verify.internal.Lowered.functions(p).get(0);
                    int size = JitTestAccess.measure(new JitView(vm, null), fn.id());
                    int bound = JitTestAccess.sizeBound(fn);
                    if (size != Integer.MAX_VALUE) {
                        assertTrue(size <= bound, what + ": " + size + " > " + bound);
                        checked++;
                    }
                    JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
                    int[] st = JitTestAccess.steps(tier.view, 0);
                    assertTrue(st[0] <= JitTestAccess.maxAttempts(), what + ": " + st[0] + " generations");
                    if (calls == 0 && st[1] == 0) {
                        // no call, so no peeled copy: one preamble per loop, every loop in chunks
                        byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
                        assertTrue(JitTestAccess.methodCalls(bytes, "java/lang/Math", "min") == loops, what);
                        everyLoop++;
                    }
                    if (loops <= 8) {
                        Tiers t = Tiers.of(p, Host.NONE);
                        List<Value> a = List.of(Value.i64(3));
                        Tiers.Outcome o = t.check(0, a, Limits.DEFAULT, what);
                        t.everyFuel(0, a, o, what);
                    }
                }
            }
        }
        assertTrue(checked >= 20, "checked: " + checked);
        assertTrue(everyLoop >= 6, "every loop in chunks: " + everyLoop);
    }
}
