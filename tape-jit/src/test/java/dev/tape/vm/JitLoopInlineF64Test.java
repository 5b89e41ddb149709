package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A looping callee with f64 compares runs inline ({@code LoopInliner} admits them, the
 * twenty-fifth round: its javadoc said so before it did): {@code walk} compares two f64 arguments
 * with a br right after (fused, {@code InlineBody.branchCompare}) and again with an instruction
 * between (the plain 1 or 0), in a loop over an array its caller keeps. On every f64 compare at
 * the edge values (NaNs, -0.0, the infinities) both tiers agree in result, fuel and trap at every
 * fuel limit up to the run's use, and paused at every slice of a random size and restored on the
 * other tier.
 */
class JitLoopInlineF64Test {
    private static final String[] OPS = {"f64.eq", "f64.lt", "f64.gt", "f64.le", "f64.ge"};

    /** main(n, y, z): n iterations, each building a three-element array and walking it with y and z. */
    static String program(String op, String plain) {
        return "program loopf64\narray A = i64\n"
                + "func main(n: i64, y: f64, z: f64) -> (i64) {\n"
                + "    const.i64 r10, 0\n    const.i64 r11, 1\n    const.i64 r12, 5\n    jmp loop\n"
                + "loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\n"
                + "body:\n    array.new r20, A, [r10, r11, r12]\n    const.u64 r24, 0\n    array.len r23, r20\n"
                + "    call r0, walk, r0, [r20, r24, r12, r23, r2, r3] -> [r12]\n"
                + "    i64.add r10, r10, r11\n    jmp loop\n"
                + "done:\n    ret r0, [r12]\n}\n"
                + "func walk(xs: agg array A, j: u64, acc: i64, end: u64, y: f64, z: f64) -> (total: i64) {\n"
                + "top:\n    array.get r7, r1, r2\n    " + op + " r8, r5, r6\n    br r8, yes, no\n"
                + "yes:\n    i64.add r3, r3, r7\n    jmp next\n"
                + "no:\n    i64.sub r3, r3, r7\n    jmp next\n"
                + "next:\n    " + plain + " r11, r6, r5\n    const.u64 r9, 1\n    br r11, one, two\n"
                + "one:\n    u64.add r2, r2, r9\n    jmp test\n"
                + "two:\n    u64.add r2, r2, r9\n    u64.add r2, r2, r9\n    jmp test\n"
                + "test:\n    u64.lt r10, r2, r4\n    br r10, top, out\n"
                + "out:\n    ret r0, [r3]\n}\n";
    }

    private static Value f64(long bits) {
        return new Value.F64(bits);
    }

    @Test
    void f64ComparesRunInlineAndAgreeAtEveryFuel() throws Exception {
        int runs = 0;
        for (int k = 0; k < OPS.length; k++) {
            String plain = OPS[(k + 2) % OPS.length];
            VerifiedProgram p = JitLeafInlineTest.verified(program(OPS[k], plain));
            assertTrue(JitKeptStructTest.calls(p, 0, "leafMakeRoom") > 0, OPS[k] + ": walk runs inline");
            Tiers t = Tiers.of(p, Host.NONE);
            assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
            for (long y : CompareBranchEdges.F64) {
                for (long z : CompareBranchEdges.F64) {
                    List<Value> args = List.of(Value.i64(3), f64(y), f64(z));
                    String what = OPS[k] + "/" + plain + " " + args;
                    Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, what);
                    assertTrue(o.trap() == null, what);
                    t.everyFuelTrapsBelow(0, args, o, what);
                    runs++;
                }
            }
        }
        assertEquals(OPS.length * 64, runs);
    }

    /** Seed s: op s % 5, the other compare from the seed, n and the operands drawn from the edges. */
    static Tiers.Generated generated(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] f = CompareBranchEdges.F64;
        String source = program(OPS[(int) (seed % OPS.length)], OPS[rnd.nextInt(OPS.length)]);
        return new Tiers.Generated(source, List.of(Value.i64(1 + rnd.nextInt(4)), f64(f[rnd.nextInt(f.length)]),
                f64(f[rnd.nextInt(f.length)])));
    }

    @Test
    void pausedAtEverySliceRestoreOnTheOtherTier() throws Exception {
        int pauses = Tiers.pauseSweep(0, 40, JitLoopInlineF64Test::generated);
        assertTrue(pauses >= 80, "pauses " + pauses);
    }
}
