package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on snapshots sharing decimals by value: a run holding a chain of n tuples, each with a
 * decimal, the decimals all distinct but with one Java hash code ((k << 32 | k) has
 * {@code Long.hashCode} 0), or all equal, or all distinct: the snapshot is the same bytes on both
 * tiers, restores and ends alike, its size grows linearly, and it is taken in time n log n (a
 * hash map of colliding keys that cannot be ordered takes time n<sup>2</sup>: 200,000 such
 * decimals took minutes).
 */
class AttackSnapshotDecimalsTest {
    /**
     * main(n, mode): for k in 0..n: d = to_dec(mode 0: k << 32 | k; 1: 7; 2: k), acc = (d, acc);
     * then spins until its fuel runs out (the run pauses there).
     */
    static final String PROGRAM = """
            program chain
            func main(n: i64, mode: i64) -> (i64) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 32
                const.i64 r6, 7
                const.i64 r13, 2
                const.decimal r7, 0, 0
                tuple.new r8, [r7]
                jmp head
            head:
                i64.lt r9, r3, r1
                br r9, body, spin
            body:
                i64.shl r10, r3, r5
                i64.or r10, r10, r3
                i64.eq r11, r2, r4
                select r10, r11, r6, r10
                i64.eq r11, r2, r13
                select r10, r11, r3, r10
                i64.to_dec r12, r10, 0
                tuple.new r8, [r12, r8]
                i64.add r3, r3, r4
                jmp head
            spin:
                jmp spin
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));

    private static Run paused(Vm vm, long n, long mode) {
        Run r = vm.start(0, List.of(Value.i64(n), Value.i64(mode)), Limits.DEFAULT.withFuel(12 * n + 100));
        Outcome o = r.resume();
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) o).reason());
        return r;
    }

    @Test
    void collidingEqualAndDistinctDecimalsInAChainOfTuples() {
        Vm interp = new Vm(P, new HostRegistry());
        Vm jit = Jit.compile(P, new HostRegistry());
        assertEquals(1, Jit.precompile(jit));
        int[] sizes = new int[3];
        for (int mode = 0; mode < 3; mode++) {
            byte[] small = paused(jit, 1_000, mode).snapshot();
            byte[] x = paused(interp, 20_000, mode).snapshot();
            byte[] y = paused(jit, 20_000, mode).snapshot();
            assertArrayEquals(x, y, "mode " + mode);
            sizes[mode] = y.length;
            // linear: 20 times the run, at most about 20 times the bytes (and a byte more per varint)
            assertTrue(y.length < 30L * small.length, "mode " + mode + ": " + small.length + " then " + y.length);
            for (Vm vm : new Vm[] {interp, jit}) {
                Run r = vm.restore(y);
                assertArrayEquals(y, r.snapshot(), "mode " + mode + " restored and taken again");
            }
        }
        assertTrue(sizes[1] < sizes[2] && sizes[1] < sizes[0], "equal decimals are shared: " + List.of(sizes[0],
                sizes[1], sizes[2]));
    }

    /**
     * 200,000 distinct decimals of one hash code: a snapshot and a restore end (a bound of a minute
     * against the quadratic time, not a speed figure: they take well under a second).
     */
    @Test
    void manyDecimalsOfOneHashCode() {
        Vm jit = Jit.compile(P, new HostRegistry());
        Run r = paused(jit, 200_000, 0);
        byte[] s = assertTimeoutPreemptively(Duration.ofSeconds(60), r::snapshot);
        Run back = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> new Vm(P, new HostRegistry()).restore(s));
        assertArrayEquals(s, assertTimeoutPreemptively(Duration.ofSeconds(60), back::snapshot));
    }
}
