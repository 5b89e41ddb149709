package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What writing a small snapshot allocates (HotSpot's per-thread counter, a count, not a time): the
 * writer's tables of ids start small and grow with the values, and the walk's stacks are made once
 * per write, not once per register. A run's snapshot taken often (checkpoints, fibers) holds few
 * values: the writer of the eighteenth round allocated a quarter more than the one before for the
 * first state here (six tables of 64 entries, four new stacks a register), until this was fixed.
 */
class SnapshotWriteAllocationTest {
    /** Bytes the current thread has allocated so far. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The fewest bytes one of five writes of the paused run allocates, after a warm-up. */
    private static long bytesOfAWrite(Vm vm, ExecutionContext c) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long before = allocated();
            byte[] s = Snapshots.write(vm, c);
            long used = allocated() - before;
            assertTrue(s.length > 0);
            if (i >= 15) {
                best = Math.min(best, used);
            }
        }
        return best;
    }

    @Test
    void aSmallRunsSnapshotAllocatesLittle() {
        ExecutionContext c = SnapshotIdsTest.paused(Value.tuple(Value.str("a"), Value.i64(1)),
                Value.tuple(Value.decimal(1, 2)));
        long used = bytesOfAWrite(SnapshotIdsTest.VM, c);
        // measured in the test JVM: 4,080 bytes before the eighteenth round, 5,104 after, 3,488 now
        assertTrue(used <= 4_000, used + " bytes allocated to write a snapshot of 4 values");
    }

    /** A run 200 frames deep, each frame holding a string of its own: a few dozen bytes a frame. */
    @Test
    void eachFramesRootCostsItsValueNotNewStacks() {
        Vm vm = new Vm(SnapshotPrograms.verified("""
                program rec

                func main(n: i64, s: str) -> (i64) {
                    const.i64 r3, 0
                    i64.eq r4, r1, r3
                    br r4, done, more
                done:
                    ret r0, [r1]
                more:
                    const.i64 r5, 1
                    i64.sub r6, r1, r5
                    str.len r7, r2
                    call r0, main, r0, [r6, r2] -> [r8]
                    ret r0, [r8]
                }
                """), SnapshotPrograms.host());
        long[] per = new long[2];
        for (int k = 0; k < 2; k++) {
            int depth = 100 * (k + 1);
            ExecutionContext c = new ExecutionContext();
            Paused.start(vm, c, 0, List.of(Value.i64(depth), Value.str("s")), Limits.DEFAULT);
            assertTrue(Paused.step(vm, c, 7L * depth + 1));
            assertEquals(depth + 1, c.depth, "paused at the bottom");
            per[k] = bytesOfAWrite(vm, c);
        }
        long perFrame = (per[1] - per[0]) / 100;
        // measured: 659 bytes before the eighteenth round (a place string a word), 99 now
        assertTrue(perFrame <= 160, perFrame + " bytes a frame (" + per[0] + " and " + per[1] + " in all)");
    }
}
