package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on unboxed decimal registers: every decimal instruction at the edges of the mantissa
 * (i64 MIN and MAX and their neighbours, powers of ten) and of the scale (0 to 255), the operands
 * coming in as arguments and going through mov, select and a call before the instruction, on both
 * tiers: the same results or the same trap (kind, pc, message), fuel and heap.
 */
class AttackDecimalEdgesTest {
    private static final int[] SCALES = {0, 1, 18, 19, 127, 128, 254, 255};

    /**
     * Entries: 0 add, 1 sub, 2 mul (each through mov/select/a call of id), 3 to_i64, 4 to_u64, then
     * for each scale s of {@link #SCALES}: i64.to_dec at s, u64.to_dec at s.
     */
    static String program() {
        StringBuilder b = new StringBuilder("program decedges\n");
        for (String op : new String[] {"add", "sub", "mul"}) {
            b.append("func f").append(op).append("(a: dec, b: dec, c: bool) -> (dec, dec) {\n")
                    .append("    mov r4, r1\n")
                    .append("    select r5, r3, r2, r4\n")
                    .append("    call r0, id, r0, [r5] -> [r6]\n")
                    .append("    dec.").append(op).append(" r7, r4, r6\n")
                    .append("    mov r8, r7\n")
                    .append("    ret r0, [r8, r6]\n}\n");
        }
        b.append("func toi(a: dec, b: dec, c: bool) -> (i64) {\n    dec.to_i64 r4, r1\n    ret r0, [r4]\n}\n");
        b.append("func tou(a: dec, b: dec, c: bool) -> (u64) {\n    dec.to_u64 r4, r1\n    ret r0, [r4]\n}\n");
        for (int s : SCALES) {
            b.append("func i").append(s).append("(x: i64) -> (dec) {\n    i64.to_dec r2, r1, ").append(s)
                    .append("\n    ret r0, [r2]\n}\n");
            b.append("func u").append(s).append("(x: i64) -> (dec) {\n    i64.to_u64 r2, r1\n    u64.to_dec r3, r2, ")
                    .append(s).append("\n    ret r0, [r3]\n}\n");
        }
        b.append("func id(a: dec) -> (dec) {\n    ret r0, [r1]\n}\n");
        return b.toString();
    }

    private static final long[] MANTISSAS = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1_000_000_000_000_000_000L, -3_037_000_500L,
        -1, 0, 1, 3_037_000_500L, 1_000_000_000_000_000_000L, Long.MAX_VALUE - 1, Long.MAX_VALUE};

    @Test
    void everyDecimalInstructionAtTheEdgesOfMantissaAndScale() {
        Tiers t = Tiers.of(JitResumeTest.asm(program()), new HostRegistry());
        assertTrue(Jit.precompile(t.compiled) >= 5 + 2 * SCALES.length, "the functions compiled");
        List<Value> decs = new ArrayList<>();
        for (long m : MANTISSAS) {
            for (int s : new int[] {0, 1, 127, 128, 254, 255}) {
                decs.add(Value.decimal(m, s));
            }
        }
        int traps = 0;
        int runs = 0;
        for (Value a : decs) {
            for (Value b : decs) {
                for (int entry = 0; entry < 3; entry++) {
                    Tiers.Outcome o = t.check(entry, List.of(a, b, Value.bool(entry == 1)), Limits.DEFAULT,
                            "op " + entry);
                    traps += o.trapped() ? 1 : 0;
                    runs++;
                }
            }
            for (int entry = 3; entry < 5; entry++) {
                Tiers.Outcome o = t.check(entry, List.of(a, a, Value.bool(false)), Limits.DEFAULT, "conv " + entry);
                traps += o.trapped() ? 1 : 0;
                runs++;
            }
        }
        for (long x : new long[] {Long.MIN_VALUE, -922_337_203_685_477_581L, -1, 0, 1, 9, 10,
            922_337_203_685_477_580L, 922_337_203_685_477_581L, Long.MAX_VALUE}) {
            for (int k = 0; k < 2 * SCALES.length; k++) {
                Tiers.Outcome o = t.check(5 + k, List.of(Value.i64(x)), Limits.DEFAULT, "to_dec " + k);
                traps += o.trapped() ? 1 : 0;
                runs++;
            }
        }
        // 66 * 66 * 3 + 66 * 2 + 10 * 16 runs; most traps are scale mismatches and overflows
        assertEquals(13_360, runs);
        assertTrue(traps > 5_000 && traps < runs - 1_000, "traps " + traps + " of " + runs);
    }
}
