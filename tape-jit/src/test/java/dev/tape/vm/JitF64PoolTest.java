package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Opcodes;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code double} pool of {@code F64Locals} (twenty-first round) is set up only in a method with
 * a loop that may use it: a backward {@code br} of at most {@code CountedLoop.MAX_INTS} ints over an
 * f64 double operation. An f64 function without such a loop used to get the pool anyway (review21:
 * 10 {@code dconst_0}/{@code dstore} pairs in the prologue of a loop-free {@code main}, run at every
 * call); a loop over words only, with f64 arithmetic after it, gets none either. The prologue's
 * {@code dconst_0}s are the pool's only ones in these methods, so their count tells.
 */
class JitF64PoolTest {
    private static byte[] method(VerifiedProgram vp) throws Exception {
        JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
        return JitTestAccess.generate(tier.view, 0).bytes();
    }

    /** A loop-free f64 function: no pool; its result is still the interpreter's. */
    @Test
    void noLoopNoPool() throws Exception {
        String text = """
                program nopool
                func main(x: f64, y: f64) -> (f64) {
                    f64.mul r3, r1, r2
                    f64.add r4, r3, r1
                    f64.sub r5, r4, r2
                    f64.div r6, r5, r2
                    ret r0, [r6]
                }
                """;
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(0, JitTestAccess.insns(method(vp), Opcodes.DCONST_0));
        Tiers.Outcome o = Tiers.of(vp, Host.NONE).check(0, List.of(Value.f64(1.5), Value.f64(0.25)),
                Limits.DEFAULT, text);
        assertEquals(Value.f64((1.5 * 0.25 + 1.5 - 0.25) / 0.25), o.results().get(0));
    }

    /** A counted loop over words with f64 arithmetic after it: no pool. */
    @Test
    void wordLoopThenF64NoPool() throws Exception {
        String text = CountedLoopPrograms.loop("wordloop", "n: i64, x: f64) -> (f64)", """
                    const.i64 r3, 0
                    const.i64 r4, 1
                    const.i64 r5, 0
                """, "i64.lt r6, r3, r1", """
                    i64.add r5, r5, r3
                """, "i64.add r3, r3, r4", "r7")
                .replace("done:\n", "done:\n    i64.to_f64 r8, r5\n    f64.mul r7, r8, r2\n");
        VerifiedProgram vp = JitLeafInlineTest.verified(text);
        assertEquals(0, JitTestAccess.insns(method(vp), Opcodes.DCONST_0), text);
        Tiers.Outcome o = Tiers.of(vp, Host.NONE).check(0, List.of(Value.i64(100), Value.f64(0.5)),
                Limits.DEFAULT, text);
        assertEquals(Value.f64(2475.0), o.results().get(0));
    }

    /** The bench's f64_loop body: its loop has the pool (two {@code dconst_0} per pool register at least). */
    @Test
    void f64LoopHasThePool() throws Exception {
        byte[] bytes = method(JitLeafInlineTest.verified(JitCountedF64LoopTest.loop(0)));
        assertTrue(JitTestAccess.insns(bytes, Opcodes.DCONST_0) >= 2);
    }
}
