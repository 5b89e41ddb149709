package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.ConformanceHost;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference's per-instruction semantics ({@code vm.rs}, {@code run_body}'s arms, as in
 * {@link ReferenceRunSemanticsTiersTest}) where this implementation runs instructions other than
 * one by one: compares followed by a {@code br} (fused into one lowered instruction), a
 * {@code const} or an {@code f64.mul}/{@code f64.sub}/{@code i64.to_f64} followed by the
 * instruction that reads it, and loops (the interpreter's word, float and decimal runs, its
 * counted-loop latch; the compiled tier's loops). Each case's result, or trap with its pc and the
 * fuel used, is worked out from those arms and the instructions' encoded sizes (a {@code pc}
 * operand takes 5 bytes, as the reference's builder pads it: {@code jmp} is 6 bytes, {@code br}
 * 12), on both tiers.
 *
 * <p>The reference has no fused instructions: its {@code f64.mul} then {@code f64.add} round twice
 * (no fused multiply-add), its {@code i64.add} wraps inside a loop as anywhere, its {@code u64.lt}
 * compares unsigned in a loop's latch too, and every instruction of a loop costs 1.
 */
class ReferenceRunLoopsTiersTest {
    private static final String I64_MAX = "i64:9223372036854775807";
    private static final String I64_MIN = "i64:-9223372036854775808";
    private static final String U64_MAX = "u64:18446744073709551615";
    private static final String TWO_63 = "u64:9223372036854775808";
    private static final String SNAN = "f64:0x7ff0000000000001";
    private static final String QNAN5 = "f64:0x7ff8000000000005";
    private static final String NAN = "f64:0x7ff8000000000000";
    private static final String ZERO = "f64:0x0000000000000000";
    private static final String NEG_ZERO = "f64:0x8000000000000000";
    private static final String ONE = "f64:0x3ff0000000000000";
    private static final String TEN = "f64:0x4024000000000000";
    private static final String TENTH = "f64:0x3fb999999999999a";

    private static final String PROGRAM = """
            array ints = i64
            func wrapLoop(i: i64, limit: i64, step: i64) -> (i64, i64) {
                const.i64 r4, 0
                const.i64 r6, 1
                jmp head
            head:
                i64.add r4, r4, r6
                i64.add r1, r1, r3
                i64.lt r5, r1, r2
                br r5, head, done
            done:
                ret r0, [r4, r1]
            }
            func u64Loop(i: u64, limit: u64, step: u64) -> (u64, u64) {
                const.u64 r4, 0
                const.u64 r6, 1
                jmp head
            head:
                u64.add r4, r4, r6
                u64.add r1, r1, r3
                u64.lt r5, r1, r2
                br r5, head, done
            done:
                ret r0, [r4, r1]
            }
            func f64Loop(x: f64, limit: f64, step: f64) -> (i64, f64) {
                const.i64 r4, 0
                const.i64 r6, 1
                jmp head
            head:
                i64.add r4, r4, r6
                f64.add r1, r1, r3
                f64.lt r5, r1, r2
                br r5, head, done
            done:
                ret r0, [r4, r1]
            }
            func mulAddLoop(a: f64, b: f64, n: i64) -> (f64) {
                const.i64 r4, 0
                const.i64 r5, 1
                const.f64 r6, 0xbff0000000000000
                jmp head
            head:
                f64.mul r7, r1, r2
                f64.add r6, r6, r7
                i64.add r4, r4, r5
                i64.lt r8, r4, r3
                br r8, head, done
            done:
                ret r0, [r6]
            }
            func decAddLoop(x: dec, n: i64) -> (dec) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.decimal r5, 0, 2
                jmp head
            head:
                dec.add r5, r5, r1
                i64.add r3, r3, r4
                i64.lt r6, r3, r2
                br r6, head, done
            done:
                ret r0, [r5]
            }
            func decMulLoop(x: dec, n: i64) -> (dec) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.decimal r5, 1, 0
                jmp head
            head:
                dec.mul r5, r5, r1
                i64.add r3, r3, r4
                i64.lt r6, r3, r2
                br r6, head, done
            done:
                ret r0, [r5]
            }
            func remLoop(a: i64, d: i64) -> (i64) {
                const.i64 r3, 1
                const.i64 r7, 3
                jmp head
            head:
                i64.rem r5, r1, r2
                i64.add r2, r2, r3
                i64.lt r6, r2, r7
                br r6, head, done
            done:
                ret r0, [r5]
            }
            func constLoop(i: i64) -> (i64) {
                jmp head
            head:
                const.i64 r2, 3
                i64.add r1, r1, r2
                const.i64 r3, -9223372036854775800
                i64.lt r4, r1, r3
                br r4, head, done
            done:
                ret r0, [r1]
            }
            func decMix(i: i64, n: i64) -> (i64, dec) {
                const.i64 r3, 1
                const.decimal r6, 0, 4
                jmp head
            head:
                i64.to_dec r4, r1, 2
                dec.add r5, r4, r4
                dec.mul r6, r5, r5
                i64.add r1, r1, r3
                i64.lt r7, r1, r2
                br r7, head, done
            done:
                ret r0, [r1, r6]
            }
            func arrLoop(xs: agg array ints, i: u64, n: u64) -> (i64) {
                const.u64 r4, 1
                const.i64 r5, 0
                jmp head
            head:
                array.get r6, r1, r2
                i64.add r5, r5, r6
                tuple.new r7, [r5, r6]
                tuple.get r8, r7, 0
                u64.add r2, r2, r4
                u64.lt r9, r2, r3
                br r9, head, done
            done:
                ret r0, [r8]
            }
            func mulAdd(a: f64, b: f64, c: f64) -> (f64) {
                f64.mul r4, r1, r2
                f64.add r5, r4, r3
                ret r0, [r5]
            }
            func mulAddRev(a: f64, b: f64, c: f64) -> (f64) {
                f64.mul r4, r1, r2
                f64.add r5, r3, r4
                ret r0, [r5]
            }
            func subAdd(a: f64, b: f64, c: f64) -> (f64) {
                f64.sub r4, r1, r2
                f64.add r5, r4, r3
                ret r0, [r5]
            }
            func toF64MulAdd(i: i64, b: f64, c: f64) -> (f64) {
                i64.to_f64 r4, r1
                f64.mul r5, r4, r2
                f64.add r6, r5, r3
                ret r0, [r6]
            }
            func constLtBr(a: i64) -> (i64) {
                const.i64 r2, -1
                i64.lt r3, r1, r2
                br r3, yes, no
            yes:
                const.i64 r4, 1
                ret r0, [r4]
            no:
                const.i64 r4, 0
                ret r0, [r4]
            }
            func constAdd(a: i64) -> (i64) {
                const.i64 r2, 7
                i64.add r3, r1, r2
                const.i64 r4, -7
                i64.sub r5, r3, r4
                ret r0, [r5]
            }
            """;

    private static final int WRAP = 0;
    private static final int U64_LOOP = 1;
    private static final int F64_LOOP = 2;
    private static final int MUL_ADD_LOOP = 3;
    private static final int DEC_ADD_LOOP = 4;
    private static final int DEC_MUL_LOOP = 5;
    private static final int REM_LOOP = 6;
    private static final int CONST_LOOP = 7;
    private static final int DEC_MIX = 8;
    private static final int ARR_LOOP = 9;
    private static final int MUL_ADD = 10;
    private static final int MUL_ADD_REV = 11;
    private static final int SUB_ADD = 12;
    private static final int TO_F64_MUL_ADD = 13;
    private static final int CONST_LT_BR = 14;
    private static final int CONST_ADD = 15;

    private static final Limits LIMITS = Limits.of(1_000, 256, 1_000_000);

    private static Tiers tiers() {
        return Tiers.of(Assembler.assemble(PROGRAM, "runloops.tasm"), new ConformanceHost());
    }

    /** the results and the fuel used, or "KIND at pc P used N" */
    static String outcome(Tiers t, int entry, Limits limits, String... args) {
        List<Value> values = new ArrayList<>();
        for (String a : args) {
            values.add(ValueLiteral.parse(a));
        }
        Tiers.Outcome o = checkTraced(t, entry, values, limits, "f" + entry + " " + List.of(args));
        if (!o.trapped()) {
            return String.join(", ", o.literals()) + " used " + o.used(limits);
        }
        return o.trap().label() + " at f" + o.trap().func() + " pc " + o.trap().pc() + " used " + o.used(limits);
    }

    /** Counts the instruction events of a run. */
    private static final class Steps implements TraceSink {
        long instrs;

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            instrs++;
        }
    }

    /**
     * {@link Tiers#check}, then the same run on each tier with a sink of instruction events: the
     * same outcome, and one event per unit of fuel used (the reference's {@code P::instr} is called
     * once per instruction that passed the fuel check, the trapping one included).
     *
     * @return the outcome
     */
    static Tiers.Outcome checkTraced(Tiers t, int entry, List<Value> values, Limits limits, String what) {
        Tiers.Outcome o = t.check(entry, values, limits, what);
        for (boolean compiled : new boolean[] {false, true}) {
            Steps steps = new Steps();
            Tiers.Outcome traced = Tiers.run(compiled ? t.compiled : t.interpreted,
                    compiled ? t.compiledHost : t.interpretedHost, new ExecutionContext(), entry, values, limits, steps);
            String tier = compiled ? "compiled, traced" : "interpreted, traced";
            Tiers.assertSame("untraced", o, tier, traced, () -> what);
            assertEquals(o.used(limits), steps.instrs, what + ": instruction events, " + tier);
        }
        return o;
    }

    private static String outcome(Tiers t, int entry, String... args) {
        return outcome(t, entry, LIMITS, args);
    }

    @Test
    void loopLatchesWrapAndCompareByType() {
        Tiers t = tiers();
        // wrapLoop: const (pc 0), const (3), jmp (6), head: add (12), add (16), lt (20), br (24), ret (36);
        // k iterations use 3 + 4k + 1. I64Add wraps (wrapping_add), I64Lt is signed.
        assertEquals("i64:3, " + I64_MAX + " used 16", outcome(t, WRAP, "i64:9223372036854775804", I64_MAX, "i64:1"));
        // MAX-1 + 2 wraps to MIN: MIN, MIN+2, MIN+4 are below MIN+5, MIN+6 is not
        assertEquals("i64:4, i64:-9223372036854775802 used 20",
                outcome(t, WRAP, "i64:9223372036854775806", "i64:-9223372036854775803", "i64:2"));
        assertEquals("i64:1, " + I64_MAX + " used 8", outcome(t, WRAP, "i64:-9223372036854775807", "i64:0", "i64:-2"));
        // fuel: 11 iterations use 47; then add, add, lt, and the br finds none left
        assertEquals("fuel_exceeded at f0 pc 24 used 50", outcome(t, WRAP, Limits.of(50, 256, 0), "i64:0", "i64:1000",
                "i64:1"));
        assertEquals("fuel_exceeded at f0 pc 12 used 47", outcome(t, WRAP, Limits.of(47, 256, 0), "i64:0", "i64:1000",
                "i64:1"));
        // a step of 0 never ends: 249 iterations use 999, then the add at pc 12, then pc 16 has none
        assertEquals("fuel_exceeded at f0 pc 16 used 1000", outcome(t, WRAP, "i64:0", "i64:1", "i64:0"));
        // u64Loop: U64Add wraps, U64Lt is unsigned: 2^63 is not below 5
        assertEquals("u64:1, " + TWO_63 + " used 8", outcome(t, U64_LOOP, "u64:0", "u64:5", TWO_63));
        // a step of 2^64-1 counts down: 2, 1, 0, then 2^64-1, which is not below 10
        assertEquals("u64:4, " + U64_MAX + " used 20", outcome(t, U64_LOOP, "u64:3", "u64:10", U64_MAX));
        assertEquals("u64:1, " + U64_MAX + " used 8", outcome(t, U64_LOOP, "u64:18446744073709551614", U64_MAX,
                "u64:1"));
        // constLoop: jmp (pc 0), head: const (6), add (9), const (13, 12 bytes), lt (25), br (29), ret (41);
        // MAX-1 + 3 wraps to MIN+1; MIN+1, MIN+4, MIN+7 are below MIN+8, MIN+10 is not: 4 iterations of 5
        assertEquals("i64:-9223372036854775798 used 22", outcome(t, CONST_LOOP, "i64:9223372036854775806"));
        assertEquals("i64:9223372036854775807 used 7", outcome(t, CONST_LOOP, "i64:9223372036854775804"));
    }

    @Test
    void floatLoopsKeepNaNsSignsAndRoundEachOperation() {
        Tiers t = tiers();
        // f64Loop: as wrapLoop; F64Add then F64Lt (false with a NaN): one iteration each
        assertEquals("i64:1, f64:0x7ff8000000000001 used 8", outcome(t, F64_LOOP, SNAN, TEN, ONE));
        assertEquals("i64:1, " + ONE + " used 8", outcome(t, F64_LOOP, ZERO, NAN, ONE));
        assertEquals("i64:1, " + NEG_ZERO + " used 8", outcome(t, F64_LOOP, NEG_ZERO, ZERO, NEG_ZERO));
        // 0.1, 0.2 are below 0.3, 0.1 + 0.1 + 0.1 = 0.30000000000000004 is not
        assertEquals("i64:3, f64:0x3fd3333333333334 used 16",
                outcome(t, F64_LOOP, ZERO, "f64:0x3fd3333333333333", TENTH));
        // mulAddLoop: acc = -1.0, then acc + a * b, rounded twice: 0.1 * 10 rounds to 1.0 exactly, so
        // one iteration gives 0.0 (a fused multiply-add would give 2^-54); consts 3 + 3 + 10 bytes, jmp
        assertEquals(ZERO + " used 10", outcome(t, MUL_ADD_LOOP, TENTH, TEN, "i64:1"));
        assertEquals("f64:0x4000000000000000 used 20", outcome(t, MUL_ADD_LOOP, TENTH, TEN, "i64:3"));
        // a NaN product: sNaN * qNaN is the first quieted; -1.0 + that NaN is that NaN
        assertEquals("f64:0x7ff8000000000001 used 15", outcome(t, MUL_ADD_LOOP, SNAN, QNAN5, "i64:2"));
        assertEquals("f64:0x7ff8000000000005 used 15", outcome(t, MUL_ADD_LOOP, ONE, QNAN5, "i64:2"));
    }

    @Test
    void multiplyAddIsTwoRoundedOperations() {
        Tiers t = tiers();
        assertEquals(ZERO + " used 3", outcome(t, MUL_ADD, TENTH, TEN, "f64:0xbff0000000000000"));
        assertEquals(ZERO + " used 3", outcome(t, MUL_ADD_REV, TENTH, TEN, "f64:0xbff0000000000000"));
        // 3.0 * 0.1 = 0.30000000000000004, minus 0.3 is 2^-54 (0x3c90000000000000); fused it would be 2^-55
        assertEquals("f64:0x3c90000000000000 used 4", outcome(t, TO_F64_MUL_ADD, "i64:3", TENTH,
                "f64:0xbfd3333333333333"));
        // 2^53 + 1 converts to 2^53 before the multiply
        assertEquals("f64:0x4340000000000000 used 4", outcome(t, TO_F64_MUL_ADD, "i64:9007199254740993", ONE, ZERO));
        // NaNs: the product's NaN is the add's first operand in mulAdd, its second in mulAddRev
        assertEquals("f64:0x7ff8000000000001 used 3", outcome(t, MUL_ADD, SNAN, ONE, QNAN5));
        assertEquals("f64:0x7ff8000000000005 used 3", outcome(t, MUL_ADD_REV, SNAN, ONE, QNAN5));
        assertEquals("f64:0x7ff8000000000005 used 3", outcome(t, MUL_ADD, ONE, QNAN5, SNAN));
        assertEquals("f64:0xfff8000000000000 used 3", outcome(t, MUL_ADD, ZERO, "f64:0x7ff0000000000000", ONE));
        // inf - inf is the default NaN, then + qNaN: the first operand (the default NaN) wins
        assertEquals("f64:0xfff8000000000000 used 3", outcome(t, SUB_ADD, "f64:0x7ff0000000000000",
                "f64:0x7ff0000000000000", QNAN5));
        assertEquals(NEG_ZERO + " used 3", outcome(t, SUB_ADD, NEG_ZERO, ZERO, NEG_ZERO));
    }

    @Test
    void decimalLoopsTrapAtTheIterationThatOverflows() {
        Tiers t = tiers();
        // decAddLoop: const (0), const (3), const.decimal (6, 4 bytes), jmp (10), head: dec.add (16),
        // add (20), lt (24), br (28), ret (40); k iterations use 4 + 4k + 1
        assertEquals("dec:4.50 used 17", outcome(t, DEC_ADD_LOOP, "dec:1.50", "i64:3"));
        assertEquals("decimal_scale_mismatch at f4 pc 16 used 5", outcome(t, DEC_ADD_LOOP, "dec:1.5", "i64:3"));
        // (2^62 - 1) twice fits, a third time overflows
        assertEquals("decimal_overflow at f4 pc 16 used 13",
                outcome(t, DEC_ADD_LOOP, "dec:46116860184273879.03", "i64:3"));
        assertEquals("dec:92233720368547758.06 used 13", outcome(t, DEC_ADD_LOOP, "dec:46116860184273879.03", "i64:2"));
        // decMulLoop: the scale adds up: 100, 200, then 300 > 255 overflows (DecMul's u8::try_from)
        String tiny = "dec:0." + "0".repeat(99) + "1";
        assertEquals("dec:0." + "0".repeat(199) + "1 used 13", outcome(t, DEC_MUL_LOOP, tiny, "i64:2"));
        assertEquals("decimal_overflow at f5 pc 16 used 13", outcome(t, DEC_MUL_LOOP, tiny, "i64:3"));
        // 10^18 fits, 10^19 does not (checked_mul): 1.0 (mantissa 10) 19 times
        assertEquals("decimal_overflow at f5 pc 16 used 77", outcome(t, DEC_MUL_LOOP, "dec:1.0", "i64:30"));
        // decMix: const (0), const.decimal (3), jmp (7), head: i64.to_dec (13), dec.add (17), dec.mul (21),
        // add (25), lt (29), br (33), ret (45). (200 i)^2 fits i64 up to i = 15185002; the third
        // iteration's dec.mul (its third instruction) overflows: 3 + 6 + 6 + 3 used
        assertEquals("decimal_overflow at f8 pc 21 used 18", outcome(t, DEC_MIX, "i64:15185001", "i64:15185010"));
        assertEquals("i64:15185003, dec:922337142960016.0000 used 16",
                outcome(t, DEC_MIX, "i64:15185001", "i64:15185003"));
    }

    @Test
    void integerTrapsInsideLoops() {
        Tiers t = tiers();
        // remLoop: const (0), const (3), jmp (6), head: rem (12), add (16), lt (20), br (24), ret (36)
        assertEquals("div_by_zero at f6 pc 12 used 16", outcome(t, REM_LOOP, "i64:7", "i64:-3"));
        assertEquals("int_div_overflow at f6 pc 12 used 12", outcome(t, REM_LOOP, I64_MIN, "i64:-3"));
        assertEquals("i64:1 used 12", outcome(t, REM_LOOP, "i64:7", "i64:1"));
        assertEquals("i64:0 used 8", outcome(t, REM_LOOP, I64_MIN, "i64:2"));
        // arrLoop: const (0), const (3), jmp (6), head: array.get (12), add (16), tuple.new (20, 5 bytes),
        // tuple.get (25), u64.add (29), u64.lt (33), br (37), ret (49); ArrayGet's AggError at the
        // iteration whose index is past the end
        String xs = "array#0(i64:10, i64:20, i64:30)";
        assertEquals("i64:60 used 25", outcome(t, ARR_LOOP, xs, "u64:0", "u64:3"));
        assertEquals("agg_error at f9 pc 12 used 25", outcome(t, ARR_LOOP, xs, "u64:0", "u64:5"));
        assertEquals("agg_error at f9 pc 12 used 4", outcome(t, ARR_LOOP, xs, U64_MAX, "u64:5"));
        assertEquals("agg_error at f9 pc 12 used 11", outcome(t, ARR_LOOP, xs, "u64:2", "u64:4294967298"));
    }

    @Test
    void constantOperandsAndFusedCompares() {
        Tiers t = tiers();
        // constLtBr: const (0), lt (3), br (7), yes: const, ret; I64Lt signed against -1
        assertEquals("i64:1 used 5", outcome(t, CONST_LT_BR, I64_MIN));
        assertEquals("i64:0 used 5", outcome(t, CONST_LT_BR, "i64:-1"));
        assertEquals("i64:0 used 5", outcome(t, CONST_LT_BR, I64_MAX));
        // constAdd: (a + 7) - (-7), both wrapping
        assertEquals("i64:-9223372036854775795 used 5", outcome(t, CONST_ADD, I64_MAX));
        assertEquals("i64:14 used 5", outcome(t, CONST_ADD, "i64:0"));
    }
    private static final String[] COMPARES = {"eq", "lt", "gt", "le", "ge"};

    /** for each type and compare, {@code cmp r3, r1, r2; br r3, yes, no}, yes returning 1, no 0 */
    private static String compareBranches() {
        StringBuilder b = new StringBuilder();
        for (String type : new String[] {"i64", "u64", "f64"}) {
            for (String c : COMPARES) {
                b.append("func ").append(type).append('_').append(c).append("(a: ").append(type).append(", b: ")
                        .append(type).append(") -> (i64) {\n    ").append(type).append('.').append(c)
                        .append(" r3, r1, r2\n    br r3, yes, no\nyes:\n    const.i64 r4, 1\n    ret r0, [r4]\n")
                        .append("no:\n    const.i64 r4, 0\n    ret r0, [r4]\n}\n");
            }
        }
        return b.toString();
    }

    /**
     * Asserts the five compares of {@code type} on {@code a} and {@code b} branch as
     * {@code expected} says (eq, lt, gt, le, ge, each 1 or 0), at 4 fuel each.
     */
    private static void branches(Tiers t, int typeIndex, String expected, String a, String b) {
        StringBuilder got = new StringBuilder();
        for (int c = 0; c < COMPARES.length; c++) {
            String o = outcome(t, typeIndex * COMPARES.length + c, a, b);
            got.append(o.equals("i64:1 used 4") ? "1" : o.equals("i64:0 used 4") ? "0" : "(" + o + ")");
        }
        assertEquals(expected, got.toString(), a + " vs " + b);
    }

    @Test
    void comparesFollowedByABranch() {
        Tiers t = Tiers.of(Assembler.assemble(compareBranches(), "cbr.tasm"), new ConformanceHost());
        // I64Eq/Lt/Gt/Le/Ge signed; eq lt gt le ge
        branches(t, 0, "01010", "i64:-1", "i64:0");
        branches(t, 0, "00101", "i64:0", "i64:-1");
        branches(t, 0, "01010", I64_MIN, I64_MAX);
        branches(t, 0, "10011", "i64:5", "i64:5");
        // U64Eq/Lt/Gt/Le/Ge unsigned
        branches(t, 1, "00101", U64_MAX, "u64:1");
        branches(t, 1, "01010", "u64:1", U64_MAX);
        branches(t, 1, "00101", TWO_63, "u64:9223372036854775807");
        branches(t, 1, "10011", U64_MAX, U64_MAX);
        // F64Eq/Lt/Gt/Le/Ge: IEEE, every compare with a NaN false, -0.0 equal to 0.0
        branches(t, 2, "00000", NAN, ONE);
        branches(t, 2, "00000", ONE, SNAN);
        branches(t, 2, "00000", QNAN5, QNAN5);
        branches(t, 2, "00000", "f64:0xfff0000000000000", "f64:0xfff8000000000001");
        branches(t, 2, "10011", NEG_ZERO, ZERO);
        branches(t, 2, "10011", ZERO, NEG_ZERO);
        branches(t, 2, "01010", ONE, TEN);
        branches(t, 2, "10011", "f64:0x7ff0000000000000", "f64:0x7ff0000000000000");
        branches(t, 2, "01010", "f64:0xfff0000000000000", "f64:0x0000000000000001");
    }
}
