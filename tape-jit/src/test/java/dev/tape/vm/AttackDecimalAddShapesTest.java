package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.tape.program.ValueType.DECIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack (attack-d28) on dec28's {@code dec.add} in {@link DecimalRun} (one type test per operand,
 * the second operand's reads and the scale test skipped when its slot holds the same object as the
 * first's, the first operand's token reused for the result) and {@code dec.sub}'s own case: random
 * loops of adds and subs whose operands are one register twice, two registers holding one box
 * (a {@code mov} of a constant, of a token boxed by {@code take}, a host call returning its
 * argument), a token beside a box of equal scale and value, tokens of different scales, scales 0,
 * 2, 18 and 255, mantissas at and next to the i64 edges and adds that overflow by one, destinations
 * equal to either operand, and between the adds registers rewritten by other kinds: word writes,
 * {@code tuple.get} of a boxed decimal, a call's result, a closure's result over its captured
 * decimals, a host call's result, {@code select}, {@code dec.mul} by 1 and -1 and {@code i64.to_dec}
 * of scales 0 to 19. Each program runs through {@link StepSweep#sweep} (stepped, untraced and
 * compiled alike at every fuel budget; paused at slices of 1 to 9 fuel, snapshots the same bytes on
 * both tiers and restored on either), then at every heap limit around its allocation and every
 * register limit around its frames. Hand-made shapes check the values against the reference's rule
 * ({@code dec.add}: equal scales or {@code decimal_scale_mismatch}, then the i64 sum or
 * {@code decimal_overflow}).
 */
class AttackDecimalAddShapesTest {
    private static final long[] EDGES = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 1L << 62, -(1L << 62), (1L << 62) - 1, -(1L << 62) - 1, 123, -77};
    static final int[] SCALES = {0, 2, 18, 255};
    // r10..r15 decimals of the program's scale mostly; r16 = 1 and r17 = -1 at scale 0 (dec.mul keeps the scale)
    static final int D0 = 10;
    static final int DN = 6;

    static final HostRegistry HOST = new HostRegistry()
            .register("d.id", Signature.of(List.of(DECIMAL), List.of(DECIMAL)), (HostFunction) (a, out, ctx) -> {
                out[0] = a[0];
            });

    static int dreg(Random rnd) {
        return D0 + rnd.nextInt(DN);
    }

    private static long edge(Random rnd) {
        return rnd.nextInt(5) != 0 ? rnd.nextInt(201) - 100 : EDGES[rnd.nextInt(EDGES.length)];
    }

    /** An add or a sub with the operand and destination shapes above. */
    static void arith(StringBuilder s, Random rnd) {
        String op = rnd.nextInt(3) == 0 ? "dec.sub" : "dec.add";
        int x = dreg(rnd);
        int y = rnd.nextInt(3) == 0 ? x : dreg(rnd);
        int d = switch (rnd.nextInt(4)) {
            case 0 -> x;
            case 1 -> y;
            default -> dreg(rnd);
        };
        s.append("    ").append(op).append(" r").append(d).append(", r").append(x).append(", r").append(y).append('\n');
    }

    /**
     * main(n: i64) -> (dec x6): a loop of n trips over random items; helper(a, b) = a + b; clo(env, x) =
     * x + env.0 - env.1 (a closure over a tuple of two decimals).
     */
    static String program(long seed) {
        Random rnd = new Random(seed);
        int scale = SCALES[rnd.nextInt(SCALES.length)];
        StringBuilder s = new StringBuilder();
        s.append("program addshapes\nhost hid = \"d.id\" (dec) -> (dec)\ncallsig unary = (dec) -> (dec)\n");
        s.append("func main(n: i64) -> (dec, dec, dec, dec, dec, dec) {\n");
        for (int k = D0; k < D0 + DN; k++) {
            int sc = rnd.nextInt(12) == 0 ? SCALES[rnd.nextInt(SCALES.length)] : scale;
            s.append("    const.decimal r").append(k).append(", ").append(edge(rnd)).append(", ").append(sc).append('\n');
        }
        s.append("    const.decimal r16, 1, 0\n    const.decimal r17, -1, 0\n");
        s.append("    const.i64 r2, 0\n    const.i64 r3, 1\n    const.i64 r5, ").append(edge(rnd) % 1000)
                .append("\n    const.i64 r6, 0\n");
        fill(s, rnd, scale);
        s.append("    tuple.new r20, [r").append(dreg(rnd)).append(", r").append(dreg(rnd)).append("]\n");
        s.append("    const.func r21, clo\n    closure.new r22, r21, r20\n");
        s.append("    jmp head\nhead:\n    i64.lt r4, r2, r1\n    br r4, body, done\nbody:\n");
        int items = 4 + rnd.nextInt(8);
        int span = 1;
        for (int k = 0; k < items; k++) {
            s.append("    .span ").append(span++).append('\n');
            arith(s, rnd);
            if (rnd.nextBoolean()) {
                arith(s, rnd);
            }
            other(s, rnd, scale);
        }
        return s.append(functions()).toString();
    }

    /**
     * With a third's chance, fills the interpreter's list of unboxed slots to 58 to 63 of its 64
     * ({@code i64.to_dec} into r30 on): the loop's writes fill it, and a write that would box
     * mid-run is handed back (DecimalRun's refusal).
     */
    static void fill(StringBuilder s, Random rnd, int scale) {
        if (rnd.nextInt(3) == 0) {
            int fill = ExecutionContext.DEC_SLOTS - 1 - rnd.nextInt(6);
            for (int k = 0; k < fill; k++) {
                s.append("    i64.to_dec r").append(30 + k).append(", r3, ").append(scale % 19).append('\n');
            }
        }
    }

    /**
     * One item of another kind between the adds: a word write, {@code mov}, {@code tuple.get},
     * a call, a closure's call, a host call, {@code select}, {@code dec.mul} by 1 or -1,
     * {@code i64.to_dec}, a new tuple and closure, or nothing.
     */
    static void other(StringBuilder s, Random rnd, int scale) {
        int d = dreg(rnd);
        int x = dreg(rnd);
        int y = dreg(rnd);
        switch (rnd.nextInt(12)) {
            case 0 -> s.append("    mov r").append(y).append(", r").append(x).append('\n');
            case 1 -> s.append("    tuple.get r").append(d).append(", r20, ").append(rnd.nextInt(2)).append('\n');
            case 2 -> s.append("    call r0, helper, r0, [r").append(x).append(", r").append(y).append("] -> [r")
                    .append(d).append("]\n");
            case 3 -> s.append("    call.indirect r0, unary, r22, r0, [r").append(x).append("] -> [r").append(d)
                    .append("]\n");
            case 4 -> s.append("    host_call r0, hid, r0, [r").append(x).append("] -> [r").append(d).append("]\n");
            case 5 -> s.append("    i64.lt r7, r2, r5\n    select r").append(d).append(", r7, r").append(x)
                    .append(", r").append(y).append('\n');
            case 6 -> s.append("    dec.mul r").append(d).append(", r").append(x).append(", r")
                    .append(rnd.nextBoolean() ? 16 : 17).append('\n');
            case 7 -> s.append("    i64.to_dec r").append(d).append(", r").append(rnd.nextBoolean() ? 2 : 5)
                    .append(", ").append(rnd.nextInt(4) == 0 ? rnd.nextInt(20) : Math.min(scale, 18)).append('\n');
            case 8 -> s.append("    tuple.new r20, [r").append(x).append(", r").append(y).append("]\n    closure.new r22, r21, r20\n");
            case 9 -> s.append("    i64.add r5, r5, r3\n    i64.mul r6, r5, r2\n");
            case 10 -> s.append("    mov r").append(y).append(", r").append(x).append("\n    dec.add r").append(d)
                    .append(", r").append(x).append(", r").append(y).append('\n');
            default -> { }
        }
    }

    /** The loop's latch and main's return, then helper and clo, as {@link #program(long)} describes them. */
    static String functions() {
        return "    .span 999\n    i64.add r2, r2, r3\n    jmp head\n"
                + "done:\n    ret r0, [r10, r11, r12, r13, r14, r15]\n}\n"
                + "func helper(a: dec, b: dec) -> (dec) {\n    .span 1001\n    dec.add r3, r1, r2\n    ret r0, [r3]\n}\n"
                + "func clo(env: agg tuple(dec, dec), x: dec) -> (dec) {\n    tuple.get r3, r1, 0\n    tuple.get r4, r1, 1\n"
                + "    .span 1002\n    dec.add r5, r2, r3\n    dec.sub r5, r5, r4\n    ret r0, [r5]\n}\n";
    }

    @Test
    void randomAddShapesEndAliveOnBothTiersAtEveryBudgetPauseHeapAndRegisterLimit() throws Exception {
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 0; seed < 400; seed++) {
            String src = program(seed);
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(src));
            Tiers t = Tiers.of(vp, HOST);
            List<Value> args = List.of(Value.i64(1 + seed % 3));
            String what = "seed " + seed + "\n" + src;
            total += sweptAtLimits(t, args, seed, what, endings);
        }
        assertEquals(Set.of("done", "DECIMAL_OVERFLOW", "DECIMAL_SCALE_MISMATCH"), endings);
        assertTrue(total > 400 * 20, "the programs ran " + total + " instructions");
    }

    /**
     * One random program through {@link StepSweep#sweep} (both tiers, every fuel budget) and, for an
     * even seed, paused before every instruction with each snapshot restored on both tiers.
     *
     * @param endings gets the run's ending: {@code "done"} or its trap kind
     * @return the instructions the run took (its fuel used at a limit of 1,000,000)
     */
    static long sweptAlike(Tiers t, List<Value> args, long seed, String what, Set<String> endings) throws Exception {
        Tiers.Outcome full = StepSweep.sweep(t, args, seed, what);
        endings.add(full.trapped() ? full.trap().kind().toString() : "done");
        if (seed % 2 == 0) {
            t.lockstep(0, args, 1, 1, what + " slice 1", (a, b, pause) -> { });
        }
        return full.used(Limits.DEFAULT.withFuel(1_000_000));
    }

    /**
     * {@link #sweptAlike} and, for every fourth seed, the run at every heap limit from 200 bytes
     * below its allocation to one above and at register limits 1 to 100, both tiers alike.
     *
     * @return the instructions the run took, as {@link #sweptAlike} gives them
     */
    static long sweptAtLimits(Tiers t, List<Value> args, long seed, String what, Set<String> endings) throws Exception {
        long used = sweptAlike(t, args, seed, what, endings);
        if (seed % 4 == 0) {
            Tiers.Outcome whole = t.check(0, args, Limits.DEFAULT, what);
            for (long heap = Math.max(0, whole.heapBytes() - 200); heap <= whole.heapBytes() + 1; heap++) {
                t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
            }
            for (int regs = 1; regs <= 100; regs += regs < 40 ? 1 : 7) {
                t.check(0, args, Limits.DEFAULT.withMaxRegisters(regs), what + " regs " + regs);
            }
        }
        return used;
    }

    /** main(n) of {@code body} over r10 = a and r11 = b, returning r10, r11, r12; run in a loop of n trips. */
    static String shape(String consts, String body) {
        return "program shape\nfunc main(n: i64) -> (dec, dec, dec) {\n" + consts
                + "    const.i64 r2, 0\n    const.i64 r3, 1\n    jmp head\nhead:\n    i64.lt r4, r2, r1\n"
                + "    br r4, body, done\nbody:\n    .span 5\n" + body + "    .span 6\n    i64.add r2, r2, r3\n"
                + "    jmp head\ndone:\n    ret r0, [r10, r11, r12]\n}\n";
    }

    static Tiers.Outcome swept(String src, long n) throws Exception {
        Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(src)), HOST);
        return StepSweep.sweep(t, List.of(Value.i64(n)), n, src);
    }

    static String end(Tiers.Outcome o) {
        return o.trapped() ? o.trap().kind() + " pc " + o.trap().pc() + " span " + o.trap().span() + " "
                + o.trap().message() : o.results().toString();
    }

    @Test
    void handShapesFollowTheReferenceRule() throws Exception {
        String max = "    const.decimal r10, " + Long.MAX_VALUE + ", 255\n";
        String min = "    const.decimal r10, " + Long.MIN_VALUE + ", 255\n";
        String zero = "    const.decimal r11, 0, 255\n    const.decimal r12, 0, 255\n";
        // the same register twice: 2^62 - 1 doubles once, then overflows by one on the second trip
        String half = "    const.decimal r10, " + ((1L << 62) - 1) + ", 255\n" + zero;
        assertEquals(List.of(Value.decimal((1L << 62) - 1, 255), Value.decimal(0, 255),
                Value.decimal((1L << 63) - 2, 255)).toString(), end(swept(shape(half, "    dec.add r12, r10, r10\n"), 3)));
        Tiers.Outcome o = swept(shape(half, "    dec.add r10, r10, r10\n"), 3);
        assertEquals(TrapKind.DECIMAL_OVERFLOW, o.kind(), end(o));
        // MIN - MIN = 0 (the same register twice), MIN + MIN overflows, MAX - (-1) overflows by one
        assertEquals(List.of(Value.decimal(Long.MIN_VALUE, 255), Value.decimal(0, 255), Value.decimal(0, 255)).toString(),
                end(swept(shape(min + zero, "    dec.sub r12, r10, r10\n    dec.sub r11, r12, r12\n"), 2)));
        assertEquals(TrapKind.DECIMAL_OVERFLOW, swept(shape(min + zero, "    dec.add r12, r10, r10\n"), 1).kind());
        assertEquals(TrapKind.DECIMAL_OVERFLOW, swept(shape(max + zero
                + "    const.decimal r13, -1, 255\n", "    dec.sub r12, r10, r13\n"), 1).kind());
        // MAX + 0 into a token, that token plus a box of 0 into another, then the two tokens subtracted
        o = swept(shape(max + zero, "    dec.add r12, r10, r11\n    dec.add r11, r12, r11\n    dec.sub r12, r11, r12\n"), 1);
        assertEquals(List.of(Value.decimal(Long.MAX_VALUE, 255), Value.decimal(Long.MAX_VALUE, 255),
                Value.decimal(0, 255)).toString(), end(o));
        // two registers holding one box, then one token in both after a mov of a token (take boxes it)
        String box = "    const.decimal r10, -5, 0\n    const.decimal r11, 0, 0\n    const.decimal r12, 0, 0\n";
        assertEquals(List.of(Value.decimal(-80, 0), Value.decimal(-40, 0), Value.decimal(-80, 0)).toString(),
                end(swept(shape(box, "    mov r11, r10\n    dec.add r12, r10, r11\n    mov r11, r12\n"
                        + "    dec.add r10, r11, r12\n    mov r12, r10\n"), 2)));
        // a token of scale 2 beside a box of scale 2 of the same value; then a token of scale 3
        String mixed = "    const.decimal r10, 7, 2\n    const.decimal r11, 7, 2\n    const.decimal r12, 0, 2\n"
                + "    const.i64 r7, 7\n";
        assertEquals(List.of(Value.decimal(7, 2), Value.decimal(7, 2), Value.decimal(14, 2)).toString(),
                end(swept(shape(mixed, "    i64.to_dec r12, r7, 0\n    dec.add r12, r10, r10\n"
                        + "    dec.add r12, r12, r11\n    dec.sub r12, r12, r10\n"), 2)));
        o = swept(shape(mixed, "    dec.add r12, r10, r11\n    i64.to_dec r13, r7, 3\n    dec.add r12, r12, r13\n"), 1);
        assertEquals(TrapKind.DECIMAL_SCALE_MISMATCH, o.kind(), end(o));
        assertEquals(5, o.trap().span(), end(o));
        assertTrue(o.trap().message().contains("decimal scales 2 and 3 differ"), end(o));
        // a token and a box of one register: the host returns its argument's box, the add reads both
        String h = "program hostshape\nhost hid = \"d.id\" (dec) -> (dec)\nfunc main(n: i64) -> (dec, dec, dec) {\n"
                + "    const.decimal r10, 3, 18\n    const.decimal r11, 4, 18\n    dec.add r12, r10, r11\n"
                + "    host_call r0, hid, r0, [r12] -> [r13]\n    dec.add r12, r12, r13\n    dec.sub r11, r13, r12\n"
                + "    ret r0, [r10, r11, r12]\n}\n";
        assertEquals(List.of(Value.decimal(3, 18), Value.decimal(-7, 18), Value.decimal(14, 18)).toString(),
                end(swept(h, 1)));
    }
}
