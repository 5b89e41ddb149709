package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the thirteenth audit's snapshot rule (restored values, counted as a run is charged for
 * them, within the ceiling's heap limit): a genuine run holds values it is not charged for (here
 * its entry argument), so its own snapshot can be refused under a ceiling equal to its limits,
 * through the public {@code Vm.restore}. The refusal must say so and what to do, and a ceiling
 * with a larger heap limit must restore the run to the uninterrupted run's end.
 */
class AttackSnapshotCeilingTest {
    /** main(s, n) makes t = s ++ s (charged 16 + 2 len s; s, an argument, is not), counts n down, returns len t. */
    private static final String SOURCE = """
            program arg_hold

            func main(s: str, n: i64) -> (length: i64) {
                str.concat r3, r1, r1
                const.i64 r4, 0
                const.i64 r5, 1
                jmp loop
            loop:
                i64.eq r6, r2, r4
                br r6, done, body
            body:
                i64.sub r2, r2, r5
                jmp loop
            done:
                str.len r7, r3
                u64.to_i64 r8, r7
                ret r0, [r8]
            }
            """;

    private static final Limits LIMITS = new Limits(100_000, 64, 100, 150_000, 1 << 16);

    @Test
    void aGenuineSnapshotOverTheCeilingIsRefusedWithTheRemedyAndRestoresUnderALargerOne() {
        Vm vm = new Vm(SnapshotPrograms.verified(SOURCE), Host.NONE);
        List<Value> args = List.of(Value.str("x".repeat(60_000)), Value.i64(100));
        Outcome want = vm.start(new ExecutionContext(), 0, args, LIMITS, null).resume();
        Run run = vm.start(new ExecutionContext(), 0, args, LIMITS, null);
        assertInstanceOf(Outcome.Paused.class, run.step(30));
        byte[] snap = run.snapshot();
        // s 60,016 and t 120,016 bytes as a run counts them: over 150,000, though the run was
        // charged 120,016, within its heap limit
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> vm.restore(new ExecutionContext(), snap, LIMITS, null));
        assertTrue(e.reason().contains("heap limit of 150000") && e.reason().contains("larger heap limit"),
                e.getMessage());
        Run restored = vm.restore(new ExecutionContext(), snap, LIMITS.withMaxHeapBytes(180_032), null);
        Outcome got = restored.resume();
        assertEquals(want, got);
        assertEquals(((Outcome.Done) want).values(), List.of(Value.i64(120_000)));
    }

    /**
     * main(s, n) makes d = (s, s), then doubles it 100 times (d = (d, d)): 2^100 paths to s, 101
     * tuples and one string; then counts n down and returns n. Paused in the count down.
     */
    private static final String DAG = """
            program dag

            func main(s: str, n: i64) -> (n: i64) {
                tuple.new r3, [r1, r1]
                const.i64 r4, 0
                const.i64 r5, 1
                const.i64 r9, 100
                jmp double
            double:
                i64.eq r6, r9, r4
                br r6, count, more
            more:
                tuple.new r3, [r3, r3]
                i64.sub r9, r9, r5
                jmp double
            count:
                i64.eq r6, r2, r4
                br r6, done, body
            body:
                i64.sub r2, r2, r5
                jmp count
            done:
                ret r0, [r2]
            }
            """;

    @Test
    void aSharedDagIsWrittenAndCountedOnceAnObject() {
        Vm vm = new Vm(SnapshotPrograms.verified(DAG), Host.NONE);
        List<Value> args = List.of(Value.str("y".repeat(40_000)), Value.i64(1_000));
        // as a run counts them: 40,016 + 101 x 66 = 46,682 bytes; one byte less refuses it
        long held = 40_016 + 101 * (Ops.aggregateBytes(2) + Ops.referenceBytes(2));
        assertEquals(46_682, held);
        for (long heap : new long[] {held - 1, held}) {
            Limits limits = LIMITS.withMaxHeapBytes(heap);
            Outcome want = vm.start(new ExecutionContext(), 0, args, limits, null).resume();
            Run run = vm.start(new ExecutionContext(), 0, args, limits, null);
            assertInstanceOf(Outcome.Paused.class, run.step(700));
            byte[] snap = run.snapshot();
            // each object once: the string, 101 tuples of two references (a few bytes each)
            assertTrue(snap.length < 40_000 + 2_000, "snapshot of " + snap.length + " bytes");
            if (heap < held) {
                SnapshotException e = assertThrows(SnapshotException.class,
                        () -> vm.restore(new ExecutionContext(), snap, limits, null));
                assertTrue(e.reason().contains("values take more") && e.reason().contains("object 101"), e.getMessage());
            } else {
                assertEquals(want, vm.restore(new ExecutionContext(), snap, limits, null).resume());
            }
        }
    }
}
