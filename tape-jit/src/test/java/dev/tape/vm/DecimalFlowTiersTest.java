package dev.tape.vm;

import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decimals through every place a decimal register's value can go, in random programs run on the
 * interpreter untraced, on the interpreter stepped one instruction at a time (INSTR trace) and on
 * the compiled tier ({@link StepSweep#sweep}: every fuel budget, pauses at slices of random sizes
 * with the same frames, fuel and snapshot bytes on both tiers, and the interpreter's snapshot
 * restored mid-loop ending as the whole run). Each loop body mixes dec_loop's line
 * ({@code i64.to_dec}, {@code dec.mul}, {@code dec.add}) with decimals passed to and returned
 * from a direct call, captured in a closure's environment and passed to and returned from
 * {@code call.indirect}, passed to and returned from a host function, stored
 * into and read from a tuple, a struct and an array, chosen by {@code select}, moved, made by
 * constants, converted back with {@code dec.to_i64}, and products that change the scale (later adds
 * trap {@code decimal_scale_mismatch}) or grow until {@code decimal_overflow}. This is the guard
 * for any change of how the interpreter holds a decimal register (the compiled tier already holds
 * them unboxed, "The compiled tier" point 8 of docs/PERFORMANCE.md).
 */
class DecimalFlowTiersTest {
    /** add2 (a call of two decimals, two results) and mix (a closure over a decimal), which main calls. */
    private static final String CALLEES = """
                func add2(a: dec, b: dec) -> (dec, dec) {
                    dec.add r3, r1, r2
                    ret r0, [r3, r2]
                }
                func mix(env: agg tuple(dec), x: dec, y: dec) -> (dec) {
                    tuple.get r4, r1, 0
                    dec.add r5, r2, r4
                    dec.sub r6, r5, r3
                    ret r0, [r6]
                }
                """;

    /** the scale-2 decimal registers the random items read and write */
    private static final int D_FIRST = 3;
    private static final int D_COUNT = 4;

    private static int d(Random rnd) {
        return D_FIRST + rnd.nextInt(D_COUNT);
    }

    /**
     * main(n: i64, p: dec) -> (dec, dec, dec, i64): r1 = n, r2 = p, r3..r6 decimals of scale 2,
     * r7 = i, r8 = 1, r9 the closure's function, r10 its environment (a tuple of one decimal), r11
     * the closure, r12 the loop's condition, r13 a decimal of scale 0, r14 a decimal temporary,
     * r15 a struct, r16 an array, r17 a u64 index, r18 and r19 words, r20 a tuple, r21 an i64.
     */
    static String program(long seed) {
        Random rnd = new Random(seed);
        StringBuilder s = new StringBuilder();
        s.append("""
                program decflow
                host bump = "t.bump" (dec) -> (dec)
                callsig dd = (dec, dec) -> (dec)
                struct Line = { qty: i64, price: dec }
                array decs = dec
                func main(n: i64, p: dec) -> (dec, dec, dec, i64) {
                """);
        for (int r = D_FIRST; r < D_FIRST + D_COUNT; r++) {
            s.append("    const.decimal r").append(r).append(", ").append(rnd.nextInt(401) - 200).append(", 2\n");
        }
        s.append("""
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.func r9, mix
                    tuple.new r10, [r4]
                    closure.new r11, r9, r10
                    const.u64 r17, 1
                    jmp head
                head:
                    i64.lt r12, r7, r1
                    br r12, body, done
                body:
                """);
        int items = 3 + rnd.nextInt(7);
        for (int k = 0; k < items; k++) {
            s.append(item(rnd));
        }
        s.append("""
                    i64.add r7, r7, r8
                    jmp head
                done:
                    ret r0, [r3, r4, r5, r7]
                }
                """ + CALLEES);
        return s.toString();
    }

    private static String item(Random rnd) {
        return switch (rnd.nextInt(16)) {
            // dec_loop's line: price * quantity + fee, added up (scale 2 throughout)
            case 0, 1 -> "    i64.to_dec r13, r7, 0\n    dec.mul r14, " + reg(d(rnd)) + ", r13\n"
                    + "    dec.add r14, r14, " + reg(d(rnd)) + "\n    dec.add " + reg(d(rnd)) + ", " + reg(d(rnd))
                    + ", r14\n";
            case 2 -> "    call r0, add2, r0, [" + reg(d(rnd)) + ", " + reg(d(rnd)) + "] -> [" + reg(d(rnd)) + ", "
                    + reg(d(rnd)) + "]\n";
            case 3 -> "    call.indirect r0, dd, r11, r0, [" + reg(d(rnd)) + ", r2] -> [" + reg(d(rnd)) + "]\n";
            case 4 -> "    host_call r0, bump, r0, [" + reg(d(rnd)) + "] -> [" + reg(d(rnd)) + "]\n";
            case 5 -> "    struct.new r15, Line, [r7, " + reg(d(rnd)) + "]\n    struct.get " + reg(d(rnd))
                    + ", r15, 1\n";
            case 6 -> "    array.new r16, decs, [" + reg(d(rnd)) + ", " + reg(d(rnd)) + ", " + reg(d(rnd)) + "]\n"
                    + "    array.get " + reg(d(rnd)) + ", r16, r17\n    array.get_imm " + reg(d(rnd))
                    + ", r16, " + rnd.nextInt(3) + "\n";
            case 7 -> "    i64.and r18, r7, r8\n    i64.eq r19, r18, r8\n    select " + reg(d(rnd)) + ", r19, "
                    + reg(d(rnd)) + ", " + reg(d(rnd)) + "\n";
            case 8 -> "    mov " + reg(d(rnd)) + ", " + reg(d(rnd)) + "\n    dec.sub " + reg(d(rnd)) + ", "
                    + reg(d(rnd)) + ", " + reg(d(rnd)) + "\n";
            case 9 -> "    tuple.new r20, [" + reg(d(rnd)) + ", r7]\n    tuple.get " + reg(d(rnd)) + ", r20, 0\n";
            // a new environment for the closure, from the decimal of this trip
            case 10 -> "    tuple.new r10, [" + reg(d(rnd)) + "]\n    closure.new r11, r9, r10\n";
            case 11 -> "    const.decimal " + reg(d(rnd)) + ", " + (rnd.nextInt(2001) - 1000) + ", 2\n";
            case 12 -> "    i64.to_dec r13, r7, 0\n    dec.to_i64 r21, r13\n    i64.add r18, r21, r8\n";
            // rare: a product of scale 4 (a later add traps decimal_scale_mismatch), a scale 19
            // conversion (decimal_overflow), a square that grows every trip until decimal_overflow
            case 13 -> rnd.nextInt(3) == 0
                    ? "    dec.mul " + reg(d(rnd)) + ", " + reg(d(rnd)) + ", " + reg(d(rnd)) + "\n"
                    : "    dec.add r14, r2, r2\n";
            case 14 -> rnd.nextInt(4) == 0
                    ? "    i64.to_dec r13, r7, 19\n"
                    : "    i64.to_dec r13, r8, " + rnd.nextInt(3) + "\n    dec.to_i64 r21, r13\n";
            default -> "    i64.to_dec r13, r7, 0\n    dec.add r13, r13, r13\n    dec.mul r13, r13, r13\n"
                    + "    dec.mul r13, r13, r13\n";
        };
    }

    private static String reg(int r) {
        return "r" + r;
    }

    /**
     * t.bump(d) = d + 0.01 at d's scale; it charges no fuel, as {@link StepSweep} counts one fuel unit
     * per instruction (host fuel with decimals: {@code JitDecimalRegistersTest})
     */
    private static HostRegistry host() {
        return new HostRegistry().register("t.bump", Signature.of(List.of(ValueType.DECIMAL),
                List.of(ValueType.DECIMAL)), (HostFunction) (a, out, ctx) -> {
                    Value.Decimal x = (Value.Decimal) a[0];
                    out[0] = Value.decimal(x.mantissa() + 1, x.scale());
                });
    }

    @Test
    void randomProgramsMoveDecimalsThroughEveryEdgeAlikeOnBothTiers() throws Exception {
        Set<String> endings = new HashSet<>();
        long total = 0;
        for (long seed = 1; seed <= 40; seed++) {
            String text = program(seed);
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            Tiers t = Tiers.of(vp, host());
            List<Value> args = List.of(Value.i64(3 + seed % 3), Value.decimal(seed * 37 - 700, 2));
            Tiers.Outcome full = StepSweep.sweep(t, args, seed, "seed " + seed + "\n" + text);
            endings.add(full.trapped() ? full.trap().kind().toString() : "done");
            total += full.used(Limits.DEFAULT.withFuel(1_000_000));
        }
        // the programs end every way decimals can: results, overflow, scale mismatch
        assertTrue(endings.contains("done"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_OVERFLOW"), "endings " + endings);
        assertTrue(endings.contains("DECIMAL_SCALE_MISMATCH"), "endings " + endings);
        assertTrue(total > 40 * 40, "the programs ran " + total + " instructions");
    }

    /**
     * One program, worked by hand: n = 2, p = 1.00; each trip's line is 1.25 * i + 0.50, passed
     * through add2 (adds the running total), the closure (adds its captured 0.50, subtracts p),
     * the host (adds 0.01), a struct, an array and a tuple, and added to the total.
     */
    @Test
    void aWorkedProgramGivesItsHandComputedResultOnBothTiers() throws Exception {
        String text = """
                program decworked
                host bump = "t.bump" (dec) -> (dec)
                callsig dd = (dec, dec) -> (dec)
                struct Line = { qty: i64, price: dec }
                array decs = dec
                func main(n: i64, p: dec) -> (dec, dec, dec, i64) {
                    const.decimal r3, 0, 2
                    const.decimal r4, 50, 2
                    const.decimal r5, 125, 2
                    const.decimal r6, 0, 2
                    const.i64 r7, 0
                    const.i64 r8, 1
                    const.func r9, mix
                    tuple.new r10, [r4]
                    closure.new r11, r9, r10
                    const.u64 r17, 1
                    jmp head
                head:
                    i64.lt r12, r7, r1
                    br r12, body, done
                body:
                    i64.to_dec r13, r7, 0
                    dec.mul r14, r5, r13
                    dec.add r14, r14, r4
                    call r0, add2, r0, [r14, r6] -> [r14, r6]
                    call.indirect r0, dd, r11, r0, [r14, r2] -> [r14]
                    host_call r0, bump, r0, [r14] -> [r14]
                    struct.new r15, Line, [r7, r14]
                    struct.get r14, r15, 1
                    array.new r16, decs, [r3, r14, r4]
                    array.get r14, r16, r17
                    tuple.new r20, [r14, r7]
                    tuple.get r14, r20, 0
                    dec.add r3, r3, r14
                    i64.add r7, r7, r8
                    jmp head
                done:
                    ret r0, [r3, r4, r6, r7]
                }
                """ + CALLEES;
        Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(text)), host());
        // add2 returns (line + r6, r6); r6 stays 0.00, so r14 after it is the line again.
        // trip 0: line 0.50 -> mix 0.50 + 0.50 - 1.00 = 0.00 -> bump 0.01; total 0.01
        // trip 1: line 1.75 -> mix 1.75 + 0.50 - 1.00 = 1.25 -> bump 1.26; total 1.27
        Tiers.Outcome full = StepSweep.sweep(t, List.of(Value.i64(2), Value.decimal(100, 2)), 7, text);
        assertEquals(List.of(Value.decimal(127, 2), Value.decimal(50, 2), Value.decimal(0, 2), Value.i64(2)),
                full.results());
    }
}
