package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attacks on snapshot restoring (issue 13): each test is named after what it found or checks. */
class AttackSnapshotTest {
    /**
     * docs/SNAPSHOT.md promises "fuel and counters within the limits": a snapshot whose fuel left
     * is more than its own fuel limit is no state a run can be in (a run's fuel used would be
     * negative), so it is refused, not only checked against the ceiling.
     */
    @Test
    void aSnapshotWithMoreFuelLeftThanItsFuelLimitIsRefused() {
        Vm vm = SnapshotChecks.FIB;
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, List.of(Value.i64(10)), Limits.DEFAULT.withFuel(1_000));
        assertTrue(Paused.step(vm, c, 5));
        c.limits = c.limits.withFuel(10); // 995 left of a total of 10
        byte[] forged = Snapshots.write(vm, c);
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(vm, forged, new ExecutionContext()));
        assertTrue(e.getMessage().contains("fuel"), e.getMessage());
    }

    /**
     * A run paused for fuel after a host charged more than it had left owes the excess
     * ({@code ExecutionContext.fuelDebt}): the fuel added next pays it first. The snapshot format
     * has no field for it, so the restored run owed nothing and, given more fuel, ran further than
     * the run it was taken of. Now such a snapshot is refused; once fuel is added (paying the debt)
     * it is taken, and the restored run owes nothing because the run owes nothing.
     */
    @Test
    void aSnapshotOfARunThatOwesFuelKeepsTheDebt() throws Exception {
        Vm vm = AttackRunTest.fetchVm((a, out, ctx) -> {
            ctx.chargeFuel(1_000);
            out[0] = Value.i64(1);
        });
        ExecutionContext c = new ExecutionContext();
        Run run = vm.start(c, 0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(10), null);
        assertInstanceOf(PauseReason.FuelExhausted.class, ((Outcome.Paused) run.resume()).reason());
        assertTrue(c.fuelDebt > 0, "the paused run owes fuel");
        // the format (version 2) carries the debt: the restored run owes the same, not nothing
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(vm, Snapshots.write(vm, c), b);
        assertEquals(c.fuelDebt, b.fuelDebt);
        run.addFuel(2_000);
        assertEquals(0, c.fuelDebt);
        byte[] snap = Snapshots.write(vm, c);
        ExecutionContext d = new ExecutionContext();
        SnapshotReader.read(vm, snap, d);
        assertEquals(c.fuelRemaining(), d.fuelRemaining());
        assertEquals(Paused.finish(vm, c), Paused.finish(vm, d));
    }

    /**
     * Structured multi-byte mutations of genuine snapshots (random bytes, increments, zeros, bit
     * flips and bytes copied from elsewhere in the snapshot, one to three at once, past the header):
     * each is refused with a SnapshotException or restores to a run that ends without an
     * internal_error and round-trips ({@link SnapshotChecks#restore}).
     */
    @Test
    void multiByteMutationsOfGenuineSnapshotsAreRefusedOrRunCleanly() {
        List<byte[]> seeds = new ArrayList<>();
        for (long steps = 1; steps < 400; steps += 3) {
            try {
                seeds.add(SnapshotChecks.kinds(3, steps));
            } catch (IllegalStateException e) {
                break;
            }
        }
        Random rnd = new Random(13);
        for (int t = 0; t < 5_000; t++) {
            byte[] s = seeds.get(rnd.nextInt(seeds.size())).clone();
            int muts = 1 + rnd.nextInt(3);
            for (int m = 0; m < muts; m++) {
                int at = Math.min(s.length - 1, 38 + rnd.nextInt(s.length - 38));
                switch (rnd.nextInt(6)) {
                    case 0 -> s[at] = (byte) rnd.nextInt(256);
                    case 1 -> s[at]++;
                    case 2 -> s[at]--;
                    case 3 -> s[at] = 0;
                    case 4 -> s[at] ^= (byte) (1 << rnd.nextInt(8));
                    default -> s[at] = s[Math.min(s.length - 1, 38 + rnd.nextInt(s.length - 38))];
                }
            }
            SnapshotChecks.restore(s);
        }
    }
}
