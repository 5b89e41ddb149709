package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No decimal the interpreter holds unboxed ({@link DecScale}) crosses a call or a return as a token:
 * {@link Calls#copyOne} boxes a token it copies into a callee's argument or a caller's result
 * register (the eleventh round's dec11b measured the alternative, copying references as they are
 * and boxing the listed tokens before each call and return, and kept this). Checked here with a
 * decimal the caller holds unboxed passed as an argument, both by {@code call} and
 * {@code call.indirect}, which the callee then overwrites with a result of the same scale (a token
 * copied into the callee's register would not be listed then, and would outlive every boxing),
 * and with a decimal a callee holds unboxed returned as its result: wherever the run stops for
 * fuel, no reference-file slot holds a token, and the run ends with the hand-computed results.
 */
class DecScaleCallsTest {
    private static final Vm VM;

    static {
        try {
            VM = new Vm(Verifier.verify(Assembler.assemble("""
                    program calls
                    callsig dd = (dec, i64) -> (dec)
                    func main(n: i64) -> (dec, dec, dec) {
                        i64.to_dec r2, r1, 2
                        call r0, twice, r0, [r2, r1] -> [r3]
                        dec.add r4, r3, r3
                        const.func r5, twice
                        call.indirect r0, dd, r5, r0, [r4, r1] -> [r6]
                        call r0, square, r0, [r1] -> [r7]
                        ret r0, [r3, r6, r7]
                    }
                    func twice(d: dec, k: i64) -> (dec) {
                        dec.add r1, r1, r1
                        ret r0, [r1]
                    }
                    func square(k: i64) -> (dec) {
                        i64.to_dec r2, r1, 3
                        dec.mul r3, r2, r2
                        ret r0, [r3]
                    }
                    """, "calls.tasm")), Host.NONE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void noTokenCrossesACallOrAReturn() {
        List<Value> args = List.of(Value.i64(5));
        // 5.00 doubled: 10.00; 20.00 doubled: 40.00; 5.000 squared: 25.000000
        String expected = "ok " + Value.decimal(1000, 2) + ", " + Value.decimal(4000, 2) + ", "
                + Value.decimal(25_000_000, 6);
        ExecutionContext whole = new ExecutionContext();
        Paused.start(VM, whole, 0, args, Limits.DEFAULT);
        String outcome = Paused.finish(VM, whole);
        assertTrue(outcome.startsWith(expected), outcome);
        DecScaleTokensTest.assertNoToken(whole, "whole run");
        long used = Limits.DEFAULT.fuel() - whole.fuelRemaining();
        assertTrue(used >= 11, "used " + used);
        for (long k = 0; k <= used + 1; k++) {
            ExecutionContext c = new ExecutionContext();
            Paused.start(VM, c, 0, args, Limits.DEFAULT);
            Paused.step(VM, c, k);
            DecScaleTokensTest.assertNoToken(c, "after " + k);
            assertEquals(outcome, Paused.finish(VM, c), "paused after " + k);
            DecScaleTokensTest.assertNoToken(c, "finished after " + k);
        }
    }
}
