package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on {@link DecimalRun}'s full-list hand-back, which writes the result's mantissa into the
 * word file before it finds the list of unboxed decimals full and hands the instruction back to
 * {@code execute}: every decimal instruction kind whose result register is one of its own operands
 * ({@code dec.add x, x, x}, {@code dec.mul x, x, x}, {@code dec.sub y, x, y}; and
 * {@code i64.to_dec}, which a register's one type keeps from its own operand), each reached
 * exactly when the list becomes full, the list filled to
 * {@code DEC_SLOTS - 6} to {@code DEC_SLOTS + 1} by a callee's decimals (another frame's slots), in
 * a loop that boxes the caller's decimals in place again each trip. Every program ends with the
 * results of the same chain run with an empty list (no hand-back), on the interpreter stepped,
 * untraced and compiled at every fuel budget, and paused in lockstep (same frames and snapshot
 * bytes; snapshots restored on a fresh run of either tier end alike); paused, the untraced
 * interpreter shows every register, dead ones included, as the stepped one does.
 */
class AttackDecimalHandBackTest {
    private static final String[] CHAIN = {
        "    dec.add r2, r2, r2\n",
        "    dec.mul r3, r3, r3\n",
        "    i64.to_dec r4, r14, 3\n",
        "    dec.sub r5, r2, r5\n",
    };

    /**
     * main(n) -> (dec, dec, dec, dec): n trips of fill (k decimals in the callee's frame), then the
     * four self-referencing decimal instructions rotated by {@code rot}, followed by word
     * instructions (so they run in one {@link DecimalRun}); each trip boxes r2, r3, r5 in place
     * and r4 (a {@code mov} out of each).
     */
    static String program(int k, int rot) {
        StringBuilder s = new StringBuilder("""
                func main(n: i64) -> (dec, dec, dec, dec) {
                    const.decimal r2, 125, 2
                    const.decimal r3, 3, 1
                    const.decimal r5, 2, 2
                    const.decimal r13, 0, 0
                    const.decimal r4, 1, 0
                    const.i64 r7, 0
                    const.i64 r8, 1
                    jmp head
                head:
                    i64.lt r9, r7, r1
                    br r9, body, done
                body:
                    const.i64 r14, 7
                    call r0, fill, r0, [r7] -> [r6]
                """);
        for (int i = 0; i < CHAIN.length; i++) {
            s.append(CHAIN[(i + rot) % CHAIN.length]);
        }
        s.append("""
                    i64.add r7, r7, r8
                    mov r10, r2
                    mov r11, r3
                    mov r12, r5
                    mov r13, r4
                    jmp head
                done:
                    ret r0, [r2, r3, r13, r5]
                }
                func fill(x: i64) -> (i64) {
                """);
        for (int j = 0; j < k; j++) {
            s.append("    i64.to_dec r").append(2 + j).append(", r1, 2\n");
        }
        s.append("    ret r0, [r1]\n}\n");
        return s.toString();
    }

    @Test
    void selfReferencingInstructionsHandedBackWhereTheListFills() throws Exception {
        List<Value> args = List.of(Value.i64(3));
        for (int rot = 0; rot < CHAIN.length; rot++) {
            Tiers none = Tiers.of(Tiers.verified(JitResumeTest.asm(program(0, rot))), new HostRegistry());
            Tiers.Outcome model = Tiers.run(none.interpreted, null, new ExecutionContext(), 0, args,
                    Limits.DEFAULT, null);
            assertTrue(!model.trapped(), "rot " + rot + ": " + model);
            for (int k = ExecutionContext.DEC_SLOTS - 6; k <= ExecutionContext.DEC_SLOTS + 1; k++) {
                Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(program(k, rot))), new HostRegistry());
                String what = "k " + k + " rot " + rot;
                Tiers.Outcome o = StepSweep.sweep(t, args, k * 7L + rot, what);
                assertEquals(model.results(), o.results(), what);
                registersAgainstStepped(t, args, what);
            }
        }
    }

    private static final String[] CALLEE_CHAIN = {
        "    dec.add r1, r1, r1\n",
        "    dec.mul r2, r2, r2\n",
        "    i64.to_dec r5, r4, 3\n",
        "    dec.sub r3, r1, r3\n",
    };

    /**
     * The other way round: main(n) lists k decimals of its own frame each trip (boxed again by a
     * {@code mov} out of each), then calls a function that runs the four instructions, rotated by
     * {@code rot}, on its arguments (boxed decimals: each result is listed), so the hand-back
     * falls in the callee with the caller's slots filling the list.
     */
    static String callerFills(int k, int rot) {
        StringBuilder s = new StringBuilder("""
                func main(n: i64) -> (dec, dec, dec, dec) {
                    const.decimal r2, 125, 2
                    const.decimal r3, 3, 1
                    const.decimal r4, 2, 2
                    const.decimal r10, 0, 0
                    const.i64 r5, 0
                    const.i64 r6, 1
                    const.i64 r7, 7
                    jmp head
                head:
                    i64.lt r8, r5, r1
                    br r8, body, done
                body:
                """);
        for (int j = 0; j < k; j++) {
            s.append("    i64.to_dec r").append(20 + j).append(", r7, 2\n");
        }
        s.append("    call r0, chain, r0, [r2, r3, r4, r5] -> [r2, r3, r4, r10]\n");
        for (int j = 0; j < k; j++) {
            s.append("    mov r19, r").append(20 + j).append('\n');
        }
        s.append("""
                    i64.add r5, r5, r6
                    jmp head
                done:
                    ret r0, [r2, r3, r4, r10]
                }
                func chain(a: dec, b: dec, c: dec, i: i64) -> (dec, dec, dec, dec) {
                """);
        for (int i = 0; i < CALLEE_CHAIN.length; i++) {
            s.append(CALLEE_CHAIN[(i + rot) % CALLEE_CHAIN.length]);
        }
        s.append("    i64.add r6, r4, r4\n    ret r0, [r1, r2, r3, r5]\n}\n");
        return s.toString();
    }

    @Test
    void handedBackInTheCalleeWhereTheCallersSlotsFillTheList() throws Exception {
        List<Value> args = List.of(Value.i64(3));
        for (int rot = 0; rot < CALLEE_CHAIN.length; rot++) {
            Tiers none = Tiers.of(Tiers.verified(JitResumeTest.asm(callerFills(0, rot))), new HostRegistry());
            Tiers.Outcome model = Tiers.run(none.interpreted, null, new ExecutionContext(), 0, args,
                    Limits.DEFAULT, null);
            assertTrue(!model.trapped(), "rot " + rot + ": " + model);
            for (int k = ExecutionContext.DEC_SLOTS - 6; k <= ExecutionContext.DEC_SLOTS + 1; k++) {
                Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(callerFills(k, rot))), new HostRegistry());
                String what = "caller k " + k + " rot " + rot;
                Tiers.Outcome o = StepSweep.sweep(t, args, k * 5L + rot, what);
                assertEquals(model.results(), o.results(), what);
                registersAgainstStepped(t, args, what);
            }
        }
    }

    /**
     * Paused every 2 to 9 units: {@link #registersAgainstStepped(Tiers, List, String, long, long)}.
     */
    private static void registersAgainstStepped(Tiers t, List<Value> args, String what) {
        registersAgainstStepped(t, args, what, 2, 9);
    }

    /**
     * Paused every {@code fromSlice} to {@code toSlice} units, the interpreter untraced (decimal
     * runs, hand-backs) and stepped (an INSTR trace: one instruction at a time, no run) show the same
     * frames, the same values of every register of every frame, dead ones included (a mantissa a
     * hand-back wrote would show in the result's word) and the same snapshot bytes, and end alike.
     */
    static void registersAgainstStepped(Tiers t, List<Value> args, String what, long fromSlice, long toSlice) {
        for (long slice = fromSlice; slice <= toSlice; slice++) {
            Limits limits = Limits.DEFAULT.withFuel(slice);
            Run a = t.interpreted.start(new ExecutionContext(), 0, args, limits, null);
            Run b = t.interpreted.start(new ExecutionContext(), 0, args, limits, new StepSweep.Steps());
            for (int pause = 0; ; pause++) {
                String at = what + " slice " + slice + " pause " + pause;
                Outcome oa = a.resume();
                Outcome ob = b.resume();
                assertEquals(Tiers.view(oa), Tiers.view(ob), at);
                if (!(oa instanceof Outcome.Paused)) {
                    break;
                }
                assertEquals(a.frames(), b.frames(), at);
                for (int f = 0; f < a.frames().size(); f++) {
                    assertEquals(b.registers(f), a.registers(f), at + " frame " + f);
                }
                assertArrayEquals(b.snapshot(), a.snapshot(), at);
                a.addFuel(slice);
                b.addFuel(slice);
            }
        }
    }

    /**
     * Random chains of decimal instructions over 6 decimal and 3 i64 registers, results often one
     * of their operands, with word instructions between them, in a loop whose callee lists 55 to
     * 70 decimals a trip: both tiers at every fuel budget and paused in lockstep.
     */
    @Test
    void randomSelfReferencingChains() throws Exception {
        Random rnd = new Random(0xD16);
        int ended = 0;
        for (int p = 0; p < 48; p++) {
            String text = randomProgram(rnd);
            Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(text)), new HostRegistry());
            Tiers.Outcome o = StepSweep.sweep(t, List.of(Value.i64(2)), p, "random " + p + "\n" + text);
            if (!o.trapped()) {
                ended++;
            }
            registersAgainstStepped(t, List.of(Value.i64(2)), "random " + p);
        }
        // one scale: only a product's overflow traps, and most programs run to their end
        assertTrue(ended >= 24, "programs that end with results: " + ended);
    }

    private static String randomProgram(Random rnd) {
        // r2..r7 decimal, r8..r10 i64, r11 counter, r12 one, r13 cond
        StringBuilder s = new StringBuilder("func main(n: i64) -> (dec, dec, dec, dec, dec, dec) {\n");
        for (int d = 2; d <= 7; d++) {
            // one scale (0), so that adds and products mix without a scale mismatch
            s.append("    const.decimal r").append(d).append(", ").append(1 + rnd.nextInt(9)).append(", 0\n");
        }
        s.append("    const.i64 r10, 5\n    const.i64 r11, 0\n    const.i64 r12, 1\n    jmp head\nhead:\n")
                .append("    i64.lt r13, r11, r1\n    br r13, body, done\nbody:\n")
                .append("    const.i64 r8, ").append(rnd.nextInt(50)).append('\n')
                .append("    const.i64 r9, ").append(rnd.nextInt(50)).append('\n')
                .append("    call r0, fill, r0, [r11] -> [r14]\n");
        int n = 6 + rnd.nextInt(10);
        for (int i = 0; i < n; i++) {
            String x = "r" + (2 + rnd.nextInt(6));
            String y = "r" + (2 + rnd.nextInt(6));
            String d = switch (rnd.nextInt(3)) {
                case 0 -> x;
                case 1 -> y;
                default -> "r" + (2 + rnd.nextInt(6));
            };
            switch (rnd.nextInt(5)) {
                case 0 -> s.append("    dec.add ").append(d).append(", ").append(x).append(", ").append(y).append('\n');
                case 1 -> s.append("    dec.sub ").append(d).append(", ").append(x).append(", ").append(y).append('\n');
                case 2 -> s.append("    dec.mul ").append(d).append(", ").append(x).append(", ").append(x).append('\n');
                case 3 -> s.append("    i64.to_dec ").append(d).append(", r").append(8 + rnd.nextInt(4))
                        .append(", 0\n");
                default -> s.append("    i64.add r10, r11, r12\n");
            }
        }
        s.append("    i64.add r11, r11, r12\n");
        for (int d = 2; d <= 7; d++) {
            if (rnd.nextBoolean()) {
                s.append("    mov r").append(20 + d).append(", r").append(d).append('\n');
            }
        }
        s.append("    jmp head\ndone:\n    ret r0, [r2, r3, r4, r5, r6, r7]\n}\n")
                .append("func fill(x: i64) -> (i64) {\n");
        int k = ExecutionContext.DEC_SLOTS - 9 + rnd.nextInt(16);
        for (int j = 0; j < k; j++) {
            s.append("    i64.to_dec r").append(2 + j).append(", r1, ").append(j % 3).append('\n');
        }
        s.append("    ret r0, [r1]\n}\n");
        return s.toString();
    }
}
