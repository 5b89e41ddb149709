package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Functions of one shape share one method ({@code JitTier}'s shapes), which the first of them to
 * compile decides: {@code f} calls itself (word parameters, {@code WordParams}) and {@code h} has
 * {@code f}'s very code, so it calls {@code f}, not itself. Whichever compiles first ({@code h}
 * through main's first call, or {@code f}), both tiers agree at every fuel limit, every depth and
 * register limit, and in pauses with snapshots restored.
 */
class AttackWordParamsSharedShapeTest {
    static String program(boolean hFirst) {
        String body = """
                (n: i64, x: f64, b: bool, s: str) -> (i64) {
                    const.i64 r5, 1
                    i64.lt r6, n_, r5
                    br r6, leaf, more
                leaf:
                    f64.to_bits r7, r2
                    u64.shr r7, r7, r8
                    u64.to_i64 r9, r7
                    str.len r10, r4
                    u64.to_i64 r11, r10
                    i64.add r9, r9, r11
                    select r12, r3, r5, r9
                    i64.add r9, r9, r12
                    ret r0, [r9]
                more:
                    i64.sub r1, r1, r5
                    const.f64 r13, 0.25
                    f64.add r2, r2, r13
                    bool.not r3, r3
                    call r0, f, r0, [r1, r2, r3, r4] -> [r14]
                    call r0, f, r0, [r1, r2, r3, r4] -> [r15]
                    i64.add r14, r14, r15
                    i64.add r14, r14, r1
                    ret r0, [r14]
                }
                """.replace("n_", "r1").replace("u64.shr r7, r7, r8", "const.u64 r8, 40\n    u64.shr r7, r7, r8");
        String first = hFirst ? "h" : "f";
        String second = hFirst ? "f" : "h";
        return "program shared\nfunc main(n: i64, x: f64, b: bool, s: str) -> (i64) {\n"
                + "    call r0, " + first + ", r0, [r1, r2, r3, r4] -> [r5]\n"
                + "    call r0, " + second + ", r0, [r1, r2, r3, r4] -> [r6]\n"
                + "    i64.add r5, r5, r6\n    ret r0, [r5]\n}\n"
                + "func f" + body + "func h" + body;
    }

    @Test
    void sharedShapesAgreeWhicheverCompilesFirst() throws Exception {
        int pauses = 0;
        for (boolean hFirst : new boolean[] {true, false}) {
            String src = program(hFirst);
            for (long n = 0; n <= 4; n++) {
                List<Value> args = List.of(Value.i64(n), Value.f64Bits(0x7ff0000000000005L + n), Value.bool(n % 2 == 0),
                        Value.str("ab"));
                Tiers t = Tiers.of(JitLeafInlineTest.verified(src), Host.NONE);
                String what = "h first " + hFirst + " n " + n + "\n" + src;
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                assertTrue(full.trap() == null, what + " " + full);
                assertTrue(Jit.compiledFunctions(t.compiled) >= 2, what);
                t.everyFuel(0, args, full, what);
                t.everyDepthThenRegisters(0, args, 5, 60, what);
                for (long slice = 1; slice <= 7; slice += 3) {
                    pauses += Tiers.of(JitLeafInlineTest.verified(src), Host.NONE)
                            .lockstep(0, args, slice, 1, what + " slice " + slice, (a, b, p) -> { });
                }
            }
        }
        assertTrue(pauses >= 100, "pauses " + pauses);
    }
}
