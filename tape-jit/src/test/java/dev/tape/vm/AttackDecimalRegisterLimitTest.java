package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attacks on the JVM's limits with decimal registers (three local slots each, a long and an int):
 * functions with up to 65,000 decimal parameters, called from a compiled caller and run as the
 * entry, and a function writing thousands of decimal registers in a loop. Either the function
 * compiles or it is left to the interpreter; both tiers give the same results and fuel, and no
 * class fails to load.
 */
class AttackDecimalRegisterLimitTest {
    /** wide(p1..pn: dec) -> (dec): p1 + pn, and main(x) calls it with n copies of x. */
    static String wide(int n) {
        StringBuilder b = new StringBuilder("program wide\nfunc main(x: dec) -> (dec) {\n    call r0, wide, r0, [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ", ").append("r1");
        }
        b.append("] -> [r2]\n    dec.add r3, r2, r1\n    ret r0, [r3]\n}\nfunc wide(");
        for (int i = 1; i <= n; i++) {
            b.append(i == 1 ? "" : ", ").append("p").append(i).append(": dec");
        }
        b.append(") -> (dec) {\n    dec.add r").append(n + 1).append(", r1, r").append(n)
                .append("\n    ret r0, [r").append(n + 1).append("]\n}\n");
        return b.toString();
    }

    @Test
    void functionsWithUpTo65000DecimalParameters() {
        for (int n : new int[] {1, 200, 2_000, 7_000, 21_838, 21_839, 30_000, 65_000}) {
            Tiers t = Tiers.of(JitResumeTest.asm(wide(n)), new HostRegistry());
            int compiled = Jit.precompile(t.compiled);
            Value x = Value.decimal(Long.MAX_VALUE / 3, 7);
            Tiers.Outcome o = t.check(0, List.of(x), Limits.DEFAULT, "n " + n);
            assertEquals(List.of(Value.decimal(Long.MAX_VALUE / 3 * 3, 7)), o.results(), "n " + n + ", compiled " + compiled);
            List<Value> many = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                many.add(Value.decimal(i + 1, 3));
            }
            Tiers.Outcome w = t.check(1, many, Limits.DEFAULT, "wide entry n " + n);
            assertEquals(List.of(Value.decimal(n + 1, 3)), w.results(), "n " + n);
            t.check(1, many, Limits.DEFAULT.withFuel(1), "wide entry n " + n + " fuel 1");
            // past about 8,000 bytes of bytecode a method is left to the interpreter
            assertEquals(n <= 200 ? 2 : 0, compiled, "n " + n);
        }
    }

    /** loop(k) writes decimal registers r3..r(n+2) k times over, then sums the last and first. */
    static String writes(int n) {
        StringBuilder b = new StringBuilder();
        b.append("program writes\nfunc main(k: i64) -> (dec) {\n    const.i64 r2, 0\n    const.i64 r")
                .append(n + 3).append(", 1\n    jmp head\nhead:\n    i64.lt r").append(n + 4).append(", r2, r1\n    br r")
                .append(n + 4).append(", body, done\nbody:\n");
        for (int i = 3; i < n + 3; i++) {
            b.append("    i64.to_dec r").append(i).append(", r2, ").append(i % 19).append('\n');
        }
        b.append("    i64.add r2, r2, r").append(n + 3).append("\n    jmp head\ndone:\n    i64.to_dec r")
                .append(n + 5).append(", r2, 0\n    ret r0, [r").append(n + 5).append("]\n}\n");
        return b.toString();
    }

    @Test
    void aLoopWritingThousandsOfDecimalRegisters() {
        for (int n : new int[] {10, 100, 500, 3_000, 20_000}) {
            Tiers t = Tiers.of(JitResumeTest.asm(writes(n)), new HostRegistry());
            int compiled = Jit.precompile(t.compiled);
            // past about 8,000 bytes of bytecode a method is left to the interpreter
            assertEquals(n <= 100 ? 1 : 0, compiled, "n " + n);
            Tiers.Outcome o = t.check(0, List.of(Value.i64(3)), Limits.DEFAULT, "n " + n);
            assertEquals(List.of(Value.decimal(3, 0)), o.results());
            // i64.to_dec at scale 18 of 10 overflows: a trap in the middle of the block
            t.check(0, List.of(Value.i64(12)), Limits.DEFAULT, "n " + n + " overflowing");
            for (long fuel : new long[] {0, 5, n, n + 7, 2L * n + 9}) {
                t.check(0, List.of(Value.i64(3)), Limits.DEFAULT.withFuel(fuel), "n " + n + " fuel " + fuel);
            }
        }
    }
}
