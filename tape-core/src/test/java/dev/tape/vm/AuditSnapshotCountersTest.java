package dev.tape.vm;

import dev.tape.format.ByteWriter;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audit of issue 14 (thirteenth round): the counters a snapshot carries. A restored run trusts its
 * heap counter within 0 and its heap limit, as it trusts its host calls, copy units and scanned
 * bytes within theirs: forging one low gives the resumed run at most what a fresh run with the
 * same limits gets. The counter cannot be checked against the restored values, since a genuine run
 * holds values it was never charged for (a constant here); instead the values themselves, counted
 * as a run is charged for making them, may take at most the ceiling's heap limit (before, a
 * hostile snapshot's values were bounded only by its size, about 16 heap bytes an input byte, on
 * top of the heap limit the resumed run then had whole).
 */
class AuditSnapshotCountersTest {
    /**
     * hold(n) makes s = c ++ c of a constant c of {@code k} chars (charged 16 + 2k; c is not
     * charged), counts n down (4 fuel a turn), then returns len(c) + len(s).
     */
    private static Vm hold(int k) {
        return new Vm(SnapshotPrograms.verified("""
                program hold

                func hold(n: i64) -> (length: i64) {
                    const.pool r2, str:"%s"
                    str.concat r3, r2, r2
                    const.i64 r4, 0
                    const.i64 r5, 1
                    jmp loop
                loop:
                    i64.eq r6, r1, r4
                    br r6, done, body
                body:
                    i64.sub r1, r1, r5
                    jmp loop
                done:
                    str.len r7, r2
                    str.len r8, r3
                    u64.add r9, r7, r8
                    u64.to_i64 r10, r9
                    ret r0, [r10]
                }
                """.formatted("x".repeat(k))), Host.NONE);
    }

    private static Limits limits(long heap) {
        return new Limits(100_000, 64, 100, heap, 1 << 16);
    }

    /** A genuine snapshot of hold(100) paused in its loop, under {@code limits}. */
    private static byte[] paused(Vm vm, Limits limits) {
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, List.of(Value.i64(100)), limits);
        assertTrue(Paused.step(vm, c, 30));
        return Snapshots.write(vm, c);
    }

    /** hold(100) run without a pause, described as {@link Paused#finish} does. */
    private static String uninterrupted(Vm vm, Limits limits) {
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, List.of(Value.i64(100)), limits);
        return Paused.finish(vm, c);
    }

    @Test
    void aGenuineSnapshotKeepsItsCounterThoughItHoldsUnchargedValues() {
        // c (30,016 bytes as a run counts) and s (60,016, charged): 90,032 bytes of values, a
        // heap counter of 60,016; taking the larger would make the resumed run differ
        Vm vm = hold(30_000);
        Limits l = limits(100_000);
        ExecutionContext c = new ExecutionContext();
        SnapshotReader.read(vm, paused(vm, l), c, l);
        assertEquals(60_016, c.heapBytes);
        String out = Paused.finish(vm, c);
        assertEquals(uninterrupted(vm, l), out);
        assertTrue(out.startsWith("ok i64:90000 ") && out.contains(" heap 60016 "), out);
    }

    @Test
    void valuesOverTheCeilingsHeapLimitAreRefusedAtTheObject() {
        // c 60,016 and s 120,016 bytes: over a ceiling of 150,000 at s, the second object
        Vm vm = hold(60_000);
        Limits l = limits(150_000);
        byte[] snap = paused(vm, l);
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(vm, snap, new ExecutionContext(), l));
        assertTrue(e.reason().contains("heap limit of 150000") && e.reason().contains("object 1"), e.getMessage());
        assertEquals(secondObject(snap, (byte) 'x'), e.offset(), "the offset of object 1 (its kind tag)");
        // a larger ceiling restores it, with the run's own counter
        ExecutionContext c = new ExecutionContext();
        SnapshotReader.read(vm, snap, c, l.withMaxHeapBytes(180_032));
        assertEquals(120_016, c.heapBytes);
        assertEquals(uninterrupted(vm, l), Paused.finish(vm, c));
    }

    @Test
    void aForgedZeroCounterGivesNoMoreThanAFreshRun() {
        // the counter patched to 0: accepted (a fresh run of these limits starts there), and the
        // values it holds are within the ceiling's heap limit, so the resumed run holds at most
        // that plus its own heap limit
        Vm vm = hold(30_000);
        Limits l = limits(100_000);
        byte[] snap = patch(paused(vm, l), 3, 0);
        ExecutionContext c = new ExecutionContext();
        SnapshotReader.read(vm, snap, c, l);
        assertEquals(0, c.heapBytes);
        assertTrue(Paused.finish(vm, c).startsWith("ok i64:90000 "));
    }

    @Test
    void countersARunCannotReachAreRefused() {
        Vm vm = hold(10);
        Limits l = limits(100_000);
        byte[] snap = paused(vm, l);
        long scanBudget = ExecutionContext.scanBudget(l);
        assertEquals(64L << 20, scanBudget);
        // scanned bytes: up to the scan budget (a run traps past it)
        SnapshotReader.read(vm, patch(snap, 4, scanBudget), new ExecutionContext(), l);
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(vm, patch(snap, 4, scanBudget + 1), new ExecutionContext(), l));
        assertTrue(e.reason().contains("scanned " + (scanBudget + 1)), e.getMessage());
        // heap bytes, host calls and copy units: up to their limits
        assertThrows(SnapshotException.class, () -> SnapshotReader.read(vm, patch(snap, 3, 100_001),
                new ExecutionContext(), l));
        assertThrows(SnapshotException.class, () -> SnapshotReader.read(vm, patch(snap, 2, 101),
                new ExecutionContext(), l));
        assertThrows(SnapshotException.class, () -> SnapshotReader.read(vm, patch(snap, 5,
                ExecutionContext.copyBudget(l) + 1), new ExecutionContext(), l));
    }

    /**
     * The snapshot with counter {@code which} replaced by {@code value}: 0 fuel, 1 reserve, 2 host
     * calls, 3 heap bytes, 4 scanned, 5 copy units, 6 deferred fuel, 7 fuel debt (docs/SNAPSHOT.md).
     */
    private static byte[] patch(byte[] snap, int which, long value) {
        int at = 4 + 2 + Snapshots.HASH_BYTES;
        for (int i = 0; i < 5 + which; i++) {
            at = skipUleb(snap, at);
        }
        int end = skipUleb(snap, at);
        ByteWriter w = new ByteWriter();
        w.uleb(value);
        byte[] mid = w.toByteArray();
        byte[] out = Arrays.copyOf(snap, at + mid.length + snap.length - end);
        System.arraycopy(mid, 0, out, at, mid.length);
        System.arraycopy(snap, end, out, at + mid.length, snap.length - end);
        return out;
    }

    private static int skipUleb(byte[] b, int at) {
        while ((b[at] & 0x80) != 0) {
            at++;
        }
        return at + 1;
    }

    /** @return where object 1 starts: after object 0, the first run of {@code x} bytes (a string's chars) */
    private static int secondObject(byte[] b, byte x) {
        int p = 0;
        while (b[p] != x) {
            p++;
        }
        while (b[p] == x) {
            p++;
        }
        return p;
    }
}
