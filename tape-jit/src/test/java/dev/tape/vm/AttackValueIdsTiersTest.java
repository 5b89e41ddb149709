package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot ids are by value (90f77c68): values a program can tell apart must stay distinct entries.
 * Tuples of +0.0 and -0.0, of two NaNs with other payloads, of decimals 1.0 (10, scale 1) and 1
 * (1, scale 0), of a string and a byte string of the same bytes, of i64 1 and u64 1, and closures
 * of other functions over equal environments, are built, paused at every instruction, moved
 * through a snapshot to the other tier and read back (f64 words through their bits): the result
 * must be the one written here by hand, on both tiers, and the moved run's snapshot the same bytes.
 */
class AttackValueIdsTiersTest {
    static final String PROGRAM = """
            program distinctids

            func main(n: i64) -> (u64, u64, u64, u64, agg) {
                const.f64 r2, 0.0
                const.u64 r3, 9223372036854775808
                f64.from_bits r4, r3
                tuple.new r5, [r2]
                tuple.new r6, [r4]
                const.u64 r7, 9221120237041090561
                f64.from_bits r8, r7
                const.u64 r9, 9221120237041090562
                f64.from_bits r10, r9
                tuple.new r11, [r8]
                tuple.new r12, [r10]
                const.decimal r13, 10, 1
                const.decimal r14, 1, 0
                tuple.new r15, [r13]
                tuple.new r16, [r14]
                const.pool r17, str:"ab"
                const.pool r18, bytes:6162
                tuple.new r19, [r17]
                tuple.new r20, [r18]
                const.i64 r21, 1
                const.u64 r22, 1
                tuple.new r23, [r21]
                tuple.new r24, [r22]
                tuple.new r25, [r21]
                tuple.new r26, [r21]
                const.func r27, f
                const.func r28, g
                closure.new r29, r27, r25
                closure.new r30, r28, r26
                closure.new r31, r27, r26
                tuple.get r32, r5, 0
                f64.to_bits r33, r32
                tuple.get r34, r6, 0
                f64.to_bits r35, r34
                tuple.get r36, r11, 0
                f64.to_bits r37, r36
                tuple.get r38, r12, 0
                f64.to_bits r39, r38
                tuple.new r40, [r15, r16, r19, r20, r23, r24, r29, r30, r31, r13, r14, r17, r18]
                ret r0, [r33, r35, r37, r39, r40]
            }

            func f(e: agg) -> (i64) {
                const.i64 r2, 1
                ret r0, [r2]
            }

            func g(e: agg) -> (i64) {
                const.i64 r2, 2
                ret r0, [r2]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));
    static final List<Value> ARGS = List.of(Value.i64(0));

    static Vm vm(boolean jit) {
        return jit ? Jit.compile(P, new HostRegistry()) : new Vm(P, new HostRegistry());
    }

    static String oneShot(Vm vm) {
        ExecutionContext c = new ExecutionContext();
        return AttackSharedValuesTiersTest.describe(vm.start(c, 0, ARGS, Limits.DEFAULT, null).resume(), c);
    }

    @Test
    void valuesAProgramTellsApartStayApartThroughEverySnapshot() {
        String want = oneShot(new Vm(P, new HostRegistry()));
        // by hand: the bits of +0.0, -0.0 and the two NaN payloads, then every value apart
        assertTrue(want.startsWith("ok [u64:0, u64:9223372036854775808, u64:9221120237041090561, "
                + "u64:9221120237041090562, tuple(tuple(dec:1.0), tuple(dec:1), tuple(str:\"ab\"), "
                + "tuple(bytes:6162), tuple(i64:1), tuple(u64:1), closure:1(tuple(i64:1)), "
                + "closure:2(tuple(i64:1)), closure:1(tuple(i64:1)), dec:1.0, dec:1, str:\"ab\", bytes:6162)] "
                + "fuel 9999960 host 0 "), want);
        assertEquals(want, oneShot(vm(true)));
        int paused = 0;
        for (long k = 1; ; k++) {
            boolean any = false;
            for (boolean onJit : new boolean[] {false, true}) {
                ExecutionContext c = new ExecutionContext();
                Run run = vm(onJit).start(c, 0, ARGS, Limits.DEFAULT, null);
                Outcome o = run.step(k);
                if (!(o instanceof Outcome.Paused)) {
                    continue;
                }
                any = true;
                byte[] snap = run.snapshot();
                ExecutionContext d = new ExecutionContext();
                Run moved = vm(!onJit).restore(d, snap, Limits.DEFAULT, null);
                assertArrayEquals(snap, moved.snapshot(), "restored after " + k);
                ExecutionContext e = new ExecutionContext();
                Run again = vm(onJit).restore(e, moved.snapshot(), Limits.DEFAULT, null);
                assertEquals(want, AttackSharedValuesTiersTest.describe(moved.resume(), d),
                        "moved after " + k + (onJit ? " from compiled" : " from interpreted"));
                assertEquals(want, AttackSharedValuesTiersTest.describe(again.resume(), e), "moved back after " + k);
            }
            if (!any) {
                break;
            }
            paused++;
        }
        assertTrue(paused >= 35, "paused " + paused);
    }
}
