package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interpreter holds decimal results unboxed while its loop runs ({@link DecScale}: the mantissa
 * in the word file, a scale token in the reference file) and boxes them before anything outside
 * the loop can look. Checked here at every point a run can stop: after every budget from 0 to past
 * the end (a pause for fuel), at the end and at a trap, no reference-file slot holds a token, the
 * paused run's snapshot is the same bytes as that of a run stopped at the same point and restored
 * from its own snapshot, and the run finishes with the hand-computed result. The program writes more
 * decimal registers per trip than the list of unboxed slots holds ({@link ExecutionContext#DEC_SLOTS}),
 * so the list fills and is boxed in the middle of the loop, and its helpers reuse the slots of an
 * earlier callee's unboxed decimals as word, string and decimal registers.
 */
class DecScaleTokensTest {
    /** how many decimal registers main's chain writes per trip (more than DEC_SLOTS) */
    private static final int CHAIN = ExecutionContext.DEC_SLOTS + 6;

    /**
     * main(n) -> (dec, i64): for i in 0..n: r10 = i (scale 2), r11 = 2 * r10, r(k) = r(k-1) + r10 up
     * to r(10 + CHAIN); total += the last of them, total += dec_helper(i) (2 * i, scale 2), r7 =
     * word_helper(i) = i + 7. The total's mantissa is (200 + 100 * (CHAIN - 1) + 200) * n(n-1)/2.
     */
    static String program() {
        StringBuilder s = new StringBuilder("""
                program tokens
                func main(n: i64) -> (dec, i64) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    const.decimal r4, 0, 2
                    const.i64 r7, 0
                    jmp head
                head:
                    i64.lt r5, r2, r1
                    br r5, body, done
                body:
                    i64.to_dec r10, r2, 2
                    dec.add r11, r10, r10
                """);
        for (int k = 12; k <= 10 + CHAIN; k++) {
            s.append("    dec.add r").append(k).append(", r").append(k - 1).append(", r10\n");
        }
        s.append("    dec.add r4, r4, r").append(10 + CHAIN).append('\n');
        s.append("""
                    call r0, dec_helper, r0, [r2] -> [r6]
                    dec.add r4, r4, r6
                    call r0, word_helper, r0, [r2] -> [r7]
                    i64.add r2, r2, r3
                    jmp head
                done:
                    ret r0, [r4, r7]
                }
                func dec_helper(k: i64) -> (dec) {
                    i64.to_dec r2, r1, 2
                    dec.add r3, r2, r2
                    dec.sub r4, r3, r2
                    dec.add r5, r4, r2
                    ret r0, [r5]
                }
                func word_helper(k: i64) -> (i64) {
                    const.i64 r2, 7
                    const.pool r3, str:"slot"
                    i64.add r4, r1, r2
                    i64.to_dec r5, r4, 0
                    dec.to_i64 r6, r5
                    ret r0, [r6]
                }
                """);
        return s.toString();
    }

    private static final Vm VM = vm(program());

    private static Vm vm(String text) {
        try {
            return new Vm(Verifier.verify(Assembler.assemble(text, "tokens.tasm")), Host.NONE);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts that no slot of {@code c}'s reference file holds an unboxed decimal ({@link DecScale}). */
    static void assertNoToken(ExecutionContext c, String what) {
        for (int i = 0; i < c.r.length; i++) {
            assertTrue(!(c.r[i] instanceof DecScale), what + ": r[" + i + "] holds an unboxed decimal");
        }
    }

    @Test
    void noTokenIsLeftWhereverTheRunStopsAndItEndsAsAWholeRun() {
        long n = 3;
        List<Value> args = List.of(Value.i64(n));
        long mantissa = (200 + 100L * (CHAIN - 1) + 200) * (n * (n - 1) / 2);
        String expected = "ok " + Value.decimal(mantissa, 2) + ", " + Value.i64(n - 1 + 7);
        ExecutionContext whole = new ExecutionContext();
        Paused.start(VM, whole, 0, args, Limits.DEFAULT);
        String wholeOutcome = Paused.finish(VM, whole);
        assertNoToken(whole, "whole run");
        assertTrue(wholeOutcome.startsWith(expected), wholeOutcome);
        long used = Limits.DEFAULT.fuel() - whole.fuelRemaining();
        assertTrue(used > 3 * CHAIN, "used " + used);
        for (long k = 0; k <= used + 1; k++) {
            ExecutionContext c = new ExecutionContext();
            Paused.start(VM, c, 0, args, Limits.DEFAULT);
            boolean paused = Paused.step(VM, c, k);
            assertNoToken(c, "after " + k);
            if (paused) {
                byte[] snap = Snapshots.write(VM, c);
                ExecutionContext restored = new ExecutionContext();
                SnapshotReader.read(VM, snap, restored);
                assertArrayEquals(snap, Snapshots.write(VM, restored), "snapshot of the restored run at " + k);
                assertEquals(wholeOutcome, Paused.finish(VM, restored), "restored at " + k);
                assertNoToken(restored, "restored run at " + k);
            }
            assertEquals(wholeOutcome, Paused.finish(VM, c), "paused after " + k);
            assertNoToken(c, "finished after " + k);
        }
    }

    /** A square that grows every trip traps decimal_overflow in the loop: no token is left behind. */
    @Test
    void noTokenIsLeftAtATrap() {
        Vm vm = vm("""
                program squares
                func main(n: i64) -> (dec) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    const.decimal r4, 3, 0
                    jmp head
                head:
                    i64.lt r5, r2, r1
                    br r5, body, done
                body:
                    i64.to_dec r6, r2, 0
                    dec.add r7, r4, r6
                    dec.mul r4, r7, r7
                    i64.add r2, r2, r3
                    jmp head
                done:
                    ret r0, [r4]
                }
                """);
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, List.of(Value.i64(100)), Limits.DEFAULT);
        String outcome = Paused.finish(vm, c);
        assertTrue(outcome.contains("DECIMAL_OVERFLOW") || outcome.contains("decimal_overflow"), outcome);
        assertNoToken(c, "trapped");
        // the squares that fit: 3, 9, 100, 10404, ... ; a run of 3 trips ends with the value
        ExecutionContext ok = new ExecutionContext();
        Paused.start(vm, ok, 0, List.of(Value.i64(3)), Limits.DEFAULT);
        String three = Paused.finish(vm, ok);
        // trip 0: (3 + 0)^2 = 9; trip 1: (9 + 1)^2 = 100; trip 2: (100 + 2)^2 = 10404
        assertTrue(three.startsWith("ok " + Value.decimal(10404, 0)), three);
        assertNoToken(ok, "done");
    }
}
